package resolvers

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/graph"
	"github.com/unicri/partnergraph/loader"
)

// Batches of one nesting level must not split. gqlgen resolves the items of a list in their
// own goroutines, and a loader that waits a fixed time for their keys sends a partial batch
// whenever the machine is busy. So whoever produces entities announces which batched fields
// each of them will ask for (loader.Expect), and those batches go the moment they are full.

// Announce is the loaders' hook (loader.Loaders.Announce): a relation batch for the field key
// returned nodes; announce what their selections will ask.
func Announce(ctx context.Context, key loader.BatchKey, nodes []pg.Node) {
	f, ok := key.(*ast.Field)
	if !ok || !graphql.HasOperationContext(ctx) {
		return
	}
	expect(ctx, nodeSelections(ctx, f), nodes)
}

// expectConnection announces the fields the nodes of the list being resolved (a connection
// field of the document) will ask for.
func expectConnection(ctx context.Context, nodes []pg.Node) {
	if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Field.Field != nil {
		expect(ctx, nodeSelections(ctx, fc.Field.Field), nodes)
	}
}

// expectNode announces the fields a single entity being resolved will ask for.
func expectNode(ctx context.Context, n pg.Node) {
	if n != nil {
		expectNodes(ctx, []pg.Node{n})
	}
}

// expectNodes announces the fields the entities being resolved (a list field) will ask for.
func expectNodes(ctx context.Context, nodes []pg.Node) {
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		expect(ctx, []ast.SelectionSet{fc.Field.Selections}, nodes)
	}
}

// expectAt announces the fields nodes will ask for where they sit under the field being
// resolved: path names the fields on the way, e.g. "edges", "node", "a" for the first
// organisation of each co-organisation pair.
func expectAt(ctx context.Context, nodes []pg.Node, path ...string) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil {
		return
	}
	op := graphql.GetOperationContext(ctx)
	at := []graphql.CollectedField{fc.Field}
	for _, name := range path {
		var next []graphql.CollectedField
		for _, f := range at {
			for _, c := range graphql.CollectFields(op, f.Selections, implementors(f.Field)) {
				if c.Name == name {
					next = append(next, c)
				}
			}
		}
		at = next
	}
	sels := make([]ast.SelectionSet, len(at))
	for i, f := range at {
		sels[i] = f.Selections
	}
	expect(ctx, sels, nodes)
}

// nodeSelections returns the selections that apply to the entities a field returns: its
// nodes { ... } and edges { node { ... } } for a connection, or its own selection for a
// field that returns one entity. Items that wrap an entity (a search hit, a collaborator, a
// network node) lead on to the field that holds it.
func nodeSelections(ctx context.Context, f *ast.Field) []ast.SelectionSet {
	op := graphql.GetOperationContext(ctx)
	var out []ast.SelectionSet
	connection := false
	for _, c := range graphql.CollectFields(op, f.SelectionSet, implementors(f)) {
		switch c.Name {
		case "nodes":
			connection = true
			out = append(out, itemSelections(op, c)...)
		case "edges":
			connection = true
			for _, e := range graphql.CollectFields(op, c.Selections, implementors(c.Field)) {
				if e.Name == "node" {
					out = append(out, itemSelections(op, e)...)
				}
			}
		}
	}
	if !connection {
		out = append(out, f.SelectionSet)
	}
	return out
}

// entityField names, for each item type that wraps an entity, the field that holds it.
var entityField = map[string]string{"SearchHit": "node", "Collaborator": "organisation", "NetworkNode": "node"}

// itemSelections returns the selections that apply to the entity of a list item c.
func itemSelections(op *graphql.OperationContext, c graphql.CollectedField) []ast.SelectionSet {
	name, wraps := "", false
	if c.Definition != nil {
		name, wraps = entityField[c.Definition.Type.Name()]
	}
	if !wraps {
		return []ast.SelectionSet{c.Selections}
	}
	var out []ast.SelectionSet
	for _, e := range graphql.CollectFields(op, c.Selections, implementors(c.Field)) {
		if e.Name == name {
			out = append(out, e.Selections)
		}
	}
	return out
}

// expect announces, for every node, the fields its selections ask of it, and the total of
// any connection among them (counted per parent, too).
func expect(ctx context.Context, sels []ast.SelectionSet, nodes []pg.Node) {
	if len(sels) == 0 || len(nodes) == 0 {
		return
	}
	op := graphql.GetOperationContext(ctx)
	byType := map[string][]*ast.Field{} // per type, the fields its entities ask, totals included
	asked := map[*ast.Field][]string{}  // the fields asked, each with the parents asking, in order
	var order []*ast.Field
	for _, n := range nodes {
		if n == nil {
			continue // a missing entity of nodes(ids:)
		}
		typ := n.NodeKind().Label()
		fields, ok := byType[typ]
		if !ok {
			for _, sel := range sels {
				for _, f := range graphql.CollectFields(op, sel, typeImplementors()[typ]) {
					fields = append(fields, f.Field)
					for _, c := range graphql.CollectFields(op, f.Selections, implementors(f.Field)) {
						if c.Name == "totalCount" { // a connection's total, asked with the same parent
							fields = append(fields, c.Field)
						}
					}
				}
			}
			byType[typ] = fields
		}
		for _, f := range fields {
			if _, ok := asked[f]; !ok {
				order = append(order, f)
			}
			asked[f] = append(asked[f], n.NodeID())
		}
	}
	l := loader.FromContext(ctx)
	for _, f := range order {
		l.Expect(f, asked[f])
	}
}

// implementors are the type names fragments on f's type may name.
func implementors(f *ast.Field) []string {
	if f.Definition == nil {
		return nil
	}
	return typeImplementors()[f.Definition.Type.Name()]
}

// typeImplementors maps each object type of the schema to itself and the interfaces and
// unions it belongs to, as gqlgen's generated code collects fields.
var typeImplementors = sync.OnceValue(func() map[string][]string {
	s := graph.NewExecutableSchema(graph.Config{}).Schema()
	out := map[string][]string{}
	for name, def := range s.Types {
		if def.Kind != ast.Object {
			continue
		}
		names := []string{name}
		for _, i := range s.GetImplements(def) {
			names = append(names, i.Name)
		}
		out[name] = names
	}
	return out
})
