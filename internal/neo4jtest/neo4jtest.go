// Package neo4jtest opens the real Neo4j that `make test` starts, for tests: it migrates,
// empties the database before and after each test, and loads the centre dataset on request.
// Tests that use it must not run in parallel with each other: they share one database.
package neo4jtest

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/unicri/partnergraph/neo4jstore"
	"github.com/unicri/partnergraph/seed"
)

// Config returns the test database settings from NEO4J_TEST_URI, NEO4J_TEST_USER and
// NEO4J_TEST_PASSWORD (defaults: the instance `make test` starts on port 7697).
func Config() neo4jstore.Config {
	get := func(k, def string) string {
		if v := os.Getenv(k); v != "" {
			return v
		}
		return def
	}
	return neo4jstore.Config{URI: get("NEO4J_TEST_URI", "bolt://127.0.0.1:7697"),
		User: get("NEO4J_TEST_USER", "neo4j"), Password: get("NEO4J_TEST_PASSWORD", "partnergraph")}
}

// Open connects to the test database, migrates it and empties it; it empties it again when
// the test ends. It fails the test if Neo4j cannot be reached: run tests with `make test`.
func Open(tb testing.TB) *neo4jstore.DB {
	tb.Helper()
	db, err := neo4jstore.Open(Config())
	if err != nil {
		tb.Fatalf("neo4jtest: open: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := db.Ping(ctx); err != nil {
		tb.Fatalf("neo4jtest: Neo4j at %s does not answer (%v): run the tests with `make test`, which starts it", Config().URI, err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatalf("neo4jtest: migrate: %v", err)
	}
	if err := db.Reset(ctx); err != nil {
		tb.Fatalf("neo4jtest: reset: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := db.Reset(ctx); err != nil {
			tb.Errorf("neo4jtest: reset after test: %v", err)
		}
		_ = db.Close(ctx)
	})
	return db
}

// MustSeedCentre loads the centre dataset.
func MustSeedCentre(tb testing.TB, db *neo4jstore.DB) {
	tb.Helper()
	d, err := seed.Load(bytes.NewReader(seed.Centre()))
	if err != nil {
		tb.Fatalf("neo4jtest: load centre dataset: %v", err)
	}
	if _, err := seed.Import(context.Background(), db.Importer(), d, 5000); err != nil {
		tb.Fatalf("neo4jtest: import centre dataset: %v", err)
	}
}
