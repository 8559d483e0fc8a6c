package neo4jstore

import (
	"context"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	pg "github.com/unicri/partnergraph"
)

// Partners implements pg.PartnerSource: the engagements a partner network is computed from.
type Partners struct{ db *DB }

// Partners returns the store's partner source.
func (db *DB) Partners() *Partners { return &Partners{db: db} }

var _ pg.PartnerSource = (*Partners)(nil)

// ContentVersion implements pg.PartnerSource.
func (s *Partners) ContentVersion(ctx context.Context) (int64, error) {
	return s.db.ContentVersion(ctx)
}

// qPartnerOrgs reads, for every visible organisation that is a unit or has a place, its
// parent and its country.
const qPartnerOrgs = wholeKind + `MATCH (a:Organisation WHERE a.status IN $statuses)
OPTIONAL MATCH (a)-[:PART_OF]->(p:Organisation WHERE p.status IN $statuses)
WITH a, p, [(a)-[:LOCATED_IN]->(:Place)-[:LOCATED_IN*0..2]->(c:Place {kind: 'COUNTRY'}) WHERE c.status IN $statuses | c.countryCode][0] AS country
WHERE p IS NOT NULL OR country IS NOT NULL
RETURN a.id AS id, p.id AS parent, country`

// PartnerData implements pg.PartnerSource. Events are read with the filter; an event's parts
// count as their umbrella event unless f.PerEvent. Publications count unless the filter names
// event kinds; programmes (which have no dates) only when the filter is empty.
func (s *Partners) PartnerData(ctx context.Context, v pg.Viewer, f pg.AnalyticsFilter) (*pg.PartnerData, error) {
	params := map[string]any{}
	we, se, err := where(v, f.Stats, pg.KindEvent, params)
	if err != nil {
		return nil, err
	}
	wp, sp, err := where(v, f.Stats, pg.KindPublication, params)
	if err != nil {
		return nil, err
	}
	var roles []string
	for _, r := range f.Roles {
		roles = append(roles, string(r))
	}
	params["roles"] = nil
	if len(roles) > 0 {
		params["roles"] = roles
	}
	params["perEvent"] = f.PerEvent
	withPublications := len(f.Stats.EventKinds) == 0
	withProgrammes := withPublications && f.Stats.Topic == nil && f.Stats.Country == nil &&
		f.Stats.Place == nil && f.Stats.Organisation == nil && f.Stats.From == nil && f.Stats.To == nil
	sig := "partners|" + se + "|" + sp
	if withPublications {
		sig += "|pub"
	}
	if withProgrammes {
		sig += "|prog"
	}
	q := cached(sig, func() string {
		q := wholeKind + `CALL () {
  MATCH (n:Event)
  ` + we + `
  OPTIONAL MATCH (n)-[:PART_OF]->(u:Event WHERE u.status IN $statuses AND NOT $perEvent)
  WITH n, coalesce(u, n) AS eng
  MATCH (a:Organisation WHERE a.status IN $statuses)-[r:ORGANISED|ATTENDED]->(n)
  WHERE $roles IS NULL OR r.role IN $roles
  WITH eng, collect(DISTINCT a.id) AS orgs
  RETURN eng AS x, orgs`
		if withPublications {
			q += `
  UNION ALL
  MATCH (n:Publication)
  ` + wp + `
  MATCH (a:Organisation WHERE a.status IN $statuses)-[r:PUBLISHED]->(n)
  WHERE $roles IS NULL OR r.role IN $roles
  WITH n, collect(DISTINCT a.id) AS orgs
  RETURN n AS x, orgs`
		}
		if withProgrammes {
			q += `
  UNION ALL
  MATCH (n:Programme WHERE n.status IN $statuses)
  MATCH (a:Organisation WHERE a.status IN $statuses)-[r:RUNS]->(n)
  WHERE $roles IS NULL OR r.role IN $roles
  WITH n, collect(DISTINCT a.id) AS orgs
  RETURN n AS x, orgs`
		}
		return q + `
}
WITH x, orgs WHERE size(orgs) > 1
RETURN x.id AS id, CASE WHEN x:Programme THEN null ELSE x.year END AS year, orgs,
  [(x)-[:ABOUT]->(t:Topic WHERE t.status IN $statuses) | t.id] AS topics,
  CASE WHEN x:Event THEN 'EVENT' WHEN x:Publication THEN 'PUBLICATION' ELSE 'PROGRAMME' END AS kind`
	})
	d := &pg.PartnerData{Parent: map[string]string{}, Country: map[string]string{}}
	// Ids come once per row from the driver; kept once each (a hub is in thousands of rows).
	seen := map[string]string{}
	intern := func(ids []string) []string {
		for i, id := range ids {
			if s, ok := seen[id]; ok {
				ids[i] = s
			} else {
				seen[id] = id
			}
		}
		return ids
	}
	err = s.db.readEach(ctx, q, params, func() { d.Engagements = d.Engagements[:0] }, func(r *neo4j.Record) error {
		e := pg.Engagement{Orgs: intern(stringList(r.Values[2])), Topics: intern(stringList(r.Values[3]))}
		e.ID, _ = r.Values[0].(string)
		k, _ := r.Values[4].(string)
		e.Kind = pg.Kind(k)
		if y, ok := r.Values[1].(int64); ok {
			e.Year = int(y)
		}
		d.Engagements = append(d.Engagements, e)
		return nil
	})
	if err != nil {
		return nil, translate("partner data", err)
	}
	rows, err := s.db.read(ctx, qPartnerOrgs, map[string]any{"statuses": params["statuses"]})
	if err != nil {
		return nil, translate("partner organisations", err)
	}
	for _, r := range rows {
		id, _ := r.Values[0].(string)
		if p, ok := r.Values[1].(string); ok {
			d.Parent[id] = p
		}
		if c, ok := r.Values[2].(string); ok {
			d.Country[id] = c
		}
	}
	return d, nil
}

// stringList is a list value of strings.
func stringList(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
