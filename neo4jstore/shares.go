package neo4jstore

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	pg "github.com/unicri/partnergraph"
)

// What two organisations share is kept, not recounted: (a)-[:SHARES]->(b), once per pair with
// a.id < b.id, holds how many events (ev), publications (pub) and programmes (prog) both took
// part in, and how many of those are published (evp, pubp, progp). Collaborator rankings read
// them: a hub's partners are ranked from its SHARES relationships, not from the tens of
// thousands of items it took part in. Every write that changes who took part in an item, or
// whether the item is published, updates them in the same transaction (shareChange); a bulk
// import's Finish rebuilds them all (RebuildShares). SHARES is not part of the model: statements that
// walk the model name its relationship types (domainRels).

// domainRels is every relationship type of the model, for patterns that must not see SHARES.
var domainRels = func() string {
	var ts []string
	for _, s := range pg.RelTypes {
		ts = append(ts, string(s.Type))
	}
	return strings.Join(ts, "|")
}()

// takesPart are the relationship types by which an organisation takes part in each kind of
// shared item, and the counts they feed.
var takesPart = map[pg.Kind]struct{ types, all, published string }{
	pg.KindEvent:       {"ORGANISED|ATTENDED", "ev", "evp"},
	pg.KindPublication: {"PUBLISHED", "pub", "pubp"},
	pg.KindProgramme:   {"RUNS", "prog", "progp"},
}

// contribution is what one item adds to the pair counts: the organisations that took part,
// and whether it is published.
type contribution struct {
	kind      pg.Kind
	orgs      []string
	published bool
}

// qContribution reads an item's kind (if it is a shared kind), status and the organisations
// that took part in it.
const qContribution = `MATCH (x:Entity {id: $id})
WITH x, CASE WHEN x:Event THEN 'EVENT' WHEN x:Publication THEN 'PUBLICATION' WHEN x:Programme THEN 'PROGRAMME' END AS kind
WHERE kind IS NOT NULL
OPTIONAL MATCH (a:Organisation)-[r:ORGANISED|ATTENDED|PUBLISHED|RUNS]->(x)
WHERE (kind = 'EVENT' AND type(r) <> 'PUBLISHED' AND type(r) <> 'RUNS') OR (kind = 'PUBLICATION' AND type(r) = 'PUBLISHED')
   OR (kind = 'PROGRAMME' AND type(r) = 'RUNS')
RETURN kind, x.status AS status, collect(DISTINCT a.id) AS orgs`

// contributionOf reads what item id contributes now (nothing if it is not a shared kind).
func contributionOf(ctx context.Context, t tx, id string) (contribution, error) {
	rows, err := t.run(ctx, qContribution, map[string]any{"id": id})
	if err != nil || len(rows) == 0 {
		return contribution{}, err
	}
	kind, _, _ := neo4j.GetRecordValue[string](rows[0], "kind")
	status, _, _ := neo4j.GetRecordValue[string](rows[0], "status")
	orgs, _, _ := neo4j.GetRecordValue[[]any](rows[0], "orgs")
	c := contribution{kind: pg.Kind(kind), published: status == string(pg.StatusPublished)}
	for _, o := range orgs {
		if s, ok := o.(string); ok {
			c.orgs = append(c.orgs, s)
		}
	}
	slices.Sort(c.orgs)
	return c, nil
}

// pairDelta is the change of one pair's counts.
type pairDelta struct {
	a, b           string
	all, published int
}

// deltas adds to d what moving from before to after changes, pair by pair.
func deltas(d map[[2]string]*pairDelta, before, after contribution) {
	add := func(c contribution, sign int) {
		for i, a := range c.orgs {
			for _, b := range c.orgs[i+1:] {
				k := [2]string{a, b}
				p := d[k]
				if p == nil {
					p = &pairDelta{a: a, b: b}
					d[k] = p
				}
				p.all += sign
				if c.published {
					p.published += sign
				}
			}
		}
	}
	add(before, -1)
	add(after, +1)
}

var qApplyShares = func() map[pg.Kind]string {
	out := map[pg.Kind]string{}
	for k, tp := range takesPart {
		out[k] = `UNWIND $pairs AS p
MATCH (a:Organisation {id: p.a}), (b:Organisation {id: p.b})
MERGE (a)-[s:SHARES]->(b)
SET s.` + tp.all + ` = coalesce(s.` + tp.all + `, 0) + p.all, s.` + tp.published + ` = coalesce(s.` + tp.published + `, 0) + p.published
WITH s WHERE coalesce(s.ev, 0) + coalesce(s.pub, 0) + coalesce(s.prog, 0) = 0
DELETE s`
	}
	return out
}()

// applyShares writes the changed pairs of one kind of item.
func applyShares(ctx context.Context, t tx, kind pg.Kind, d map[[2]string]*pairDelta) error {
	var pairs []map[string]any
	for _, p := range d {
		if p.all != 0 || p.published != 0 {
			pairs = append(pairs, map[string]any{"a": p.a, "b": p.b, "all": p.all, "published": p.published})
		}
	}
	if len(pairs) == 0 {
		return nil
	}
	_, err := t.run(ctx, qApplyShares[kind], map[string]any{"pairs": pairs})
	return err
}

// shareChange brackets a change to item id (an event, a publication or a programme; for any
// other entity it does nothing): it reads the item's contribution before, and the function it
// returns, called after the change in the same transaction, applies the difference.
func shareChange(ctx context.Context, t tx, id string) (func() error, error) {
	before, err := contributionOf(ctx, t, id)
	if err != nil {
		return nil, err
	}
	return func() error {
		after, err := contributionOf(ctx, t, id)
		if err != nil {
			return err
		}
		kind := cmp.Or(before.kind, after.kind)
		if kind == "" {
			return nil
		}
		d := map[[2]string]*pairDelta{}
		deltas(d, before, after)
		return applyShares(ctx, t, kind, d)
	}, nil
}

// sharesBy reports whether a relationship type makes an organisation take part in an item.
func sharesBy(t pg.RelType) bool {
	return t == pg.RelOrganised || t == pg.RelAttended || t == pg.RelPublished || t == pg.RelRuns
}

// RebuildShares recomputes every pair's counts from the model, in batches, with the
// statements of migration 005: after a bulk import. Returns EUNAVAILABLE.
func (db *DB) RebuildShares(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	// The first statement deletes every count, so a rebuild cut short by a busy database
	// is run again from the start.
	err = db.do(ctx, func(context.Context, int) error { // the whole deadline, not a probe's
		for _, m := range ms {
			if m.version != 5 {
				continue
			}
			for _, q := range m.statements {
				if err := db.autoCommit(ctx, q); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return translate("rebuild shares", err)
	}
	return nil
}
