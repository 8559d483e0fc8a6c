package export

import (
	"bufio"
	"encoding/xml"
	"io"
	"strconv"

	pg "github.com/unicri/partnergraph"
)

// GraphMLWriter writes GraphML (http://graphml.graphdrawing.org/xmlns): one <key> per
// attribute with its type, then one <graph> of <node>s followed by <edge>s. Attributes without
// a value are left out. Text is escaped by encoding/xml; characters XML cannot carry become
// U+FFFD.
type GraphMLWriter struct {
	order
	w    *bufio.Writer
	o    Options
	vals []string
	cols []column
}

// NewGraphML starts a GraphML document on w. Nothing reaches w before the buffer fills or
// Close flushes it.
func NewGraphML(w io.Writer, o Options) *GraphMLWriter {
	g := &GraphMLWriter{w: newBuffer(w), o: o, cols: nodeColumnsFor(o)}
	b := g.w
	b.WriteString(xml.Header)
	b.WriteString(`<graphml xmlns="http://graphml.graphdrawing.org/xmlns"` +
		` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"` +
		` xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">` + "\n")
	if o.Description != "" {
		b.WriteString("  <desc>")
		escape(b, o.Description)
		b.WriteString("</desc>\n")
	}
	// Key ids are the attribute names: node and edge names do not overlap.
	for _, c := range g.cols {
		writeKey(b, "node", c)
	}
	for _, c := range edgeColumns {
		writeKey(b, "edge", c)
	}
	edgeDefault := "directed"
	if o.Network {
		edgeDefault = "undirected"
	}
	b.WriteString(`  <graph id="partnergraph" edgedefault="` + edgeDefault + `">` + "\n")
	return g
}

func writeKey(b *bufio.Writer, domain string, c column) {
	b.WriteString(`  <key id="` + c.name + `" for="` + domain + `" attr.name="` + c.name + `" attr.type="` + c.typ + `"/>` + "\n")
}

// Node implements pg.ExportSink.
func (g *GraphMLWriter) Node(n pg.ExportNode) error {
	if err := g.node(); err != nil {
		return err
	}
	if err := checkID("node", n.ID); err != nil {
		return err
	}
	b := g.w
	b.WriteString(`    <node id="`)
	escape(b, n.ID)
	b.WriteString(`">`)
	g.vals = nodeValues(&n, g.o, g.vals)
	g.data(g.cols, g.vals)
	b.WriteString("</node>\n")
	return g.err()
}

// Edge implements pg.ExportSink.
func (g *GraphMLWriter) Edge(e pg.ExportEdge) error {
	if _, err := g.edge(); err != nil {
		return err
	}
	if err := checkID("edge source", e.Source); err != nil {
		return err
	}
	if err := checkID("edge target", e.Target); err != nil {
		return err
	}
	b := g.w
	b.WriteString(`    <edge id="e`)
	b.WriteString(strconv.Itoa(g.edges))
	b.WriteString(`" source="`)
	escape(b, e.Source)
	b.WriteString(`" target="`)
	escape(b, e.Target)
	b.WriteString(`">`)
	g.vals = edgeValues(&e, g.vals)
	g.data(edgeColumns, g.vals)
	b.WriteString("</edge>\n")
	return g.err()
}

func (g *GraphMLWriter) data(cols []column, vals []string) {
	for i, v := range vals {
		if v == "" {
			continue
		}
		g.w.WriteString(`<data key="` + cols[i].name + `">`)
		escape(g.w, v)
		g.w.WriteString("</data>")
	}
}

// Close implements Writer.
func (g *GraphMLWriter) Close() error {
	if g.close() {
		return errClosed
	}
	g.w.WriteString("  </graph>\n</graphml>\n")
	return g.w.Flush()
}

// err returns the first write error: bufio keeps it.
func (g *GraphMLWriter) err() error {
	_, err := g.w.Write(nil)
	return err
}

// escape writes s escaped for XML text and attribute values (quotes and line breaks
// included, so attribute values keep them).
func escape(b *bufio.Writer, s string) {
	if !needsEscape(s) {
		b.WriteString(s)
		return
	}
	_ = xml.EscapeText(b, []byte(s)) // errors stay in b
}

// needsEscape reports whether s has a character EscapeText would change. Most values (ids,
// kinds, dates) have none, and skip the copy.
func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x80 || c == '&' || c == '<' || c == '>' || c == '"' || c == '\'' {
			return true
		}
	}
	return false
}
