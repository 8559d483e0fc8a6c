package neo4jstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

//go:embed migrations/*.cypher
var migrationFiles embed.FS

// migration is one numbered file of schema statements.
type migration struct {
	version    int
	name       string
	statements []string
}

func loadMigrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.cypher")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []migration
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with its number", base)
		}
		b, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: base, statements: splitStatements(string(b))})
	}
	return out, nil
}

// splitStatements splits a file on semicolons at line ends, dropping // comment lines.
func splitStatements(src string) []string {
	var lines []string
	for _, l := range strings.Split(src, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "//") {
			lines = append(lines, l)
		}
	}
	var out []string
	for _, s := range strings.Split(strings.Join(lines, "\n"), ";\n") {
		if s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), ";")); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Migrate applies the migrations not yet recorded in the database, records each one, and waits
// for the indexes to come online. Every statement uses IF NOT EXISTS, so instances migrating at
// the same time are harmless. Returns EUNAVAILABLE.
func (db *DB) Migrate(ctx context.Context) (applied []string, err error) {
	ms, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	const qApplied = `MATCH (m:Migration) RETURN m.version AS version`
	rows, err := db.read(ctx, qApplied, nil)
	if err != nil {
		return nil, translate("migrate", err)
	}
	done := map[int64]bool{}
	for _, r := range rows {
		if v, _, err := neo4j.GetRecordValue[int64](r, "version"); err == nil {
			done[v] = true
		}
	}
	for _, m := range ms {
		if done[int64(m.version)] {
			continue
		}
		for _, stmt := range m.statements {
			// Each statement runs alone, in an auto-commit transaction: schema statements cannot
			// share a transaction with writes, and backfills batch with CALL ... IN TRANSACTIONS.
			if err := db.autoCommit(ctx, stmt); err != nil {
				return applied, translate("migrate "+m.name, err)
			}
		}
		const qRecord = `MERGE (m:Migration {version: $version}) ON CREATE SET m.name = $name, m.appliedAt = datetime()`
		if _, err := db.write(ctx, qRecord, map[string]any{"version": m.version, "name": m.name}); err != nil {
			return applied, translate("migrate "+m.name, err)
		}
		applied = append(applied, m.name)
	}
	if _, err := db.write(ctx, `CALL db.awaitIndexes(300)`, nil); err != nil {
		return applied, translate("await indexes", err)
	}
	return applied, nil
}

// Migrated reports whether every migration this binary knows is recorded in the database.
func (db *DB) Migrated(ctx context.Context) (bool, error) {
	ms, err := loadMigrations()
	if err != nil {
		return false, err
	}
	const q = `MATCH (m:Migration) RETURN count(m) AS n, coalesce(max(m.version), 0) AS v`
	rows, err := db.read(ctx, q, nil)
	if err != nil || len(rows) == 0 {
		return false, translate("migrated", err)
	}
	v, _, _ := neo4j.GetRecordValue[int64](rows[0], "v")
	return v >= int64(ms[len(ms)-1].version), nil
}

// autoCommit runs one statement in an auto-commit transaction and waits for it to finish.
func (db *DB) autoCommit(ctx context.Context, query string) error {
	session := db.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: db.database, AccessMode: neo4j.AccessModeWrite})
	defer func() { _ = session.Close(context.Background()) }()
	start := time.Now()
	res, err := session.Run(ctx, query, nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	db.sent(ctx, query, nil, start, err)
	return err
}
