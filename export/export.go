// Package export writes the partner network for analysis tools: GraphML and GEXF 1.3 (Gephi,
// yEd, Cytoscape, networkx, igraph) and CSV (two tables, nodes.csv and edges.csv, in one zip,
// for spreadsheets). Writers stream: they take domain values (pg.ExportNode, pg.ExportEdge) one
// at a time, nodes first, and write as they go, so an export of any size costs the same memory.
// The package imports the domain and the standard library only: no driver, no HTTP.
package export

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"

	pg "github.com/unicri/partnergraph"
)

// Format is an export file format.
type Format string

// Export formats.
const (
	GraphML Format = "graphml" // http://graphml.graphdrawing.org/xmlns
	GEXF    Format = "gexf"    // http://gexf.net/1.3
	CSV     Format = "csv"     // nodes.csv and edges.csv in one zip
)

// Formats lists every format.
var Formats = []Format{GraphML, GEXF, CSV}

// ParseFormat returns the format named s (graphml, gexf or csv). Returns EINVALID.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == strings.ToLower(s) {
			return f, nil
		}
	}
	return "", pg.FieldErrorf(pg.EINVALID, "format", "unknown export format %q: use graphml, gexf or csv", s)
}

// ContentType returns the media type of the format's files. Neither GraphML nor GEXF has a
// registered media type: both are served as XML.
func (f Format) ContentType() string {
	if f == CSV {
		return "application/zip"
	}
	return "application/xml; charset=utf-8"
}

// Extension returns the file name extension of the format, with its dot.
func (f Format) Extension() string {
	if f == CSV {
		return ".csv.zip"
	}
	return "." + string(f)
}

// Options shape an export file.
type Options struct {
	// Network marks the export of one network (pg.ExportScope with a centre): edges are
	// undirected pairs weighted by the relationships they stand for, and nodes carry their
	// depth. Otherwise edges are directed relationships.
	Network bool
	// Description says what the file holds (GraphML desc, GEXF meta description).
	Description string
	// Time stamps the file (GEXF lastmodifieddate, zip entry times); zero leaves it out.
	Time time.Time
	// Metrics, if set, adds each organisation's place in the partner network (its
	// networkAnalysis metrics and community) as node attributes, so Gephi users have them
	// without recomputing; other nodes leave them empty.
	Metrics map[string]*pg.OrganisationMetrics
}

// Writer writes one export file. Nodes must all come before the first edge.
type Writer interface {
	pg.ExportSink
	// Close ends the file and flushes it. It does not close the underlying io.Writer.
	Close() error
	// Counts returns how many nodes and edges were written.
	Counts() (nodes, edges int)
}

// New returns a writer of the format on w.
func New(f Format, w io.Writer, o Options) (Writer, error) {
	switch f {
	case GraphML:
		return NewGraphML(w, o), nil
	case GEXF:
		return NewGEXF(w, o), nil
	case CSV:
		return NewCSV(w, o), nil
	}
	return nil, pg.FieldErrorf(pg.EINVALID, "format", "unknown export format %q", f)
}

// column is one attribute of nodes or edges, the same in every format.
type column struct {
	name string
	typ  string // "string" or "int"
}

// nodeColumns are the node attributes besides the id, in order; value returns them for a node.
var nodeColumns = []column{
	{"label", "string"}, {"kind", "string"}, {"subKind", "string"}, {"status", "string"},
	{"startDate", "string"}, {"endDate", "string"}, {"published", "string"}, {"founded", "string"},
	{"countryCode", "string"},
}

// depthColumn is added to the node attributes of network exports.
var depthColumn = column{"depth", "int"}

// metricColumns are added when the export carries the partner network's analytics.
var metricColumns = []column{{"pageRank", "double"}, {"betweenness", "double"}, {"closeness", "double"},
	{"partners", "int"}, {"community", "int"}, {"rank", "int"}}

// edgeColumns are the edge attributes besides source and target.
var edgeColumns = []column{{"type", "string"}, {"role", "string"}, {"weight", "int"}}

func nodeColumnsFor(o Options) []column {
	cols := append([]column{}, nodeColumns...)
	if o.Network {
		cols = append(cols, depthColumn)
	}
	if o.Metrics != nil {
		cols = append(cols, metricColumns...)
	}
	return cols
}

// nodeValues returns the values of nodeColumnsFor(o) for n, "" where there is none.
func nodeValues(n *pg.ExportNode, o Options, out []string) []string {
	out = append(out[:0], n.Label, string(n.Kind), n.SubKind, string(n.Status), string(n.StartDate),
		string(n.EndDate), string(n.Published), string(n.Founded), n.CountryCode)
	if o.Network {
		out = append(out, strconv.Itoa(n.Depth))
	}
	if o.Metrics != nil {
		if m := o.Metrics[n.ID]; m != nil {
			f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
			out = append(out, f(m.PageRank), f(m.Betweenness), f(m.Closeness), strconv.Itoa(m.Degree), strconv.Itoa(m.Community), strconv.Itoa(m.Rank))
		} else {
			out = append(out, "", "", "", "", "", "")
		}
	}
	return out
}

// edgeValues returns the values of edgeColumns for e.
func edgeValues(e *pg.ExportEdge, out []string) []string {
	return append(out[:0], joinTypes(e.Types), joinRoles(e.Roles), strconv.Itoa(e.Weight))
}

// Several types or roles of one network edge are joined by ";".
func joinTypes(ts []pg.RelType) string {
	if len(ts) == 1 {
		return string(ts[0])
	}
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, ";")
}

func joinRoles(rs []pg.Role) string {
	if len(rs) == 1 {
		return string(rs[0])
	}
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ";")
}

// order enforces nodes, then edges, then the end, and counts what was written.
type order struct {
	nodes, edges int
	inEdges      bool
	closed       bool
}

var (
	errNodeAfterEdge = errors.New("export: a node after the first edge")
	errClosed        = errors.New("export: write after Close")
)

func (o *order) node() error {
	switch {
	case o.closed:
		return errClosed
	case o.inEdges:
		return errNodeAfterEdge
	}
	o.nodes++
	return nil
}

// edge reports whether this is the first edge.
func (o *order) edge() (first bool, err error) {
	if o.closed {
		return false, errClosed
	}
	first = !o.inEdges
	o.inEdges = true
	o.edges++
	return first, nil
}

// close marks the end and reports whether the writer was already closed.
func (o *order) close() (already bool) {
	already = o.closed
	o.closed = true
	return already
}

// Counts implements Writer.
func (o *order) Counts() (nodes, edges int) { return o.nodes, o.edges }

// bufferSize is the write buffer of each writer: large enough that the underlying writer (an
// HTTP response, a file) sees few large writes, small enough to be noise in memory.
const bufferSize = 64 << 10

func newBuffer(w io.Writer) *bufio.Writer { return bufio.NewWriterSize(w, bufferSize) }

// isNameToken reports whether s is an XML name token (xs:NMTOKEN), which GraphML requires of
// node ids. Entity ids are slugs and always are; this guards the file's validity anyway.
func isNameToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '.' || r == '_' || r == ':' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

func checkID(what, id string) error {
	if !isNameToken(id) {
		return fmt.Errorf("export: %s id %q is not an XML name token", what, id)
	}
	return nil
}
