package export

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"io"

	pg "github.com/unicri/partnergraph"
)

// CSVWriter writes two tables into one zip: nodes.csv (id and the node attributes) and
// edges.csv (source, target, type, role, weight). Each is UTF-8 with a byte order mark (so Excel
// reads it as UTF-8), a header row and CRLF line ends (RFC 4180). Cells a spreadsheet would run
// as a formula (starting with =, +, -, @, tab or carriage return) get a leading apostrophe,
// which spreadsheets show as text: names and titles are typed by editors, and an export must
// not run their formulas on an analyst's machine.
type CSVWriter struct {
	order
	z     *zip.Writer
	buf   *bufio.Writer
	c     *csv.Writer
	o     Options
	vals  []string
	cells []string
	err   error
}

// NewCSV starts the zip on w with nodes.csv and its header. Nothing reaches w before the
// buffer fills or Close flushes it.
func NewCSV(w io.Writer, o Options) *CSVWriter {
	buf := newBuffer(w)
	x := &CSVWriter{z: zip.NewWriter(buf), buf: buf, o: o}
	header := []string{"id"}
	for _, c := range nodeColumnsFor(o) {
		header = append(header, c.name)
	}
	x.begin("nodes.csv", header)
	return x
}

// byteOrderMark starts each table.
const byteOrderMark = "\uFEFF"

// begin starts a table in the zip and writes its header.
func (x *CSVWriter) begin(name string, header []string) {
	if x.err != nil {
		return
	}
	f, err := x.z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: x.o.Time})
	if err != nil {
		x.err = err
		return
	}
	if _, err := io.WriteString(f, byteOrderMark); err != nil {
		x.err = err
		return
	}
	x.c = csv.NewWriter(f)
	x.c.UseCRLF = true
	x.err = x.c.Write(header)
}

// Node implements pg.ExportSink.
func (x *CSVWriter) Node(n pg.ExportNode) error {
	if err := x.node(); err != nil {
		return err
	}
	if x.err != nil {
		return x.err
	}
	x.vals = nodeValues(&n, x.o, x.vals)
	x.cells = append(append(x.cells[:0], n.ID), x.vals...)
	return x.row()
}

// Edge implements pg.ExportSink.
func (x *CSVWriter) Edge(e pg.ExportEdge) error {
	first, err := x.edge()
	if err != nil {
		return err
	}
	if first {
		x.endTable()
		x.begin("edges.csv", []string{"source", "target", "type", "role", "weight"})
	}
	if x.err != nil {
		return x.err
	}
	x.vals = edgeValues(&e, x.vals)
	x.cells = append(append(x.cells[:0], e.Source, e.Target), x.vals...)
	return x.row()
}

func (x *CSVWriter) row() error {
	for i, c := range x.cells {
		x.cells[i] = defuse(c)
	}
	if err := x.c.Write(x.cells); err != nil {
		x.err = err
	}
	return x.err
}

// endTable flushes the current table's CSV writer.
func (x *CSVWriter) endTable() {
	if x.err != nil {
		return
	}
	x.c.Flush()
	x.err = x.c.Error()
}

// Close implements Writer: it ends edges.csv (empty when there were no edges) and the zip.
func (x *CSVWriter) Close() error {
	inEdges := x.inEdges
	if x.close() {
		return errClosed
	}
	x.endTable()
	if !inEdges {
		x.begin("edges.csv", []string{"source", "target", "type", "role", "weight"})
		x.endTable()
	}
	if x.err != nil {
		return x.err
	}
	if err := x.z.Close(); err != nil {
		return err
	}
	return x.buf.Flush()
}

// defuse makes a cell that a spreadsheet would evaluate plain text.
func defuse(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
