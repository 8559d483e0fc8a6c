package neo4jstore

import (
	"cmp"
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
// level, the properties and relation pages the client selected — in one statement. Each
// entity is a list of only the values selected, in the projection's order (lists cost Neo4j's
// runtime about half what maps do); each relation a COLLECT subquery ordered and limited per
// parent (a top-k, not the whole adjacency sorted) and a COUNT subquery when its total is
// asked. The filters, orders and visibility rule are the list statements' own fragments
// (list.go), with their variable and parameters renamed for the level they sit at; values are
// always parameters.
type Reader struct {
	db *DB
	// DenseDegree: a parent with more relations of a level than this reads the related
	// kind's index in order instead of expanding (0: DefaultDenseDegree). Tests lower it.
	DenseDegree int
}

// Reader returns the store's read service.
func (db *DB) Reader() *Reader { return &Reader{db: db} }

var _ pg.ReadService = (*Reader)(nil)

// readStatements caches statement texts by the shape of their read (everything but values).
var readStatements sync.Map

// Read implements pg.ReadService.
func (s *Reader) Read(ctx context.Context, v pg.Viewer, r pg.Read) (*pg.ReadResult, error) {
	st, err := compileRead(v, r, cmp.Or(s.DenseDegree, DefaultDenseDegree))
	if err != nil {
		return nil, err
	}
	rows, err := s.db.read(ctx, st.text, st.params)
	if err != nil {
		return nil, translate("read", err)
	}
	return st.decode(r, rows)
}

// readStatement is a compiled read: its text, its parameters, and the windows its pages were
// read with (the decoder trims and orders by them).
type readStatement struct {
	text    string
	params  map[string]any
	root    pg.Window
	windows map[*pg.RelationRead]pg.Window
}

// builder writes a statement and collects its parameters. With text off (the shape's text is
// cached) it only collects parameters, under the same names, in the same order.
type builder struct {
	st     *readStatement
	depth  int // relation levels above the one being written
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
var shared = map[string]bool{"statuses": true, "organising": true, "dense": true, "drafts": true}

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

func compileRead(v pg.Viewer, r pg.Read, dense int) (*readStatement, error) {
	// First the shape alone: if its text is known, the second pass only collects parameters.
	var shape strings.Builder
	writeShape(&shape, r)
	key := shape.String()
	cached, ok := readStatements.Load(key)
	b := &builder{v: v, text: !ok, params: map[string]any{"statuses": v.Statuses(), "organising": roleStrings(pg.OrganisingRoles),
		"dense": dense, "drafts": v.Drafts}}
	st := &readStatement{windows: map[*pg.RelationRead]pg.Window{}}
	b.st = st
	if err := b.root(&r, st); err != nil {
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
	fmt.Fprintf(w, "%d|%s|%d|%d|%v|%v|%v|", r.Root, r.Kind, len(r.IDs), len(r.Orgs), r.Total, r.Items, r.Cursors)
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
	w.WriteString("{" + string(p.Kind) + ":" + strings.Join(p.Props, ","))
	for _, rr := range p.Relations {
		fmt.Fprintf(w, ";%s:%v>%v:%s:%v:%v:%d:%v:%v:%v:%v", rr.OnKind, rr.Query.Types, rr.Query.Outgoing, rr.Query.Kind,
			rr.Query.Within, rr.One, len(rr.Query.Roles), rr.Total, rr.Items, rr.Cursors, rr.Edge)
		if sh := rr.Shared; sh != nil {
			for _, l := range []*pg.SharedList{sh.Events, sh.Publications, sh.Programmes} {
				if l != nil {
					fmt.Fprintf(w, "%v", l.First != nil)
					projShape(w, l.Node)
				} else {
					w.WriteString("-")
				}
			}
		}
		filterShape(w, rr.Query.Filter)
		pageShape(w, rr.Page)
		projShape(w, rr.Node)
	}
	w.WriteString("}")
}

// root writes the statement of a read: a head that binds the root entities, then their
// projection.
func (b *builder) root(r *pg.Read, st *readStatement) error {
	switch r.Root {
	case pg.ReadIDs:
		label := "Entity"
		if r.Kind != "" {
			label = r.Kind.Label()
		}
		b.params["ids"] = r.IDs
		b.w("MATCH (n:", label, ") WHERE n.id IN $ids AND n.status IN $statuses\nRETURN ")
		return b.projection("n", &r.Node)
	case pg.ReadSlug:
		b.params["slug"] = r.Slug
		b.w("MATCH (n:", r.Kind.Label(), " {slug: $slug}) WHERE n.status IN $statuses\nRETURN ")
		return b.projection("n", &r.Node)
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
			b.w("CALL () {\n", h.text, "\nRETURN collect([")
			if r.Cursors {
				b.w("key, ")
			}
			if err := b.projection("n", &r.Node); err != nil {
				return err
			}
			b.w("]) AS page\n}\n")
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

// projection writes the list of variable v's values: its id, its labels where its kind is not
// known from the position, its selected properties, then its relations, in that order.
func (b *builder) projection(v string, p *pg.Projection) error {
	b.w("[", v, ".id")
	if p.Kind == "" {
		b.w(", labels(", v, ")")
	}
	for _, prop := range p.Props {
		if prop == "id" || !propName.MatchString(prop) {
			continue
		}
		b.w(", ", v, ".", prop)
	}
	for i := range p.Relations {
		b.w(", ")
		if err := b.relation(v, &p.Relations[i]); err != nil {
			return err
		}
	}
	b.w("]")
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

// degreePattern is the relationships of the parent a relation level expands, without labels:
// Neo4j counts them from the parent's degrees, without reading them.
func degreePattern(q pg.EdgeQuery, p string) string {
	types := make([]string, len(q.Types))
	for i, t := range q.Types {
		types[i] = string(t)
	}
	if q.Outgoing {
		return "(" + p + ")-[:" + strings.Join(types, "|") + "]->()"
	}
	return "(" + p + ")<-[:" + strings.Join(types, "|") + "]-()"
}

// collaborators writes the collaborators of parent p as a relation: [total, page], each page
// item [score, partner, shared lists...] (sharedWith), ranked from SHARES (shares.go).
func (b *builder) collaborators(p string, rr *pg.RelationRead) error {
	sfx := b.next()
	sv, c, k, pre := "s"+sfx, "c"+sfx, "k"+sfx, "l"+sfx+"_"
	w, err := rr.Page.Validate()
	if err != nil {
		return err
	}
	if w.Backward {
		return pg.FieldErrorf(pg.EINVALID, "last", "collaborators page forward only")
	}
	b.st.windows[rr] = w
	b.params[pre+"limit"] = w.Limit + 1
	score := strings.ReplaceAll(collabScore, "s.", sv+".")
	match := "MATCH (" + p + ")-[" + sv + ":SHARES]-(" + c + ":Organisation) WHERE " + c + ".status IN $statuses"
	b.w("[")
	if rr.Total {
		b.w("COUNT { ", match, " AND ", score, " > 0 }")
	} else {
		b.w("null")
	}
	b.w(", ")
	if !rr.Items {
		b.w("null]")
		return nil
	}
	b.w("COLLECT { ", match, "\n    WITH ", c, ", ", score, " AS ", k, " WHERE ", k, " > 0")
	if w.Cursor != nil {
		b.params[pre+"ck"], b.params[pre+"cid"] = w.Cursor.Key, w.Cursor.ID
		b.w(" AND (", k, " < $", pre, "ck OR (", k, " = $", pre, "ck AND ", c, ".id > $", pre, "cid))")
	}
	b.w("\n    ORDER BY ", k, " DESC, ", c, ".id ASC LIMIT $", pre, "limit\n    RETURN [", k, ", ")
	if err := b.projection(c, &rr.Node); err != nil {
		return err
	}
	for _, list := range []struct {
		sl           *pg.SharedList
		label, types string
	}{{rr.Shared.Events, "Event", "ORGANISED|ATTENDED"}, {rr.Shared.Publications, "Publication", "PUBLISHED"}, {rr.Shared.Programmes, "Programme", "RUNS"}} {
		if list.sl == nil {
			continue
		}
		x := "x" + b.next()
		if list.sl.First == nil {
			b.w(", ", sharedWith(list.label, list.types, p, c, x))
			if err := b.projection(x, &list.sl.Node); err != nil {
				return err
			}
			b.w(sharedOrder(x))
			continue
		}
		// A page of what two hubs share reads the items' date index newest first and stops
		// (from a bound only two hubs set, as relation pages do); otherwise the lighter of the
		// two is expanded.
		b.params[x+"_first"] = *list.sl.First
		deg := func(v string) string { return "COUNT { (" + v + ")-[:" + list.types + "]->() }" }
		both := "EXISTS { (" + p + ")-[:" + list.types + "]->(" + x + ") } AND EXISTS { (" + c + ")-[:" + list.types + "]->(" + x + ") }"
		b.w(", COLLECT { CALL (", p, ", ", c, ") {\n    WITH ", p, ", ", c, " WHERE ", deg(c), " <= ", deg(p), " AND ", deg(c), " <= $dense",
			"\n    MATCH (", c, ")-[:", list.types, "]->(", x, ":", list.label, ") WHERE ", x, ".status IN $statuses AND EXISTS { (", p, ")-[:", list.types, "]->(", x, ") }",
			"\n    WITH DISTINCT ", x, " ORDER BY ", x, ".dateFrom DESC, ", x, ".id LIMIT $", x, "_first RETURN ", x,
			"\n  UNION ALL\n    WITH ", p, ", ", c, " WHERE ", deg(c), " > ", deg(p), " AND ", deg(p), " <= $dense",
			"\n    MATCH (", p, ")-[:", list.types, "]->(", x, ":", list.label, ") WHERE ", x, ".status IN $statuses AND EXISTS { (", c, ")-[:", list.types, "]->(", x, ") }",
			"\n    WITH DISTINCT ", x, " ORDER BY ", x, ".dateFrom DESC, ", x, ".id LIMIT $", x, "_first RETURN ", x,
			"\n  UNION ALL\n    WITH ", p, ", ", c, ", CASE WHEN ", deg(p), " > $dense AND ", deg(c), " > $dense THEN '' ELSE null END AS lo", x,
			"\n    MATCH (", x, ":", list.label, ") USING INDEX ", x, ":", list.label, "(dateFrom) WHERE ", x, ".dateFrom >= lo", x,
			" AND ", x, ".status IN $statuses AND ", both,
			"\n    WITH ", x, " ORDER BY ", x, ".dateFrom DESC, ", x, ".id LIMIT $", x, "_first RETURN ", x,
			"\n  } WITH ", x, " ORDER BY ", x, ".dateFrom DESC, ", x, ".id LIMIT $", x, "_first RETURN ")
		if err := b.projection(x, &list.sl.Node); err != nil {
			return err
		}
		b.w(" }")
	}
	b.w("] }]")
	return nil
}

// relation writes one relation of parent p: [its total, its page], each null when not asked;
// each page item is [key, type, role, title, node], keeping only what was asked.
func (b *builder) relation(p string, rr *pg.RelationRead) error {
	if rr.Shared != nil {
		return b.collaborators(p, rr)
	}
	if !rr.Total && !rr.Items && !rr.One {
		b.w("[null, null]") // a connection asked for nothing but its type name reads nothing
		return nil
	}
	sfx := b.next()
	r, c, pre := "r"+sfx, "c"+sfx, "l"+sfx+"_"
	pattern, err := relPattern(rr.Query, p, r, c)
	if err != nil {
		return err
	}
	page := rr.Page
	if rr.One {
		one := 1
		page = pg.PageArgs{First: &one}
	}
	w, err := page.Validate()
	if err != nil {
		return err
	}
	b.st.windows[rr] = w
	f := rr.Query.Filter
	cl, err := compileFilter(b.v, rr.Query.Kind, f)
	if err != nil {
		return err
	}
	if cl.lucene != "" {
		return pg.FieldErrorf(pg.EINVALID, "text", "text filters apply to top-level lists; use search")
	}
	if len(rr.Query.Roles) > 0 {
		cl.params["edgeRoles"] = roleStrings(rr.Query.Roles)
	}
	items := rr.Items || rr.One
	var s sortClause
	if items {
		if s, err = compileOrder(rr.Query.Kind, f.OrderBy, w, &cl); err != nil {
			return err
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
	if rr.OnKind != "" {
		b.w("CASE WHEN ", p, ":", rr.OnKind.Label(), " THEN ")
	}
	b.w("[")
	if rr.Total {
		b.w("COUNT { MATCH ", pattern, " WHERE ", where, " }")
	} else {
		b.w("null")
	}
	b.w(", ")
	if !items {
		b.w("null]")
	} else if err := b.page(p, rr, pageParts{r: r, c: c, k: "k" + sfx, pre: pre, pattern: pattern, where: where, s: s, w: w, cl: cl}); err != nil {
		return err
	}
	if rr.OnKind != "" {
		b.w(" END")
	}
	return nil
}

// pageParts are the names and clauses of one relation level's page.
type pageParts struct {
	r, c, k, pre   string
	pattern, where string
	s              sortClause
	w              pg.Window
	cl             filterClause
}

// denseLevels is how deep a relation may sit and still have a hub's page read in index order:
// each such level writes its nested projection twice (one per CASE branch), so deeper levels,
// whose parents are many and rarely hubs, expand.
const denseLevels = 1

// page writes one relation level's page: COLLECT { ... } (or, where a hub could sit, a CASE of
// two), then "]" closing the relation's [total, page].
func (b *builder) page(p string, rr *pg.RelationRead, x pageParts) error {
	r, c, k, pre, s, w := x.r, x.c, x.k, x.pre, x.s, x.w
	cmp, dir := s.dir()
	key := rename(s.out(), c, pre)
	ck := rename(s.param(), c, pre)
	cursor := ""
	if w.Cursor != nil {
		cursor = " WHERE " + k + " " + cmp + " " + ck + " OR (" + k + " = " + ck + " AND " + c + ".id " + cmp + " $" + pre + "cid)"
	}
	order := "\n    ORDER BY " + k + " " + dir + ", " + c + ".id " + dir + " LIMIT $" + pre + "limit"
	ret := func() error {
		b.w("\n    RETURN [")
		if rr.Cursors {
			b.w(k, ", ")
		}
		for _, e := range rr.Edge {
			switch e {
			case "type":
				b.w("type(", r, "), ")
			case "role", "title":
				b.w(r, ".", e, ", ")
			}
		}
		b.depth++
		defer func() { b.depth-- }()
		if err := b.projection(c, &rr.Node); err != nil {
			return err
		}
		b.w("] }")
		return nil
	}
	expand := "COLLECT { MATCH " + x.pattern + " WHERE " + x.where + "\n    WITH " + r + ", " + c + ", " + key + " AS " + k + cursor + order
	if dense := s.prop != "" && rr.Query.Kind != "" && !rr.Query.Within && !rr.One && b.depth < denseLevels; !dense {
		b.w(expand)
		if err := ret(); err != nil {
			return err
		}
		b.w("]")
		return nil
	}
	// A parent with more than $dense such relations (a hub) reads the related kind's index in
	// the page's order and stops after a page: its cost does not grow with the hub's degree.
	// Lighter parents expand and keep their top page. CASE runs only the branch it takes.
	label := rr.Query.Kind.Label()
	prop := c + "." + s.prop
	lo := "''"
	if datetimeKeys[s.prop] {
		lo = "datetime({epochMillis: -62135596800000})"
	}
	seek := prop + " >= " + lo
	if w.Cursor != nil {
		seek += " AND " + prop + " " + cmp + "= " + ck + " AND (" + prop + " " + cmp + " " + ck + " OR " + c + ".id " + cmp + " $" + pre + "cid)"
	}
	into := strings.Replace(x.pattern, ":"+label+")", ")", 1)
	roles := ""
	if len(rr.Query.Roles) > 0 {
		roles = " WHERE " + r + ".role IN $" + pre + "edgeRoles"
	}
	preds := c + ".status IN $statuses"
	for _, pred := range x.cl.preds {
		preds += "\n    AND " + rename(pred, c, pre)
	}
	b.w("CASE WHEN COUNT { ", degreePattern(rr.Query, p), " } <= $dense THEN ", expand)
	// The projection is written once per branch: the second writing names its levels anew,
	// so its parameters are collected again under those names.
	if err := ret(); err != nil {
		return err
	}
	b.w("\n  ELSE COLLECT { MATCH (", c, ":", label, ") USING INDEX ", c, ":", label, "(", s.prop, ") WHERE ", seek, " AND ", preds,
		"\n    MATCH ", into, roles, "\n    WITH ", r, ", ", c, ", ", key, " AS ", k, " ORDER BY ", prop, " ", dir, ", ", c, ".id ", dir,
		" LIMIT $", pre, "limit")
	if err := ret(); err != nil {
		return err
	}
	b.w(" END]")
	return nil
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
			vals, _ := rec.Values[0].([]any)
			it, err := st.item(vals, &r.Node)
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
			vals, _ := x.([]any)
			var key any
			if r.Cursors && len(vals) > 0 {
				key, vals = vals[0], vals[1:]
			}
			var nv []any
			if len(vals) > 0 {
				nv, _ = vals[0].([]any)
			}
			it, err := st.item(nv, &r.Node)
			if err != nil {
				return nil, err
			}
			if r.Cursors {
				it.Cursor = pg.Cursor{Key: key, ID: it.ID()}.Encode()
			}
			items, cursors = append(items, it), append(cursors, it.Cursor)
		}
		p := windowPage(items, cursors, st.root)
		res.Items, res.HasNextPage, res.HasPreviousPage = p.Items, p.HasNextPage, p.HasPreviousPage
	}
	return res, nil
}

// item reads one entity's values (see projection) and, recursively, its relations.
func (st *readStatement) item(vals []any, p *pg.Projection) (pg.ReadItem, error) {
	if vals == nil {
		return pg.ReadItem{}, nil
	}
	next := func() any {
		if len(vals) == 0 {
			return nil
		}
		v := vals[0]
		vals = vals[1:]
		return v
	}
	it := pg.ReadItem{Kind: p.Kind, Props: make(map[string]any, len(p.Props)+1)}
	it.Props["id"] = next()
	if p.Kind == "" {
		labels, _ := next().([]any)
		for _, l := range labels {
			if s, _ := l.(string); pg.KindOfLabel(s) != "" {
				it.Kind = pg.KindOfLabel(s)
			}
		}
	}
	for _, prop := range p.Props {
		if prop == "id" || !propName.MatchString(prop) {
			continue
		}
		it.Props[prop] = next()
	}
	if len(p.Relations) == 0 {
		return it, nil
	}
	it.Relations = make(map[string]*pg.ReadResult, len(p.Relations))
	for i := range p.Relations {
		rr := &p.Relations[i]
		res, err := st.relationResult(next(), rr, it.ID())
		if err != nil {
			return it, err
		}
		if res != nil {
			it.Relations[rr.Key] = res
		}
	}
	return it, nil
}

// relationResult reads [total, page] of one relation under its parent with id pid.
func (st *readStatement) relationResult(x any, rr *pg.RelationRead, pid string) (*pg.ReadResult, error) {
	pair, ok := x.([]any)
	if !ok || len(pair) != 2 {
		return nil, nil // a relation of another kind of parent (CASE ... END gave null)
	}
	res := &pg.ReadResult{}
	if t, ok := pair[0].(int64); ok {
		res.Total = int(t)
	}
	page, _ := pair[1].([]any)
	if rr.Shared != nil {
		return st.collaboratorPage(res, page, rr)
	}
	items := make([]pg.ReadItem, 0, len(page))
	cursors := make([]string, 0, len(page))
	for _, e := range page {
		vals, _ := e.([]any)
		var key any
		if rr.Cursors {
			key, vals = vals[0], vals[1:]
		}
		var rel pg.Relation
		for _, f := range rr.Edge {
			v := vals[0]
			vals = vals[1:]
			s, _ := v.(string)
			switch f {
			case "type":
				rel.Type = pg.RelType(s)
			case "role":
				rel.Role = pg.Role(s)
			case "title":
				if v != nil {
					rel.Title = &s
				}
			}
		}
		nv, _ := vals[0].([]any)
		it, err := st.item(nv, &rr.Node)
		if err != nil {
			return nil, err
		}
		rel.From, rel.To = pid, it.ID()
		if !rr.Query.Outgoing {
			rel.From, rel.To = rel.To, rel.From
		}
		it.Relation = &rel
		if rr.Cursors {
			it.Cursor = pg.Cursor{Key: key, ID: it.ID()}.Encode()
		}
		items, cursors = append(items, it), append(cursors, it.Cursor)
	}
	p := windowPage(items, cursors, st.windows[rr])
	res.Items, res.HasNextPage, res.HasPreviousPage = p.Items, p.HasNextPage, p.HasPreviousPage
	return res, nil
}

// collaboratorPage reads the page items of collaborators: [score, partner, shared lists...].
func (st *readStatement) collaboratorPage(res *pg.ReadResult, page []any, rr *pg.RelationRead) (*pg.ReadResult, error) {
	items := make([]pg.ReadItem, 0, len(page))
	cursors := make([]string, 0, len(page))
	for _, e := range page {
		vals, _ := e.([]any)
		if len(vals) < 2 {
			return nil, fmt.Errorf("read: collaborator row of %d values", len(vals))
		}
		nv, _ := vals[1].([]any)
		it, err := st.item(nv, &rr.Node)
		if err != nil {
			return nil, err
		}
		it.Props["score"] = vals[0]
		it.Cursor = pg.Cursor{Key: vals[0], ID: it.ID()}.Encode()
		if it.Relations == nil {
			it.Relations = map[string]*pg.ReadResult{}
		}
		rest := vals[2:]
		for _, list := range []struct {
			name string
			sl   *pg.SharedList
		}{{"sharedEvents", rr.Shared.Events}, {"sharedPublications", rr.Shared.Publications}, {"sharedProgrammes", rr.Shared.Programmes}} {
			if list.sl == nil {
				continue
			}
			xs, _ := rest[0].([]any)
			rest = rest[1:]
			shared := &pg.ReadResult{Items: make([]pg.ReadItem, 0, len(xs))}
			for _, xv := range xs {
				x, _ := xv.([]any)
				si, err := st.item(x, &list.sl.Node)
				if err != nil {
					return nil, err
				}
				shared.Items = append(shared.Items, si)
			}
			it.Relations[list.name] = shared
		}
		items, cursors = append(items, it), append(cursors, it.Cursor)
	}
	p := windowPage(items, cursors, st.windows[rr])
	res.Items, res.HasNextPage, res.HasPreviousPage = p.Items, p.HasNextPage, p.HasPreviousPage
	return res, nil
}
