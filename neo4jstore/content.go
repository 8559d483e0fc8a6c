package neo4jstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	pg "github.com/unicri/partnergraph"
)

// Content implements pg.ContentService.
type Content struct{ db *DB }

// Content returns the store's content service.
func (db *DB) Content() *Content { return &Content{db: db} }

var _ pg.ContentService = (*Content)(nil)

// idPrefix is the prefix of generated ids, per kind: ids stay readable and globally unique.
var idPrefix = map[pg.Kind]string{
	pg.KindProgramme: "prog", pg.KindOrganisation: "org", pg.KindEvent: "evt", pg.KindPublication: "pub",
	pg.KindTopic: "topic", pg.KindPlace: "place", pg.KindPerson: "person",
}

// dateFields names, per kind, the start and end dates of what the entity describes. From them
// the store keeps derived properties that filters, sorting and reports use with an index:
// n.dateFrom and n.dateTo (the first and last day covered, YYYY-MM-DD) and n.year.
var dateFields = map[pg.Kind][2]string{
	pg.KindEvent: {"startDate", "endDate"}, pg.KindPublication: {"published", "published"},
	pg.KindProgramme: {"startDate", "endDate"}, pg.KindOrganisation: {"founded", "founded"},
}

// FindNodes implements pg.ContentService.
func (s *Content) FindNodes(ctx context.Context, v pg.Viewer, ids []string) ([]pg.Node, error) {
	const q = `MATCH (n:Entity) WHERE n.id IN $ids AND n.status IN $statuses RETURN n`
	rows, err := s.db.read(ctx, q, map[string]any{"ids": ids, "statuses": v.Statuses()})
	if err != nil {
		return nil, translate("find nodes", err)
	}
	byID := make(map[string]pg.Node, len(rows))
	for _, r := range rows {
		n, err := nodeValue(r, "n")
		if err != nil {
			return nil, err
		}
		byID[n.NodeID()] = n
	}
	out := make([]pg.Node, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, nil
}

var qFindBySlug = perKind(`MATCH (n:LABEL {slug: $slug}) WHERE n.status IN $statuses RETURN n`)

// FindBySlug implements pg.ContentService.
func (s *Content) FindBySlug(ctx context.Context, v pg.Viewer, kind pg.Kind, slug string) (pg.Node, error) {
	q, ok := qFindBySlug[kind]
	if !ok {
		return nil, pg.FieldErrorf(pg.EINVALID, "kind", "unknown kind %q", kind)
	}
	rows, err := s.db.read(ctx, q, map[string]any{"slug": slug, "statuses": v.Statuses()})
	if err != nil {
		return nil, translate("find by slug", err)
	}
	if len(rows) == 0 {
		return nil, pg.Errorf(pg.ENOTFOUND, "no %s with slug %q", strings.ToLower(string(kind)), slug)
	}
	return nodeValue(rows[0], "n")
}

// qCreate creates an entity unless its id exists. The write token makes a create idempotent
// under the driver's retries: if an attempt committed but its answer was lost, the retry finds
// the node with its own token and returns it instead of a conflict.
var qCreate = perKind(`MERGE (n:Entity {id: $props.id})
ON CREATE SET n = $props, n:LABEL, n.writeToken = $token,
  n.createdAt = datetime({epochMillis: timestamp()}), n.updatedAt = n.createdAt
WITH n WHERE n.writeToken = $token
RETURN n`)

// CreateNode implements pg.ContentService.
func (s *Content) CreateNode(ctx context.Context, in pg.NodeInput) (pg.Node, error) {
	props, err := pg.CheckInput(in, true, nil)
	if err != nil {
		return nil, err
	}
	derivedID := props["id"] == nil
	if derivedID {
		props["id"] = idPrefix[in.Kind] + "-" + props["slug"].(string)
	}
	setDerived(in.Kind, props, nil)
	id, _ := props["id"].(string)
	token := rand.Text()
	links := make([]pg.Relation, len(in.Links))
	for i, l := range in.Links {
		if (l.From == "") == (l.To == "") {
			return nil, pg.FieldErrorf(pg.EINVALID, fmt.Sprintf("links[%d]", i), "give from or to: the new entity is the other end")
		}
		if l.From == "" {
			l.From = id
		} else {
			l.To = id
		}
		if err := l.Check("", ""); err != nil {
			return nil, linkError(i, err)
		}
		links[i] = l
	}
	res, err := s.db.inWrite(ctx, func(t tx) (any, error) {
		rows, err := t.run(ctx, qCreate[in.Kind], map[string]any{"props": props, "token": token})
		if err != nil {
			return nil, err
		}
		if len(rows) == 0 {
			return nil, pg.FieldErrorf(pg.ECONFLICT, "id", "an entity with this id already exists")
		}
		n, err := nodeValue(rows[0], "n")
		if err != nil {
			return nil, err
		}
		raw, _, _ := neo4j.GetRecordValue[neo4j.Node](rows[0], "n")
		status, _ := raw.Props["status"].(string)
		t.noteNode(id, in.Kind, "", status, nil)
		for i := range links {
			if err := link(ctx, t, &links[i]); err != nil {
				return nil, linkError(i, err)
			}
		}
		if in.Kind == pg.KindEvent {
			if err := inheritDates(ctx, t, id); err != nil {
				return nil, err
			}
		}
		return n, nil
	})
	if err = translate("create node", err); err != nil {
		var de *pg.Error
		if derivedID && errors.As(err, &de) && de.Code == pg.ECONFLICT && de.Field == "id" {
			// The id comes from the slug: the client can only change the slug.
			return nil, pg.FieldErrorf(pg.ECONFLICT, "slug", "a %s with slug %q already exists", strings.ToLower(string(in.Kind)), props["slug"])
		}
		return nil, err
	}
	return res.(pg.Node), nil
}

// setDerived keeps n.dateFrom, n.dateTo and n.year in step with the kind's dates, given the
// properties being written and those already stored.
func setDerived(kind pg.Kind, props, existing map[string]any) {
	f, ok := dateFields[kind]
	if !ok {
		return
	}
	start, end := resulting(props, existing, f[0]), resulting(props, existing, f[1])
	if end == "" {
		end = start
	}
	if start == "" {
		// Undated entities keep "" so every entity of a dated kind is in the dateFrom index and
		// date-ordered lists can read it; "" sorts before every date and matches no period.
		props["dateFrom"], props["dateTo"], props["year"] = "", "", nil
		return
	}
	props["dateFrom"] = pg.Date(start).Start()
	props["dateTo"] = pg.Date(end).End()
	props["year"] = int64(pg.Date(start).Year())
}

// writtenFields are the properties an update wrote, without the derived ones.
func writtenFields(props map[string]any) []string {
	var out []string
	for k := range props {
		if k != "dateFrom" && k != "dateTo" && k != "year" {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func resulting(props, existing map[string]any, name string) string {
	if v, ok := props[name]; ok {
		s, _ := v.(string)
		return s
	}
	s, _ := existing[name].(string)
	return s
}

// UpdateNode implements pg.ContentService.
func (s *Content) UpdateNode(ctx context.Context, id string, in pg.NodeInput) (pg.Node, error) {
	const qGet = `MATCH (n:Entity {id: $id}) RETURN n`
	const qSet = `MATCH (n:Entity {id: $id}) SET n += $props, n.updatedAt = datetime({epochMillis: timestamp()}) RETURN n`
	res, err := s.db.inWrite(ctx, func(t tx) (any, error) {
		rows, err := t.run(ctx, qGet, map[string]any{"id": id})
		if err != nil {
			return nil, err
		}
		if len(rows) == 0 {
			return nil, pg.FieldErrorf(pg.ENOTFOUND, "id", "no entity with id %q", id)
		}
		n, _, err := neo4j.GetRecordValue[neo4j.Node](rows[0], "n")
		if err != nil {
			return nil, err
		}
		if in.Kind != "" && in.Kind != kindOf(n) {
			return nil, pg.FieldErrorf(pg.EINVALID, "id", "%q is a %s, not a %s", id, kindOf(n), in.Kind)
		}
		in.Kind = kindOf(n)
		props, err := pg.CheckInput(in, false, n.Props)
		if err != nil {
			return nil, err
		}
		setDerived(in.Kind, props, n.Props)
		done := func() error { return nil }
		if _, changes := props["status"]; changes && props["status"] != n.Props["status"] {
			if done, err = shareChange(ctx, t, id); err != nil { // published items count apart
				return nil, err
			}
		}
		rows, err = t.run(ctx, qSet, map[string]any{"id": id, "props": props})
		if err != nil {
			return nil, err
		}
		if err := done(); err != nil {
			return nil, err
		}
		before, _ := n.Props["status"].(string)
		after := before
		if s, ok := props["status"].(string); ok {
			after = s
		}
		t.noteNode(id, in.Kind, before, after, writtenFields(props))
		if in.Kind == pg.KindEvent { // its own period, or its parts'
			if err := inheritDates(ctx, t, id); err != nil {
				return nil, err
			}
		}
		return nodeValue(rows[0], "n")
	})
	if err != nil {
		return nil, translate("update node", err)
	}
	return res.(pg.Node), nil
}

// DeleteNode implements pg.ContentService.
func (s *Content) DeleteNode(ctx context.Context, id string) error {
	const q = `MATCH (n:Entity {id: $id}) WITH n, n.id AS id DETACH DELETE n RETURN id`
	_, err := s.db.inWrite(ctx, func(t tx) (any, error) {
		done, err := shareChange(ctx, t, id) // an item's pairs lose it
		if err != nil {
			return nil, err
		}
		parts, err := partsOf(ctx, t, id) // they lose its period
		if err != nil {
			return nil, err
		}
		if err := t.noteDeleted(ctx, []string{id}); err != nil {
			return nil, err
		}
		rows, err := t.run(ctx, q, map[string]any{"id": id})
		if err != nil {
			return nil, err
		}
		if len(rows) == 0 && t.attempt == 1 {
			return nil, pg.FieldErrorf(pg.ENOTFOUND, "id", "no entity with id %q", id)
		}
		if err := inheritDates(ctx, t, parts...); err != nil {
			return nil, err
		}
		return nil, done() // on a retry, gone means an earlier attempt deleted it
	})
	return translate("delete node", err)
}

// MaxBulkDelete bounds DeleteNodes: one transaction must stay small.
const MaxBulkDelete = 1000

// DeleteNodes implements pg.ContentService.
func (s *Content) DeleteNodes(ctx context.Context, ids []string) error {
	if len(ids) == 0 || len(ids) > MaxBulkDelete {
		return pg.FieldErrorf(pg.EINVALID, "ids", "give between 1 and %d ids", MaxBulkDelete)
	}
	const q = `UNWIND $ids AS id
OPTIONAL MATCH (n:Entity {id: id})
WITH collect(n) AS found, [id IN $ids WHERE NOT EXISTS { MATCH (:Entity {id: id}) }] AS missing
FOREACH (n IN CASE WHEN size(missing) = 0 THEN found ELSE [] END | DETACH DELETE n)
RETURN missing`
	_, err := s.db.inWrite(ctx, func(t tx) (any, error) {
		// The pairs lose the deleted items: their contributions, read before they go, are
		// taken back (an organisation's own pairs go with it).
		byKind := map[pg.Kind]map[[2]string]*pairDelta{}
		for _, id := range ids {
			c, err := contributionOf(ctx, t, id)
			if err != nil {
				return nil, err
			}
			if c.kind != "" {
				if byKind[c.kind] == nil {
					byKind[c.kind] = map[[2]string]*pairDelta{}
				}
				deltas(byKind[c.kind], c, contribution{kind: c.kind})
			}
		}
		parts, err := partsOf(ctx, t, ids...)
		if err != nil {
			return nil, err
		}
		if err := t.noteDeleted(ctx, ids); err != nil {
			return nil, err
		}
		rows, err := t.run(ctx, q, map[string]any{"ids": ids})
		if err != nil {
			return nil, err
		}
		missing, _, _ := neo4j.GetRecordValue[[]any](rows[0], "missing")
		if len(missing) > 0 {
			return nil, pg.FieldErrorf(pg.ENOTFOUND, "ids", "no entity with id %v; nothing was deleted", missing[0])
		}
		if err := inheritDates(ctx, t, parts...); err != nil {
			return nil, err
		}
		for kind, d := range byKind {
			if err := applyShares(ctx, t, kind, d); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
	return translate("delete nodes", err)
}

// perRelType expands a template once per relationship type, replacing RELTYPE. Types come only
// from pg.RelTypes, a fixed list in code.
func perRelType(template string) map[pg.RelType]string {
	out := make(map[pg.RelType]string, len(pg.RelTypes))
	for _, s := range pg.RelTypes {
		out[s.Type] = strings.ReplaceAll(template, "RELTYPE", string(s.Type))
	}
	return out
}

const qEnds = `OPTIONAL MATCH (a:Entity {id: $from}) OPTIONAL MATCH (b:Entity {id: $to}) RETURN a, b`

var (
	qLink = perRelType(`MATCH (a:Entity {id: $from}), (b:Entity {id: $to})
MERGE (a)-[r:RELTYPE]->(b)
SET r.role = $role, r.title = $title, r.since = $since, r.until = $until
RETURN r`)
	qUnlink = perRelType(`MATCH (:Entity {id: $from})-[r:RELTYPE]->(:Entity {id: $to}) DELETE r RETURN count(*) AS n`)
)

// ends loads the two ends of a relation and checks the relation against them.
func ends(ctx context.Context, t tx, r *pg.Relation) error {
	rows, err := t.run(ctx, qEnds, map[string]any{"from": r.From, "to": r.To})
	if err != nil {
		return err
	}
	var kinds [2]pg.Kind
	for i, col := range []string{"a", "b"} {
		n, isNil, err := neo4j.GetRecordValue[neo4j.Node](rows[0], col)
		if isNil {
			field := map[string]string{"a": "from", "b": "to"}[col]
			return pg.FieldErrorf(pg.ENOTFOUND, field, "no entity with id %q", map[string]string{"a": r.From, "b": r.To}[col])
		}
		if err != nil {
			return err
		}
		kinds[i] = kindOf(n)
	}
	return r.Check(kinds[0], kinds[1])
}

func relParams(r pg.Relation) map[string]any {
	p := map[string]any{"from": r.From, "to": r.To, "role": nil, "title": nil, "since": nil, "until": nil}
	if r.Role != "" {
		p["role"] = string(r.Role)
	}
	if r.Title != nil {
		p["title"] = *r.Title
	}
	if r.Since != nil {
		p["since"] = string(*r.Since)
	}
	if r.Until != nil {
		p["until"] = string(*r.Until)
	}
	return p
}

// Link implements pg.ContentService. A second link of the same type between the same two
// entities updates the first: there is at most one relation of a type per ordered pair.
func (s *Content) Link(ctx context.Context, r pg.Relation) (*pg.Relation, error) {
	if err := r.Check("", ""); err != nil {
		return nil, err
	}
	_, err := s.db.inWrite(ctx, func(t tx) (any, error) {
		return nil, link(ctx, t, &r)
	})
	if err != nil {
		return nil, translate("link", err)
	}
	return &r, nil
}

// link checks a relation against its stored ends and merges it, inside a transaction, with
// what the organisations at its item now share.
func link(ctx context.Context, t tx, r *pg.Relation) error {
	if err := ends(ctx, t, r); err != nil {
		return err
	}
	err := sharing(ctx, t, *r, func() error {
		_, err := t.run(ctx, qLink[r.Type], relParams(*r))
		return err
	})
	if err == nil {
		t.noteRelation(pg.OpLinked, *r)
	}
	if err != nil || r.Type != pg.RelPartOf {
		return err
	}
	return inheritDates(ctx, t, r.From)
}

// sharing runs change, a change to relation r, and keeps the pair counts of r's item in step
// when r is how an organisation takes part in it.
func sharing(ctx context.Context, t tx, r pg.Relation, change func() error) error {
	if !sharesBy(r.Type) {
		return change()
	}
	done, err := shareChange(ctx, t, r.To)
	if err != nil {
		return err
	}
	if err := change(); err != nil {
		return err
	}
	return done()
}

// linkError names the link at fault in a domain error (links[2].to), keeping its code.
func linkError(i int, err error) error {
	var de *pg.Error
	if !errors.As(err, &de) {
		return err
	}
	field := fmt.Sprintf("links[%d]", i)
	if de.Field != "" {
		field += "." + de.Field
	}
	return &pg.Error{Code: de.Code, Field: field, Message: fmt.Sprintf("%s: %s", field, de.Message)}
}

// Unlink implements pg.ContentService.
func (s *Content) Unlink(ctx context.Context, r pg.Relation) error {
	if _, ok := pg.LookupRelType(r.Type); !ok {
		return pg.FieldErrorf(pg.EINVALID, "type", "unknown relation type %q", r.Type)
	}
	_, err := s.db.inWrite(ctx, func(t tx) (any, error) {
		return nil, sharing(ctx, t, r, func() error {
			rows, err := t.run(ctx, qUnlink[r.Type], map[string]any{"from": r.From, "to": r.To})
			if err != nil {
				return err
			}
			n, _, _ := neo4j.GetRecordValue[int64](rows[0], "n")
			if n == 0 && t.attempt == 1 {
				return pg.Errorf(pg.ENOTFOUND, "no %s relation from %q to %q", r.Type, r.From, r.To)
			}
			if n > 0 {
				t.noteRelation(pg.OpUnlinked, r)
			}
			if r.Type == pg.RelPartOf {
				return inheritDates(ctx, t, r.From)
			}
			return nil // on a retry, gone means an earlier attempt removed it
		})
	})
	return translate("unlink", err)
}
