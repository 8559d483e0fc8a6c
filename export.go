package partnergraph

import "context"

// ExportScope says what an export covers: the whole graph (Center empty), or the network around
// Center with the arguments of NetworkService.Network.
type ExportScope struct {
	Center string // "" for the whole graph
	Depth  int    // network only: hops from the centre
	Kinds  []Kind // network only: kinds of the nodes reached; all if empty
	Limit  int    // network only: most nodes
}

// WholeGraph reports whether the scope is the whole graph rather than one network.
func (s ExportScope) WholeGraph() bool { return s.Center == "" }

// ExportNode is one entity as export formats carry it: flat values, "" where one does not apply.
type ExportNode struct {
	ID      string
	Label   string // name or title
	Kind    Kind
	SubKind string // organisation, event, publication or place kind
	Status  Status
	// StartDate and EndDate are a programme's or an event's; Published a publication's,
	// Founded an organisation's.
	StartDate, EndDate, Published, Founded Date
	// CountryCode is the ISO code of a country, of the country a city is in, or of the country
	// where an organisation is located or an event was held; several are joined by ";".
	CountryCode string
	Depth       int // network exports: hops from the centre; 0 in whole-graph exports
}

// ExportEdge joins two nodes of an export. In a whole-graph export it is one relationship, from
// its start to its end node, with Weight 1. In a network export it is the pair of nodes of a
// NetworkEdge (Source < Target), with every type and role of the relationships between them
// and their count as Weight.
type ExportEdge struct {
	Source string
	Target string
	Types  []RelType
	Roles  []Role
	Weight int
}

// ExportSink receives an export as it is read: every node, then every edge. An error from it
// stops the export and is returned by Export.
type ExportSink interface {
	Node(ExportNode) error
	Edge(ExportEdge) error
}

// ExportService streams the graph out for analysis tools.
type ExportService interface {
	// Export sends the entities of scope that the viewer may see to sink.Node, then the
	// relationships between them to sink.Edge. It reads in pages and never holds the whole
	// graph: a whole-graph export needs the same memory for a thousand relationships as for a
	// million. Nodes come before any edge, and every edge joins two nodes that were sent. A
	// whole-graph export is read in many transactions: it leaves out entities created after it
	// started, but sees other changes made while it runs. Returns EINVALID and ENOTFOUND
	// (network scopes, before anything is sent), EUNAVAILABLE, and the errors of sink.
	Export(ctx context.Context, v Viewer, scope ExportScope, sink ExportSink) error
}
