package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/unicri/partnergraph/neo4jstore"
	"github.com/unicri/partnergraph/web"
)

// The comparison: every document three ways, in one run on one database — the API, the peer
// (the Neo4j GraphQL Library on graphql-yoga, bench/peer) and a floor, one hand-written Cypher
// statement through the driver that returns the same answer. Each side's answer is brought to
// one canonical form (the API's data, with lists whose order the peer leaves open sorted), and
// the three must be equal before anything is timed; a document whose answers differ is
// reported and not timed.

// side is one way of answering a document: it returns the canonical answer.
type side func(ctx context.Context) (any, error)

// compareDoc is one document of the comparison.
type compareDoc struct {
	Name   string
	About  string
	api    side
	peer   side   // nil: the peer has no equivalent (NoPeer says why)
	NoPeer string `json:",omitempty"`
	floor  side
	needs  []string // the parameters it is run with: one left empty by discovery skips it
}

// jsonPost sends a GraphQL document to url and returns its data, failing on any error.
func jsonPost(ctx context.Context, hc *http.Client, url, query string, vars map[string]any, header map[string]string) (any, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if err != nil {
		return nil, err
	}
	var out struct {
		Data   any `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("HTTP %d: %.200s", res.StatusCode, b)
	}
	if len(out.Errors) > 0 || res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d: %.300s", res.StatusCode, b)
	}
	return out.Data, nil
}

// canonical is the form answers are compared in: JSON with map keys sorted.
func canonical(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Small helpers over decoded JSON.

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }
func arr(v any) []any          { a, _ := v.([]any); return a }

func at(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			v = obj(v)[k]
		case int:
			a := arr(v)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

func mapList(v any, f func(any) any) []any {
	out := []any{}
	for _, x := range arr(v) {
		out = append(out, f(x))
	}
	return out
}

// sortBy sorts a list of maps by the string values of keys, in order.
func sortBy(list []any, keys ...string) []any {
	sort.SliceStable(list, func(i, j int) bool {
		for _, k := range keys {
			a, b := fmt.Sprint(obj(list[i])[k]), fmt.Sprint(obj(list[j])[k])
			if a != b {
				return a < b
			}
		}
		return false
	})
	return list
}

// num makes every number a float64, as JSON decoding does, so driver integers compare equal.
func num(v any) any {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case int:
		return float64(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = num(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = num(e)
		}
		return out
	}
	return v
}

// cmpParams are the documents' parameters, found in the dataset by Cypher at start.
type cmpParams struct {
	HubOrg, TypicalOrg      string
	HubOrg2, TypicalPartner string
	HubEvent, TypicalEvent  string
	FarFromTypical          string // four hops from the typical organisation
	FarFromHub              string // four hops from the hub
	FrequentWord, RareWord  string
}

func discoverCompare(ctx context.Context, db *neo4jstore.DB) (cmpParams, error) {
	var p cmpParams
	one := func(q string, params map[string]any, dst ...*string) error {
		vals, err := db.Floor(ctx, q, params)
		if err != nil {
			return err
		}
		for i, d := range dst {
			if i < len(vals) {
				*d, _ = vals[i].(string) // "" when the dataset has none: its documents are left out
			}
		}
		return nil
	}
	if err := one(`MATCH (o:Organisation {status: 'PUBLISHED'})
WITH o ORDER BY COUNT { (o)-[:ORGANISED|ATTENDED]->() } DESC, o.id LIMIT 1 RETURN o.id`, nil, &p.HubOrg); err != nil {
		return p, err
	}
	// The second hub: the busiest organisation that organised something with the hub.
	if err := one(`MATCH (:Organisation {id: $o})-[r:ORGANISED]->(e:Event)<-[r2:ORGANISED]-(b:Organisation)
WHERE e.status = 'PUBLISHED' AND r.role IN ['ORGANISER','CO_ORGANISER','HOST'] AND r2.role IN ['ORGANISER','CO_ORGANISER','HOST'] AND b.id <> $o
WITH DISTINCT b ORDER BY COUNT { (b)-[:ORGANISED|ATTENDED]->() } DESC, b.id LIMIT 1 RETURN b.id`, map[string]any{"o": p.HubOrg}, &p.HubOrg2); err != nil {
		return p, err
	}
	// The typical organisation: the median by events, among those that organised something
	// together with another organisation.
	if err := one(`MATCH (o:Organisation {status: 'PUBLISHED'})
WHERE EXISTS { (o)-[:ORGANISED]->(:Event)<-[:ORGANISED]-(:Organisation) }
WITH o ORDER BY COUNT { (o)-[:ORGANISED|ATTENDED]->() }, o.id
WITH collect(o.id) AS os RETURN os[size(os) / 2]`, nil, &p.TypicalOrg); err != nil {
		return p, err
	}
	if err := one(`MATCH (:Organisation {id: $o})-[r:ORGANISED]->(e:Event)<-[r2:ORGANISED]-(b:Organisation)
WHERE e.status = 'PUBLISHED' AND r.role IN ['ORGANISER','CO_ORGANISER','HOST'] AND r2.role IN ['ORGANISER','CO_ORGANISER','HOST'] AND b.id <> $o
RETURN b.id ORDER BY b.id LIMIT 1`, map[string]any{"o": p.TypicalOrg}, &p.TypicalPartner); err != nil {
		return p, err
	}
	if err := one(`MATCH (e:Event {status: 'PUBLISHED'}) WITH e ORDER BY COUNT { (e)--() } DESC, e.id LIMIT 1 RETURN e.id`, nil, &p.HubEvent); err != nil {
		return p, err
	}
	if err := one(`MATCH (:Organisation {id: $o})-[:ORGANISED]->(e:Event {status: 'PUBLISHED'}) RETURN e.id ORDER BY e.id LIMIT 1`,
		map[string]any{"o": p.TypicalOrg}, &p.TypicalEvent); err != nil {
		return p, err
	}
	far := `MATCH (a:Organisation {id: $o})-[:ORGANISED|ATTENDED]->(:Event)<-[:ORGANISED|ATTENDED]-(b:Organisation)-[:ORGANISED|ATTENDED]->(:Event)<-[:ORGANISED|ATTENDED]-(c:Organisation)
WHERE c <> a AND NOT EXISTS { (a)-[:ORGANISED|ATTENDED|PUBLISHED|RUNS|SUPPORTS|PART_OF|AFFILIATED_WITH]-()-[:ORGANISED|ATTENDED|PUBLISHED|RUNS|SUPPORTS|PART_OF|AFFILIATED_WITH]-(c) }
  AND NOT EXISTS { (a)-[:ORGANISED|ATTENDED|PUBLISHED|RUNS|SUPPORTS|PART_OF|AFFILIATED_WITH]-(c) }
  AND COUNT { (c)-[:ORGANISED|ATTENDED]->() } < 50
RETURN c.id ORDER BY c.id LIMIT 1`
	if err := one(far, map[string]any{"o": p.TypicalOrg}, &p.FarFromTypical); err != nil {
		return p, err
	}
	if err := one(`MATCH (c:Organisation {status: 'PUBLISHED'})
WHERE NOT EXISTS { (:Organisation {id: $o})-[:ORGANISED|ATTENDED|PUBLISHED|RUNS|SUPPORTS|PART_OF|AFFILIATED_WITH]-()-[:ORGANISED|ATTENDED|PUBLISHED|RUNS|SUPPORTS|PART_OF|AFFILIATED_WITH]-(c) }
  AND c.id <> $o AND COUNT { (c)-[:ORGANISED|ATTENDED]->() } > 0
RETURN c.id ORDER BY c.id LIMIT 1`, map[string]any{"o": p.HubOrg}, &p.FarFromHub); err != nil {
		return p, err
	}
	var name string
	if err := one(`MATCH (o:Organisation {id: $o}) RETURN o.name`, map[string]any{"o": p.HubOrg}, &name); err != nil {
		return p, err
	}
	p.FrequentWord = strings.ToLower(longestWord(name))
	if err := one(`MATCH (o:Organisation {id: $o}) RETURN o.name`, map[string]any{"o": p.TypicalOrg}, &name); err != nil {
		return p, err
	}
	p.RareWord = strings.ToLower(longestWord(name))
	return p, nil
}

// lucene is the full-text query the API makes of one word (neo4jstore.luceneQuery), so the
// peer and the floor search for exactly the same thing.
func lucene(word string) string {
	q := "+(" + word + "^3 " + word + "*"
	switch n := len([]rune(word)); {
	case n > 24:
	case n >= 7:
		q += " " + word + "~2"
	case n >= 4:
		q += " " + word + "~1"
	}
	return q + ")"
}

// orgPageQuery is the API's organisation page.
const orgPageQuery = `query OrganisationPage($id: ID!) { organisation(id: $id) { id name shortName kind
  events(first: 20) { totalCount edges { role relation node { id title kind startDate } } }
  publications(first: 10) { edges { role node { id title kind } } }
  priorities { nodes { name } }
  collaborators(first: 10) { totalCount edges { node { score organisation { id name } sharedEvents(first: 3) { title } sharedPublications(first: 3) { title } } } } } }`

// compareDocs builds the documents of the comparison, and reports those the dataset has no
// parameters for.
func compareDocs(db *neo4jstore.DB, api, peer string, hc *http.Client, p cmpParams) ([]compareDoc, []CompareDoc) {
	nocache := map[string]string{"Cache-Control": "no-cache"}
	apiSide := func(q string, vars map[string]any, canon func(any) any) side {
		return func(ctx context.Context) (any, error) {
			d, err := jsonPost(ctx, hc, api, q, vars, nocache)
			if err != nil {
				return nil, err
			}
			return canon(d), nil
		}
	}
	peerSide := func(q string, vars map[string]any, canon func(any) any) side {
		return func(ctx context.Context) (any, error) {
			d, err := jsonPost(ctx, hc, peer, q, vars, nil)
			if err != nil {
				return nil, err
			}
			return canon(d), nil
		}
	}
	floorSide := func(q string, params map[string]any, canon func([]any) any) side {
		return func(ctx context.Context) (any, error) {
			vals, err := db.Floor(ctx, q, params)
			if err != nil {
				return nil, err
			}
			return canon(vals), nil
		}
	}
	var docs []compareDoc

	// The nested list: organisations by name, their newest events, those events' organisers
	// (sorted by name: the peer does not order a union) and the organisers' priorities.
	organiser := func(role, typ, id, name any, prios []any) any {
		m := map[string]any{"role": role, "type": typ, "id": id, "name": name}
		if typ == "Organisation" {
			m["priorities"] = prios
		}
		return m
	}
	docs = append(docs, compareDoc{Name: "nested-list", About: "organisations(first: 50) > events(first: 10) > organisers(first: 10) > priorities(first: 5)",
		api: apiSide(`query NestedList { organisations(first: 50) { nodes { id name events(first: 10) { edges { node { id title
  organisers(first: 10) { edges { role node { __typename ... on Organisation { id name priorities(first: 5) { nodes { name } } } ... on Person { id name } } } } } } } } } }`, nil,
			func(d any) any {
				return mapList(at(d, "organisations", "nodes"), func(o any) any {
					return map[string]any{"id": at(o, "id"), "name": at(o, "name"), "events": mapList(at(o, "events", "edges"), func(x any) any {
						e := at(x, "node")
						return map[string]any{"id": at(e, "id"), "title": at(e, "title"), "organisers": sortBy(mapList(at(e, "organisers", "edges"), func(x any) any {
							return organiser(at(x, "role"), at(x, "node", "__typename"), at(x, "node", "id"), at(x, "node", "name"),
								mapList(at(x, "node", "priorities", "nodes"), func(t any) any { return at(t, "name") }))
						}), "name", "id")}
					})}
				})
			}),
		peer: peerSide(`query NestedList { organisations(sort: [{name: ASC}, {id: ASC}], limit: 50) { id name events(first: 10) { id title
  organisersConnection { edges { properties { role } node { __typename ... on Organisation { id name priorities(sort: [{name: ASC}, {id: ASC}], limit: 5) { name } } ... on Person { id name } } } } } } }`, nil,
			func(d any) any {
				return mapList(at(d, "organisations"), func(o any) any {
					return map[string]any{"id": at(o, "id"), "name": at(o, "name"), "events": mapList(at(o, "events"), func(e any) any {
						return map[string]any{"id": at(e, "id"), "title": at(e, "title"), "organisers": sortBy(mapList(at(e, "organisersConnection", "edges"), func(x any) any {
							return organiser(at(x, "properties", "role"), at(x, "node", "__typename"), at(x, "node", "id"), at(x, "node", "name"),
								mapList(at(x, "node", "priorities"), func(t any) any { return at(t, "name") }))
						}), "name", "id")}
					})}
				})
			}),
		floor: floorSide(`MATCH (n:Organisation) USING INDEX n:Organisation(name) WHERE n.name IS NOT NULL AND n.status = 'PUBLISHED'
WITH n ORDER BY n.name, n.id LIMIT 50
RETURN collect([n.id, n.name, COLLECT { MATCH (n)-[:ORGANISED|ATTENDED]->(e:Event) WHERE e.status = 'PUBLISHED'
  WITH e ORDER BY e.dateFrom DESC, e.id DESC LIMIT 10
  RETURN [e.id, e.title, COLLECT { MATCH (e)<-[r:ORGANISED]-(o:Organisation|Person) WHERE o.status = 'PUBLISHED'
    WITH r, o ORDER BY o.name, o.id LIMIT 10
    RETURN [r.role, CASE WHEN o:Organisation THEN 'Organisation' ELSE 'Person' END, o.id, o.name,
      COLLECT { MATCH (o)-[:PRIORITISES]->(t:Topic) WHERE t.status = 'PUBLISHED' WITH t ORDER BY t.name, t.id LIMIT 5 RETURN t.name }] }] }])`, nil,
			func(vals []any) any {
				return mapList(vals[0], func(o any) any {
					return map[string]any{"id": at(o, 0), "name": at(o, 1), "events": mapList(at(o, 2), func(e any) any {
						return map[string]any{"id": at(e, 0), "title": at(e, 1), "organisers": sortBy(mapList(at(e, 2), func(x any) any {
							return organiser(at(x, 0), at(x, 1), at(x, 2), at(x, 3), arr(at(x, 4)))
						}), "name", "id")}
					})}
				})
			})})

	// The event page.
	for _, ev := range []struct{ class, id string }{{"typical", p.TypicalEvent}, {"hub", p.HubEvent}} {
		vars := map[string]any{"id": ev.id}
		canonEvent := func(e map[string]any, place any, topics []any, total any, organisers []any) any {
			if e == nil {
				return nil
			}
			return map[string]any{"id": e["id"], "title": e["title"], "kind": e["kind"], "startDate": e["startDate"], "endDate": e["endDate"],
				"place": place, "topics": topics, "organiserCount": num(total), "organisers": sortBy(organisers, "name", "id")}
		}
		placeOf := func(name, country any) any {
			if name == nil {
				return nil
			}
			return map[string]any{"name": name, "country": country}
		}
		docs = append(docs, compareDoc{Name: "event-page-" + ev.class, needs: []string{ev.id}, About: fmt.Sprintf("event %s: place and country, topics, organisers with role (the %s event)", ev.id, ev.class),
			api: apiSide(`query EventPage($id: ID!) { event(id: $id) { id title kind startDate endDate place { name country { name } }
  topics { nodes { name } } organisers(first: 50) { totalCount edges { role node { __typename ... on Organisation { id name } ... on Person { id name } } } } } }`, vars,
				func(d any) any {
					e := obj(at(d, "event"))
					return canonEvent(e, placeOf(at(e, "place", "name"), at(e, "place", "country", "name")),
						mapList(at(e, "topics", "nodes"), func(t any) any { return at(t, "name") }), at(e, "organisers", "totalCount"),
						mapList(at(e, "organisers", "edges"), func(x any) any {
							return map[string]any{"role": at(x, "role"), "type": at(x, "node", "__typename"), "id": at(x, "node", "id"), "name": at(x, "node", "name")}
						}))
				}),
			peer: peerSide(`query EventPage($id: ID!) { events(where: {id: {eq: $id}}) { id title kind startDate endDate
  place(sort: [{name: ASC}, {id: ASC}], limit: 1) { name kind country(sort: [{name: ASC}, {id: ASC}], limit: 1) { name } }
  topics(sort: [{name: ASC}, {id: ASC}], limit: 20) { name }
  organisersConnection { totalCount edges { properties { role } node { __typename ... on Organisation { id name } ... on Person { id name } } } } } }`, vars,
				func(d any) any {
					e := obj(at(d, "events", 0))
					var place any
					if pl := at(e, "place", 0); pl != nil {
						var country any
						if at(pl, "kind") != "COUNTRY" {
							country = at(pl, "country", 0, "name")
						}
						place = placeOf(at(pl, "name"), country)
					}
					return canonEvent(e, place, mapList(at(e, "topics"), func(t any) any { return at(t, "name") }), at(e, "organisersConnection", "totalCount"),
						mapList(at(e, "organisersConnection", "edges"), func(x any) any {
							return map[string]any{"role": at(x, "properties", "role"), "type": at(x, "node", "__typename"), "id": at(x, "node", "id"), "name": at(x, "node", "name")}
						}))
				}),
			floor: floorSide(`MATCH (e:Event {id: $id}) WHERE e.status = 'PUBLISHED'
RETURN e {.id, .title, .kind, .startDate, .endDate},
  COLLECT { MATCH (e)-[:HELD_IN]->(pl:Place) WITH pl ORDER BY pl.name, pl.id LIMIT 1
    RETURN [pl.name, CASE WHEN pl.kind = 'COUNTRY' THEN null ELSE COLLECT { MATCH (pl)-[:LOCATED_IN]->(c:Place) WITH c ORDER BY c.name, c.id LIMIT 1 RETURN c.name }[0] END] },
  COLLECT { MATCH (e)-[:ABOUT]->(t:Topic) WITH t ORDER BY t.name, t.id LIMIT 20 RETURN t.name },
  COUNT { (e)<-[:ORGANISED]-(:Organisation|Person) },
  COLLECT { MATCH (e)<-[r:ORGANISED]-(o:Organisation|Person) RETURN [r.role, CASE WHEN o:Organisation THEN 'Organisation' ELSE 'Person' END, o.id, o.name] }`, vars,
				func(vals []any) any {
					if len(vals) == 0 {
						return nil
					}
					var place any
					if pl := at(vals[1], 0); pl != nil {
						place = placeOf(at(pl, 0), at(pl, 1))
					}
					return canonEvent(obj(vals[0]), place, arr(vals[2]), vals[3], mapList(vals[4], func(x any) any {
						return map[string]any{"role": at(x, 0), "type": at(x, 1), "id": at(x, 2), "name": at(x, 3)}
					}))
				})})
	}

	// The organisation page.
	for _, org := range []struct{ class, id string }{{"typical", p.TypicalOrg}, {"hub", p.HubOrg}} {
		vars := map[string]any{"id": org.id}
		docs = append(docs, compareDoc{Name: "organisation-page-" + org.class, needs: []string{org.id},
			About: fmt.Sprintf("organisation %s (the %s one): 20 events with role, 10 publications, priorities, top 10 collaborators with 3 shared items each", org.id, org.class),
			api: apiSide(orgPageQuery, vars,
				func(d any) any {
					o := obj(at(d, "organisation"))
					return map[string]any{"id": o["id"], "name": o["name"], "shortName": o["shortName"], "kind": o["kind"],
						"eventCount": at(o, "events", "totalCount"),
						"events": mapList(at(o, "events", "edges"), func(x any) any {
							return map[string]any{"role": at(x, "role"), "relation": at(x, "relation"), "id": at(x, "node", "id"), "title": at(x, "node", "title"),
								"kind": at(x, "node", "kind"), "startDate": at(x, "node", "startDate")}
						}),
						"publications": mapList(at(o, "publications", "edges"), func(x any) any {
							return map[string]any{"role": at(x, "role"), "id": at(x, "node", "id"), "title": at(x, "node", "title"), "kind": at(x, "node", "kind")}
						}),
						"priorities":        mapList(at(o, "priorities", "nodes"), func(t any) any { return at(t, "name") }),
						"collaboratorCount": at(o, "collaborators", "totalCount"),
						"collaborators": mapList(at(o, "collaborators", "edges"), func(x any) any {
							n := at(x, "node")
							return map[string]any{"id": at(n, "organisation", "id"), "name": at(n, "organisation", "name"), "score": at(n, "score"),
								"sharedEvents":       mapList(at(n, "sharedEvents"), func(t any) any { return at(t, "title") }),
								"sharedPublications": mapList(at(n, "sharedPublications"), func(t any) any { return at(t, "title") })}
						})}
				}),
			peer: peerSide(`query OrganisationPage($id: ID!) { organisations(where: {id: {eq: $id}}) { id name shortName kind eventCount
  roleEvents(first: 20) { role relation id title kind startDate }
  publishedConnection(first: 10, where: {node: {status: {eq: "PUBLISHED"}}}, sort: [{node: {dateFrom: DESC}}, {node: {id: DESC}}]) { edges { properties { role } node { id title kind } } }
  priorities(sort: [{name: ASC}, {id: ASC}], limit: 20) { name }
  collaboratorCount collaborators(first: 10, shared: 3) { id name score sharedEvents sharedPublications } } }`, vars,
				func(d any) any {
					o := obj(at(d, "organisations", 0))
					return map[string]any{"id": o["id"], "name": o["name"], "shortName": o["shortName"], "kind": o["kind"], "eventCount": o["eventCount"],
						"events": arr(o["roleEvents"]),
						"publications": mapList(at(o, "publishedConnection", "edges"), func(x any) any {
							return map[string]any{"role": at(x, "properties", "role"), "id": at(x, "node", "id"), "title": at(x, "node", "title"), "kind": at(x, "node", "kind")}
						}),
						"priorities":        mapList(at(o, "priorities"), func(t any) any { return at(t, "name") }),
						"collaboratorCount": o["collaboratorCount"], "collaborators": arr(o["collaborators"])}
				}),
			floor: floorSide(`MATCH (o:Organisation {id: $id}) WHERE o.status = 'PUBLISHED'
RETURN o {.id, .name, .shortName, .kind,
  eventCount: COUNT { (o)-[:ORGANISED|ATTENDED]->(e:Event) WHERE e.status = 'PUBLISHED' },
  events: CASE WHEN COUNT { (o)-[:ORGANISED|ATTENDED]->() } <= 1000
    THEN COLLECT { MATCH (o)-[r:ORGANISED|ATTENDED]->(e:Event) WHERE e.status = 'PUBLISHED'
      WITH r, e ORDER BY e.dateFrom DESC, e.id DESC LIMIT 20
      RETURN {role: r.role, relation: type(r), id: e.id, title: e.title, kind: e.kind, startDate: e.startDate} }
    ELSE COLLECT { MATCH (e:Event) USING INDEX e:Event(dateFrom) WHERE e.dateFrom >= '' AND e.status = 'PUBLISHED'
      MATCH (o)-[r:ORGANISED|ATTENDED]->(e)
      WITH r, e ORDER BY e.dateFrom DESC, e.id DESC LIMIT 20
      RETURN {role: r.role, relation: type(r), id: e.id, title: e.title, kind: e.kind, startDate: e.startDate} } END,
  publications: CASE WHEN COUNT { (o)-[:PUBLISHED]->() } <= 1000
    THEN COLLECT { MATCH (o)-[r:PUBLISHED]->(x:Publication) WHERE x.status = 'PUBLISHED'
      WITH r, x ORDER BY x.dateFrom DESC, x.id DESC LIMIT 10 RETURN {role: r.role, id: x.id, title: x.title, kind: x.kind} }
    ELSE COLLECT { MATCH (x:Publication) USING INDEX x:Publication(dateFrom) WHERE x.dateFrom >= '' AND x.status = 'PUBLISHED'
      MATCH (o)-[r:PUBLISHED]->(x)
      WITH r, x ORDER BY x.dateFrom DESC, x.id DESC LIMIT 10 RETURN {role: r.role, id: x.id, title: x.title, kind: x.kind} } END,
  priorities: COLLECT { MATCH (o)-[:PRIORITISES]->(t:Topic) WITH t ORDER BY t.name, t.id LIMIT 20 RETURN t.name },
  collaboratorCount: COUNT { MATCH (o)-[s:SHARES]-(c:Organisation) WHERE coalesce(s.evp, 0) + coalesce(s.pubp, 0) + coalesce(s.progp, 0) > 0 },
  collaborators: COLLECT { MATCH (o)-[s:SHARES]-(c:Organisation)
    WITH c, coalesce(s.evp, 0) + coalesce(s.pubp, 0) + coalesce(s.progp, 0) AS score WHERE score > 0
    WITH c, score ORDER BY score DESC, c.id ASC LIMIT 10
    RETURN {id: c.id, name: c.name, score: score,
      sharedEvents: CASE WHEN COUNT { (c)-[:ORGANISED|ATTENDED]->() } <= 1000
        THEN COLLECT { MATCH (c)-[:ORGANISED|ATTENDED]->(x:Event) WHERE x.status = 'PUBLISHED' AND EXISTS { (o)-[:ORGANISED|ATTENDED]->(x) }
          WITH DISTINCT x ORDER BY x.dateFrom DESC, x.id LIMIT 3 RETURN x.title }
        WHEN COUNT { (o)-[:ORGANISED|ATTENDED]->() } <= 1000
        THEN COLLECT { MATCH (o)-[:ORGANISED|ATTENDED]->(x:Event) WHERE x.status = 'PUBLISHED' AND EXISTS { (c)-[:ORGANISED|ATTENDED]->(x) }
          WITH DISTINCT x ORDER BY x.dateFrom DESC, x.id LIMIT 3 RETURN x.title }
        ELSE COLLECT { MATCH (x:Event) USING INDEX x:Event(dateFrom) WHERE x.dateFrom >= '' AND x.status = 'PUBLISHED'
            AND EXISTS { (o)-[:ORGANISED|ATTENDED]->(x) } AND EXISTS { (c)-[:ORGANISED|ATTENDED]->(x) }
          WITH x ORDER BY x.dateFrom DESC, x.id LIMIT 3 RETURN x.title } END,
      sharedPublications: COLLECT { MATCH (c)-[:PUBLISHED]->(x:Publication) WHERE x.status = 'PUBLISHED' AND EXISTS { (o)-[:PUBLISHED]->(x) }
        WITH DISTINCT x ORDER BY x.dateFrom DESC, x.id LIMIT 3 RETURN x.title }} }}`, vars,
				func(vals []any) any { return num(vals[0]) })})
	}

	// Co-organised events of a pair.
	for _, pair := range []struct{ class, a, b string }{{"typical", p.TypicalOrg, p.TypicalPartner}, {"hub", p.HubOrg, p.HubOrg2}} {
		ev := func(e any) any {
			return map[string]any{"id": at(e, "id"), "title": at(e, "title"), "startDate": at(e, "startDate")}
		}
		docs = append(docs, compareDoc{Name: "co-organised-" + pair.class, needs: []string{pair.a, pair.b}, About: fmt.Sprintf("events %s and %s organised together, newest 20 (the %s pair)", pair.a, pair.b, pair.class),
			api: apiSide(`query Together($orgs: [ID!]!) { coOrganisedEvents(organisations: $orgs, first: 20) { nodes { id title startDate } } }`,
				map[string]any{"orgs": []string{pair.a, pair.b}}, func(d any) any { return mapList(at(d, "coOrganisedEvents", "nodes"), ev) }),
			peer: peerSide(`query Together($a: ID!, $b: ID!) { coOrganisedEvents(a: $a, b: $b, first: 20) { id title startDate } }`,
				map[string]any{"a": pair.a, "b": pair.b}, func(d any) any { return mapList(at(d, "coOrganisedEvents"), ev) }),
			floor: floorSide(`CALL () {
  UNWIND [$a, $b] AS oid MATCH (o:Organisation {id: oid})
  RETURN o AS light, COUNT { (o)-[:ORGANISED]->() } AS deg ORDER BY deg LIMIT 1
}
CALL (light, deg) {
  WITH light WHERE deg <= 1000
  MATCH (light)<-[:PART_OF*0..2]-(:Organisation)-[:ORGANISED]->(e:Event) WHERE e.status = 'PUBLISHED'
  WITH DISTINCT e WHERE all(oid IN [$a, $b] WHERE EXISTS { (e)<-[r:ORGANISED]-(:Organisation)-[:PART_OF*0..2]->(:Organisation {id: oid}) WHERE r.role IN ['ORGANISER','CO_ORGANISER','HOST'] })
  RETURN e ORDER BY e.dateFrom DESC, e.id DESC LIMIT 20
UNION ALL
  WITH light, CASE WHEN deg > 1000 THEN '' ELSE null END AS lo
  MATCH (e:Event) USING INDEX e:Event(dateFrom) WHERE e.dateFrom >= lo AND e.status = 'PUBLISHED'
    AND all(oid IN [$a, $b] WHERE EXISTS { (e)<-[r:ORGANISED]-(:Organisation)-[:PART_OF*0..2]->(:Organisation {id: oid}) WHERE r.role IN ['ORGANISER','CO_ORGANISER','HOST'] })
  RETURN e ORDER BY e.dateFrom DESC, e.id DESC LIMIT 20
}
WITH e ORDER BY e.dateFrom DESC, e.id DESC LIMIT 20
RETURN collect({id: e.id, title: e.title, startDate: e.startDate})`, map[string]any{"a": pair.a, "b": pair.b},
				func(vals []any) any { return arr(vals[0]) })})
	}

	// How two organisations are connected, four hops.
	for _, c := range []struct{ class, from, to string }{{"typical", p.TypicalOrg, p.FarFromTypical}, {"hub", p.HubOrg, p.FarFromHub}} {
		vars := map[string]any{"from": c.from, "to": c.to}
		docs = append(docs, compareDoc{Name: "connection-" + c.class, needs: []string{c.from, c.to}, About: fmt.Sprintf("shortest paths %s to %s, up to 4 hops (from the %s organisation)", c.from, c.to, c.class),
			api: apiSide(`query Connection($from: ID!, $to: ID!) { connection(from: $from, to: $to, maxHops: 4, limit: 3) { nodes { id } } }`, vars,
				func(d any) any {
					return mapList(at(d, "connection"), func(path any) any { return mapList(at(path, "nodes"), func(n any) any { return at(n, "id") }) })
				}),
			peer: peerSide(`query Connection($from: ID!, $to: ID!) { connection(from: $from, to: $to) { ids } }`, vars,
				func(d any) any {
					return mapList(at(d, "connection"), func(path any) any { return arr(at(path, "ids")) })
				}),
			floor: floorSide(`MATCH (a:Organisation {id: $from}), (b:Organisation {id: $to})
MATCH p = allShortestPaths((a)-[:ORGANISED|ATTENDED|PUBLISHED|RUNS|SUPPORTS|PART_OF|IN_PROGRAMME|SUMMARISES|LAUNCHED_AT|AFFILIATED_WITH|FEATURES*..4]-(b))
WHERE all(x IN nodes(p) WHERE x.status = 'PUBLISHED')
WITH [x IN nodes(p) | x.id] AS ids ORDER BY ids LIMIT 3
RETURN collect(ids)`, vars, func(vals []any) any { return mapList(vals[0], func(x any) any { return arr(x) }) })})
	}

	// Full-text search.
	const searchBoost = `CASE
  WHEN toLower(node.shortName) = $exact OR toLower(coalesce(node.name, node.title)) = $exact THEN 1000.0
  WHEN toLower(node.shortName) STARTS WITH $exact OR toLower(coalesce(node.name, node.title)) STARTS WITH $exact THEN 100.0
  ELSE 0.0 END`
	for _, s := range []struct{ class, word string }{{"frequent", p.FrequentWord}, {"rare", p.RareWord}} {
		hit := func(id, score any) any { return map[string]any{"id": id, "score": fmt.Sprintf("%.6f", score)} }
		docs = append(docs, compareDoc{Name: "search-" + s.class, needs: []string{s.word}, About: fmt.Sprintf("search %q, first 10 (a %s word)", s.word, s.class),
			api: apiSide(`query Search($text: String!) { search(text: $text, first: 10) { edges { node { score node { id } } } } }`, map[string]any{"text": s.word},
				func(d any) any {
					return mapList(at(d, "search", "edges"), func(e any) any { return hit(at(e, "node", "node", "id"), at(e, "node", "score")) })
				}),
			peer: peerSide(`query Search($text: String!, $exact: String!) { search(text: $text, exact: $exact, first: 10) { id score } }`, map[string]any{"text": lucene(s.word), "exact": strings.ToLower(s.word)},
				func(d any) any {
					return mapList(at(d, "search"), func(h any) any { return hit(at(h, "id"), at(h, "score")) })
				}),
			// The API ranks an exact name or acronym first, then names that start with the text:
			// the peer and the floor add the same boost.
			floor: floorSide(`CALL db.index.fulltext.queryNodes('entity_text', $text) YIELD node, score
WHERE node.status = 'PUBLISHED'
WITH node, score + `+searchBoost+` AS score ORDER BY score DESC, node.id LIMIT 10
RETURN collect([node.id, score])`, map[string]any{"text": lucene(s.word), "exact": strings.ToLower(s.word)},
				func(vals []any) any { return mapList(vals[0], func(x any) any { return hit(at(x, 0), at(x, 1)) }) })})
	}

	// The dashboard's activity per year, of everything and of one organisation.
	years := func(list any) any {
		return mapList(list, func(y any) any {
			return map[string]any{"year": fmt.Sprint(at(y, "year")), "events": num(at(y, "events"))}
		})
	}
	docs = append(docs, compareDoc{Name: "stats-all", About: "events per year, the whole graph",
		api: apiSide(`query Stats { stats { activityByYear { year events } } }`, nil, func(d any) any {
			var out []any
			for _, y := range arr(at(d, "stats", "activityByYear")) {
				if n, _ := at(y, "events").(float64); n > 0 {
					out = append(out, y)
				}
			}
			return years(out)
		}),
		peer: peerSide(`query Stats { eventsByYear { key count } }`, nil, func(d any) any {
			return mapList(at(d, "eventsByYear"), func(b any) any { return map[string]any{"year": at(b, "key"), "events": num(at(b, "count"))} })
		}),
		floor: floorSide(`MATCH (e:Event) WHERE e.status = 'PUBLISHED' AND e.year IS NOT NULL
WITH e.year AS year, count(*) AS events ORDER BY year RETURN collect({year: year, events: events})`, nil,
			func(vals []any) any { return years(vals[0]) })})
	var keep []compareDoc
	var skipped []CompareDoc
	for _, d := range docs {
		if slices.Contains(d.needs, "") {
			skipped = append(skipped, CompareDoc{Name: d.Name, About: d.About, Mismatch: "not run: the dataset has no such entity"})
			continue
		}
		keep = append(keep, d)
	}
	return keep, skipped
}

// CompareLevel is one document at one concurrency level, the three sides and their ratios.
type CompareLevel struct {
	Concurrency int    `json:"concurrency"`
	API         Stats  `json:"api"`
	Peer        *Stats `json:"peer,omitempty"`
	Floor       Stats  `json:"floor"`
	// PeerThroughput is API req/s over peer req/s; FloorP50 API p50 over floor p50.
	PeerThroughput float64 `json:"apiOverPeerThroughput,omitempty"`
	FloorP50       float64 `json:"apiOverFloorP50"`
}

// CompareDoc is one document of the comparison in the report.
type CompareDoc struct {
	Name     string         `json:"name"`
	About    string         `json:"about"`
	NoPeer   string         `json:"noPeer,omitempty"`
	Equal    bool           `json:"answersEqual"`
	Mismatch string         `json:"mismatch,omitempty"`
	Levels   []CompareLevel `json:"levels"`
}

// checkEqual asks each side once and compares the canonical answers.
func checkEqual(ctx context.Context, d compareDoc) (bool, string) {
	want, err := d.floor(ctx)
	if err != nil {
		return false, "floor: " + err.Error()
	}
	got, err := d.api(ctx)
	if err != nil {
		return false, "API: " + err.Error()
	}
	if canonical(got) != canonical(want) {
		return false, fmt.Sprintf("API and floor differ:\nAPI   %.600s\nfloor %.600s", canonical(got), canonical(want))
	}
	if d.peer != nil {
		peer, err := d.peer(ctx)
		if err != nil {
			return false, "peer: " + err.Error()
		}
		if canonical(peer) != canonical(want) {
			return false, fmt.Sprintf("peer and floor differ:\npeer  %.600s\nfloor %.600s", canonical(peer), canonical(want))
		}
	}
	if canonical(want) == "null" || canonical(want) == "[]" {
		return false, "every side answered nothing: the document would measure nothing"
	}
	return true, ""
}

// runCompare checks and times every document at every level.
func runCompare(ctx context.Context, docs []compareDoc, levels []int, d, warmup time.Duration, log io.Writer) []CompareDoc {
	var out []CompareDoc
	for _, doc := range docs {
		cd := CompareDoc{Name: doc.Name, About: doc.About, NoPeer: doc.NoPeer}
		cd.Equal, cd.Mismatch = checkEqual(ctx, doc)
		if !cd.Equal {
			fmt.Fprintf(log, "bench: %s: answers differ, not timed: %s\n", doc.Name, cd.Mismatch)
			out = append(out, cd)
			continue
		}
		call := func(s side) func(context.Context) (outcome, error) {
			return func(ctx context.Context) (outcome, error) { _, err := s(ctx); return outcome{}, err }
		}
		for _, s := range []side{doc.api, doc.peer, doc.floor} {
			if s != nil {
				hammer(ctx, 2, warmup, call(s)) // plans cached, connections open
			}
		}
		for _, c := range levels {
			l := CompareLevel{Concurrency: c}
			fmt.Fprintf(log, "bench: %s at concurrency %d\n", doc.Name, c)
			l.API = hammer(ctx, c, d, call(doc.api))
			if doc.peer != nil {
				ps := hammer(ctx, c, d, call(doc.peer))
				l.Peer = &ps
				if ps.Throughput > 0 {
					l.PeerThroughput = l.API.Throughput / ps.Throughput
				}
			}
			l.Floor = hammer(ctx, c, d, call(doc.floor))
			if l.Floor.P50 > 0 {
				l.FloorP50 = l.API.P50 / l.Floor.P50
			}
			cd.Levels = append(cd.Levels, l)
		}
		out = append(out, cd)
	}
	return out
}

// CompareResult is one run of the comparison.
type CompareResult struct {
	Label    string        `json:"label"`
	Started  time.Time     `json:"started"`
	Machine  Machine       `json:"machine"`
	Neo4j    string        `json:"neo4j"`
	Build    string        `json:"build"`
	Peer     string        `json:"peer"`
	Dataset  Dataset       `json:"dataset"`
	Settings Settings      `json:"settings"`
	Params   cmpParams     `json:"parameters"`
	Docs     []CompareDoc  `json:"documents"`
	Cached   []CachedLevel `json:"cached"`
	Cold     *ColdStart    `json:"coldStart,omitempty"`
	Targets  []Target      `json:"targets"`
	Took     time.Duration `json:"tookNs"`
}

// CachedLevel is a page read through the response cache against the same page past it.
type CachedLevel struct {
	Name     string  `json:"name"`
	Cached   Stats   `json:"cached"`
	Uncached Stats   `json:"uncached"`
	Ratio    float64 `json:"ratio"`
}

// peerVersion is what bench/peer pins.
const peerVersion = "@neo4j/graphql 7.6.3 on graphql-yoga 5.24.1 (bench/peer)"

// strictDocs must reach 4x the peer's throughput; the others 2x.
var strictDocs = map[string]bool{"nested-list": true, "event-page-typical": true, "event-page-hub": true,
	"organisation-page-typical": true, "organisation-page-hub": true}

func (r *CompareResult) judge() {
	level := func(d CompareDoc, c int) *CompareLevel {
		for i := range d.Levels {
			if d.Levels[i].Concurrency == c {
				return &d.Levels[i]
			}
		}
		return nil
	}
	var floorOver, peerUnder, unequal []string
	worstFloor, worstPeer := 0.0, 0.0
	for _, d := range r.Docs {
		if !d.Equal {
			unequal = append(unequal, d.Name)
			continue
		}
		if l := level(d, 1); l != nil && l.FloorP50 > 1.5 {
			floorOver = append(floorOver, fmt.Sprintf("%s %.2fx", d.Name, l.FloorP50))
		}
		if l := level(d, 1); l != nil {
			worstFloor = max(worstFloor, l.FloorP50)
		}
		if l := level(d, 8); l != nil && l.Peer != nil {
			want := 2.0
			if strictDocs[d.Name] {
				want = 4
			}
			if l.PeerThroughput < want {
				peerUnder = append(peerUnder, fmt.Sprintf("%s %.2fx (want %.0fx)", d.Name, l.PeerThroughput, want))
			}
			if worstPeer == 0 || l.PeerThroughput < worstPeer {
				worstPeer = l.PeerThroughput
			}
		}
	}
	list := func(s []string) string {
		if len(s) == 0 {
			return "none"
		}
		return strings.Join(s, "; ")
	}
	r.Targets = append(r.Targets,
		Target{Name: "the three answers equal on every document (checked before timing)", Measured: "differ: " + list(unequal), Pass: len(unequal) == 0},
		Target{Name: "API p50 <= 1.5x the one-statement floor at concurrency 1, every document", Measured: fmt.Sprintf("worst %.2fx; over: %s", worstFloor, list(floorOver)), Pass: len(floorOver) == 0 && len(unequal) == 0},
		Target{Name: "API throughput at concurrency 8 >= 2x the peer's (4x on the nested list and the entity pages)", Measured: fmt.Sprintf("lowest %.2fx; under: %s", worstPeer, list(peerUnder)), Pass: len(peerUnder) == 0 && len(unequal) == 0})
	for _, name := range []string{"co-organised-hub", "organisation-page-hub"} {
		for _, d := range r.Docs {
			if d.Name != name {
				continue
			}
			if l := level(d, 1); l != nil {
				r.Targets = append(r.Targets, Target{Name: name + " p50 < 100 ms", Measured: fmt.Sprintf("p50 %.1f ms at concurrency 1", l.API.P50), Pass: l.API.P50 < 100})
			}
		}
	}
	if c := r.Cold; c != nil {
		m := fmt.Sprintf("first %.1f ms, warm p50 %.1f ms (%.2fx); ready %.1f s after start", c.FirstMs, c.WarmP50, c.Ratio, c.ReadyMs/1000)
		if c.Error != "" {
			m = "not measured: " + c.Error
		}
		r.Targets = append(r.Targets, Target{Name: "the first entity page after a fresh start within 2x of the warm p50", Measured: m, Pass: c.Error == "" && c.Ratio <= 2})
	}
	for _, c := range r.Cached {
		r.Targets = append(r.Targets, Target{Name: c.Name + ": cached reads >= 10x uncached at concurrency 8",
			Measured: fmt.Sprintf("%.1fx (%.0f vs %.0f req/s)", c.Ratio, c.Cached.Throughput, c.Uncached.Throughput), Pass: c.Ratio >= 10})
	}
}

// Markdown is the comparison's report.
func (r *CompareResult) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# partnergraph against the peer and the floor: %s, %s\n\n", r.Label, r.Started.UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "- Machine: %d CPUs (%s), %d MB memory, %s\n- Go %s; Neo4j %s; code %s\n- Peer: %s\n", r.Machine.CPUs, r.Machine.CPUModel, r.Machine.MemoryMB, r.Machine.OS, r.Machine.Go, r.Neo4j, r.Build, r.Peer)
	fmt.Fprintf(&b, "- Dataset: %d entities\n- Concurrency %v; %.0fs measured per document, level and side; run took %s\n\n", r.Dataset.Entities, r.Settings.Concurrency, r.Settings.DurationSeconds, r.Took.Round(time.Second))
	b.WriteString("Every document is answered three ways over the same database, anonymously and past every cache: the API (GraphQL over HTTP, in this process), the peer (the Neo4j GraphQL Library on graphql-yoga, a Node process of its own) and the floor (one hand-written Cypher statement through the Go driver). The three answers are brought to one form and must be equal before a document is timed.\n\n")
	b.WriteString("## Targets\n\n| | target | measured |\n| --- | --- | --- |\n")
	for _, t := range r.Targets {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", t.verdict(), t.Name, t.Measured)
	}
	b.WriteString("\n## Documents\n\n| document | what | answers |\n| --- | --- | --- |\n")
	for _, d := range r.Docs {
		eq := "equal"
		if !d.Equal {
			eq = "**differ**: " + strings.ReplaceAll(d.Mismatch, "\n", " ")
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", d.Name, d.About, eq)
	}
	b.WriteString("\n## Results\n\nLatencies in ms. Ratios: API req/s over peer req/s, API p50 over floor p50.\n\n")
	b.WriteString("| document | c | API req/s | API p50 | API p99 | peer req/s | peer p50 | peer p99 | floor req/s | floor p50 | floor p99 | API/peer req/s | API/floor p50 |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, d := range r.Docs {
		for _, l := range d.Levels {
			peer := "– | – | –"
			ratio := "–"
			if l.Peer != nil {
				peer = fmt.Sprintf("%.1f | %.2f | %.2f", l.Peer.Throughput, l.Peer.P50, l.Peer.P99)
				ratio = fmt.Sprintf("%.2fx", l.PeerThroughput)
			}
			fmt.Fprintf(&b, "| %s | %d | %.1f | %.2f | %.2f | %s | %.1f | %.2f | %.2f | %s | %.2fx |\n", d.Name, l.Concurrency,
				l.API.Throughput, l.API.P50, l.API.P99, peer, l.Floor.Throughput, l.Floor.P50, l.Floor.P99, ratio, l.FloorP50)
		}
	}
	if len(r.Cached) > 0 {
		b.WriteString("\n## The response cache\n\n| page | cached req/s | uncached req/s | ratio |\n| --- | ---: | ---: | ---: |\n")
		for _, c := range r.Cached {
			fmt.Fprintf(&b, "| %s | %.0f | %.0f | %.1fx |\n", c.Name, c.Cached.Throughput, c.Uncached.Throughput, c.Ratio)
		}
	}
	return b.String()
}

// compare runs the comparison against db (migrated, loaded) and writes its report.
func compare(ctx context.Context, db *neo4jstore.DB, dbc neo4jstore.Config, o Options) (*CompareResult, error) {
	r := &CompareResult{Label: o.Label, Started: time.Now(), Machine: machine(), Build: build(), Peer: peerVersion,
		Settings: Settings{Concurrency: o.Concurrency, DurationSeconds: o.Duration.Seconds(), WarmupSeconds: o.Warmup.Seconds()}}
	var err error
	if r.Neo4j, err = db.ServerVersion(ctx); err != nil {
		return nil, err
	}
	if r.Dataset, err = datasetSize(ctx, db); err != nil {
		return nil, err
	}
	if r.Label == "" {
		r.Label = fmt.Sprintf("%d-entities", r.Dataset.Entities)
	}
	c, stop, err := serve(ctx, db, 16, o.Log)
	if err != nil {
		return nil, err
	}
	defer stop()
	peerURL, stopPeer, err := startPeer(ctx, dbc, o.PeerDir)
	if err != nil {
		return nil, err
	}
	defer stopPeer()
	if r.Params, err = discoverCompare(ctx, db); err != nil {
		return nil, err
	}
	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 32, DisableCompression: true}}
	docs, skipped := compareDocs(db, c.base, peerURL, hc, r.Params)
	if o.Docs != nil {
		var keep []compareDoc
		for _, d := range docs {
			if slices.Contains(o.Docs, d.Name) {
				keep = append(keep, d)
			}
		}
		docs = keep
	}
	r.Docs = runCompare(ctx, docs, o.Concurrency, o.Duration, o.Warmup, o.Log)
	r.Docs = append(r.Docs, skipped...)
	for _, org := range []struct{ class, id string }{{"typical", r.Params.TypicalOrg}, {"hub", r.Params.HubOrg}} {
		page := &document{query: orgPageQuery, vars: map[string]any{"id": org.id}, get: true}
		cached := &document{query: page.query, vars: page.vars, get: true, cached: true}
		send := func(d *document) func(context.Context) (outcome, error) {
			return func(ctx context.Context) (outcome, error) {
				_, err := c.send(ctx, d, d.vars, "")
				return outcome{}, err
			}
		}
		lvl := CachedLevel{Name: "organisation page, " + org.class}
		lvl.Uncached = hammer(ctx, 8, o.Duration, send(page))
		lvl.Cached = hammer(ctx, 8, o.Duration, send(cached))
		if lvl.Uncached.Throughput > 0 {
			lvl.Ratio = lvl.Cached.Throughput / lvl.Uncached.Throughput
		}
		r.Cached = append(r.Cached, lvl)
	}
	if o.Server != "" {
		if r.Cold, err = coldStart(ctx, db, dbc, o.Server, r.Params.TypicalOrg); err != nil {
			r.Cold = &ColdStart{Error: err.Error()}
		}
	}
	r.Took = time.Since(r.Started)
	r.judge()
	paths, err := writeReport(o.OutDir, "compare-"+r.Label+"-"+r.Started.Format("20060102-150405"), r, r.Markdown())
	if err != nil {
		return nil, err
	}
	if _, err := writeReport(o.OutDir, "compare-latest", r, r.Markdown()); err != nil {
		return nil, err
	}
	fmt.Fprintf(o.Log, "bench: wrote %v\n", paths)
	return r, nil
}

// ColdStart is the explorer's first entity page from a freshly started server, against the
// same page once warm.
type ColdStart struct {
	Document string  `json:"document"`
	FirstMs  float64 `json:"firstMs"`
	WarmP50  float64 `json:"warmP50Ms"`
	Ratio    float64 `json:"ratio"`
	ReadyMs  float64 `json:"readyMs"` // from the start of the process to /readyz answering 200
	Error    string  `json:"error,omitempty"`
}

// coldStart empties Neo4j's query caches, starts the server binary as make run does (it warms
// the published documents before it reports ready), and times the first entity page after
// /readyz, then the same page warm.
func coldStart(ctx context.Context, db *neo4jstore.DB, dbc neo4jstore.Config, exe, org string) (*ColdStart, error) {
	if _, err := db.Floor(ctx, "CALL db.clearQueryCaches()", nil); err != nil {
		return nil, fmt.Errorf("clear the query caches: %w", err)
	}
	start := time.Now()
	base, _, stop, err := startServer(ctx, exe, dbc, "APP_ENV=production")
	if err != nil {
		return nil, err
	}
	defer stop()
	cs := &ColdStart{Document: "WebEntity (the explorer's entity page) for " + org, ReadyMs: float64(time.Since(start).Milliseconds())}
	var entity string
	for _, d := range web.Documents() {
		if strings.Contains(d, "query WebEntity") {
			entity = d
		}
	}
	hc := &http.Client{Timeout: time.Minute}
	url := base + "/graphql"
	vars := map[string]any{"id": org}
	t := time.Now()
	if _, err := jsonPost(ctx, hc, url, entity, vars, nil); err != nil {
		return nil, fmt.Errorf("first entity page: %w", err)
	}
	cs.FirstMs = float64(time.Since(t).Microseconds()) / 1000
	var lat []time.Duration
	for range 50 {
		t := time.Now()
		if _, err := jsonPost(ctx, hc, url, entity, vars, nil); err != nil {
			return nil, err
		}
		lat = append(lat, time.Since(t))
	}
	slices.Sort(lat)
	cs.WarmP50 = percentile(lat, 0.5)
	if cs.WarmP50 > 0 {
		cs.Ratio = cs.FirstMs / cs.WarmP50
	}
	return cs, nil
}
