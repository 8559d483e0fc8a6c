package neo4jstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	pg "github.com/unicri/partnergraph"
)

// maxPairEvents caps the events listed on one co-organisation edge; the count stays exact.
const maxPairEvents = 100

// The co-organisation statements match events as n (so the list filters apply to them), a pair
// of organisations a, b that organised each, and group by pair.
const (
	coOrgPair = `
MATCH (a:Organisation)-[ra:ORGANISED]->(n)<-[rb:ORGANISED]-(b:Organisation)
WHERE a.id < b.id AND ra.role IN $roles AND rb.role IN $roles AND a.status IN $statuses AND b.status IN $statuses
WITH a, b, n AS e`
	// Pairs that include one organisation: start from it, then put the pair in id order.
	coOrgOne = `MATCH (o:Organisation {id: $org})-[ra:ORGANISED]->(n:Event)<-[rb:ORGANISED]-(other:Organisation)
WHERE ra.role IN $roles AND rb.role IN $roles AND o.status IN $statuses AND other.status IN $statuses
  AND n.status IN $statuses`
	coOrgOneTail = `
WITH CASE WHEN o.id < other.id THEN o ELSE other END AS a, CASE WHEN o.id < other.id THEN other ELSE o END AS b, n AS e`
	coOrgPage = `
ORDER BY e.dateFrom DESC, e.id
WITH a, b, count(e) AS n, collect(e) AS events, min(e.startDate) AS first, max(e.startDate) AS last
WHERE n >= $minCount
WITH a, b, n, events, first, last, a.id + '|' + b.id AS pair
WHERE $ck IS NULL OR n < $ck OR (n = $ck AND pair > $cid)
RETURN a, b, n, events[..$maxEvents] AS events, first, last, pair
ORDER BY n DESC, pair ASC LIMIT $limit`
	coOrgCount = `
WITH a, b, count(e) AS n WHERE n >= $minCount RETURN count(*) AS total`
)

// coOrgQuery compiles a co-organisation statement: from the one organisation if given, else
// from the events the filters select (through their indexes), else from every event.
func coOrgQuery(v pg.Viewer, f pg.CoOrganisationFilter, tail string) (string, map[string]any, error) {
	roles := f.Roles
	if len(roles) == 0 {
		roles = pg.OrganisingRoles
	}
	spec, _ := pg.LookupRelType(pg.RelOrganised)
	for _, r := range roles {
		if !contains(spec.Roles, r) {
			return "", nil, pg.FieldErrorf(pg.EINVALID, "roles", "%s is not an organising role", r)
		}
	}
	c, err := compileFilter(v, pg.KindEvent, pg.NodeFilter{Kind: pg.KindEvent, SubKinds: f.EventKinds, Topic: f.Topic, From: f.From, To: f.To})
	if err != nil {
		return "", nil, err
	}
	c.params["roles"], c.params["org"], c.params["minCount"] = roleStrings(roles), f.Organisation, max(f.MinCount, 1)
	one := f.Organisation != nil
	text := cached("coorg|"+strings.Join(c.sig, "|")+fmt.Sprint(one)+tail, func() string {
		var b strings.Builder
		switch {
		case one:
			b.WriteString(coOrgOne)
		case len(c.preds) == 0:
			b.WriteString(wholeKind + "MATCH (n:Event)\nWHERE n.status IN $statuses")
		default:
			b.WriteString("MATCH (n:Event)\nWHERE n.status IN $statuses")
		}
		for _, p := range c.preds {
			b.WriteString("\n  AND " + p)
		}
		if one {
			b.WriteString(coOrgOneTail)
		} else {
			b.WriteString(coOrgPair)
		}
		b.WriteString(tail)
		return b.String()
	})
	return text, c.params, nil
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// CoOrganisations implements pg.NetworkService.
func (s *Network) CoOrganisations(ctx context.Context, v pg.Viewer, f pg.CoOrganisationFilter, page pg.PageArgs) (*pg.Page[*pg.CoOrganisation], error) {
	w, err := page.Validate()
	if err != nil {
		return nil, err
	}
	if w.Backward {
		return nil, pg.FieldErrorf(pg.EINVALID, "last", "co-organisations page forward only")
	}
	q, p, err := coOrgQuery(v, f, coOrgPage)
	if err != nil {
		return nil, err
	}
	p["limit"], p["maxEvents"], p["ck"], p["cid"] = w.Limit+1, maxPairEvents, nil, nil
	if w.Cursor != nil {
		p["ck"], p["cid"] = w.Cursor.Key, w.Cursor.ID
	}
	rows, err := s.db.read(ctx, q, p)
	if err != nil {
		return nil, translate("co-organisations", err)
	}
	return pageOf(rows, w, func(r *neo4j.Record) (*pg.CoOrganisation, string, error) {
		a, err1 := nodeValue(r, "a")
		b, err2 := nodeValue(r, "b")
		n, _, err3 := neo4j.GetRecordValue[int64](r, "n")
		pair, _, err4 := neo4j.GetRecordValue[string](r, "pair")
		events, _, err5 := neo4j.GetRecordValue[[]any](r, "events")
		if err := firstErr(err1, err2, err3, err4, err5); err != nil {
			return nil, "", err
		}
		co := &pg.CoOrganisation{A: a.(*pg.Organisation), B: b.(*pg.Organisation), Count: int(n)}
		co.First, co.Last = optDateValue(r, "first"), optDateValue(r, "last")
		for _, e := range events {
			dn, ok := e.(neo4j.Node)
			if !ok {
				return nil, "", fmt.Errorf("co-organisations: event is %T", e)
			}
			ev, err := toNode(dn)
			if err != nil {
				return nil, "", err
			}
			co.Events = append(co.Events, ev.(*pg.Event))
		}
		return co, pg.Cursor{Key: n, ID: pair}.Encode(), nil
	})
}

// CountCoOrganisations implements pg.NetworkService.
func (s *Network) CountCoOrganisations(ctx context.Context, v pg.Viewer, f pg.CoOrganisationFilter) (int, error) {
	q, p, err := coOrgQuery(v, f, coOrgCount)
	if err != nil {
		return 0, err
	}
	rows, err := s.db.read(ctx, q, p)
	if err != nil {
		return 0, translate("count co-organisations", err)
	}
	n, _, err := neo4j.GetRecordValue[int64](rows[0], "total")
	return int(n), err
}

func optDateValue(r *neo4j.Record, key string) *pg.Date {
	s, isNil, err := neo4j.GetRecordValue[string](r, key)
	if isNil || err != nil {
		return nil
	}
	d := pg.Date(s)
	return &d
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// CoOrganisedEvents implements pg.NetworkService. An organisation counts as organiser when it
// or one of its units had an organising role.
func (s *Network) CoOrganisedEvents(ctx context.Context, v pg.Viewer, orgs []string, f pg.NodeFilter, page pg.PageArgs) (*pg.Page[pg.Node], error) {
	w, err := page.Validate()
	if err != nil {
		return nil, err
	}
	q, err := coEventsQuery(v, orgs, f, w, false)
	if err != nil {
		return nil, err
	}
	q.params["dense"] = cmp.Or(s.DenseDegree, DefaultDenseDegree)
	rows, err := s.db.read(ctx, q.text, q.params)
	if err != nil {
		return nil, translate("co-organised events", err)
	}
	if len(rows) == 0 {
		if err := s.mustExist(ctx, v, pg.KindOrganisation, orgs, "organisations"); err != nil {
			return nil, err
		}
	}
	return pageOf(rows, w, func(r *neo4j.Record) (pg.Node, string, error) {
		n, err := nodeValue(r, "n")
		if err != nil {
			return nil, "", err
		}
		key, _ := r.Get("key")
		return n, pg.Cursor{Key: key, ID: n.NodeID()}.Encode(), nil
	})
}

// CountCoOrganisedEvents implements pg.NetworkService.
func (s *Network) CountCoOrganisedEvents(ctx context.Context, v pg.Viewer, orgs []string, f pg.NodeFilter) (int, error) {
	q, err := coEventsQuery(v, orgs, f, pg.Window{}, true)
	if err != nil {
		return 0, err
	}
	q.params["dense"] = cmp.Or(s.DenseDegree, DefaultDenseDegree)
	rows, err := s.db.read(ctx, q.text, q.params)
	if err != nil {
		return 0, translate("count co-organised events", err)
	}
	n, _, err := neo4j.GetRecordValue[int64](rows[0], "total")
	return int(n), err
}

// coEventsQuery builds the page (or count) statement of CoOrganisedEvents.
func coEventsQuery(v pg.Viewer, orgs []string, f pg.NodeFilter, w pg.Window, count bool) (listQuery, error) {
	h, err := coEventsHead(v, orgs, f, w, count)
	if err != nil {
		return listQuery{}, err
	}
	ret := "\nRETURN n, key"
	if count {
		ret = "\nRETURN count(n) AS total"
	}
	return listQuery{text: cached(h.sig+"|list", func() string { return h.text + ret }), params: h.params}, nil
}

// coEventsHead binds n to the events all of orgs organised together (a page with its keys, or
// all of them for a count).
func coEventsHead(v pg.Viewer, orgs []string, f pg.NodeFilter, w pg.Window, count bool) (head, error) {
	if len(orgs) < 2 || len(orgs) > 10 {
		return head{}, pg.FieldErrorf(pg.EINVALID, "organisations", "give between 2 and 10 organisations")
	}
	c, err := compileFilter(v, pg.KindEvent, f)
	if err != nil {
		return head{}, err
	}
	if c.lucene != "" {
		return head{}, pg.FieldErrorf(pg.EINVALID, "text", "text filters apply to top-level lists; use search")
	}
	var so sortClause
	if count {
		c.sig = append(c.sig, "count")
	} else if so, err = compileOrder(pg.KindEvent, f.OrderBy, w, &c); err != nil {
		return head{}, err
	}
	c.params["orgs"] = orgs // and $dense, which the caller sets
	sig := "coevents|" + strings.Join(c.sig, "|")
	text := cached(sig, func() string {
		// Start from the organisation (with its units) that organised the fewest events (by its
		// own degree, which Neo4j keeps: counting through its units would read a hub's every
		// event); when even that one is a hub, read the events' index in the page's order
		// instead and stop after a page (from a bound only a hub sets, as Reader's pages do).
		var b strings.Builder
		indexed := !count && so.prop != ""
		b.WriteString(`CALL () {
  UNWIND $orgs AS oid
  MATCH (o:Organisation {id: oid})
  RETURN o AS lightest, COUNT { (o)-[:ORGANISED]->() } AS deg ORDER BY deg LIMIT 1
}
CALL (lightest, deg) {`)
		if indexed {
			b.WriteString("\n  WITH lightest WHERE deg <= $dense")
		}
		b.WriteString(`
  MATCH (lightest)<-[:PART_OF*0..2]-(:Organisation)-[:ORGANISED]->(n:Event)
  WITH DISTINCT n WHERE n.status IN $statuses`)
		filter := `
  WITH n WHERE all(oid IN $orgs WHERE EXISTS {
    (n)<-[r:ORGANISED]-(u:Organisation WHERE u.status IN $statuses)-[:PART_OF*0..2]->` + refEachOrganisation + ` WHERE r.role IN $organising })`
		for _, p := range c.preds {
			filter += "\n    AND " + p
		}
		if indexed {
			cmp, dir := so.dir()
			seek := "n." + so.prop + " >= lo"
			if w.Cursor != nil {
				seek += " AND " + so.key + " " + cmp + "= " + so.param() + " AND (" + so.key + " " + cmp + " " + so.param() + " OR n.id " + cmp + " $cid)"
			}
			b.WriteString(filter + "\n  WITH n ORDER BY " + so.key + " " + dir + ", n.id " + dir + " LIMIT $limit RETURN n" + `
  UNION ALL
  WITH lightest, CASE WHEN deg > $dense THEN '' ELSE null END AS lo
  MATCH (n:Event) USING INDEX n:Event(` + so.prop + `) WHERE ` + seek + ` AND n.status IN $statuses` + filter + `
  WITH n ORDER BY ` + so.key + " " + dir + ", n.id " + dir + ` LIMIT $limit RETURN n
}`)
		} else {
			b.WriteString("\n  RETURN n\n}" + strings.Replace(filter, "\n  WITH n WHERE", "\nWITH n WHERE", 1))
		}
		if count {
			return b.String()
		}
		so.tail(&b, w.Cursor != nil, "")
		b.WriteString("\nLIMIT $limit")
		return b.String()
	})
	return head{text: text, sig: sig, params: c.params}, nil
}

var qExisting = perKind(`MATCH (n:LABEL) WHERE n.id IN $ids AND n.status IN $statuses RETURN collect(n.id) AS ids`)

// mustExist returns ENOTFOUND naming the first id that is not an entity of the kind the viewer
// may see.
func (s *Network) mustExist(ctx context.Context, v pg.Viewer, kind pg.Kind, ids []string, field string) error {
	rows, err := s.db.read(ctx, qExisting[kind], map[string]any{"ids": ids, "statuses": v.Statuses()})
	if err != nil {
		return translate("exists", err)
	}
	found, _, _ := neo4j.GetRecordValue[[]any](rows[0], "ids")
	for _, id := range ids {
		if !contains(found, any(id)) {
			return pg.FieldErrorf(pg.ENOTFOUND, field, "no %s with id %q", strings.ToLower(string(kind)), id)
		}
	}
	return nil
}

// The collaborators of an organisation come from its SHARES relationships (shares.go): the
// score is what the pair shares, published items only for viewers who see no drafts, and the
// partner must be visible. The shared items themselves are read for the page's partners only,
// expanding from whichever of the two has fewer.

// collabScore is a pair's score for the viewer ($drafts), from its SHARES relationship s.
const collabScore = `CASE WHEN $drafts THEN coalesce(s.ev, 0) + coalesce(s.pub, 0) + coalesce(s.prog, 0)
  ELSE coalesce(s.evp, 0) + coalesce(s.pubp, 0) + coalesce(s.progp, 0) END`

// qCollaborators ranks the partners of each organisation (pid) from its SHARES.
const qCollaborators = `UNWIND $orgs AS pid
MATCH (o:Organisation {id: pid})
MATCH (o)-[s:SHARES]-(c:Organisation) WHERE c.status IN $statuses
WITH pid, o, c, ` + collabScore + ` AS score
WHERE score > 0`

// sharedWith opens the list, for owner o and partner c, of the visible items (as x) of one
// kind both took part in, expanding from the side with fewer; the caller writes what to return
// of each x and closes it with sharedOrder.
func sharedWith(label, types, o, c, x string) string {
	return `COLLECT { CALL (` + o + `, ` + c + `) {
    WITH ` + o + `, ` + c + ` WHERE COUNT { (` + c + `)-[:` + types + `]->() } <= COUNT { (` + o + `)-[:` + types + `]->() }
    MATCH (` + c + `)-[:` + types + `]->(` + x + `:` + label + `) WHERE ` + x + `.status IN $statuses AND EXISTS { (` + o + `)-[:` + types + `]->(` + x + `) }
    RETURN DISTINCT ` + x + `
  UNION
    WITH ` + o + `, ` + c + ` WHERE COUNT { (` + c + `)-[:` + types + `]->() } > COUNT { (` + o + `)-[:` + types + `]->() }
    MATCH (` + o + `)-[:` + types + `]->(` + x + `:` + label + `) WHERE ` + x + `.status IN $statuses AND EXISTS { (` + c + `)-[:` + types + `]->(` + x + `) }
    RETURN DISTINCT ` + x + `
  } RETURN `
}

// sharedOrder closes a sharedWith list: newest first.
func sharedOrder(x string) string { return " ORDER BY " + x + ".dateFrom DESC, " + x + ".id }" }

// CountCollaborators implements pg.NetworkService.
func (s *Network) CountCollaborators(ctx context.Context, v pg.Viewer, orgs []string) (map[string]int, error) {
	rows, err := s.db.read(ctx, qCollaborators+"\nRETURN pid, count(c) AS total", map[string]any{"orgs": orgs, "statuses": v.Statuses(), "drafts": v.Drafts})
	if err != nil {
		return nil, translate("count collaborators", err)
	}
	return totalsByParent(rows)
}

// totalsByParent reads rows of (pid, total), as the batched count statements return them.
func totalsByParent(rows []*neo4j.Record) (map[string]int, error) {
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		pid, _, err1 := neo4j.GetRecordValue[string](r, "pid")
		n, _, err2 := neo4j.GetRecordValue[int64](r, "total")
		if err := firstErr(err1, err2); err != nil {
			return nil, err
		}
		out[pid] = int(n)
	}
	return out, nil
}

// Collaborators implements pg.NetworkService. Partners share an event when both organised or
// attended it, a publication when both published it, a programme when both run it. One
// statement serves every organisation of the batch.
func (s *Network) Collaborators(ctx context.Context, v pg.Viewer, orgs []string, page pg.PageArgs) (map[string]*pg.Page[*pg.Collaborator], error) {
	w, err := page.Validate()
	if err != nil {
		return nil, err
	}
	if w.Backward {
		return nil, pg.FieldErrorf(pg.EINVALID, "last", "collaborators page forward only")
	}
	q := `UNWIND $orgs AS pid
MATCH (o:Organisation {id: pid})
CALL (o) {
  MATCH (o)-[s:SHARES]-(c:Organisation) WHERE c.status IN $statuses
  WITH c, ` + collabScore + ` AS score
  WHERE score > 0 AND ($ck IS NULL OR score < $ck OR (score = $ck AND c.id > $cid))
  RETURN c, score ORDER BY score DESC, c.id ASC LIMIT $limit
}
WITH pid, c, score, ` + sharedWith("Event", "ORGANISED|ATTENDED", "o", "c", "x") + "x" + sharedOrder("x") + ` + ` +
		sharedWith("Publication", "PUBLISHED", "o", "c", "x") + "x" + sharedOrder("x") + ` + ` +
		sharedWith("Programme", "RUNS", "o", "c", "x") + "x" + sharedOrder("x") + ` AS xs
RETURN pid, collect({c: c, score: score, xs: xs}) AS rows`
	p := map[string]any{"orgs": orgs, "statuses": v.Statuses(), "drafts": v.Drafts, "limit": w.Limit + 1, "ck": nil, "cid": nil}
	if w.Cursor != nil {
		p["ck"], p["cid"] = w.Cursor.Key, w.Cursor.ID
	}
	rows, err := s.db.read(ctx, q, p)
	if err != nil {
		return nil, translate("collaborators", err)
	}
	out := make(map[string]*pg.Page[*pg.Collaborator], len(orgs))
	for _, r := range rows {
		pid, _, err1 := neo4j.GetRecordValue[string](r, "pid")
		items, _, err2 := neo4j.GetRecordValue[[]any](r, "rows")
		if err := firstErr(err1, err2); err != nil {
			return nil, err
		}
		var cols []*pg.Collaborator
		var cursors []string
		for _, it := range items {
			col, err := collaborator(it)
			if err != nil {
				return nil, err
			}
			cols = append(cols, col)
			cursors = append(cursors, pg.Cursor{Key: int64(col.Score), ID: col.Organisation.ID}.Encode())
		}
		out[pid] = windowPage(cols, cursors, w)
	}
	for _, pid := range orgs {
		if out[pid] == nil {
			out[pid] = windowPage[*pg.Collaborator](nil, nil, w)
		}
	}
	return out, nil
}

// collaborator maps one {c, score, xs} row of Collaborators.
func collaborator(it any) (*pg.Collaborator, error) {
	m, ok := it.(map[string]any)
	dn, ok2 := m["c"].(neo4j.Node)
	score, ok3 := m["score"].(int64)
	xs, ok4 := m["xs"].([]any)
	if !ok || !ok2 || !ok3 || !ok4 {
		return nil, fmt.Errorf("collaborators: bad row %T", it)
	}
	c, err := toNode(dn)
	if err != nil {
		return nil, err
	}
	org, ok := c.(*pg.Organisation)
	if !ok {
		return nil, fmt.Errorf("collaborators: partner is a %s", c.NodeKind())
	}
	col := &pg.Collaborator{Organisation: org, Score: int(score)}
	for _, x := range xs {
		xn, ok := x.(neo4j.Node)
		if !ok {
			return nil, fmt.Errorf("collaborators: item is %T", x)
		}
		n, err := toNode(xn)
		if err != nil {
			return nil, err
		}
		switch x := n.(type) {
		case *pg.Event:
			col.SharedEvents = append(col.SharedEvents, x)
		case *pg.Publication:
			col.SharedPublications = append(col.SharedPublications, x)
		case *pg.Programme:
			col.SharedProgrammes = append(col.SharedProgrammes, x)
		}
	}
	return col, nil
}

// MaxHops bounds connection searches. Paths follow the relationships of shared work (events,
// publications, programmes, units, people) and not ABOUT, PRIORITISES, HELD_IN or LOCATED_IN:
// "both are about AI" says nothing about how two partners are connected. Both restrictions are
// on the pattern itself (types, and a predicate on all nodes), so Neo4j applies them during its
// bidirectional search; a predicate on a slice of the path made it fall back to enumerating
// every path, which took minutes at 5 hops on the synthetic graph.
const MaxHops = 8

// qConnection holds the connection statement per hop limit: the bound of a variable-length
// pattern cannot be a parameter, so each allowed value (1..MaxHops, a fixed range in code)
// gets its statement at start-up.
var qConnection = func() map[int]string {
	const template = `MATCH (a:Entity {id: $from}), (b:Entity {id: $to})
WHERE a.status IN $statuses AND b.status IN $statuses
MATCH p = allShortestPaths((a)-[:ORGANISED|ATTENDED|PUBLISHED|RUNS|SUPPORTS|PART_OF|IN_PROGRAMME|SUMMARISES|LAUNCHED_AT|AFFILIATED_WITH|FEATURES*..MAXHOPS]-(b))
WHERE all(x IN nodes(p) WHERE x.status IN $statuses)
WITH p, [x IN nodes(p) | x.id] AS ids
ORDER BY ids
RETURN nodes(p) AS nodes, relationships(p) AS rels
LIMIT $limit`
	out := map[int]string{}
	for h := 1; h <= MaxHops; h++ {
		out[h] = strings.ReplaceAll(template, "MAXHOPS", strconv.Itoa(h))
	}
	return out
}()

// Connection implements pg.NetworkService.
func (s *Network) Connection(ctx context.Context, v pg.Viewer, from, to string, maxHops, limit int) ([]pg.Path, error) {
	if maxHops < 1 || maxHops > MaxHops {
		return nil, pg.FieldErrorf(pg.EINVALID, "maxHops", "maxHops must be between 1 and %d", MaxHops)
	}
	if limit < 1 || limit > 20 {
		return nil, pg.FieldErrorf(pg.EINVALID, "limit", "limit must be between 1 and 20")
	}
	if from == to {
		return nil, pg.FieldErrorf(pg.EINVALID, "to", "from and to are the same entity")
	}
	rows, err := s.db.read(ctx, qConnection[maxHops], map[string]any{"from": from, "to": to, "statuses": v.Statuses(), "limit": limit})
	if err != nil {
		return nil, translate("connection", err)
	}
	if len(rows) == 0 {
		if err := s.mustExistAny(ctx, v, from, "from"); err != nil {
			return nil, err
		}
		if err := s.mustExistAny(ctx, v, to, "to"); err != nil {
			return nil, err
		}
	}
	var paths []pg.Path
	for _, r := range rows {
		ns, _, err1 := neo4j.GetRecordValue[[]any](r, "nodes")
		rs, _, err2 := neo4j.GetRecordValue[[]any](r, "rels")
		if err := firstErr(err1, err2); err != nil {
			return nil, err
		}
		var path pg.Path
		byElement := map[string]pg.Node{}
		for _, x := range ns {
			dn, ok := x.(neo4j.Node)
			if !ok {
				return nil, fmt.Errorf("connection: node is %T", x)
			}
			n, err := toNode(dn)
			if err != nil {
				return nil, err
			}
			path.Nodes = append(path.Nodes, n)
			byElement[dn.ElementId] = n
		}
		for i, x := range rs {
			dr, ok := x.(neo4j.Relationship)
			if !ok {
				return nil, fmt.Errorf("connection: relationship is %T", x)
			}
			start, end := byElement[dr.StartElementId], byElement[dr.EndElementId]
			if start == nil || end == nil {
				return nil, fmt.Errorf("connection: relationship ends not on path")
			}
			path.Steps = append(path.Steps, pg.Step{From: path.Nodes[i], To: path.Nodes[i+1],
				Relation: relationValue(dr, start.NodeID(), end.NodeID())})
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// mustExistAny returns ENOTFOUND when no visible entity has the id.
func (s *Network) mustExistAny(ctx context.Context, v pg.Viewer, id, field string) error {
	const q = `MATCH (n:Entity {id: $id}) WHERE n.status IN $statuses RETURN count(n) AS n`
	rows, err := s.db.read(ctx, q, map[string]any{"id": id, "statuses": v.Statuses()})
	if err != nil {
		return translate("exists", err)
	}
	if n, _, _ := neo4j.GetRecordValue[int64](rows[0], "n"); n == 0 {
		return pg.FieldErrorf(pg.ENOTFOUND, field, "no entity with id %q", id)
	}
	return nil
}

// Network limits.
const (
	MaxNetworkDepth = 3
	MaxNetworkNodes = 1000
)

// Network implements pg.NetworkService. It walks out from the centre one level per round trip,
// keeping at each level the neighbours most strongly tied to what was already reached, then
// reads every relationship among the chosen nodes in one more round trip.
func (s *Network) Network(ctx context.Context, v pg.Viewer, center string, depth int, kinds []pg.Kind, limit int) (*pg.Network, error) {
	if depth < 1 || depth > MaxNetworkDepth {
		return nil, pg.FieldErrorf(pg.EINVALID, "depth", "depth must be between 1 and %d", MaxNetworkDepth)
	}
	if limit < 1 || limit > MaxNetworkNodes {
		return nil, pg.FieldErrorf(pg.EINVALID, "limit", "limit must be between 1 and %d", MaxNetworkNodes)
	}
	var labels []string
	for _, k := range kinds {
		labels = append(labels, k.Label())
	}
	const qCenter = `MATCH (n:Entity {id: $id}) WHERE n.status IN $statuses RETURN n`
	rows, err := s.db.read(ctx, qCenter, map[string]any{"id": center, "statuses": v.Statuses()})
	if err != nil {
		return nil, translate("network", err)
	}
	if len(rows) == 0 {
		return nil, pg.FieldErrorf(pg.ENOTFOUND, "center", "no entity with id %q", center)
	}
	c, err := nodeValue(rows[0], "n")
	if err != nil {
		return nil, err
	}
	net := &pg.Network{Nodes: []pg.NetworkNode{{Node: c, Depth: 0}}}
	seen := map[string]bool{center: true}
	frontier := []string{center}
	qLevel := `UNWIND $frontier AS fid
MATCH (:Entity {id: fid})-[:` + domainRels + `]-(n:Entity)
WHERE n.status IN $statuses AND ($labels IS NULL OR any(l IN labels(n) WHERE l IN $labels))
WITH n, count(*) AS ties
ORDER BY ties DESC, n.id
RETURN n LIMIT $cap`
	for d := 1; d <= depth && len(frontier) > 0 && len(net.Nodes) < limit; d++ {
		remaining := limit - len(net.Nodes)
		p := map[string]any{"frontier": frontier, "statuses": v.Statuses(), "labels": nil, "cap": remaining + len(seen)}
		if len(labels) > 0 {
			p["labels"] = labels
		}
		rows, err := s.db.read(ctx, qLevel, p)
		if err != nil {
			return nil, translate("network", err)
		}
		frontier = nil
		for _, r := range rows {
			n, err := nodeValue(r, "n")
			if err != nil {
				return nil, err
			}
			if seen[n.NodeID()] {
				continue
			}
			if len(net.Nodes) >= limit {
				net.Truncated = true
				break
			}
			seen[n.NodeID()] = true
			net.Nodes = append(net.Nodes, pg.NetworkNode{Node: n, Depth: d})
			frontier = append(frontier, n.NodeID())
		}
		if len(rows) == p["cap"].(int) {
			net.Truncated = true
		}
	}
	ids := make([]string, 0, len(net.Nodes))
	for _, n := range net.Nodes {
		ids = append(ids, n.Node.NodeID())
	}
	// Every relationship among the chosen nodes, read from the side that has fewer: a hub in
	// the network has tens of thousands of relationships, of which a few hundred matter. A
	// node with at most $dense relationships is expanded (a relationship between two such
	// nodes is kept from its start node only); relationships between two denser nodes are
	// looked up pairwise, which Neo4j does from the lighter side of each pair.
	qEdges := `UNWIND $ids AS id
MATCH (a:Entity {id: id})
WITH a, COUNT { (a)-[:` + domainRels + `]-() } > $dense AS heavy
WITH collect(CASE WHEN heavy THEN a END) AS heavies, collect(CASE WHEN NOT heavy THEN a END) AS lights
CALL (lights, heavies) {
  UNWIND lights AS a
  MATCH (a)-[r:` + domainRels + `]-(b:Entity)
  WHERE b.id IN $ids AND (startNode(r) = a OR b IN heavies)
  RETURN r
UNION ALL
  UNWIND heavies AS a
  UNWIND heavies AS b
  MATCH (a)-[r:` + domainRels + `]->(b)
  RETURN r
}
RETURN startNode(r).id AS a, endNode(r).id AS b, type(r) AS type, r.role AS role`
	rows, err = s.db.read(ctx, qEdges, map[string]any{"ids": ids, "dense": cmp.Or(s.DenseDegree, DefaultDenseDegree)})
	if err != nil {
		return nil, translate("network", err)
	}
	byPair := map[[2]string]*pg.NetworkEdge{}
	for _, r := range rows {
		a, _, _ := neo4j.GetRecordValue[string](r, "a")
		b, _, _ := neo4j.GetRecordValue[string](r, "b")
		t, _, _ := neo4j.GetRecordValue[string](r, "type")
		role, _, _ := neo4j.GetRecordValue[string](r, "role")
		key := [2]string{a, b}
		if b < a {
			key = [2]string{b, a}
		}
		e := byPair[key]
		if e == nil {
			e = &pg.NetworkEdge{Source: key[0], Target: key[1]}
			byPair[key] = e
		}
		e.Weight++
		if !contains(e.Types, pg.RelType(t)) {
			e.Types = append(e.Types, pg.RelType(t))
		}
		if role != "" && !contains(e.Roles, pg.Role(role)) {
			e.Roles = append(e.Roles, pg.Role(role))
		}
	}
	for _, e := range byPair {
		slices.Sort(e.Types) // rows come in no set order
		slices.Sort(e.Roles)
		net.Edges = append(net.Edges, *e)
	}
	sort.Slice(net.Edges, func(i, j int) bool {
		if net.Edges[i].Source != net.Edges[j].Source {
			return net.Edges[i].Source < net.Edges[j].Source
		}
		return net.Edges[i].Target < net.Edges[j].Target
	})
	return net, nil
}
