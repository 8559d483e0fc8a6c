package neo4jstore

import (
	"context"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	pg "github.com/unicri/partnergraph"
)

// Importer implements pg.ImportService with batched UNWIND ... MERGE statements.
type Importer struct{ db *DB }

// Importer returns the store's bulk import service.
func (db *DB) Importer() *Importer { return &Importer{db: db} }

var _ pg.ImportService = (*Importer)(nil)

var (
	qImportNodes = perKind(`UNWIND $rows AS row
MERGE (n:Entity {id: row.id})
ON CREATE SET n.createdAt = datetime(), n.updatedAt = datetime()
SET n:LABEL, n += row`)
	qImportRels = perRelType(`UNWIND $rows AS row
MATCH (a:Entity {id: row.from}), (b:Entity {id: row.to})
MERGE (a)-[r:RELTYPE]->(b)
SET r.role = row.role, r.title = row.title, r.since = row.since, r.until = row.until`)
)

// Import implements pg.ImportService. Each batch is its own transaction: a failed import can be
// run again and completes what is missing.
func (s *Importer) Import(ctx context.Context, nodes []pg.ImportNode, rels []pg.Relation, batchSize int) (pg.ImportResult, error) {
	res := pg.ImportResult{Nodes: len(nodes), Relations: len(rels)}
	if batchSize < 1 {
		batchSize = 5000
	}
	byKind := map[pg.Kind][]map[string]any{}
	for _, n := range nodes {
		if _, ok := qImportNodes[n.Kind]; !ok {
			return res, pg.FieldErrorf(pg.EINVALID, "kind", "unknown kind %q", n.Kind)
		}
		props := map[string]any{}
		for k, v := range n.Props {
			if v != nil {
				props[k] = v
			}
		}
		setDerived(n.Kind, props, nil)
		byKind[n.Kind] = append(byKind[n.Kind], props)
	}
	for _, k := range pg.Kinds {
		for _, batch := range batches(byKind[k], batchSize) {
			c, err := s.run(ctx, qImportNodes[k], batch)
			if err != nil {
				return res, translate("import nodes", err)
			}
			res.NodesCreated += c.NodesCreated()
		}
	}
	byType := map[pg.RelType][]map[string]any{}
	for _, r := range rels {
		if _, ok := qImportRels[r.Type]; !ok {
			return res, pg.FieldErrorf(pg.EINVALID, "type", "unknown relation type %q", r.Type)
		}
		byType[r.Type] = append(byType[r.Type], relParams(r))
	}
	for _, spec := range pg.RelTypes {
		for _, batch := range batches(byType[spec.Type], batchSize) {
			c, err := s.run(ctx, qImportRels[spec.Type], batch)
			if err != nil {
				return res, translate("import relations", err)
			}
			res.RelationsCreated += c.RelationshipsCreated()
		}
	}
	return res, s.db.bumpVersion(ctx)
}

func (s *Importer) run(ctx context.Context, q string, rows []map[string]any) (neo4j.Counters, error) {
	start := time.Now()
	params := map[string]any{"rows": rows}
	res, err := neo4j.ExecuteQuery(ctx, s.db.driver, q, params, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(s.db.database), neo4j.ExecuteQueryWithWritersRouting())
	s.db.sent(ctx, q, params, start, err)
	if err != nil {
		return nil, err
	}
	return res.Summary.Counters(), nil
}

func batches[T any](items []T, size int) [][]T {
	var out [][]T
	for len(items) > 0 {
		n := min(size, len(items))
		out = append(out, items[:n])
		items = items[n:]
	}
	return out
}

// Reset deletes every entity and relation (not the schema) in batches. For tests and for
// `partnergraph seed --reset`; never reachable from the API.
func (db *DB) Reset(ctx context.Context) error {
	const q = `MATCH (n:Entity) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS`
	session := db.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: db.database})
	defer func() { _ = session.Close(context.Background()) }()
	start := time.Now()
	res, err := session.Run(ctx, q, nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	db.sent(ctx, q, nil, start, err)
	if err != nil {
		return translate("reset", err)
	}
	return db.bumpVersion(ctx)
}

// CountEntities returns how many entities are stored: serve seeds an empty database.
func (db *DB) CountEntities(ctx context.Context) (int, error) {
	rows, err := db.read(ctx, `MATCH (n:Entity) RETURN count(n) AS n`, nil)
	if err != nil {
		return 0, translate("count entities", err)
	}
	n, _, err := neo4j.GetRecordValue[int64](rows[0], "n")
	return int(n), err
}
