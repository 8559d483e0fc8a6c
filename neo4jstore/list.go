package neo4jstore

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	pg "github.com/unicri/partnergraph"
)

// The list queries vary with the kind, the filters set, the order and the cursor. They are put
// together from the constant fragments below: each fragment is a fixed string in this file and
// every value arrives as a parameter, so nothing a client sends reaches query text.

// visible is the one rule for an entity a client names by id (or a country by its code): the
// pattern matches it only when the viewer may see it, so a hidden id matches nothing, exactly
// like an id that does not exist. Every statement that takes an id from a client refers to it
// through visible; the schema-walking test in server (TestHiddenIDsAnswerLikeMissingOnes)
// holds every id argument to it.
func visible(variable, label, props string) string {
	return "(" + variable + ":" + label + " {" + props + "} WHERE " + variable + ".status IN $statuses)"
}

var (
	refTopic            = visible("refTopic", "Topic", "id: $topic")
	refPlace            = visible("refPlace", "Place", "id: $place")
	refCountry          = visible("refCountry", "Place", "countryCode: $country")
	refOrganisation     = visible("refOrg", "Organisation", "id: $organisation")
	refEachOrganisation = visible("refOrg", "Organisation", "id: oid")
	refProgramme        = visible("refProgramme", "Programme", "id: $programme")
)

// filterFragments holds, per filter and kind, the predicate on n. A missing entry means the
// filter does not apply to that kind.
var filterFragments = map[string]map[pg.Kind]string{
	"subKinds": {
		pg.KindOrganisation: `n.kind IN $subKinds`, pg.KindEvent: `n.kind IN $subKinds`,
		pg.KindPublication: `n.kind IN $subKinds`, pg.KindPlace: `n.kind IN $subKinds`,
	},
	"status": each(`n.status = $status`),
	"topic": {
		pg.KindEvent:       `EXISTS { (n)-[:ABOUT]->` + refTopic + ` }`,
		pg.KindPublication: `EXISTS { (n)-[:ABOUT]->` + refTopic + ` }`,
		pg.KindProgramme:   `EXISTS { (n)-[:ABOUT]->` + refTopic + ` }`,
		pg.KindOrganisation: `(EXISTS { (n)-[:PRIORITISES]->` + refTopic + ` } OR
  EXISTS { (n)-[:ORGANISED|ATTENDED|PUBLISHED|RUNS]->(x)-[:ABOUT]->` + refTopic + ` WHERE x.status IN $statuses })`,
		pg.KindPerson: `EXISTS { (n)-[:ORGANISED|ATTENDED]->(x)-[:ABOUT]->` + refTopic + ` WHERE x.status IN $statuses }`,
	},
	"place": {
		pg.KindEvent:        `EXISTS { (n)-[:HELD_IN]->(:Place)-[:LOCATED_IN*0..2]->` + refPlace + ` }`,
		pg.KindOrganisation: `EXISTS { (n)-[:LOCATED_IN]->(:Place)-[:LOCATED_IN*0..2]->` + refPlace + ` }`,
		pg.KindPlace:        `EXISTS { (n)-[:LOCATED_IN*0..2]->` + refPlace + ` }`,
		pg.KindPublication:  `EXISTS { (n)-[:LAUNCHED_AT|SUMMARISES]->(:Event)-[:HELD_IN]->(:Place)-[:LOCATED_IN*0..2]->` + refPlace + ` }`,
	},
	"country": {
		pg.KindEvent:        `EXISTS { (n)-[:HELD_IN]->(:Place)-[:LOCATED_IN*0..2]->` + refCountry + ` }`,
		pg.KindOrganisation: `EXISTS { (n)-[:LOCATED_IN]->(:Place)-[:LOCATED_IN*0..2]->` + refCountry + ` }`,
		pg.KindPlace:        `EXISTS { (n)-[:LOCATED_IN*0..2]->` + refCountry + ` }`,
		pg.KindPublication:  `EXISTS { (n)-[:LAUNCHED_AT|SUMMARISES]->(:Event)-[:HELD_IN]->(:Place)-[:LOCATED_IN*0..2]->` + refCountry + ` }`,
	},
	// An organisation filter matches the organisation and its units (up to two levels down).
	"organisation": {
		pg.KindEvent:        `EXISTS { (n)<-[rOrg:ORGANISED|ATTENDED]-(u:Organisation WHERE u.status IN $statuses)-[:PART_OF*0..2]->` + refOrganisation + ` WHERE $roles IS NULL OR rOrg.role IN $roles }`,
		pg.KindPublication:  `EXISTS { (n)<-[rOrg:PUBLISHED]-(u:Organisation WHERE u.status IN $statuses)-[:PART_OF*0..2]->` + refOrganisation + ` WHERE $roles IS NULL OR rOrg.role IN $roles }`,
		pg.KindProgramme:    `EXISTS { (n)<-[rOrg:RUNS]-(u:Organisation WHERE u.status IN $statuses)-[:PART_OF*0..2]->` + refOrganisation + ` WHERE $roles IS NULL OR rOrg.role IN $roles }`,
		pg.KindPerson:       `EXISTS { (n)-[:AFFILIATED_WITH]->(u:Organisation WHERE u.status IN $statuses)-[:PART_OF*0..2]->` + refOrganisation + ` }`,
		pg.KindOrganisation: `EXISTS { (n)-[:PART_OF*1..2]->` + refOrganisation + ` }`,
	},
	// Every listed organisation (or one of its units) took part, in any role.
	"organisations": {
		pg.KindEvent:       `all(oid IN $organisations WHERE EXISTS { (n)<-[:ORGANISED|ATTENDED]-(u:Organisation WHERE u.status IN $statuses)-[:PART_OF*0..2]->` + refEachOrganisation + ` })`,
		pg.KindPublication: `all(oid IN $organisations WHERE EXISTS { (n)<-[:PUBLISHED]-(u:Organisation WHERE u.status IN $statuses)-[:PART_OF*0..2]->` + refEachOrganisation + ` })`,
		pg.KindProgramme:   `all(oid IN $organisations WHERE EXISTS { (n)<-[:RUNS]-(u:Organisation WHERE u.status IN $statuses)-[:PART_OF*0..2]->` + refEachOrganisation + ` })`,
	},
	"programme": {
		pg.KindEvent:        `EXISTS { (n)-[:IN_PROGRAMME]->` + refProgramme + ` }`,
		pg.KindPublication:  `EXISTS { (n)-[:IN_PROGRAMME]->` + refProgramme + ` }`,
		pg.KindOrganisation: `EXISTS { (n)-[:RUNS]->` + refProgramme + ` }`,
	},
	// Dated kinds match when their period overlaps [from, to]; organisations and people when
	// they took part in something in that period.
	"from": {
		pg.KindEvent: `n.dateTo >= $from`, pg.KindPublication: `n.dateTo >= $from`, pg.KindProgramme: `n.dateTo >= $from`,
		pg.KindOrganisation: `EXISTS { (n)-[:ORGANISED|ATTENDED|PUBLISHED]->(x) WHERE x.dateTo >= $from AND ($to IS NULL OR x.dateFrom <= $to) AND x.status IN $statuses }`,
		pg.KindPerson:       `EXISTS { (n)-[:ORGANISED|ATTENDED]->(x) WHERE x.dateTo >= $from AND ($to IS NULL OR x.dateFrom <= $to) AND x.status IN $statuses }`,
	},
	"to": {
		pg.KindEvent: `n.dateFrom <= $to`, pg.KindPublication: `n.dateFrom <= $to`, pg.KindProgramme: `n.dateFrom <= $to`,
		pg.KindOrganisation: `EXISTS { (n)-[:ORGANISED|ATTENDED|PUBLISHED]->(x) WHERE x.dateFrom <= $to AND x.status IN $statuses }`,
		pg.KindPerson:       `EXISTS { (n)-[:ORGANISED|ATTENDED]->(x) WHERE x.dateFrom <= $to AND x.status IN $statuses }`,
	},
}

// indexedKey returns the property of an index-backed sort key ("n.name" -> "name"), or "".
func indexedKey(key string) string {
	if p, ok := strings.CutPrefix(key, "n."); ok && !strings.ContainsAny(p, "( ") {
		return p
	}
	return ""
}

// datetimeKeys are sort properties holding datetimes (stored to the millisecond): cursors carry
// them as epoch milliseconds.
var datetimeKeys = map[string]bool{"createdAt": true, "updatedAt": true}

// wholeKind marks statements that read every entity of a kind by design (totals, reports,
// count orders); the plan test allows a label scan only in them.
const wholeKind = "// reads a whole kind by design\n"

func each(pred string) map[pg.Kind]string {
	out := map[pg.Kind]string{}
	for _, k := range pg.Kinds {
		out[k] = pred
	}
	return out
}

// orderKeys holds, per sort field and kind, the sort key: either an indexed property (the list
// then reads the kind's index in order and stops after one page) or, for counts, an expression
// computed for every entity of the kind.
var orderKeys = map[pg.OrderField]map[pg.Kind]string{
	pg.OrderName: {
		"":                  `coalesce(n.name, n.title)`,
		pg.KindOrganisation: `n.name`, pg.KindTopic: `n.name`, pg.KindPlace: `n.name`, pg.KindPerson: `n.name`,
		pg.KindEvent: `n.title`, pg.KindPublication: `n.title`, pg.KindProgramme: `n.title`,
	},
	pg.OrderDate:      each(`n.dateFrom`),
	pg.OrderCreatedAt: each(`n.createdAt`),
	pg.OrderUpdatedAt: each(`n.updatedAt`),
	pg.OrderEventCount: {
		pg.KindOrganisation: `COUNT { (n)-[:ORGANISED|ATTENDED]->(x:Event) WHERE x.status IN $statuses }`,
		pg.KindPerson:       `COUNT { (n)-[:ORGANISED|ATTENDED]->(x:Event) WHERE x.status IN $statuses }`,
		pg.KindTopic:        `COUNT { (n)<-[:ABOUT]-(x:Event) WHERE x.status IN $statuses }`,
		pg.KindPlace:        `COUNT { (n)<-[:LOCATED_IN*0..2]-(:Place)<-[:HELD_IN]-(x:Event) WHERE x.status IN $statuses }`,
		pg.KindProgramme:    `COUNT { (n)<-[:IN_PROGRAMME]-(x:Event) WHERE x.status IN $statuses }`,
	},
	pg.OrderPublicationCount: {
		pg.KindOrganisation: `COUNT { (n)-[:PUBLISHED]->(x:Publication) WHERE x.status IN $statuses }`,
		pg.KindTopic:        `COUNT { (n)<-[:ABOUT]-(x:Publication) WHERE x.status IN $statuses }`,
		pg.KindProgramme:    `COUNT { (n)<-[:IN_PROGRAMME]-(x:Publication) WHERE x.status IN $statuses }`,
	},
	pg.OrderCoOrganisedEventCount: {
		pg.KindOrganisation: `COUNT { (n)-[r:ORGANISED]->(x:Event) WHERE r.role IN $organising AND x.status IN $statuses
  AND EXISTS { (x)<-[r2:ORGANISED]-(o2:Organisation) WHERE o2 <> n AND r2.role IN $organising } }`,
	},
}

// DefaultOrder returns the order a list of the kind has when the client names none.
func DefaultOrder(kind pg.Kind) pg.Order {
	switch kind {
	case pg.KindEvent, pg.KindPublication:
		return pg.Order{Field: pg.OrderDate, Desc: true}
	}
	return pg.Order{Field: pg.OrderName}
}

var filterOrder = []string{"subKinds", "status", "topic", "place", "country", "organisation", "organisations", "programme", "from", "to"}

// listQuery is a compiled list statement and its parameters.
type listQuery struct {
	text   string
	params map[string]any
}

var compiled sync.Map // signature -> query text; the set of signatures is small and fixed

// cached returns the query text for a signature, building it once.
func cached(signature string, build func() string) string {
	if q, ok := compiled.Load(signature); ok {
		return q.(string)
	}
	q := build()
	compiled.Store(signature, q)
	return q
}

// filterClause is the compiled form of a NodeFilter: predicates on n and their parameters.
type filterClause struct {
	preds  []string
	params map[string]any
	sig    []string
	lucene string // set when the filter has text
}

// compileFilter checks a filter for kind and returns its predicates. Every filter that is set
// must apply to the kind.
func compileFilter(v pg.Viewer, kind pg.Kind, f pg.NodeFilter) (filterClause, error) {
	c := filterClause{params: map[string]any{
		"statuses": v.Statuses(), "organising": roleStrings(pg.OrganisingRoles),
		"subKinds": f.SubKinds, "status": nil, "topic": f.Topic, "place": f.Place, "country": f.Country,
		"organisation": f.Organisation, "organisations": f.Organisations, "programme": f.Programme, "roles": nil, "from": nil, "to": nil,
	}}
	set := map[string]bool{
		"subKinds": len(f.SubKinds) > 0, "topic": f.Topic != nil, "place": f.Place != nil,
		"country": f.Country != nil, "organisation": f.Organisation != nil, "programme": f.Programme != nil,
		"organisations": len(f.Organisations) > 0,
		"from":          f.From != nil, "to": f.To != nil, "status": f.Status != nil,
	}
	if f.Status != nil {
		if !v.Drafts && *f.Status != pg.StatusPublished {
			return c, pg.FieldErrorf(pg.EFORBIDDEN, "status", "only editors and analysts see drafts")
		}
		c.params["status"] = string(*f.Status)
	}
	if len(f.Roles) > 0 {
		if f.Organisation == nil {
			return c, pg.FieldErrorf(pg.EINVALID, "roles", "roles qualify organisation: give organisation too")
		}
		c.params["roles"] = roleStrings(f.Roles)
	}
	if f.From != nil {
		c.params["from"] = f.From.Start()
	}
	if f.To != nil {
		c.params["to"] = f.To.End()
	}
	if f.From != nil && f.To != nil && f.To.End() < f.From.Start() {
		return c, pg.FieldErrorf(pg.EINVALID, "to", "to is before from")
	}
	for _, name := range filterOrder {
		if !set[name] {
			continue
		}
		frag, ok := filterFragments[name][kind]
		if !ok {
			return c, pg.FieldErrorf(pg.EINVALID, name, "filter %s does not apply to %s", name, kindName(kind))
		}
		if name == "to" && f.From != nil && (kind == pg.KindOrganisation || kind == pg.KindPerson) {
			continue // the from fragment already bounds both ends for one shared item
		}
		c.preds = append(c.preds, frag)
		c.sig = append(c.sig, name)
	}
	if f.Text != nil && strings.TrimSpace(*f.Text) != "" {
		var err error
		if c.lucene, err = checkedLucene(*f.Text); err != nil {
			return c, err
		}
		c.params["lucene"] = c.lucene
		c.sig = append(c.sig, "text")
	}
	return c, nil
}

func kindName(k pg.Kind) string {
	if k == "" {
		return "this list"
	}
	return strings.ToLower(string(k)) + " lists"
}

// sortClause is the compiled order of a page: the key and the direction to read.
type sortClause struct {
	key  string // expression of the key, e.g. n.name or a COUNT {...}
	prop string // the indexed property behind key, or "" for computed keys
	desc bool
}

// out is the key's value as cursors carry it.
func (s sortClause) out() string {
	if datetimeKeys[s.prop] {
		return s.key + ".epochMillis"
	}
	return s.key
}

// param is the cursor's key as a value comparable with key.
func (s sortClause) param() string {
	if datetimeKeys[s.prop] {
		return "datetime({epochMillis: $ck})"
	}
	return "$ck"
}

func compileOrder(kind pg.Kind, o pg.Order, w pg.Window, c *filterClause) (sortClause, error) {
	if o.Field == "" {
		o = DefaultOrder(kind)
	}
	key, ok := orderKeys[o.Field][kind]
	if !ok {
		return sortClause{}, pg.FieldErrorf(pg.EINVALID, "orderBy", "%s cannot be ordered by %s", kindName(kind), o.Field)
	}
	s := sortClause{key: key, prop: indexedKey(key), desc: o.Desc != w.Backward} // backward reads the order in reverse
	c.params["limit"] = w.Limit + 1
	if w.Cursor != nil {
		c.params["ck"], c.params["cid"] = w.Cursor.Key, w.Cursor.ID
	}
	c.sig = append(c.sig, string(o.Field), map[bool]string{true: "desc", false: "asc"}[s.desc], map[bool]string{true: "cursor", false: ""}[w.Cursor != nil])
	return s, nil
}

func (s sortClause) dir() (cmp, dir string) {
	if s.desc {
		return "<", "DESC"
	}
	return ">", "ASC"
}

// tail writes the keyset condition and the order of rows that come from somewhere else (the
// related entities of parents): rows after the cursor, sorted by key, then id.
func (s sortClause) tail(b *strings.Builder, cursor bool, prefix string) {
	cmp, dir := s.dir()
	b.WriteString("\nWITH " + prefix + "n, " + s.out() + " AS key")
	if cursor {
		b.WriteString("\nWHERE key " + cmp + " $ck OR (key = $ck AND n.id " + cmp + " $cid)")
	}
	b.WriteString("\nORDER BY key " + dir + ", n.id " + dir)
}

// buildList puts together the list (or count) statement for a filter and window.
func buildList(v pg.Viewer, f pg.NodeFilter, w pg.Window, count bool) (listQuery, error) {
	h, err := listHead(v, f, w, count)
	if err != nil {
		return listQuery{}, err
	}
	ret := "\nRETURN n, key"
	if count {
		ret = "\nRETURN count(n) AS total"
	}
	return listQuery{text: cached(h.sig+"|list", func() string { return h.text + ret }), params: h.params}, nil
}

// head is the start of a list statement: it binds n to the entities of a page (with their
// sort key as key, in order, limit+1 of them) or, for a count, to every entity counted. The
// read path ends it with the projection it needs.
type head struct {
	text   string
	sig    string // what the text depends on: equal signatures, equal texts
	params map[string]any
}

// listHead builds the head of a list statement. Ordered by an indexed property, a list reads
// the kind's index in that order from the cursor on (a range seek) and stops after one page;
// the index hint keeps that plan whatever the statistics say.
func listHead(v pg.Viewer, f pg.NodeFilter, w pg.Window, count bool) (head, error) {
	label := f.Kind.Label()
	if label == "" {
		return head{}, pg.FieldErrorf(pg.EINVALID, "kind", "unknown kind %q", f.Kind)
	}
	c, err := compileFilter(v, f.Kind, f)
	if err != nil {
		return head{}, err
	}
	var s sortClause
	if count {
		c.sig = append(c.sig, "count")
	} else if s, err = compileOrder(f.Kind, f.OrderBy, w, &c); err != nil {
		return head{}, err
	}
	sig := "listhead|" + string(f.Kind) + "|" + strings.Join(c.sig, "|")
	text := cached(sig, func() string {
		var b strings.Builder
		switch {
		case c.lucene != "":
			b.WriteString("CALL db.index.fulltext.queryNodes('entity_text', $lucene) YIELD node AS n\nWITH n WHERE n:" + label + " AND n.status IN $statuses")
		case count || s.prop == "":
			b.WriteString(wholeKind + "MATCH (n:" + label + ")\nWHERE n.status IN $statuses")
		default:
			cmp, _ := s.dir()
			b.WriteString("MATCH (n:" + label + ")\nUSING INDEX n:" + label + "(" + s.prop + ")\nWHERE ")
			if w.Cursor != nil {
				b.WriteString(s.key + " " + cmp + "= " + s.param() + " AND (" + s.key + " " + cmp + " " + s.param() + " OR n.id " + cmp + " $cid)")
			} else {
				b.WriteString(s.key + " IS NOT NULL")
			}
			b.WriteString("\n  AND n.status IN $statuses")
		}
		for _, p := range c.preds {
			b.WriteString("\n  AND " + p)
		}
		if count {
			return b.String()
		}
		if c.lucene == "" && s.prop != "" {
			_, dir := s.dir()
			b.WriteString("\nWITH n, " + s.out() + " AS key\nORDER BY " + s.key + " " + dir + ", n.id " + dir + "\nLIMIT $limit")
			return b.String()
		}
		s.tail(&b, w.Cursor != nil, "")
		b.WriteString("\nLIMIT $limit")
		return b.String()
	})
	return head{text: text, sig: sig, params: c.params}, nil
}

func roleStrings(rs []pg.Role) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

// ListNodes implements pg.ContentService.
func (s *Content) ListNodes(ctx context.Context, v pg.Viewer, f pg.NodeFilter, page pg.PageArgs) (*pg.Page[pg.Node], error) {
	w, err := page.Validate()
	if err != nil {
		return nil, err
	}
	q, err := buildList(v, f, w, false)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.read(ctx, q.text, q.params)
	if err != nil {
		return nil, translate("list nodes", err)
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

// pageOf turns limit+1 rows into a page: the extra row only says there is more.
func pageOf[T any](rows []*neo4j.Record, w pg.Window, item func(*neo4j.Record) (T, string, error)) (*pg.Page[T], error) {
	items := make([]T, 0, len(rows))
	cursors := make([]string, 0, len(rows))
	for _, r := range rows[:min(len(rows), w.Limit)] {
		it, c, err := item(r)
		if err != nil {
			return nil, err
		}
		items, cursors = append(items, it), append(cursors, c)
	}
	p := windowPage(items, cursors, w)
	if len(rows) > w.Limit {
		p.HasNextPage, p.HasPreviousPage = pageFlags(true, w)
	}
	return p, nil
}

// windowPage makes a page of up to limit+1 items read in the window's direction: an item past
// the limit only says there is more, and a backward read is put back in order.
func windowPage[T any](items []T, cursors []string, w pg.Window) *pg.Page[T] {
	more := len(items) > w.Limit
	if more {
		items, cursors = items[:w.Limit], cursors[:w.Limit]
	}
	if items == nil {
		items, cursors = []T{}, []string{}
	}
	if w.Backward {
		slices.Reverse(items)
		slices.Reverse(cursors)
	}
	p := &pg.Page[T]{Items: items, Cursors: cursors}
	p.HasNextPage, p.HasPreviousPage = pageFlags(more, w)
	return p
}

// pageFlags says which ways there is more: past the limit in the reading direction, and
// behind the cursor in the other (a cursor means the client came from there).
func pageFlags(more bool, w pg.Window) (next, previous bool) {
	if w.Backward {
		return w.Cursor != nil, more
	}
	return more, w.Cursor != nil
}

// CountNodes implements pg.ContentService.
func (s *Content) CountNodes(ctx context.Context, v pg.Viewer, f pg.NodeFilter) (int, error) {
	q, err := buildList(v, f, pg.Window{}, true)
	if err != nil {
		return 0, err
	}
	rows, err := s.db.read(ctx, q.text, q.params)
	if err != nil {
		return 0, translate("count nodes", err)
	}
	n, _, err := neo4j.GetRecordValue[int64](rows[0], "total")
	return int(n), err
}
