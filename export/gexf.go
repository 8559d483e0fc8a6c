package export

import (
	"bufio"
	"encoding/xml"
	"io"
	"strconv"

	pg "github.com/unicri/partnergraph"
)

// GEXFWriter writes GEXF 1.3 (http://gexf.net/1.3), static: the node and edge attributes
// declared with their types, then <nodes>, then <edges>. The label is the node's own label;
// an edge's label and, in whole-graph exports, its kind (GEXF's way to tell parallel edges
// apart) are its relationship type; its weight is the GEXF weight. Attributes without a value
// are left out.
type GEXFWriter struct {
	order
	w    *bufio.Writer
	o    Options
	vals []string
	cols []column
}

// NewGEXF starts a GEXF document on w. Nothing reaches w before the buffer fills or Close
// flushes it.
func NewGEXF(w io.Writer, o Options) *GEXFWriter {
	g := &GEXFWriter{w: newBuffer(w), o: o, cols: nodeColumnsFor(o)[1:]} // the label is an XML attribute
	b := g.w
	b.WriteString(xml.Header)
	b.WriteString(`<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"` +
		` xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">` + "\n")
	b.WriteString("  <meta")
	if !o.Time.IsZero() {
		b.WriteString(` lastmodifieddate="` + o.Time.UTC().Format("2006-01-02") + `"`)
	}
	b.WriteString(">\n    <creator>partnergraph</creator>\n")
	if o.Description != "" {
		b.WriteString("    <description>")
		escape(b, o.Description)
		b.WriteString("</description>\n")
	}
	b.WriteString("  </meta>\n")
	edgeType := "directed"
	if o.Network {
		edgeType = "undirected"
	}
	b.WriteString(`  <graph mode="static" defaultedgetype="` + edgeType + `">` + "\n")
	b.WriteString(`    <attributes class="node">` + "\n")
	for _, c := range g.cols {
		writeAttribute(b, c)
	}
	b.WriteString("    </attributes>\n")
	b.WriteString(`    <attributes class="edge">` + "\n")
	for _, c := range edgeColumns[:2] { // type and role; the weight is GEXF's own
		writeAttribute(b, c)
	}
	b.WriteString("    </attributes>\n    <nodes>\n")
	return g
}

func writeAttribute(b *bufio.Writer, c column) {
	typ := c.typ
	if typ == "int" {
		typ = "integer"
	}
	b.WriteString(`      <attribute id="` + c.name + `" title="` + c.name + `" type="` + typ + `"/>` + "\n")
}

// Node implements pg.ExportSink.
func (g *GEXFWriter) Node(n pg.ExportNode) error {
	if err := g.node(); err != nil {
		return err
	}
	b := g.w
	b.WriteString(`      <node id="`)
	escape(b, n.ID)
	b.WriteString(`" label="`)
	escape(b, n.Label)
	b.WriteString(`">`)
	g.vals = nodeValues(&n, g.o, g.vals)
	g.attvalues(g.cols, g.vals[1:])
	b.WriteString("</node>\n")
	return g.err()
}

// Edge implements pg.ExportSink.
func (g *GEXFWriter) Edge(e pg.ExportEdge) error {
	first, err := g.edge()
	if err != nil {
		return err
	}
	b := g.w
	if first {
		b.WriteString("    </nodes>\n    <edges>\n")
	}
	g.vals = edgeValues(&e, g.vals)
	b.WriteString(`      <edge id="`)
	b.WriteString(strconv.Itoa(g.edges))
	b.WriteString(`" source="`)
	escape(b, e.Source)
	b.WriteString(`" target="`)
	escape(b, e.Target)
	b.WriteString(`" label="`)
	escape(b, g.vals[0])
	if !g.o.Network {
		b.WriteString(`" kind="`)
		escape(b, g.vals[0])
	}
	b.WriteString(`" weight="`)
	b.WriteString(g.vals[2])
	b.WriteString(`">`)
	g.attvalues(edgeColumns[:2], g.vals[:2])
	b.WriteString("</edge>\n")
	return g.err()
}

func (g *GEXFWriter) attvalues(cols []column, vals []string) {
	open := false
	for i, v := range vals {
		if v == "" {
			continue
		}
		if !open {
			g.w.WriteString("<attvalues>")
			open = true
		}
		g.w.WriteString(`<attvalue for="` + cols[i].name + `" value="`)
		escape(g.w, v)
		g.w.WriteString(`"/>`)
	}
	if open {
		g.w.WriteString("</attvalues>")
	}
}

// Close implements Writer.
func (g *GEXFWriter) Close() error {
	inEdges := g.inEdges
	if g.close() {
		return errClosed
	}
	if !inEdges {
		g.w.WriteString("    </nodes>\n    <edges>\n")
	}
	g.w.WriteString("    </edges>\n  </graph>\n</gexf>\n")
	return g.w.Flush()
}

func (g *GEXFWriter) err() error {
	_, err := g.w.Write(nil)
	return err
}
