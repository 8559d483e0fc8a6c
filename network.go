package partnergraph

import "context"

// Edge is a related entity seen from another one, with the relation that joins them.
type Edge struct {
	Node     Node
	Relation Relation
}

// EdgeQuery asks for the entities related to a parent through one relationship type.
type EdgeQuery struct {
	Types    []RelType
	Outgoing bool // true: (parent)-[r]->(node); false: (parent)<-[r]-(node)
	Kind     Kind // kind of the related entities; "" for any (organisations and people)
	// Within also follows LOCATED_IN from the parent place down to the places inside it: the
	// events held in a country include those held in its cities.
	Within bool
	Roles  []Role // only relations with one of these roles
	Filter NodeFilter
}

// CoOrganisation is a pair of organisations and the events they organised together.
type CoOrganisation struct {
	A, B   *Organisation // A.ID < B.ID
	Count  int
	First  *Date
	Last   *Date
	Events []*Event // newest first
}

// CoOrganisationFilter narrows co-organisation edges.
type CoOrganisationFilter struct {
	Organisation *string // only pairs that include this organisation
	EventKinds   []string
	Topic        *string
	From         *Date
	To           *Date
	Roles        []Role // organising roles that count; default OrganisingRoles
	MinCount     int
}

// Collaborator is a partner of an organisation with the work they share.
type Collaborator struct {
	Organisation       *Organisation
	Score              int // shared events + publications + programmes
	SharedEvents       []*Event
	SharedPublications []*Publication
	SharedProgrammes   []*Programme
}

// Step is one relationship on a path, in the direction of travel.
type Step struct {
	From     Node
	To       Node
	Relation Relation // as stored: Relation.From may be the step's To
}

// Path is a chain of steps from one entity to another.
type Path struct {
	Nodes []Node
	Steps []Step
}

// Network is the neighbourhood of an entity, shaped for graph drawing.
type Network struct {
	Nodes     []NetworkNode
	Edges     []NetworkEdge
	Truncated bool // true when limit cut nodes off
}

// NetworkNode is one node of a Network.
type NetworkNode struct {
	Node  Node
	Depth int // hops from the centre
}

// NetworkEdge joins two nodes of a Network; Weight counts the relationships between them.
type NetworkEdge struct {
	Source string
	Target string
	Types  []RelType
	Roles  []Role
	Weight int
}

// NetworkService answers relationship questions.
type NetworkService interface {
	// Edges returns, for each parent id, one page of related entities. Returns EINVALID, EUNAVAILABLE.
	Edges(ctx context.Context, v Viewer, parents []string, q EdgeQuery, page PageArgs) (map[string]*Page[Edge], error)
	// CountEdges returns, for each parent id, how many related entities Edges pages through.
	CountEdges(ctx context.Context, v Viewer, parents []string, q EdgeQuery) (map[string]int, error)
	// CoOrganisations pages through pairs of organisations that organised events together,
	// most shared events first. Returns EINVALID, EUNAVAILABLE.
	CoOrganisations(ctx context.Context, v Viewer, f CoOrganisationFilter, page PageArgs) (*Page[*CoOrganisation], error)
	// CountCoOrganisations counts the pairs CoOrganisations pages through.
	CountCoOrganisations(ctx context.Context, v Viewer, f CoOrganisationFilter) (int, error)
	// CoOrganisedEvents pages through the events all given organisations organised together.
	// Returns EINVALID, ENOTFOUND, EUNAVAILABLE.
	CoOrganisedEvents(ctx context.Context, v Viewer, orgs []string, f NodeFilter, page PageArgs) (*Page[Node], error)
	// CountCoOrganisedEvents counts the events CoOrganisedEvents pages through.
	CountCoOrganisedEvents(ctx context.Context, v Viewer, orgs []string, f NodeFilter) (int, error)
	// Collaborators returns, for each organisation id, one page of its partners, most shared
	// work first. Returns EINVALID, EUNAVAILABLE.
	Collaborators(ctx context.Context, v Viewer, orgs []string, page PageArgs) (map[string]*Page[*Collaborator], error)
	// CountCollaborators counts, for each organisation id, the partners Collaborators pages through.
	CountCollaborators(ctx context.Context, v Viewer, orgs []string) (map[string]int, error)
	// Connection returns up to limit shortest paths between two entities of at most maxHops
	// relationships. Returns ENOTFOUND, EINVALID, EUNAVAILABLE.
	Connection(ctx context.Context, v Viewer, from, to string, maxHops, limit int) ([]Path, error)
	// Network returns the entities within depth relationships of center (of the given kinds;
	// all if empty), at most limit nodes. Returns ENOTFOUND, EINVALID, EUNAVAILABLE.
	Network(ctx context.Context, v Viewer, center string, depth int, kinds []Kind, limit int) (*Network, error)
}

// SearchHit is one search result.
type SearchHit struct {
	Node    Node
	Score   float64
	Snippet string // a short extract with matches wrapped in <mark></mark>, HTML-escaped
}

// SearchService finds content by words.
type SearchService interface {
	// Search pages through entities matching text, best first; typos and word prefixes match.
	// Returns EINVALID, EUNAVAILABLE.
	Search(ctx context.Context, v Viewer, text string, kinds []Kind, page PageArgs) (*Page[SearchHit], error)
	// CountSearch counts the entities Search pages through.
	CountSearch(ctx context.Context, v Viewer, text string, kinds []Kind) (int, error)
}

// Bucket is one count in a breakdown.
type Bucket struct {
	Key   string // an id, a kind or a year
	Label string
	Count int
}

// YearActivity counts what happened in one year.
type YearActivity struct {
	Year         int
	Events       int
	Publications int
	ByEventKind  []Bucket
}

// StatsFilter narrows the reports.
type StatsFilter struct {
	Topic        *string
	Country      *string
	Place        *string
	Organisation *string
	EventKinds   []string
	From         *Date
	To           *Date
}

// StatsService computes the dashboards' reports; each method computes one report.
type StatsService interface {
	// CountsByKind counts entities per kind (events and publications filtered).
	CountsByKind(ctx context.Context, v Viewer, f StatsFilter) ([]Bucket, error)
	// ActivityByYear counts events (by kind) and publications per year, oldest first.
	ActivityByYear(ctx context.Context, v Viewer, f StatsFilter) ([]YearActivity, error)
	// EventsByTopic, EventsByCountry count events per topic and per country.
	EventsByTopic(ctx context.Context, v Viewer, f StatsFilter) ([]Bucket, error)
	EventsByCountry(ctx context.Context, v Viewer, f StatsFilter) ([]Bucket, error)
	// TopPartners ranks organisations by the engagements they shared with a partner.
	TopPartners(ctx context.Context, v Viewer, f StatsFilter, r PartnerRanking) ([]Bucket, error)
}

// PartnerRanking is how a ranking of partners counts: Limit organisations; Units counts units
// as organisations of their own (by default a unit with no units of its own counts as its
// parent); PerEvent counts an event's parts apart (by default an event and its parts are one
// engagement). An organisation and its own unit or parent are never partners.
type PartnerRanking struct {
	Limit           int
	Units, PerEvent bool
}

// ImportNode is one entity of a bulk import: its kind and its checked properties (CheckInput).
type ImportNode struct {
	Kind  Kind
	Props map[string]any
}

// ImportResult counts what an import wrote.
type ImportResult struct {
	Nodes            int // entities in the import
	Relations        int // relations in the import
	NodesCreated     int // entities that did not exist before
	RelationsCreated int // relations that did not exist before
}

// ImportService loads many entities and relations at once.
type ImportService interface {
	// Import merges nodes by id and relations by (type, from, to) in batches of batchSize:
	// importing the same data twice creates nothing the second time. Relations must point at
	// entities in nodes or already stored. Returns EINVALID, EUNAVAILABLE.
	// What is derived from many entities at once (the pairs' shared counts) is brought up
	// to date by Finish, not by Import: a load of many imports, some side by side, calls
	// Finish once after the last.
	Import(ctx context.Context, nodes []ImportNode, rels []Relation, batchSize int) (ImportResult, error)
	// Finish recomputes what imports left out of date. Returns EUNAVAILABLE, EBUSY.
	Finish(ctx context.Context) error
}
