package neo4jstore

import (
	"context"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	pg "github.com/unicri/partnergraph"
)

// Network implements pg.NetworkService.
type Network struct {
	db *DB
	// DenseDegree: a node of a network with more relationships than this is not expanded
	// when the network's edges are read (0: DefaultDenseDegree). Tests lower it.
	DenseDegree int
}

// DefaultDenseDegree is Network.DenseDegree's default.
const DefaultDenseDegree = 1000

// Network returns the store's network service.
func (db *DB) Network() *Network { return &Network{db: db} }

var _ pg.NetworkService = (*Network)(nil)

// edgePattern returns the MATCH pattern for an edge query: the parent p, the relation r and the
// related node n. Types and the label come from the closed lists in the domain.
func edgePattern(q pg.EdgeQuery) (string, error) {
	if len(q.Types) == 0 {
		return "", pg.Errorf(pg.EINVALID, "no relation type")
	}
	types := make([]string, len(q.Types))
	for i, t := range q.Types {
		if _, ok := pg.LookupRelType(t); !ok {
			return "", pg.FieldErrorf(pg.EINVALID, "type", "unknown relation type %q", t)
		}
		types[i] = string(t)
	}
	label := "Entity"
	if q.Kind != "" {
		if label = q.Kind.Label(); label == "" {
			return "", pg.FieldErrorf(pg.EINVALID, "kind", "unknown kind %q", q.Kind)
		}
	}
	rel := "[r:" + strings.Join(types, "|") + "]"
	if q.Within {
		if q.Outgoing || len(q.Types) != 1 || q.Types[0] != pg.RelHeldIn {
			return "", pg.Errorf(pg.EINVALID, "within applies to events held in a place")
		}
		return "(p:Place {id: pid})<-[:LOCATED_IN*0..2]-(:Place)<-" + rel + "-(n:" + label + ")", nil
	}
	if q.Outgoing {
		return "(p:Entity {id: pid})-" + rel + "->(n:" + label + ")", nil
	}
	return "(p:Entity {id: pid})<-" + rel + "-(n:" + label + ")", nil
}

// buildEdges puts together the batched edge statement: for every parent, its related nodes
// that pass the filter, one page each, in one round trip.
func buildEdges(v pg.Viewer, q pg.EdgeQuery, w pg.Window, count bool) (listQuery, error) {
	pattern, err := edgePattern(q)
	if err != nil {
		return listQuery{}, err
	}
	c, err := compileFilter(v, q.Kind, q.Filter)
	if err != nil {
		return listQuery{}, err
	}
	if c.lucene != "" {
		return listQuery{}, pg.FieldErrorf(pg.EINVALID, "text", "text filters apply to top-level lists; use search")
	}
	if len(q.Roles) > 0 {
		c.params["edgeRoles"] = roleStrings(q.Roles)
		c.sig = append(c.sig, "edgeRoles")
	}
	var s sortClause
	if count {
		c.sig = append(c.sig, "count")
	} else if s, err = compileOrder(q.Kind, q.Filter.OrderBy, w, &c); err != nil {
		return listQuery{}, err
	}
	text := cached("edges|"+pattern+"|"+strings.Join(c.sig, "|"), func() string {
		var b strings.Builder
		b.WriteString("UNWIND $parents AS pid\n")
		if !count {
			// A subquery per parent keeps only its top page while it sorts (a Top operator),
			// rather than collecting a hub's whole adjacency and slicing it afterwards.
			b.WriteString("CALL (pid) {\n")
		}
		b.WriteString("MATCH " + pattern + "\nWHERE n.status IN $statuses")
		if len(q.Roles) > 0 {
			b.WriteString(" AND r.role IN $edgeRoles")
		}
		for _, p := range c.preds {
			b.WriteString("\n  AND " + p)
		}
		if count {
			b.WriteString("\nRETURN pid, count(n) AS total")
			return b.String()
		}
		s.tail(&b, w.Cursor != nil, "r, ")
		// Each related node is sent once, however many parents share it: on a nested list the
		// same hub organisers and topics fill most pages, and the node's properties are what
		// costs to read, send and decode.
		b.WriteString(`
LIMIT $limit
RETURN collect({id: n.id, r: r, key: key}) AS rows, collect(n) AS ns
}
WITH collect({pid: pid, rows: rows}) AS pages, collect(ns) AS nss
CALL (nss) {
  UNWIND nss AS ns
  UNWIND ns AS n
  RETURN collect(DISTINCT n) AS nodes
}
RETURN pages, nodes`)
		return b.String()
	})
	return listQuery{text: text, params: c.params}, nil
}

// Edges implements pg.NetworkService.
func (s *Network) Edges(ctx context.Context, v pg.Viewer, parents []string, q pg.EdgeQuery, page pg.PageArgs) (map[string]*pg.Page[pg.Edge], error) {
	w, err := page.Validate()
	if err != nil {
		return nil, err
	}
	lq, err := buildEdges(v, q, w, false)
	if err != nil {
		return nil, err
	}
	lq.params["parents"] = parents
	rows, err := s.db.read(ctx, lq.text, lq.params)
	if err != nil {
		return nil, translate("edges", err)
	}
	if len(rows) != 1 { // the statement ends in an aggregation: one row, whatever the parents
		return nil, pg.Errorf(pg.EINTERNAL, "edges: %d rows", len(rows))
	}
	pages, _, err := neo4j.GetRecordValue[[]any](rows[0], "pages")
	if err != nil {
		return nil, err
	}
	dns, _, err := neo4j.GetRecordValue[[]any](rows[0], "nodes")
	if err != nil {
		return nil, err
	}
	nodes := make(map[string]pg.Node, len(dns))
	for _, x := range dns {
		dn, ok := x.(neo4j.Node)
		if !ok {
			return nil, pg.Errorf(pg.EINTERNAL, "edge node is %T", x)
		}
		n, err := toNode(dn)
		if err != nil {
			return nil, err
		}
		nodes[n.NodeID()] = n
	}
	out := make(map[string]*pg.Page[pg.Edge], len(parents))
	for _, x := range pages {
		m, ok := x.(map[string]any)
		pid, ok2 := m["pid"].(string)
		items, ok3 := m["rows"].([]any)
		if !ok || !ok2 || !ok3 {
			return nil, pg.Errorf(pg.EINTERNAL, "edge page is %T", x)
		}
		p, err := edgePage(pid, items, nodes, w, q.Outgoing)
		if err != nil {
			return nil, err
		}
		out[pid] = p
	}
	for _, pid := range parents {
		if out[pid] == nil {
			out[pid] = windowPage[pg.Edge](nil, nil, w)
		}
	}
	return out, nil
}

// edgePage is one parent's page: its rows name their node by id in nodes.
func edgePage(pid string, items []any, nodes map[string]pg.Node, w pg.Window, outgoing bool) (*pg.Page[pg.Edge], error) {
	var edges []pg.Edge
	var cursors []string
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			return nil, pg.Errorf(pg.EINTERNAL, "edge row is %T", it)
		}
		id, _ := m["id"].(string)
		n := nodes[id]
		dr, ok := m["r"].(neo4j.Relationship)
		if n == nil || !ok {
			return nil, pg.Errorf(pg.EINTERNAL, "edge row has no node or relationship")
		}
		from, to := pid, id
		if !outgoing {
			from, to = to, from
		}
		edges = append(edges, pg.Edge{Node: n, Relation: relationValue(dr, from, to)})
		cursors = append(cursors, pg.Cursor{Key: m["key"], ID: id}.Encode())
	}
	return windowPage(edges, cursors, w), nil
}

// CountEdges implements pg.NetworkService.
func (s *Network) CountEdges(ctx context.Context, v pg.Viewer, parents []string, q pg.EdgeQuery) (map[string]int, error) {
	lq, err := buildEdges(v, q, pg.Window{}, true)
	if err != nil {
		return nil, err
	}
	lq.params["parents"] = parents
	rows, err := s.db.read(ctx, lq.text, lq.params)
	if err != nil {
		return nil, translate("count edges", err)
	}
	return totalsByParent(rows)
}
