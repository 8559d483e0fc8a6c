package neo4jstore

import (
	"context"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	pg "github.com/unicri/partnergraph"
)

// Stats implements pg.StatsService. Each report is one statement; the filters are the list
// filters (compileFilter), applied to events and publications.
type Stats struct{ db *DB }

// Stats returns the store's reporting service.
func (db *DB) Stats() *Stats { return &Stats{db: db} }

var _ pg.StatsService = (*Stats)(nil)

// asNodeFilter keeps the fields of a stats filter that apply to kind.
func asNodeFilter(f pg.StatsFilter, kind pg.Kind) pg.NodeFilter {
	nf := pg.NodeFilter{Kind: kind}
	set := func(name string) bool { _, ok := filterFragments[name][kind]; return ok }
	if set("topic") {
		nf.Topic = f.Topic
	}
	if set("place") {
		nf.Place = f.Place
	}
	if set("country") {
		nf.Country = f.Country
	}
	if set("organisation") {
		nf.Organisation = f.Organisation
	}
	if set("from") {
		nf.From, nf.To = f.From, f.To
	}
	if kind == pg.KindEvent {
		nf.SubKinds = f.EventKinds
	}
	return nf
}

// where compiles the filter for kind into "WHERE ..." on n, merging its parameters into params.
func where(v pg.Viewer, f pg.StatsFilter, kind pg.Kind, params map[string]any) (string, string, error) {
	c, err := compileFilter(v, kind, asNodeFilter(f, kind))
	if err != nil {
		return "", "", err
	}
	for k, val := range c.params {
		// Reports join the statements of several kinds under one parameter map: a filter that
		// does not apply to this kind (nil here) must not erase another kind's value.
		if _, set := params[k]; !set || !isNil(val) {
			params[k] = val
		}
	}
	clause := "WHERE n.status IN $statuses"
	if len(c.preds) == 0 {
		clause = "WHERE n.status IN $statuses\n" + wholeKind
	}
	for _, p := range c.preds {
		clause += "\n  AND " + p
	}
	return clause, string(kind) + ":" + strings.Join(c.sig, ","), nil
}

// CountsByKind implements pg.StatsService.
func (s *Stats) CountsByKind(ctx context.Context, v pg.Viewer, f pg.StatsFilter) ([]pg.Bucket, error) {
	params := map[string]any{}
	var parts, sig []string
	for _, k := range pg.Kinds {
		w, ks, err := where(v, f, k, params)
		if err != nil {
			return nil, err
		}
		parts = append(parts, "MATCH (n:"+k.Label()+")\n"+w+"\nRETURN '"+string(k)+"' AS key, count(n) AS count")
		sig = append(sig, ks)
	}
	q := cached("stats|kinds|"+strings.Join(sig, "|"), func() string { return strings.Join(parts, "\nUNION ALL\n") })
	rows, err := s.db.read(ctx, q, params)
	if err != nil {
		return nil, translate("counts by kind", err)
	}
	return buckets(rows, false)
}

func buckets(rows []*neo4j.Record, labelled bool) ([]pg.Bucket, error) {
	out := make([]pg.Bucket, 0, len(rows))
	for _, r := range rows {
		key, _, err1 := neo4j.GetRecordValue[string](r, "key")
		n, _, err2 := neo4j.GetRecordValue[int64](r, "count")
		if err := firstErr(err1, err2); err != nil {
			return nil, err
		}
		b := pg.Bucket{Key: key, Label: key, Count: int(n)}
		if labelled {
			b.Label, _, _ = neo4j.GetRecordValue[string](r, "label")
		}
		out = append(out, b)
	}
	return out, nil
}

// ActivityByYear implements pg.StatsService.
func (s *Stats) ActivityByYear(ctx context.Context, v pg.Viewer, f pg.StatsFilter) ([]pg.YearActivity, error) {
	params := map[string]any{}
	we, se, err := where(v, f, pg.KindEvent, params)
	if err != nil {
		return nil, err
	}
	wp, sp, err := where(v, f, pg.KindPublication, params)
	if err != nil {
		return nil, err
	}
	q := cached("stats|years|"+se+"|"+sp, func() string {
		return `CALL () {
  MATCH (n:Event)
  ` + we + `
  RETURN n.year AS year, 'EVENT' AS what, n.kind AS kind
  UNION ALL
  MATCH (n:Publication)
  ` + wp + `
  RETURN n.year AS year, 'PUBLICATION' AS what, n.kind AS kind
}
WITH year, what, kind WHERE year IS NOT NULL
RETURN year, what, kind, count(*) AS count ORDER BY year, what, kind`
	})
	rows, err := s.db.read(ctx, q, params)
	if err != nil {
		return nil, translate("activity by year", err)
	}
	var out []pg.YearActivity
	for _, r := range rows {
		year, _, err1 := neo4j.GetRecordValue[int64](r, "year")
		what, _, err2 := neo4j.GetRecordValue[string](r, "what")
		kind, _, err3 := neo4j.GetRecordValue[string](r, "kind")
		n, _, err4 := neo4j.GetRecordValue[int64](r, "count")
		if err := firstErr(err1, err2, err3, err4); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].Year != int(year) {
			out = append(out, pg.YearActivity{Year: int(year)})
		}
		ya := &out[len(out)-1]
		if what == "EVENT" {
			ya.Events += int(n)
			ya.ByEventKind = append(ya.ByEventKind, pg.Bucket{Key: kind, Label: kind, Count: int(n)})
		} else {
			ya.Publications += int(n)
		}
	}
	return out, nil
}

// EventsByTopic implements pg.StatsService.
func (s *Stats) EventsByTopic(ctx context.Context, v pg.Viewer, f pg.StatsFilter) ([]pg.Bucket, error) {
	params := map[string]any{}
	we, se, err := where(v, f, pg.KindEvent, params)
	if err != nil {
		return nil, err
	}
	q := cached("stats|topics|"+se, func() string {
		return `MATCH (n:Event)
` + we + `
MATCH (n)-[:ABOUT]->(t:Topic) WHERE t.status IN $statuses
RETURN t.id AS key, t.name AS label, count(n) AS count ORDER BY count DESC, label`
	})
	rows, err := s.db.read(ctx, q, params)
	if err != nil {
		return nil, translate("events by topic", err)
	}
	return buckets(rows, true)
}

// EventsByCountry implements pg.StatsService. The key is the country's ISO code.
func (s *Stats) EventsByCountry(ctx context.Context, v pg.Viewer, f pg.StatsFilter) ([]pg.Bucket, error) {
	params := map[string]any{}
	we, se, err := where(v, f, pg.KindEvent, params)
	if err != nil {
		return nil, err
	}
	q := cached("stats|countries|"+se, func() string {
		return `MATCH (n:Event)
` + we + `
MATCH (n)-[:HELD_IN]->(:Place)-[:LOCATED_IN*0..2]->(c:Place {kind: 'COUNTRY'})
RETURN coalesce(c.countryCode, c.id) AS key, c.name AS label, count(DISTINCT n) AS count ORDER BY count DESC, label`
	})
	rows, err := s.db.read(ctx, q, params)
	if err != nil {
		return nil, translate("events by country", err)
	}
	return buckets(rows, true)
}

// TopPartners implements pg.StatsService: organisations ranked by the engagements they shared
// with a partner, units rolled up and an event's parts counted with it unless r says otherwise
// (the same rules as the analytics' partner network).
func (s *Stats) TopPartners(ctx context.Context, v pg.Viewer, f pg.StatsFilter, r pg.PartnerRanking) ([]pg.Bucket, error) {
	if r.Limit < 1 || r.Limit > 100 {
		return nil, pg.FieldErrorf(pg.EINVALID, "limit", "limit must be between 1 and 100")
	}
	params := map[string]any{"limit": r.Limit, "units": r.Units, "perEvent": r.PerEvent}
	we, se, err := where(v, f, pg.KindEvent, params)
	if err != nil {
		return nil, err
	}
	wp, sp, err := where(v, f, pg.KindPublication, params)
	if err != nil {
		return nil, err
	}
	q := cached("stats|partners|"+se+"|"+sp, func() string {
		return `CALL () {
  MATCH (n:Event)
  ` + we + `
  OPTIONAL MATCH (n)-[:PART_OF]->(u:Event WHERE u.status IN $statuses AND NOT $perEvent)
  MATCH (a:Organisation WHERE a.status IN $statuses)-[:ORGANISED|ATTENDED]->(n)
  RETURN coalesce(u, n) AS x, a
  UNION ALL
  MATCH (n:Publication)
  ` + wp + `
  MATCH (a:Organisation WHERE a.status IN $statuses)-[:PUBLISHED]->(n)
  RETURN n AS x, a
}
// Rolled up, a unit with no units of its own counts as its parent.
WITH x, a, CASE WHEN $units OR EXISTS { (c:Organisation WHERE c.status IN $statuses)-[:PART_OF]->(a) } THEN null
  ELSE [(a)-[:PART_OF]->(up:Organisation WHERE up.status IN $statuses) | up][0] END AS p
WITH x, collect(DISTINCT coalesce(p, a)) AS orgs WHERE size(orgs) > 1
UNWIND orgs AS o
// An organisation and its own units or parents are not partners.
WITH o, orgs WHERE any(o2 IN orgs WHERE o2 <> o AND NOT EXISTS { (o)-[:PART_OF*1..8]->(o2) } AND NOT EXISTS { (o2)-[:PART_OF*1..8]->(o) })
WITH o, count(*) AS count
RETURN o.id AS key, o.name AS label, count ORDER BY count DESC, label LIMIT $limit`
	})
	rows, err := s.db.read(ctx, q, params)
	if err != nil {
		return nil, translate("top partners", err)
	}
	return buckets(rows, true)
}

func isNil(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case []string:
		return x == nil
	case *string:
		return x == nil
	}
	return false
}
