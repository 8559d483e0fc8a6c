package neo4jstore

import (
	"context"
	"hash/fnv"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	pg "github.com/unicri/partnergraph"
)

// Importer implements pg.ImportService with batched UNWIND ... MERGE statements, several
// transactions at a time.
type Importer struct {
	db *DB
	// Workers is how many import transactions run at once (default 2). Two transactions never
	// touch the same node: batches that share one wait for each other, so the locks MERGE takes
	// on both ends of a relation cannot deadlock, however skewed the degrees are.
	Workers int
}

// Importer returns the store's bulk import service.
func (db *DB) Importer() *Importer { return &Importer{db: db, Workers: 2} }

var _ pg.ImportService = (*Importer)(nil)

// DefaultImportBatch is the batch size Import uses when given none. Bigger batches barely save
// transaction overhead but cost garbage collection: every young collection in Neo4j copies the
// state of the transactions in flight. Loading 1M relations in batches of 10,000 spent 59 s in
// G1 pauses (1 GB heap), in batches of 2,000 7 s.
const DefaultImportBatch = 2000

var (
	qImportNodes = perKind(`UNWIND $rows AS row
MERGE (n:Entity {id: row.id})
ON CREATE SET n.createdAt = datetime({epochMillis: timestamp()}), n.updatedAt = datetime({epochMillis: timestamp()})
SET n:LABEL, n += row`)
	// Rows hold only the properties a relation has, and most have none beyond their role: a new
	// relation gets its role and nothing else is written; one found again also loses the
	// properties it no longer has.
	qImportRelsPlain = perRelSpec(func(s pg.RelSpec) string {
		if len(s.Roles) == 0 {
			return `UNWIND $rows AS row
MATCH (a:Entity {id: row.from})
MATCH (b:Entity {id: row.to})
MERGE (a)-[r:RELTYPE]->(b)
ON MATCH SET r.role = null, r.title = null, r.since = null, r.until = null`
		}
		return `UNWIND $rows AS row
MATCH (a:Entity {id: row.from})
MATCH (b:Entity {id: row.to})
MERGE (a)-[r:RELTYPE]->(b)
ON CREATE SET r.role = row.role
ON MATCH SET r.role = row.role, r.title = null, r.since = null, r.until = null`
	})
	// Relations with a title or dates (few) set every property.
	qImportRelsFull = perRelType(`UNWIND $rows AS row
MATCH (a:Entity {id: row.from})
MATCH (b:Entity {id: row.to})
MERGE (a)-[r:RELTYPE]->(b)
SET r.role = row.role, r.title = row.title, r.since = row.since, r.until = row.until`)
)

// perRelSpec is perRelType with a template chosen per relationship type.
func perRelSpec(template func(pg.RelSpec) string) map[pg.RelType]string {
	out := make(map[pg.RelType]string, len(pg.RelTypes))
	for _, s := range pg.RelTypes {
		out[s.Type] = perRelType(template(s))[s.Type]
	}
	return out
}

// importJob is one batch: one statement, one transaction.
type importJob struct {
	q    string
	rows []map[string]any
	ends map[string]struct{} // ids of the nodes the batch touches
}

// Import implements pg.ImportService: the nodes, then the relations, each batch its own
// transaction, Workers at a time. A failed import can be run again and completes what is
// missing. Returns EINVALID, EUNAVAILABLE.
func (s *Importer) Import(ctx context.Context, nodes []pg.ImportNode, rels []pg.Relation, batchSize int) (pg.ImportResult, error) {
	res := pg.ImportResult{Nodes: len(nodes), Relations: len(rels)}
	if batchSize < 1 {
		batchSize = DefaultImportBatch
	}
	byKind := map[pg.Kind][]map[string]any{}
	for _, n := range nodes {
		if _, ok := qImportNodes[n.Kind]; !ok {
			return res, pg.FieldErrorf(pg.EINVALID, "kind", "unknown kind %q", n.Kind)
		}
		if id, _ := n.Props["id"].(string); id == "" {
			return res, pg.FieldErrorf(pg.EINVALID, "id", "every imported %s needs an id", n.Kind)
		}
		props := make(map[string]any, len(n.Props)+3)
		for k, v := range n.Props {
			if v != nil {
				props[k] = v
			}
		}
		setDerived(n.Kind, props, nil)
		byKind[n.Kind] = append(byKind[n.Kind], props)
	}
	type typed struct{ plain, full []map[string]any }
	byType := map[pg.RelType]*typed{}
	for _, r := range rels {
		if _, ok := qImportRelsPlain[r.Type]; !ok {
			return res, pg.FieldErrorf(pg.EINVALID, "type", "unknown relation type %q", r.Type)
		}
		t := byType[r.Type]
		if t == nil {
			t = &typed{}
			byType[r.Type] = t
		}
		row := map[string]any{"from": r.From, "to": r.To}
		if r.Role != "" {
			row["role"] = string(r.Role)
		}
		if r.Title == nil && r.Since == nil && r.Until == nil {
			t.plain = append(t.plain, row)
			continue
		}
		if r.Title != nil {
			row["title"] = *r.Title
		}
		if r.Since != nil {
			row["since"] = string(*r.Since)
		}
		if r.Until != nil {
			row["until"] = string(*r.Until)
		}
		t.full = append(t.full, row)
	}

	// Nodes first: every relation batch may need any of them.
	var jobs []importJob
	for _, k := range pg.Kinds {
		for _, b := range batches(byKind[k], batchSize) {
			ends := make(map[string]struct{}, len(b))
			for _, row := range b {
				ends[row["id"].(string)] = struct{}{}
			}
			jobs = append(jobs, importJob{q: qImportNodes[k], rows: b, ends: ends})
		}
	}
	created, err := s.runJobs(ctx, jobs, func(c neo4j.Counters) int { return c.NodesCreated() })
	res.NodesCreated = created
	if err != nil {
		return res, translate("import nodes", err)
	}
	jobs = jobs[:0]
	for _, spec := range pg.RelTypes {
		t := byType[spec.Type]
		if t == nil {
			continue
		}
		for _, part := range []struct {
			q    string
			rows []map[string]any
		}{{qImportRelsPlain[spec.Type], t.plain}, {qImportRelsFull[spec.Type], t.full}} {
			jobs = append(jobs, relJobs(part.q, part.rows, batchSize, max(s.Workers, 1))...)
		}
	}
	created, err = s.runJobs(ctx, jobs, func(c neo4j.Counters) int { return c.RelationshipsCreated() })
	res.RelationsCreated = created
	if err != nil {
		return res, translate("import relations", err)
	}
	return res, s.db.bumpVersion(ctx)
}

// Finish implements pg.ImportService: bulk writes bypass the pair counts and the periods parts
// take from their umbrellas, so both are rebuilt once, after the last import of a load.
func (s *Importer) Finish(ctx context.Context) error {
	if err := s.db.RebuildShares(ctx); err != nil {
		return err
	}
	if _, err := s.db.write(ctx, qInheritAllDates, nil); err != nil {
		return translate("inherit dates", err)
	}
	return s.db.bumpVersion(ctx)
}

// relJobs cuts the rows of one statement into batches that can run side by side. Relations
// of a type share few nodes on one side (hubs: big partners, topics, cities) and many on the
// other: batches of different hubs and different other ends run at once without sharing a
// node. So the rows are split by hub into parts, each cut into batches in row order, and the
// parts' batches interleaved: batch i of one part and batch i+1 of another usually touch
// neither the same hubs nor the same other ends.
func relJobs(q string, rows []map[string]any, batchSize, parts int) []importJob {
	hub := "from"
	if distinct(rows, "to") < distinct(rows, "from") {
		hub = "to"
	}
	split := make([][]map[string]any, parts)
	for _, row := range rows {
		h := fnv.New32a()
		_, _ = h.Write([]byte(row[hub].(string)))
		p := int(h.Sum32() % uint32(parts))
		split[p] = append(split[p], row)
	}
	var cut [][][]map[string]any
	for _, p := range split {
		cut = append(cut, batches(p, batchSize))
	}
	var jobs []importJob
	for i := 0; ; i++ {
		more := false
		for _, bs := range cut {
			if i >= len(bs) {
				continue
			}
			more = true
			ends := make(map[string]struct{}, len(bs[i]))
			for _, row := range bs[i] {
				ends[row["from"].(string)] = struct{}{}
				ends[row["to"].(string)] = struct{}{}
			}
			jobs = append(jobs, importJob{q: q, rows: bs[i], ends: ends})
		}
		if !more {
			return jobs
		}
	}
}

func distinct(rows []map[string]any, key string) int {
	seen := make(map[string]struct{})
	for _, row := range rows {
		seen[row[key].(string)] = struct{}{}
	}
	return len(seen)
}

// runJobs runs the jobs, up to Workers at once, never two that share an end; it starts them in
// order, except that a job that would share an end with a running one lets later jobs pass.
// It returns the sum of count over the jobs' counters and the first error, after every started
// job has finished.
func (s *Importer) runJobs(ctx context.Context, jobs []importJob, count func(neo4j.Counters) int) (int, error) {
	workers := max(s.Workers, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		job int
		c   neo4j.Counters
		err error
	}
	done := make(chan result)
	running := map[int]bool{}
	pending := make([]int, len(jobs))
	for i := range pending {
		pending[i] = i
	}
	total := 0
	var firstErr error
	for len(running) > 0 || (len(pending) > 0 && firstErr == nil) {
		for firstErr == nil && len(running) < workers {
			next := -1
			for pi, j := range pending {
				if !s.conflicts(jobs, j, running) {
					next = pi
					break
				}
			}
			if next < 0 {
				break
			}
			j := pending[next]
			pending = append(pending[:next], pending[next+1:]...)
			running[j] = true
			go func() {
				c, err := s.run(ctx, jobs[j].q, jobs[j].rows)
				done <- result{j, c, err}
			}()
		}
		r := <-done
		delete(running, r.job)
		if r.err != nil {
			if firstErr == nil {
				firstErr = r.err
				cancel()
			}
			continue
		}
		total += count(r.c)
	}
	return total, firstErr
}

// conflicts reports whether job j touches a node that a running job touches.
func (s *Importer) conflicts(jobs []importJob, j int, running map[int]bool) bool {
	for r := range running {
		a, b := jobs[j].ends, jobs[r].ends
		if len(a) > len(b) {
			a, b = b, a
		}
		for id := range a {
			if _, ok := b[id]; ok {
				return true
			}
		}
	}
	return false
}

func (s *Importer) run(ctx context.Context, q string, rows []map[string]any) (neo4j.Counters, error) {
	params := map[string]any{"rows": rows}
	var counters neo4j.Counters
	// Bulk work keeps the whole deadline: a probe's short one is for requests.
	err := s.db.do(ctx, func(context.Context, int) error {
		start := time.Now()
		res, err := neo4j.ExecuteQuery(ctx, s.db.driver, q, params, neo4j.EagerResultTransformer,
			neo4j.ExecuteQueryWithDatabase(s.db.database), neo4j.ExecuteQueryWithWritersRouting())
		s.db.sent(ctx, q, params, start, err)
		if err == nil {
			counters = res.Summary.Counters()
		}
		return err
	})
	return counters, err
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

// Reset deletes every entity and relation (not the schema), the change feed and the webhooks,
// in batches. For tests and for `partnergraph seed --reset` and `generate --reset`; never
// reachable from the API.
// Relations go first, in batches of their own: deleting a batch of nodes with DETACH DELETE
// also deletes all their relations in that transaction, and a batch holding a hub with
// hundreds of thousands of them outgrows the transaction memory cap.
func (db *DB) Reset(ctx context.Context) error {
	const (
		qRels  = `MATCH (:Entity)-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS`
		qNodes = `MATCH (n:Entity) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS`
		qFeed  = `MATCH (c:Change|Webhook|WebhookDelivery) CALL (c) { DELETE c } IN TRANSACTIONS OF 10000 ROWS`
	)
	session := db.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: db.database})
	defer func() { _ = session.Close(context.Background()) }()
	for _, q := range []string{qRels, qNodes, qFeed} {
		start := time.Now()
		res, err := session.Run(ctx, q, nil)
		if err == nil {
			_, err = res.Consume(ctx)
		}
		db.sent(ctx, q, nil, start, err)
		if err != nil {
			return translate("reset", err)
		}
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
