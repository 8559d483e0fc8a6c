package resolvers

import (
	"context"
	"reflect"

	"github.com/99designs/gqlgen/graphql"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/graph/model"
	"github.com/unicri/partnergraph/loader"
)

func viewer(ctx context.Context) pg.Viewer { return pg.CallerFromContext(ctx).Viewer() }

func pageArgs(first *int, after *string, last *int, before *string) pg.PageArgs {
	return pg.PageArgs{First: first, After: after, Last: last, Before: before}
}

// nodeFilter converts the GraphQL filter and order for a list of kind.
func nodeFilter(kind pg.Kind, f *model.NodeFilter, o *model.OrderBy) pg.NodeFilter {
	nf := pg.NodeFilter{Kind: kind}
	if f != nil {
		nf.SubKinds, nf.Status, nf.Topic, nf.Place = f.Kinds, f.Status, f.Topic, f.Place
		nf.Country, nf.Organisation, nf.Roles, nf.Programme = f.Country, f.Organisation, f.Roles, f.Programme
		nf.Organisations = f.Organisations
		nf.From, nf.To, nf.Text = f.From, f.To, f.Text
	}
	if o != nil {
		nf.OrderBy.Field = o.Field
		if o.Direction != nil {
			nf.OrderBy.Desc = *o.Direction == model.OrderDirectionDesc
		} else {
			nf.OrderBy.Desc = o.Field != pg.OrderName // names A-Z; dates and counts highest first
		}
	}
	return nf
}

func pageInfo[T any](p *pg.Page[T]) *model.PageInfo {
	pi := &model.PageInfo{HasNextPage: p.HasNextPage, HasPreviousPage: p.HasPreviousPage}
	if n := len(p.Cursors); n > 0 {
		pi.StartCursor, pi.EndCursor = &p.Cursors[0], &p.Cursors[n-1]
	}
	return pi
}

// typed keeps the items of the concrete type T (lists of one kind hold only T).
func typed[T pg.Node](items []pg.Node) []T {
	out := make([]T, 0, len(items))
	for _, n := range items {
		if t, ok := n.(T); ok {
			out = append(out, t)
		}
	}
	return out
}

// listed pages through a top-level list, with a lazy total.
func (r *Resolver) listed(ctx context.Context, f pg.NodeFilter, page pg.PageArgs) (*pg.Page[pg.Node], pg.Counter, error) {
	v := viewer(ctx)
	p, err := r.ContentService.ListNodes(ctx, v, f, page)
	if err != nil {
		return nil, nil, err
	}
	expectConnection(ctx, p.Items)
	return p, func(ctx context.Context) (int, error) { return r.ContentService.CountNodes(ctx, v, f) }, nil
}

// field identifies the selection being resolved: every item of a list resolves the same field
// of the document with the same arguments, so it is the key of their shared batch.
func field(ctx context.Context) loader.BatchKey {
	if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Field.Field != nil {
		return fc.Field.Field
	}
	return nil
}

// related pages through the entities related to parent, batched per request, with a lazy total.
func related(ctx context.Context, parent string, q pg.EdgeQuery, page pg.PageArgs) (*pg.Page[pg.Edge], pg.Counter, error) {
	l := loader.FromContext(ctx)
	p, err := l.Edges(ctx, field(ctx), parent, q, page)
	if err != nil {
		return nil, nil, err
	}
	return p, func(ctx context.Context) (int, error) { return l.CountEdges(ctx, field(ctx), parent, q) }, nil
}

// one returns the first entity related to parent by q, or nil.
func one[T pg.Node](ctx context.Context, parent string, q pg.EdgeQuery) (T, error) {
	var zero T
	first := 1
	p, err := loader.FromContext(ctx).Edges(ctx, field(ctx), parent, q, pg.PageArgs{First: &first})
	if err != nil || len(p.Items) == 0 {
		return zero, err
	}
	t, _ := p.Items[0].Node.(T)
	return t, nil
}

func edgeNodes(p *pg.Page[pg.Edge]) []pg.Node {
	out := make([]pg.Node, len(p.Items))
	for i, e := range p.Items {
		out[i] = e.Node
	}
	return out
}

// Connections of entities of one kind, from a page of entities.

func organisationConn(p *pg.Page[pg.Node], count pg.Counter) *model.OrganisationConnection {
	c := &model.OrganisationConnection{Nodes: typed[*pg.Organisation](p.Items), PageInfo: pageInfo(p), Count: count}
	for i, n := range c.Nodes {
		c.Edges = append(c.Edges, &model.OrganisationEdge{Cursor: p.Cursors[i], Node: n})
	}
	return c
}

func eventConn(p *pg.Page[pg.Node], count pg.Counter) *model.EventConnection {
	c := &model.EventConnection{Nodes: typed[*pg.Event](p.Items), PageInfo: pageInfo(p), Count: count}
	for i, n := range c.Nodes {
		c.Edges = append(c.Edges, &model.EventEdge{Cursor: p.Cursors[i], Node: n})
	}
	return c
}

func publicationConn(p *pg.Page[pg.Node], count pg.Counter) *model.PublicationConnection {
	c := &model.PublicationConnection{Nodes: typed[*pg.Publication](p.Items), PageInfo: pageInfo(p), Count: count}
	for i, n := range c.Nodes {
		c.Edges = append(c.Edges, &model.PublicationEdge{Cursor: p.Cursors[i], Node: n})
	}
	return c
}

func programmeConn(p *pg.Page[pg.Node], count pg.Counter) *model.ProgrammeConnection {
	c := &model.ProgrammeConnection{Nodes: typed[*pg.Programme](p.Items), PageInfo: pageInfo(p), Count: count}
	for i, n := range c.Nodes {
		c.Edges = append(c.Edges, &model.ProgrammeEdge{Cursor: p.Cursors[i], Node: n})
	}
	return c
}

func topicConn(p *pg.Page[pg.Node], count pg.Counter) *model.TopicConnection {
	c := &model.TopicConnection{Nodes: typed[*pg.Topic](p.Items), PageInfo: pageInfo(p), Count: count}
	for i, n := range c.Nodes {
		c.Edges = append(c.Edges, &model.TopicEdge{Cursor: p.Cursors[i], Node: n})
	}
	return c
}

func placeConn(p *pg.Page[pg.Node], count pg.Counter) *model.PlaceConnection {
	c := &model.PlaceConnection{Nodes: typed[*pg.Place](p.Items), PageInfo: pageInfo(p), Count: count}
	for i, n := range c.Nodes {
		c.Edges = append(c.Edges, &model.PlaceEdge{Cursor: p.Cursors[i], Node: n})
	}
	return c
}

func personConn(p *pg.Page[pg.Node], count pg.Counter) *model.PersonConnection {
	c := &model.PersonConnection{Nodes: typed[*pg.Person](p.Items), PageInfo: pageInfo(p), Count: count}
	for i, n := range c.Nodes {
		c.Edges = append(c.Edges, &model.PersonEdge{Cursor: p.Cursors[i], Node: n})
	}
	return c
}

// nodesOf adapts a page of edges to a page of their entities.
func nodesOf(p *pg.Page[pg.Edge]) *pg.Page[pg.Node] {
	return &pg.Page[pg.Node]{Items: edgeNodes(p), Cursors: p.Cursors, HasNextPage: p.HasNextPage, HasPreviousPage: p.HasPreviousPage}
}

// Connections whose edges carry the relation's role.

func roleOf(r pg.Relation) *pg.Role {
	if r.Role == "" {
		return nil
	}
	role := r.Role
	return &role
}

func participantConn(p *pg.Page[pg.Edge], count pg.Counter) *model.ParticipantConnection {
	c := &model.ParticipantConnection{PageInfo: pageInfo(p), Count: count}
	for i, e := range p.Items {
		c.Edges = append(c.Edges, &model.ParticipantEdge{Cursor: p.Cursors[i], Node: e.Node, Role: roleOf(e.Relation)})
	}
	return c
}

func roleEventConn(p *pg.Page[pg.Edge], count pg.Counter) *model.RoleEventConnection {
	c := &model.RoleEventConnection{PageInfo: pageInfo(p), Count: count}
	for i, e := range p.Items {
		if ev, ok := e.Node.(*pg.Event); ok {
			c.Edges = append(c.Edges, &model.RoleEventEdge{Cursor: p.Cursors[i], Node: ev, Role: roleOf(e.Relation), Relation: e.Relation.Type})
		}
	}
	return c
}

func rolePublicationConn(p *pg.Page[pg.Edge], count pg.Counter) *model.RolePublicationConnection {
	c := &model.RolePublicationConnection{PageInfo: pageInfo(p), Count: count}
	for i, e := range p.Items {
		if pub, ok := e.Node.(*pg.Publication); ok {
			c.Edges = append(c.Edges, &model.RolePublicationEdge{Cursor: p.Cursors[i], Node: pub, Role: roleOf(e.Relation)})
		}
	}
	return c
}

func roleProgrammeConn(p *pg.Page[pg.Edge], count pg.Counter) *model.RoleProgrammeConnection {
	c := &model.RoleProgrammeConnection{PageInfo: pageInfo(p), Count: count}
	for i, e := range p.Items {
		if prog, ok := e.Node.(*pg.Programme); ok {
			c.Edges = append(c.Edges, &model.RoleProgrammeEdge{Cursor: p.Cursors[i], Node: prog, Role: roleOf(e.Relation)})
		}
	}
	return c
}

func affiliationConn(p *pg.Page[pg.Edge], count pg.Counter) *model.AffiliationConnection {
	c := &model.AffiliationConnection{PageInfo: pageInfo(p), Count: count}
	for i, e := range p.Items {
		if org, ok := e.Node.(*pg.Organisation); ok {
			c.Edges = append(c.Edges, &model.AffiliationEdge{Cursor: p.Cursors[i], Node: org, Title: e.Relation.Title})
		}
	}
	return c
}

// total runs a connection's lazy count.
func total(ctx context.Context, count pg.Counter) (int, error) {
	if count == nil {
		return 0, pg.Errorf(pg.ENOTIMPLEMENTED, "this list has no total")
	}
	return count(ctx)
}

// byIDOrSlug looks an entity of kind up by id or by slug (exactly one of them).
func (r *Resolver) byIDOrSlug(ctx context.Context, kind pg.Kind, id, slug *string) (pg.Node, error) {
	switch {
	case (id == nil) == (slug == nil):
		return nil, pg.FieldErrorf(pg.EINVALID, "id", "give id or slug, not both or neither")
	case id != nil:
		n, err := loader.FromContext(ctx).Node(ctx, *id)
		if err != nil || n == nil || n.NodeKind() != kind {
			return nil, err
		}
		expectNode(ctx, n)
		return n, nil
	}
	n, err := r.ContentService.FindBySlug(ctx, viewer(ctx), kind, *slug)
	if pg.ErrorCode(err) == pg.ENOTFOUND {
		return nil, nil // a missing entity is null, as for node(id:)
	}
	if err == nil {
		expectNode(ctx, n)
	}
	return n, err
}

// nodeInput turns a GraphQL create/update input map into a domain input. gqlgen has already
// coerced each value to a typed pointer (nil for an explicit null); the domain takes plain
// strings and integers.
func nodeInput(kind pg.Kind, m map[string]any, links []*model.NewLinkInput) pg.NodeInput {
	fields := make(map[string]any, len(m))
	for k, v := range m {
		fields[k] = plain(v)
	}
	in := pg.NodeInput{Kind: kind, Fields: fields}
	for _, l := range links {
		r := pg.Relation{Type: l.Type, Title: l.Title, Since: l.Since, Until: l.Until}
		if l.From != nil {
			r.From = *l.From
		}
		if l.To != nil {
			r.To = *l.To
		}
		if l.Role != nil {
			r.Role = *l.Role
		}
		in.Links = append(in.Links, r)
	}
	return in
}

func plain(v any) any {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.String:
		return rv.String()
	case reflect.Int, reflect.Int32, reflect.Int64:
		return rv.Int()
	case reflect.Invalid:
		return nil
	}
	return rv.Interface()
}

func relationInput(in model.RelationInput) pg.Relation {
	r := pg.Relation{Type: in.Type, From: in.From, To: in.To, Title: in.Title, Since: in.Since, Until: in.Until}
	if in.Role != nil {
		r.Role = *in.Role
	}
	return r
}

// firstOf keeps the first n items of a list (all when n is nil). Returns EINVALID.
func firstOf[T any](items []T, n *int) ([]T, error) {
	if n == nil {
		return items, nil
	}
	if *n < 0 || *n > pg.MaxPageSize {
		return nil, pg.FieldErrorf(pg.EINVALID, "first", "first must be between 0 and %d", pg.MaxPageSize)
	}
	return items[:min(*n, len(items))], nil
}
