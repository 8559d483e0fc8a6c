// Package compile serves whole root fields of a query in one Cypher statement each. From the
// root field's selection (gqlgen's field collection: fragments, aliases, @skip and @include)
// it builds a pg.Read — every nested relation field with its filter, order, page and total,
// and exactly the properties selected — which the store (pg.ReadService) answers in one
// statement; then it writes the field's JSON straight from the result, walking the selection
// again. No resolver runs under a compiled root field: no dataloader wait, no goroutine per
// list item.
//
// A root field it cannot serve (a field it does not know, such as collaborators, network or
// search, or arguments it would have to refuse) goes to the resolvers, which keep their
// dataloaders for exactly those. A request error other than busy or unavailable also goes to
// the resolvers, so errors keep their paths and partial data exactly.
//
// It imports gqlgen and the domain only; the Cypher is the store's.
package compile

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	pg "github.com/unicri/partnergraph"
)

// Compiler serves the root fields it can compile.
type Compiler struct {
	schema *ast.Schema
	reads  pg.ReadService
	viewer func(context.Context) pg.Viewer
}

// New returns a compiler over the API's schema and the store's read service; viewer tells
// who is asking.
func New(schema *ast.Schema, reads pg.ReadService, viewer func(context.Context) pg.Viewer) *Compiler {
	return &Compiler{schema: schema, reads: reads, viewer: viewer}
}

// Middleware is a gqlgen root field middleware: it answers the root fields it compiles and
// hands every other one to next.
func (c *Compiler) Middleware(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	rc := graphql.GetRootFieldContext(ctx)
	op := graphql.GetOperationContext(ctx)
	if rc == nil || op == nil || op.Operation == nil || op.Operation.Operation != ast.Query {
		return next(ctx)
	}
	p := &plan{c: c, op: op}
	read, ok := p.root(rc.Field)
	if !ok {
		return next(ctx)
	}
	res, err := c.reads.Read(ctx, c.viewer(ctx), read)
	if err != nil {
		if code := pg.ErrorCode(err); code != pg.EBUSY && code != pg.EUNAVAILABLE {
			return next(ctx) // the resolvers say what is wrong, where, with whatever data they have
		}
		fc := &graphql.FieldContext{Object: "Query", Field: rc.Field, IsResolver: true}
		graphql.AddError(graphql.WithFieldContext(ctx, fc), err)
		return graphql.Null
	}
	var buf bytes.Buffer
	p.writeRoot(&buf, rc.Field, read, res)
	if p.invalid {
		return next(ctx) // the answer broke a non-null rule: the resolvers report it properly
	}
	return graphql.WriterFunc(func(w io.Writer) { _, _ = w.Write(buf.Bytes()) })
}

// plan is one root field being compiled and written.
type plan struct {
	c       *Compiler
	op      *graphql.OperationContext
	invalid bool
}

func (p *plan) args(f graphql.CollectedField) map[string]any {
	return f.ArgumentMap(p.op.Variables)
}

// lists are the root list fields and their kinds.
var lists = map[string]pg.Kind{
	"programmes": pg.KindProgramme, "organisations": pg.KindOrganisation, "events": pg.KindEvent,
	"publications": pg.KindPublication, "topics": pg.KindTopic, "places": pg.KindPlace, "people": pg.KindPerson,
}

// lookups are the root fields that find one entity of a kind by id or slug.
var lookups = map[string]pg.Kind{
	"programme": pg.KindProgramme, "organisation": pg.KindOrganisation, "event": pg.KindEvent,
	"publication": pg.KindPublication, "topic": pg.KindTopic, "place": pg.KindPlace, "person": pg.KindPerson,
}

// root builds the read of a root field, or says it cannot.
func (p *plan) root(f graphql.CollectedField) (pg.Read, bool) {
	args := p.args(f)
	switch {
	case f.Name == "node":
		id, ok := args["id"].(string)
		if !ok {
			return pg.Read{}, false
		}
		proj, ok := p.entity(f.Selections, "Node", "")
		return pg.Read{Root: pg.ReadIDs, IDs: []string{id}, Node: proj}, ok
	case f.Name == "nodes":
		ids, ok := stringList(args["ids"])
		if !ok || len(ids) > pg.MaxPageSize {
			return pg.Read{}, false
		}
		proj, ok := p.entity(f.Selections, "Node", "")
		return pg.Read{Root: pg.ReadIDs, IDs: ids, Node: proj}, ok
	case lookups[f.Name] != "":
		kind := lookups[f.Name]
		id, hasID := args["id"].(string)
		slug, hasSlug := args["slug"].(string)
		if hasID == hasSlug {
			return pg.Read{}, false
		}
		proj, ok := p.entity(f.Selections, typeOfKind[kind], "")
		if hasID {
			return pg.Read{Root: pg.ReadIDs, Kind: kind, IDs: []string{id}, Node: proj}, ok
		}
		return pg.Read{Root: pg.ReadSlug, Kind: kind, Slug: slug, Node: proj}, ok
	case lists[f.Name] != "":
		kind := lists[f.Name]
		filter, ok := nodeFilter(kind, args["filter"], args["orderBy"])
		if !ok {
			return pg.Read{}, false
		}
		r := pg.Read{Root: pg.ReadList, Kind: kind, Filter: filter}
		return r, p.connection(f, typeOfKind[kind], conn{&r.Page, &r.Total, &r.Items, &r.Cursors, nil, &r.Node})
	case f.Name == "coOrganisedEvents":
		orgs, ok := stringList(args["organisations"])
		if !ok {
			return pg.Read{}, false
		}
		filter, ok := nodeFilter(pg.KindEvent, args["filter"], nil)
		if !ok {
			return pg.Read{}, false
		}
		r := pg.Read{Root: pg.ReadCoOrganised, Kind: pg.KindEvent, Orgs: orgs, Filter: filter}
		return r, p.connection(f, "Event", conn{&r.Page, &r.Total, &r.Items, &r.Cursors, nil, &r.Node})
	}
	return pg.Read{}, false
}

// conn is what a connection's selection asks of its page.
type conn struct {
	page    *pg.PageArgs
	total   *bool
	items   *bool
	cursors *bool
	edge    *[]string // what of the relation edges show; nil at the root
	proj    *pg.Projection
}

// connection reads a connection field's arguments and selection: its page, whether it needs
// the total, the items and their cursors, what of the relation its edges show, and the
// projection of its nodes (from edges.node and from nodes).
func (p *plan) connection(f graphql.CollectedField, nodeType string, c conn) bool {
	args := p.args(f)
	var ok bool
	if *c.page, ok = pageArgs(args); !ok {
		return false
	}
	addEdge := func(e string) {
		if c.edge != nil && !contains(*c.edge, e) {
			*c.edge = append(*c.edge, e)
		}
	}
	connType := f.Definition.Type.Name()
	for _, cf := range graphql.CollectFields(p.op, f.Selections, []string{connType}) {
		switch cf.Name {
		case "__typename":
		case "totalCount":
			*c.total = true
		case "pageInfo":
			*c.items = true
			for _, pf := range graphql.CollectFields(p.op, cf.Selections, []string{"PageInfo"}) {
				if pf.Name == "startCursor" || pf.Name == "endCursor" {
					*c.cursors = true
				}
			}
		case "edges":
			*c.items = true
			edgeType := cf.Definition.Type.Name()
			for _, ef := range graphql.CollectFields(p.op, cf.Selections, []string{edgeType}) {
				switch ef.Name {
				case "__typename":
				case "cursor":
					*c.cursors = true
				case "role", "title":
					addEdge(ef.Name)
				case "relation":
					addEdge("type")
				case "node":
					sub, ok := p.entity(ef.Selections, ef.Definition.Type.Name(), "e")
					if !ok {
						return false
					}
					merge(c.proj, sub)
				default:
					return false
				}
			}
		case "nodes":
			*c.items = true
			sub, ok := p.entity(cf.Selections, nodeType, "n")
			if !ok {
				return false
			}
			merge(c.proj, sub)
		default:
			return false
		}
	}
	if kinds, isAbstract := abstract[nodeType]; !isAbstract || len(kinds) == 0 {
		c.proj.Kind = kindOfType[nodeType]
	}
	return true
}

func merge(into *pg.Projection, p pg.Projection) {
	for _, prop := range p.Props {
		if !contains(into.Props, prop) {
			into.Props = append(into.Props, prop)
		}
	}
	into.Relations = append(into.Relations, p.Relations...)
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// relKey names a relation result at its level: where it was selected (edges.node or nodes),
// for which type, under which response name.
func relKey(pos, typeName, alias string) string { return pos + "/" + typeName + "." + alias }

// entity builds the projection of an entity selected at a position of static type (an
// entity type, Node or Participant): for an interface or a union, the fields of every kind it
// may hold, each relation read only for parents of its kind.
func (p *plan) entity(sel ast.SelectionSet, static, pos string) (pg.Projection, bool) {
	kinds, isAbstract := abstract[static]
	if !isAbstract {
		k, ok := kindOfType[static]
		if !ok {
			return pg.Projection{}, false
		}
		kinds = []pg.Kind{k}
	}
	var proj pg.Projection
	if !isAbstract {
		proj.Kind = kinds[0]
	}
	for _, k := range kinds {
		typeName := typeOfKind[k]
		def := p.c.schema.Types[typeName]
		for _, f := range graphql.CollectFields(p.op, sel, satisfies(k)) {
			if f.Name == "__typename" {
				continue
			}
			if typeName == "Organisation" && f.Name == "collaborators" {
				rr, ok := p.collaborators(f)
				if !ok {
					return proj, false
				}
				rr.Key = relKey(pos, typeName, f.Alias)
				if isAbstract {
					rr.OnKind = k
				}
				proj.Relations = append(proj.Relations, rr)
				continue
			}
			if rf, ok := relFields[typeName][f.Name]; ok {
				rr, ok := p.relation(f, rf, k)
				if !ok {
					return proj, false
				}
				rr.Key = relKey(pos, typeName, f.Alias)
				if isAbstract {
					rr.OnKind = k
				}
				proj.Relations = append(proj.Relations, rr)
				if rf.noneFor != "" && !contains(proj.Props, "kind") {
					proj.Props = append(proj.Props, "kind")
				}
				continue
			}
			fd := def.Fields.ForName(f.Name)
			if fd == nil || !leaf(p.c.schema, fd.Type.Name()) {
				return proj, false // a field the compiler does not serve
			}
			if !contains(proj.Props, f.Name) {
				proj.Props = append(proj.Props, f.Name)
			}
		}
	}
	return proj, true
}

func leaf(s *ast.Schema, typeName string) bool {
	d := s.Types[typeName]
	return d != nil && (d.Kind == ast.Scalar || d.Kind == ast.Enum)
}

// collaborators builds the read of Organisation.collaborators: the partners' projection from
// each node's organisation, and the shared lists selected.
func (p *plan) collaborators(f graphql.CollectedField) (pg.RelationRead, bool) {
	rr := pg.RelationRead{Shared: &pg.SharedRead{}, Node: pg.Projection{Kind: pg.KindOrganisation}}
	var ok bool
	if rr.Page, ok = pageArgs(p.args(f)); !ok || rr.Page.Last != nil || rr.Page.Before != nil {
		return rr, false // the resolver refuses paging backward
	}
	if p.args(f)["filter"] != nil {
		return rr, false // the partner network's ranking, computed by the analytics
	}
	lists := map[string]**pg.SharedList{"sharedEvents": &rr.Shared.Events, "sharedPublications": &rr.Shared.Publications,
		"sharedProgrammes": &rr.Shared.Programmes}
	for _, cf := range graphql.CollectFields(p.op, f.Selections, []string{"CollaboratorConnection"}) {
		switch cf.Name {
		case "__typename":
		case "totalCount":
			rr.Total = true
		case "pageInfo":
			rr.Items = true
		case "edges":
			rr.Items = true
			for _, ef := range graphql.CollectFields(p.op, cf.Selections, []string{"CollaboratorEdge"}) {
				switch ef.Name {
				case "__typename", "cursor":
				case "node":
					for _, nf := range graphql.CollectFields(p.op, ef.Selections, []string{"Collaborator"}) {
						switch nf.Name {
						case "__typename", "score":
						case "organisation":
							sub, ok := p.entity(nf.Selections, "Organisation", "o")
							if !ok {
								return rr, false
							}
							merge(&rr.Node, sub)
						case "sharedEvents", "sharedPublications", "sharedProgrammes":
							sub, ok := p.entity(nf.Selections, nf.Definition.Type.Name(), "")
							first, ok2 := intArg(p.args(nf)["first"])
							if !ok || !ok2 || first != nil && (*first < 0 || *first > pg.MaxPageSize) {
								return rr, false
							}
							l := *lists[nf.Name]
							if l == nil {
								l = &pg.SharedList{First: first, Node: pg.Projection{Kind: sub.Kind}}
								*lists[nf.Name] = l
							} else if l.First != nil && (first == nil || *first > *l.First) {
								l.First = first // aliases asking for more: read the most, cut each when written
							}
							merge(&l.Node, sub)
						default:
							return rr, false
						}
					}
				default:
					return rr, false
				}
			}
		default:
			return rr, false
		}
	}
	return rr, true
}

// relation builds the read of one relation field.
func (p *plan) relation(f graphql.CollectedField, rf relField, parent pg.Kind) (pg.RelationRead, bool) {
	args := p.args(f)
	q := pg.EdgeQuery{Types: rf.types, Outgoing: rf.outgoing, Kind: rf.kind, Within: rf.within}
	if rf.roles {
		roles, ok := roleList(args["roles"])
		if !ok {
			return pg.RelationRead{}, false
		}
		q.Roles = roles
	}
	if rf.filtered {
		filter, ok := nodeFilter(rf.kind, args["filter"], args["orderBy"])
		if !ok {
			return pg.RelationRead{}, false
		}
		q.Filter = filter
	}
	rr := pg.RelationRead{Query: q, One: rf.one}
	if rf.one {
		proj, ok := p.entity(f.Selections, f.Definition.Type.Name(), "")
		rr.Node = proj
		return rr, ok
	}
	nodeType := "Participant"
	if rf.kind != "" {
		nodeType = typeOfKind[rf.kind]
	}
	ok := p.connection(f, nodeType, conn{&rr.Page, &rr.Total, &rr.Items, &rr.Cursors, &rr.Edge, &rr.Node})
	return rr, ok
}

// Argument conversion. A value the compiler cannot read makes the field go to its resolver,
// which refuses it with the right error.

func intArg(v any) (*int, bool) {
	switch n := v.(type) {
	case nil:
		return nil, true
	case int:
		return &n, true
	case int64:
		i := int(n)
		return &i, true
	case float64:
		i := int(n)
		return &i, float64(i) == n
	case json.Number:
		i, err := strconv.Atoi(string(n))
		return &i, err == nil
	}
	return nil, false
}

func strArg(v any) (*string, bool) {
	switch s := v.(type) {
	case nil:
		return nil, true
	case string:
		return &s, true
	}
	return nil, false
}

func pageArgs(args map[string]any) (pg.PageArgs, bool) {
	var p pg.PageArgs
	var ok1, ok2, ok3, ok4 bool
	p.First, ok1 = intArg(args["first"])
	p.Last, ok2 = intArg(args["last"])
	p.After, ok3 = strArg(args["after"])
	p.Before, ok4 = strArg(args["before"])
	return p, ok1 && ok2 && ok3 && ok4
}

func stringList(v any) ([]string, bool) {
	list, ok := v.([]any)
	if !ok {
		if s, isStrings := v.([]string); isStrings {
			return s, true
		}
		return nil, v == nil
	}
	out := make([]string, len(list))
	for i, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		out[i] = s
	}
	return out, true
}

func roleList(v any) ([]pg.Role, bool) {
	ss, ok := stringList(v)
	if !ok {
		return nil, false
	}
	var out []pg.Role
	for _, s := range ss {
		out = append(out, pg.Role(s))
	}
	return out, true
}

// nodeFilter reads a NodeFilter argument and an OrderBy, as resolvers.nodeFilter does.
func nodeFilter(kind pg.Kind, filter, order any) (pg.NodeFilter, bool) {
	nf := pg.NodeFilter{Kind: kind}
	if filter != nil {
		m, ok := filter.(map[string]any)
		if !ok {
			return nf, false
		}
		for k, v := range m {
			var ok bool
			switch k {
			case "kinds":
				nf.SubKinds, ok = stringList(v)
			case "status":
				var s *string
				if s, ok = strArg(v); s != nil {
					st := pg.Status(*s)
					nf.Status = &st
				}
			case "topic":
				nf.Topic, ok = strArg(v)
			case "place":
				nf.Place, ok = strArg(v)
			case "country":
				nf.Country, ok = strArg(v)
			case "organisation":
				nf.Organisation, ok = strArg(v)
			case "organisations":
				nf.Organisations, ok = stringList(v)
			case "roles":
				nf.Roles, ok = roleList(v)
			case "programme":
				nf.Programme, ok = strArg(v)
			case "text":
				nf.Text, ok = strArg(v)
			case "from", "to":
				var s *string
				if s, ok = strArg(v); s != nil {
					d, err := pg.ParseDate(*s)
					if ok = err == nil; ok {
						if k == "from" {
							nf.From = &d
						} else {
							nf.To = &d
						}
					}
				}
			}
			if !ok {
				return nf, false
			}
		}
	}
	if order != nil {
		m, ok := order.(map[string]any)
		field, ok2 := m["field"].(string)
		if !ok || !ok2 {
			return nf, false
		}
		nf.OrderBy.Field = pg.OrderField(field)
		switch d := m["direction"].(type) {
		case nil:
			nf.OrderBy.Desc = nf.OrderBy.Field != pg.OrderName // names A-Z; dates and counts highest first
		case string:
			nf.OrderBy.Desc = d == "DESC"
		default:
			return nf, false
		}
	}
	return nf, true
}
