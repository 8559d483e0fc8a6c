package neo4jstore

import (
	"context"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	pg "github.com/unicri/partnergraph"
)

// The change feed: every write transaction (inWrite) records, after its content-version bump
// and in the same transaction, one (:Change) per entity or relation it touched. A rolled-back
// transaction records nothing; a committed one is never missing. The version bump locks the
// version node until commit, so versions, and the sequence numbers made of them, grow in
// commit order: a reader that has seen sequence n never later finds a smaller one.

// change is one touched entity or relation, as a write notes it. Kind and Public may be left
// for the recording statement to read from the stored ends (after the write).
type change struct {
	op       pg.ChangeOp
	id       string
	kind     pg.Kind
	fields   []string
	relation pg.RelType
	other    string
	public   *bool // nil: the stored ends are published (after the write)
	publicOp pg.ChangeOp
}

// note adds a change to the transaction's record.
func (t tx) note(c change) {
	if c.publicOp == "" {
		c.publicOp = c.op
	}
	*t.changes = append(*t.changes, c)
}

// noteNode records a change to an entity whose statuses before and after are known ("" for
// none): publishing is an arrival to callers who see published content only, unpublishing a
// removal, and a draft's changes are nothing to them.
func (t tx) noteNode(id string, kind pg.Kind, before, after string, fields []string) {
	published := func(s string) bool { return s == string(pg.StatusPublished) }
	c := change{id: id, kind: kind, fields: fields}
	switch {
	case before == "":
		c.op = pg.OpCreated
	case after == "":
		c.op = pg.OpDeleted
	case !published(before) && published(after):
		c.op, c.publicOp = pg.OpPublished, pg.OpCreated
	case published(before) && !published(after):
		c.op, c.publicOp = pg.OpUnpublished, pg.OpDeleted
	default:
		c.op = pg.OpUpdated
	}
	public := published(before) || published(after)
	c.public = &public
	t.note(c)
}

// noteRelation records a relation linked or unlinked: callers who see published content only
// learn of it when both ends are published.
func (t tx) noteRelation(op pg.ChangeOp, r pg.Relation) {
	t.note(change{op: op, id: r.From, relation: r.Type, other: r.To})
}

// qBumpAndRecord bumps the content version and records the changes, in one statement: the
// feed costs a write no round trip of its own.
const qBumpAndRecord = qBumpVersion + `
WITH v
UNWIND range(0, size($changes) - 1) AS i
WITH v, i, $changes[i] AS c
OPTIONAL MATCH (a:Entity {id: c.id})
OPTIONAL MATCH (b:Entity {id: c.other})
CREATE (:Change {seq: v.version * $perWrite + i, at: datetime(), op: c.op, id: c.id,
  kind: coalesce(c.kind, [l IN labels(a) WHERE l <> 'Entity' | toUpper(l)][0]),
  fields: c.fields, relation: c.relation, other: c.other,
  otherKind: [l IN labels(b) WHERE l <> 'Entity' | toUpper(l)][0],
  principal: c.principal,
  public: coalesce(c.public, a.status = 'PUBLISHED' AND (c.other IS NULL OR b.status = 'PUBLISHED')),
  publicOp: c.publicOp})`

// RecordChanges turns the recording of the change feed on (the default) or off; off, the
// subscriptions and webhooks see nothing. For measuring what recording costs.
func (db *DB) RecordChanges(on bool) { db.noFeed.Store(!on) }

// bumpAndRecord bumps the content version and writes the transaction's changes.
func (t tx) bumpAndRecord(ctx context.Context) error {
	if len(*t.changes) == 0 || t.db.noFeed.Load() {
		_, err := t.run(ctx, qBumpVersion, nil)
		return err
	}
	if len(*t.changes) > pg.MaxChangesPerWrite {
		return pg.Errorf(pg.EINVALID, "one change touches at most %d entities and relations", pg.MaxChangesPerWrite)
	}
	principal := pg.CallerFromContext(ctx).Subject
	rows := make([]map[string]any, len(*t.changes))
	for i, c := range *t.changes {
		row := map[string]any{"op": string(c.op), "id": c.id, "kind": nil, "fields": c.fields, "relation": nil,
			"other": nil, "principal": principal, "public": nil, "publicOp": string(c.publicOp)}
		if c.kind != "" {
			row["kind"] = string(c.kind)
		}
		if c.relation != "" {
			row["relation"], row["other"] = string(c.relation), c.other
		}
		if c.public != nil {
			row["public"] = *c.public
		}
		if c.fields == nil {
			row["fields"] = []string{}
		}
		rows[i] = row
	}
	_, err := t.run(ctx, qBumpAndRecord, map[string]any{"changes": rows, "perWrite": int64(pg.MaxChangesPerWrite)})
	return err
}

// qKindsAndStatuses reads what a deletion must note before the entities go.
const qKindsAndStatuses = `MATCH (n:Entity) WHERE n.id IN $ids
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity' | toUpper(l)][0] AS kind, n.status AS status`

// noteDeleted records the deletion of the entities ids, read before they go.
func (t tx) noteDeleted(ctx context.Context, ids []string) error {
	rows, err := t.run(ctx, qKindsAndStatuses, map[string]any{"ids": ids})
	if err != nil {
		return err
	}
	for _, r := range rows {
		id, _ := r.Values[0].(string)
		kind, _ := r.Values[1].(string)
		status, _ := r.Values[2].(string)
		t.noteNode(id, pg.Kind(kind), status, "", nil)
	}
	return nil
}

// Feed implements pg.ChangeSource.
type Feed struct{ db *DB }

// Feed returns the store's change feed.
func (db *DB) Feed() *Feed { return &Feed{db: db} }

var _ pg.ChangeSource = (*Feed)(nil)

// ChangesAfter implements pg.ChangeSource.
func (s *Feed) ChangesAfter(ctx context.Context, after int64, limit int) ([]pg.Change, error) {
	const q = `MATCH (c:Change) WHERE c.seq > $after
RETURN c ORDER BY c.seq LIMIT $limit`
	rows, err := s.db.read(ctx, q, map[string]any{"after": after, "limit": limit})
	if err != nil {
		return nil, translate("changes", err)
	}
	out := make([]pg.Change, 0, len(rows))
	for _, r := range rows {
		n, _, err := neo4j.GetRecordValue[neo4j.Node](r, "c")
		if err != nil {
			return nil, err
		}
		p := n.Props
		c := pg.Change{ID: str(p, "id"), Op: pg.ChangeOp(str(p, "op")), Kind: pg.Kind(str(p, "kind")),
			Relation: pg.RelType(str(p, "relation")), Other: str(p, "other"), OtherKind: pg.Kind(str(p, "otherKind")),
			Principal: str(p, "principal"), PublicOp: pg.ChangeOp(str(p, "publicOp"))}
		c.Seq, _ = p["seq"].(int64)
		c.Public, _ = p["public"].(bool)
		if at, ok := p["at"].(time.Time); ok {
			c.At = at
		}
		c.Fields = stringList(p["fields"])
		out = append(out, c)
	}
	return out, nil
}

// FeedHead implements pg.ChangeSource.
func (s *Feed) FeedHead(ctx context.Context) (int64, error) {
	const q = `MATCH (c:Change) WHERE c.seq >= 0 RETURN c.seq AS head ORDER BY c.seq DESC LIMIT 1`
	rows, err := s.db.read(ctx, q, nil)
	if err != nil || len(rows) == 0 {
		return 0, translate("feed head", err)
	}
	head, _ := rows[0].Values[0].(int64)
	return head, nil
}

// PruneChanges implements pg.ChangeSource: one small transaction, so writes never wait long.
func (s *Feed) PruneChanges(ctx context.Context, before time.Time, limit int) (int, error) {
	const q = `MATCH (c:Change) WHERE c.at < $before
WITH c ORDER BY c.at LIMIT $limit
DELETE c
RETURN count(*) AS pruned`
	// UTC: the driver sends a Local zone by name, and Neo4j refuses "Local".
	rows, err := s.db.write(ctx, q, map[string]any{"before": before.UTC(), "limit": limit})
	if err != nil {
		return 0, translate("prune changes", err)
	}
	n, _ := rows[0].Values[0].(int64)
	return int(n), nil
}
