package partnergraph

import "context"

// Read is one root field of a query as the store answers it, in one statement: which
// entities (by id, by slug, a list, or the events organisations organised together), and at
// every level exactly the properties and relations the client selected. The GraphQL layer
// builds it from the field's selection (package compile).
type Read struct {
	Root ReadRoot
	Kind Kind     // the kind looked up or listed; "" for any kind (node, nodes)
	IDs  []string // ReadIDs
	Slug string   // ReadSlug
	Orgs []string // ReadCoOrganised: the organisations that organised the events together
	// Filter is the list's filter and order (ReadList, ReadCoOrganised).
	Filter  NodeFilter
	Page    PageArgs
	Total   bool // count what the list pages through
	Items   bool // read the page itself (a client may ask for the total alone)
	Cursors bool // the items' cursors are needed (edges.cursor, pageInfo's cursors)
	Node    Projection
}

// ReadRoot says where a Read starts.
type ReadRoot int

// Where reads start.
const (
	ReadIDs         ReadRoot = iota // the entities with these ids, in order
	ReadSlug                        // the entity of Kind with Slug
	ReadList                        // a page of the entities of Kind that pass Filter
	ReadCoOrganised                 // a page of the events all of Orgs organised together
)

// Projection is what to read of each entity at one level: some stored properties (the id
// always comes) and some relations, each with its own projection. Kind is the entities' kind
// where the position admits one kind only; "" means any (interfaces and unions), and each
// item then says its kind.
type Projection struct {
	Kind      Kind
	Props     []string
	Relations []RelationRead
}

// RelationRead is one relation field at one level: a page (or the one entity) of the
// entities related to the parent through Query, and what to read of them.
type RelationRead struct {
	Key     string // names the result among its parent's relations
	OnKind  Kind   // read only for parents of this kind ("" for any): fields of interfaces and unions
	Query   EdgeQuery
	One     bool // the one related entity (a place, a parent): the first in the default order
	Page    PageArgs
	Total   bool
	Items   bool
	Cursors bool
	// Edge lists what of the relation itself to read: "type", "role", "title".
	Edge []string
	Node Projection
	// Shared, if set, makes this the parent organisation's collaborators instead of a relation
	// (Query is unused): its partners ranked by the work they share, each item a partner (Node)
	// with its score (the item's "score" property) and the shared items selected.
	Shared *SharedRead
}

// SharedRead says which lists of shared items to read of each collaborator, and what of them;
// nil for a list not selected. Each list comes as the item's relation of the same name
// (sharedEvents, sharedPublications, sharedProgrammes), newest first.
type SharedRead struct {
	Events, Publications, Programmes *SharedList
}

// SharedList is one list of shared items: at most First of them (nil: all).
type SharedList struct {
	First *int
	Node  Projection
}

// ReadResult answers a Read or a RelationRead: one page and, when asked, its total.
type ReadResult struct {
	Total           int
	Items           []ReadItem
	HasNextPage     bool
	HasPreviousPage bool
}

// ReadItem is one entity of a page: its kind and properties, the relation that led to it from
// its parent, its cursor, and the results of its own relations by key. At the root of a read
// by ids an id that does not exist (or is hidden) gives an item with no Kind.
type ReadItem struct {
	Kind      Kind
	Props     map[string]any
	Relation  *Relation
	Cursor    string
	Relations map[string]*ReadResult
}

// ID returns the item's id, "" for a missing entity.
func (it ReadItem) ID() string {
	s, _ := it.Props["id"].(string)
	return s
}

// ReadService answers whole root fields.
type ReadService interface {
	// Read answers r in one statement. Returns EINVALID (bad filters, orders or pages),
	// ENOTFOUND (co-organised events of an organisation the viewer cannot see), EBUSY,
	// EUNAVAILABLE.
	Read(ctx context.Context, v Viewer, r Read) (*ReadResult, error)
}
