package neo4jstore

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	pg "github.com/unicri/partnergraph"
)

// Reader implements pg.ReadService: a whole root field — its entities and, nested at every
// level, the properties and relation pages the client selected — in one statement. Each level
// is a map projection of only the selected properties; each relation a COLLECT subquery
// ordered and limited per parent (a top-k, not the whole adjacency sorted) and a COUNT
// subquery when its total is asked. The filters, orders and visibility rule are the list
// statements' own fragments (list.go), with their variable and parameters renamed for the
// level they sit at; values are always parameters.
type Reader struct{ db *DB }

// Reader returns the store's read service.
func (db *DB) Reader() *Reader { return &Reader{db: db} }

var _ pg.ReadService = (*Reader)(nil)

// readStatements caches statement texts by the shape of their read (everything but values).
var readStatements sync.Map

// Read implements pg.ReadService.
func (s *Reader) Read(ctx context.Context, v pg.Viewer, r pg.Read) (*pg.ReadResult, error) {
	st, err := compileRead(v, r)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.read(ctx, st.text, st.params)
	if err != nil {
		return nil, translate("read", err)
	}
	return st.decode(r, rows)
}

// readStatement is a compiled read: its text, its parameters, and how to read its rows.
type readStatement struct {
	text   string
	params map[string]any
	root   pg.Window
	plan   *levelPlan
}

// levelPlan remembers the relations of one level, in the order of their columns, with the
// window each page was read with: decoding needs both.
type levelPlan struct {
	rels []*relationPlan
}

type relationPlan struct {
	col    string // the projection's key: r0, r1, ...
	window pg.Window
	rr     pg.RelationRead
	node   *levelPlan
}

// builder writes a statement and collects its parameters. With text off (the shape's text is
// cached) it only collects parameters, under the same names, in the same order.
type builder struct {
	v      pg.Viewer
	b      strings.Builder
	text   bool
	shape  strings.Builder
	params map[string]any
	n      int // counter for variable and parameter prefixes
}

func (b *builder) w(s ...string) {
	if b.text {
		for _, x := range s {
			b.b.WriteString(x)
		}
	}
}

// next returns a fresh suffix for the names of one level.
func (b *builder) next() string {
	b.n++
	return strconv.Itoa(b.n)
}

var (
	paramRef = regexp.MustCompile(`\$([A-Za-z_][A-Za-z0-9_]*)`)
	nVar     = regexp.MustCompile(`\bn\b`)
)

// shared parameters are the same at every level: they are not renamed.
var shared = map[string]bool{"statuses": true, "organising": true}

// rename moves a fragment written for n and unprefixed parameters to variable v and
// parameters prefixed with p.
func rename(frag, v, p string) string {
	frag = nVar.ReplaceAllString(frag, v)
	return paramRef.ReplaceAllStringFunc(frag, func(m string) string {
		if shared[m[1:]] {
			return m
		}
		return "$" + p + m[1:]
	})
}

// addParams adds a level's parameters under its prefix.
func (b *builder) addParams(p string, params map[string]any) {
	for k, val := range params {
		if shared[k] {
			b.params[k] = val
			continue
		}
		b.params[p+k] = val
	}
}

func compileRead(v pg.Viewer, r pg.Read) (*readStatement, error) {
	// First the shape alone: if its text is known, the second pass only collects parameters.
	var shape strings.Builder
	writeShape(&shape, r)
	key := shape.String()
	cached, ok := readStatements.Load(key)
	b := &builder{v: v, text: !ok, params: map[string]any{"statuses": v.Statuses(), "organising": roleStrings(pg.OrganisingRoles)}}
	st := &readStatement{}
	if err := b.root(r, st); err != nil {
		return nil, err
	}
	if ok {
		st.text = cached.(string)
	} else {
		st.text = b.b.String()
		readStatements.Store(key, st.text)
	}
	st.params = b.params
	return st, nil
}

// writeShape writes everything a read's text depends on.
func writeShape(w *strings.Builder, r pg.Read) {
	fmt.Fprintf(w, "%d|%s|%d|%d|%v|%v|", r.Root, r.Kind, len(r.IDs), len(r.Orgs), r.Total, r.Items)
	filterShape(w, r.Filter)
	pageShape(w, r.Page)
	projShape(w, r.Node)
}

func filterShape(w *strings.Builder, f pg.NodeFilter) {
	fmt.Fprintf(w, "f%d%v%v%v%v%v%d%d%v%v%v%v%s%v|", len(f.SubKinds), f.Status != nil, f.Topic != nil, f.Place != nil, f.Country != nil,
		f.Organisation != nil, len(f.Organisations), len(f.Roles), f.Programme != nil, f.From != nil, f.To != nil, f.Text != nil,
		f.OrderBy.Field, f.OrderBy.Desc)
}

func pageShape(w *strings.Builder, p pg.PageArgs) {
	fmt.Fprintf(w, "p%v%v%v%v|", p.First != nil, p.After != nil, p.Last != nil, p.Before != nil)
}

func projShape(w *strings.Builder, p pg.Projection) {
	w.WriteString("{" + strings.Join(p.Props, ","))
	for _, rr := range p.Relations {
		fmt.Fprintf(w, ";%s@%s:%v>%v:%s:%v:%v:%d:%v:%v:%v", rr.Key, rr.OnKind, rr.Query.Types, rr.Query.Outgoing, rr.Query.Kind,
			rr.Query.Within, rr.One, len(rr.Query.Roles), rr.Total, rr.Items, rr.One)
		filterShape(w, rr.Query.Filter)
		pageShape(w, rr.Page)
		projShape(w, rr.Node)
	}
	w.WriteString("}")
}

// root writes the statement of a read: a head that binds the root entities, then their
// projection.
func (b *builder) root(r pg.Read, st *readStatement) error {
	st.plan = &levelPlan{}
	switch r.Root {
	case pg.ReadIDs:
		label := "Entity"
		if r.Kind != "" {
			label = r.Kind.Label()
		}
		b.params["ids"] = r.IDs
		b.w("MATCH (n:", label, ") WHERE n.id IN $ids AND n.status IN $statuses\nRETURN ")
		return b.projection("n", r.Node, st.plan)
	case pg.ReadSlug:
		b.params["slug"] = r.Slug
		b.w("MATCH (n:", r.Kind.Label(), " {slug: $slug}) WHERE n.status IN $statuses\nRETURN ")
		return b.projection("n", r.Node, st.plan)
	case pg.ReadList, pg.ReadCoOrganised:
		w, err := r.Page.Validate()
		if err != nil {
			return err
		}
		st.root = w
		r.Filter.Kind = r.Kind
		headFor := func(count bool) (head, error) {
			if r.Root == pg.ReadCoOrganised {
				return coEventsHead(b.v, r.Orgs, r.Filter, w, count)
			}
			return listHead(b.v, r.Filter, w, count)
		}
		var cols []string
		if r.Root == pg.ReadCoOrganised {
			// A hidden or missing organisation is NOT_FOUND, as the resolver path says.
			b.params["orgs"] = r.Orgs
			b.w("CALL () { RETURN [id IN $orgs WHERE NOT EXISTS { MATCH (o:Organisation {id: id}) WHERE o.status IN $statuses }] AS missing }\n")
			cols = append(cols, "missing")
		}
		if r.Total {
			h, err := headFor(true)
			if err != nil {
				return err
			}
			b.addParams("", h.params)
			b.w("CALL () {\n", h.text, "\nRETURN count(n) AS total\n}\n")
			cols = append(cols, "total")
		}
		if r.Items {
			h, err := headFor(false)
			if err != nil {
				return err
			}
			b.addParams("", h.params)
			b.w("CALL () {\n", h.text, "\nRETURN collect({k: key, n: ")
			if err := b.projection("n", r.Node, st.plan); err != nil {
				return err
			}
			b.w("}) AS page\n}\n")
			cols = append(cols, "page")
		}
		if len(cols) == 0 {
			b.w("RETURN 0 AS total")
			return nil
		}
		b.w("RETURN ", strings.Join(cols, ", "))
		return nil
	}
	return pg.Errorf(pg.EINVALID, "unknown read")
}

// projection writes the map projection of variable v: its selected properties, its labels and
// its relations.
func (b *builder) projection(v string, p pg.Projection, plan *levelPlan) error {
	b.w(v, " {.id")
	for _, prop := range p.Props {
		if prop == "id" || !propName.MatchString(prop) {
			continue
		}
		b.w(", .", prop)
	}
	b.w(", labels_: labels(", v, ")")
	for i, rr := range p.Relations {
		col := "r" + strconv.Itoa(i)
		b.w(", ", col, ": ")
		rp, err := b.relation(v, rr)
		if err != nil {
			return err
		}
		rp.col, rp.rr = col, rr
		plan.rels = append(plan.rels, rp)
	}
	b.w("}")
	return nil
}

// propName admits property names of the model only (they come from code, never a client;
// this is a second guard).
var propName = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9]*$`)

// relPattern is the pattern of one relation level: parent p, relation r, related node c.
// Types and labels come from the closed lists in the domain.
func relPattern(q pg.EdgeQuery, p, r, c string) (string, error) {
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
	rel := "[" + r + ":" + strings.Join(types, "|") + "]"
	switch {
	case q.Within:
		if q.Outgoing || len(q.Types) != 1 || q.Types[0] != pg.RelHeldIn {
			return "", pg.Errorf(pg.EINVALID, "within applies to events held in a place")
		}
		return "(" + p + ")<-[:LOCATED_IN*0..2]-(:Place)<-" + rel + "-(" + c + ":" + label + ")", nil
	case q.Outgoing:
		return "(" + p + ")-" + rel + "->(" + c + ":" + label + ")", nil
	}
	return "(" + p + ")<-" + rel + "-(" + c + ":" + label + ")", nil
}

// relation writes one relation of parent p: {t: its total, p: its page}.
func (b *builder) relation(p string, rr pg.RelationRead) (*relationPlan, error) {
	sfx := b.next()
	r, c, pre := "r"+sfx, "c"+sfx, "l"+sfx+"_"
	pattern, err := relPattern(rr.Query, p, r, c)
	if err != nil {
		return nil, err
	}
	page := rr.Page
	if rr.One {
		one := 1
		page = pg.PageArgs{First: &one}
	}
	w, err := page.Validate()
	if err != nil {
		return nil, err
	}
	f := rr.Query.Filter
	cl, err := compileFilter(b.v, rr.Query.Kind, f)
	if err != nil {
		return nil, err
	}
	if cl.lucene != "" {
		return nil, pg.FieldErrorf(pg.EINVALID, "text", "text filters apply to top-level lists; use search")
	}
	if len(rr.Query.Roles) > 0 {
		cl.params["edgeRoles"] = roleStrings(rr.Query.Roles)
	}
	var s sortClause
	if rr.Items || rr.One {
		if s, err = compileOrder(rr.Query.Kind, f.OrderBy, w, &cl); err != nil {
			return nil, err
		}
	}
	b.addParams(pre, cl.params)
	where := c + ".status IN $statuses"
	if len(rr.Query.Roles) > 0 {
		where += " AND " + r + ".role IN $" + pre + "edgeRoles"
	}
	for _, pred := range cl.preds {
		where += "\n    AND " + rename(pred, c, pre)
	}
	rp := &relationPlan{window: w, node: &levelPlan{}}
	if rr.OnKind != "" {
		b.w("CASE WHEN ", p, ":", rr.OnKind.Label(), " THEN ")
	}
	b.w("{")
	if rr.Total {
		b.w("t: COUNT { MATCH ", pattern, " WHERE ", where, " }")
	}
	if rr.Items || rr.One {
		if rr.Total {
			b.w(", ")
		}
		cmp, dir := s.dir()
		key := rename(s.out(), c, pre)
		k := "k" + sfx
		b.w("p: COLLECT { MATCH ", pattern, " WHERE ", where, "\n    WITH ", r, ", ", c, ", ", key, " AS ", k)
		if w.Cursor != nil {
			ck := rename(s.param(), c, pre)
			b.w(" WHERE ", k, " ", cmp, " ", ck, " OR (", k, " = ", ck, " AND ", c, ".id ", cmp, " $", pre, "cid)")
		}
		b.w("\n    ORDER BY ", k, " ", dir, ", ", c, ".id ", dir, " LIMIT $", pre, "limit\n    RETURN {k: ", k, ", t: type(", r, "), rp: properties(", r, "), n: ")
		if err := b.projection(c, rr.Node, rp.node); err != nil {
			return nil, err
		}
		b.w("} }")
	}
	b.w("}")
	if rr.OnKind != "" {
		b.w(" END")
	}
	return rp, nil
}

// decode reads the rows of a read into its result.
func (st *readStatement) decode(r pg.Read, rows []*neo4j.Record) (*pg.ReadResult, error) {
	switch r.Root {
	case pg.ReadIDs, pg.ReadSlug:
		byID := map[string]pg.ReadItem{}
		var order []pg.ReadItem
		for _, rec := range rows {
			if len(rec.Values) != 1 {
				return nil, fmt.Errorf("read: %d columns", len(rec.Values))
			}
			m, _ := rec.Values[0].(map[string]any)
			it, err := item(m, st.plan)
			if err != nil {
				return nil, err
			}
			byID[it.ID()] = it
			order = append(order, it)
		}
		res := &pg.ReadResult{}
		if r.Root == pg.ReadSlug {
			res.Items = order
			return res, nil
		}
		for _, id := range r.IDs {
			res.Items = append(res.Items, byID[id]) // the zero item for a missing id
		}
		return res, nil
	}
	if len(rows) != 1 {
		return nil, fmt.Errorf("read: %d rows", len(rows))
	}
	rec := rows[0]
	if missing, ok := rec.Get("missing"); ok {
		if ids, _ := missing.([]any); len(ids) > 0 {
			return nil, pg.FieldErrorf(pg.ENOTFOUND, "organisations", "no organisation with id %q", ids[0])
		}
	}
	res := &pg.ReadResult{}
	if total, ok := rec.Get("total"); ok {
		n, _ := total.(int64)
		res.Total = int(n)
	}
	if page, ok := rec.Get("page"); ok {
		list, _ := page.([]any)
		items := make([]pg.ReadItem, 0, len(list))
		cursors := make([]string, 0, len(list))
		for _, x := range list {
			m, _ := x.(map[string]any)
			nm, _ := m["n"].(map[string]any)
			it, err := item(nm, st.plan)
			if err != nil {
				return nil, err
			}
			it.Cursor = pg.Cursor{Key: m["k"], ID: it.ID()}.Encode()
			items, cursors = append(items, it), append(cursors, it.Cursor)
		}
		p := windowPage(items, cursors, st.root)
		res.Items, res.HasNextPage, res.HasPreviousPage = p.Items, p.HasNextPage, p.HasPreviousPage
	}
	return res, nil
}

// item reads one projected entity and, recursively, its relations.
func item(m map[string]any, plan *levelPlan) (pg.ReadItem, error) {
	if m == nil {
		return pg.ReadItem{}, nil
	}
	it := pg.ReadItem{Props: m}
	labels, _ := m["labels_"].([]any)
	for _, l := range labels {
		if s, _ := l.(string); pg.KindOfLabel(s) != "" {
			it.Kind = pg.KindOfLabel(s)
		}
	}
	if len(plan.rels) == 0 {
		return it, nil
	}
	it.Relations = make(map[string]*pg.ReadResult, len(plan.rels))
	for _, rp := range plan.rels {
		res, err := relationResult(m[rp.col], rp, it.ID())
		if err != nil {
			return it, err
		}
		if res != nil {
			it.Relations[rp.rr.Key] = res
		}
	}
	return it, nil
}

// relationResult reads {t, p} of one relation under its parent with id pid.
func relationResult(x any, rp *relationPlan, pid string) (*pg.ReadResult, error) {
	m, ok := x.(map[string]any)
	if !ok {
		return nil, nil // a relation of another kind of parent (CASE ... END gave null)
	}
	res := &pg.ReadResult{}
	if t, ok := m["t"].(int64); ok {
		res.Total = int(t)
	}
	page, _ := m["p"].([]any)
	items := make([]pg.ReadItem, 0, len(page))
	cursors := make([]string, 0, len(page))
	for _, e := range page {
		em, _ := e.(map[string]any)
		nm, _ := em["n"].(map[string]any)
		it, err := item(nm, rp.node)
		if err != nil {
			return nil, err
		}
		t, _ := em["t"].(string)
		props, _ := em["rp"].(map[string]any)
		from, to := pid, it.ID()
		if !rp.rr.Query.Outgoing {
			from, to = to, from
		}
		rel := pg.Relation{Type: pg.RelType(t), From: from, To: to, Role: pg.Role(str(props, "role")),
			Title: optStr(props, "title"), Since: optDate(props, "since"), Until: optDate(props, "until")}
		it.Relation = &rel
		it.Cursor = pg.Cursor{Key: em["k"], ID: it.ID()}.Encode()
		items, cursors = append(items, it), append(cursors, it.Cursor)
	}
	p := windowPage(items, cursors, rp.window)
	res.Items, res.HasNextPage, res.HasPreviousPage = p.Items, p.HasNextPage, p.HasPreviousPage
	return res, nil
}
