package export_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/export"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// Labels with everything XML and spreadsheets must not take literally.
const (
	ampLabel     = `UNICRI & "Friends" <AI> 'n' co.`
	unicodeLabel = "Café\nRobotics — 日本 ✓"
	formulaLabel = `=HYPERLINK("http://example.invalid","click")`
	controlLabel = "bell\x07 and tab\tend"
)

var smallNodes = []pg.ExportNode{
	{ID: "org-a", Label: ampLabel, Kind: pg.KindOrganisation, SubKind: "UN_BODY", Status: pg.StatusPublished, Founded: "2018", CountryCode: "IT"},
	{ID: "evt-b", Label: unicodeLabel, Kind: pg.KindEvent, SubKind: "WORKSHOP", Status: pg.StatusPublished, StartDate: "2019-06-03", EndDate: "2019-06-05", CountryCode: "CH;IT", Depth: 1},
	{ID: "pub-c", Label: formulaLabel, Kind: pg.KindPublication, SubKind: "REPORT", Status: pg.StatusDraft, Published: "2020-07", Depth: 1},
	{ID: "place-d", Label: controlLabel, Kind: pg.KindPlace, SubKind: "CITY", Status: pg.StatusPublished, CountryCode: "IT", Depth: 2},
}

var smallEdges = []pg.ExportEdge{
	{Source: "org-a", Target: "evt-b", Types: []pg.RelType{pg.RelOrganised}, Roles: []pg.Role{pg.RoleOrganiser}, Weight: 1},
	{Source: "org-a", Target: "evt-b", Types: []pg.RelType{pg.RelAttended}, Roles: []pg.Role{pg.RoleParticipant}, Weight: 1},
	{Source: "org-a", Target: "pub-c", Types: []pg.RelType{pg.RelPublished}, Roles: []pg.Role{pg.RolePublisher}, Weight: 1},
	{Source: "evt-b", Target: "place-d", Types: []pg.RelType{pg.RelHeldIn}, Weight: 1},
}

// networkEdges are the same relationships as a network draws them: one edge per pair.
var networkEdges = []pg.ExportEdge{
	{Source: "evt-b", Target: "org-a", Types: []pg.RelType{pg.RelOrganised, pg.RelAttended}, Roles: []pg.Role{pg.RoleOrganiser, pg.RoleParticipant}, Weight: 2},
	{Source: "evt-b", Target: "place-d", Types: []pg.RelType{pg.RelHeldIn}, Weight: 1},
	{Source: "org-a", Target: "pub-c", Types: []pg.RelType{pg.RelPublished}, Roles: []pg.Role{pg.RolePublisher}, Weight: 1},
}

var stamp = time.Date(2025, 1, 2, 15, 4, 5, 0, time.UTC)

func write(t *testing.T, f export.Format, network bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := export.New(f, &buf, export.Options{Network: network, Description: "a <small> test & graph", Time: stamp})
	if err != nil {
		t.Fatal(err)
	}
	edges := smallEdges
	if network {
		edges = networkEdges
	}
	for _, n := range smallNodes {
		if err := w.Node(n); err != nil {
			t.Fatalf("Node(%s): %v", n.ID, err)
		}
	}
	for _, e := range edges {
		if err := w.Edge(e); err != nil {
			t.Fatalf("Edge(%s, %s): %v", e.Source, e.Target, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if n, e := w.Counts(); n != len(smallNodes) || e != len(edges) {
		t.Errorf("Counts: got %d nodes and %d edges, want %d and %d", n, e, len(smallNodes), len(edges))
	}
	return buf.Bytes()
}

// unzip returns the files of a zip, by name.
func unzip(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = b
	}
	return out
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./export -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./export -update rewrites it):\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	for _, network := range []bool{false, true} {
		scope := "graph"
		if network {
			scope = "network"
		}
		t.Run(scope, func(t *testing.T) {
			golden(t, scope+".graphml", write(t, export.GraphML, network))
			golden(t, scope+".gexf", write(t, export.GEXF, network))
			files := unzip(t, write(t, export.CSV, network))
			if len(files) != 2 {
				t.Errorf("zip holds %d files, want nodes.csv and edges.csv", len(files))
			}
			golden(t, scope+".nodes.csv", files["nodes.csv"])
			golden(t, scope+".edges.csv", files["edges.csv"])
		})
	}
}

// xmlDoc is what the tests read back from either XML format.
type xmlDoc struct {
	root   xml.Name
	labels map[string]string // node id -> label
	attrs  map[string]map[string]string
	edges  int
}

// readXML decodes every token (the document must be well-formed) and collects node labels.
func readXML(t *testing.T, data []byte) xmlDoc {
	t.Helper()
	doc := xmlDoc{labels: map[string]string{}, attrs: map[string]map[string]string{}}
	d := xml.NewDecoder(bytes.NewReader(data))
	var node, key string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, data)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			attr := func(name string) string {
				for _, a := range x.Attr {
					if a.Name.Local == name {
						return a.Value
					}
				}
				return ""
			}
			if doc.root.Local == "" {
				doc.root = x.Name
			}
			switch x.Name.Local {
			case "node":
				node = attr("id")
				doc.attrs[node] = map[string]string{}
				if l := attr("label"); l != "" {
					doc.labels[node] = l // GEXF
				}
			case "edge":
				doc.edges++
				node = ""
			case "data":
				key = attr("key")
			case "attvalue":
				if node != "" {
					doc.attrs[node][attr("for")] = attr("value")
				}
			}
		case xml.CharData:
			if key != "" && node != "" {
				doc.attrs[node][key] += string(x)
			}
		case xml.EndElement:
			if x.Name.Local == "data" {
				key = ""
			}
		}
	}
	for id, a := range doc.attrs {
		if l, ok := a["label"]; ok {
			doc.labels[id] = l // GraphML
		}
	}
	return doc
}

func TestXMLIsWellFormedAndEscaped(t *testing.T) {
	wantLabels := map[string]string{
		"org-a": ampLabel, "evt-b": unicodeLabel, "pub-c": formulaLabel,
		"place-d": "bell\uFFFD and tab\tend", // XML 1.0 cannot carry U+0007
	}
	for _, tc := range []struct {
		format export.Format
		ns     string
	}{
		{export.GraphML, "http://graphml.graphdrawing.org/xmlns"},
		{export.GEXF, "http://gexf.net/1.3"},
	} {
		t.Run(string(tc.format), func(t *testing.T) {
			data := write(t, tc.format, false)
			doc := readXML(t, data)
			if doc.root.Space != tc.ns {
				t.Errorf("root namespace: got %q, want %q", doc.root.Space, tc.ns)
			}
			for id, want := range wantLabels {
				if got := doc.labels[id]; got != want {
					t.Errorf("label of %s: got %q, want %q", id, got, want)
				}
			}
			if doc.attrs["evt-b"]["countryCode"] != "CH;IT" || doc.attrs["pub-c"]["status"] != "DRAFT" {
				t.Errorf("attributes read back: %v", doc.attrs)
			}
			if doc.edges != len(smallEdges) {
				t.Errorf("edges: got %d, want %d", doc.edges, len(smallEdges))
			}
			if bytes.Contains(data, []byte("<AI>")) || bytes.Contains(data, []byte("\x07")) {
				t.Errorf("unescaped text in the document:\n%s", data)
			}
		})
	}
}

func TestCSVOpensInSpreadsheets(t *testing.T) {
	files := unzip(t, write(t, export.CSV, false))
	for _, name := range []string{"nodes.csv", "edges.csv"} {
		data := files[name]
		if !bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
			t.Errorf("%s does not start with a UTF-8 byte order mark", name)
		}
		if !bytes.Contains(data, []byte("\r\n")) {
			t.Errorf("%s lines do not end in CRLF", name)
		}
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(files["nodes.csv"], []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ","); got != "id,label,kind,subKind,status,startDate,endDate,published,founded,countryCode" {
		t.Errorf("nodes.csv header: %s", got)
	}
	labels := map[string]string{}
	for _, r := range rows[1:] {
		labels[r[0]] = r[1]
	}
	for id, want := range map[string]string{"org-a": ampLabel, "evt-b": unicodeLabel, "pub-c": "'" + formulaLabel, "place-d": controlLabel} {
		if labels[id] != want {
			t.Errorf("label of %s: got %q, want %q", id, labels[id], want)
		}
	}
}

func TestEmptyExportsAreComplete(t *testing.T) {
	for _, f := range export.Formats {
		t.Run(string(f), func(t *testing.T) {
			var buf bytes.Buffer
			w, _ := export.New(f, &buf, export.Options{})
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if f == export.CSV {
				files := unzip(t, buf.Bytes())
				if !bytes.HasPrefix(files["nodes.csv"], []byte("\xEF\xBB\xBFid,")) || !bytes.HasPrefix(files["edges.csv"], []byte("\xEF\xBB\xBFsource,")) {
					t.Errorf("empty csv export: %q", files)
				}
				return
			}
			readXML(t, buf.Bytes())
			if (f == export.GEXF && !bytes.Contains(buf.Bytes(), []byte("<nodes>"))) || !bytes.Contains(buf.Bytes(), []byte("</graph>")) {
				t.Errorf("empty %s export lacks its required elements:\n%s", f, buf.Bytes())
			}
		})
	}
}

func TestWritersRefuseOutOfOrder(t *testing.T) {
	for _, f := range export.Formats {
		t.Run(string(f), func(t *testing.T) {
			w, _ := export.New(f, io.Discard, export.Options{})
			if err := w.Edge(smallEdges[0]); err != nil {
				t.Fatal(err)
			}
			if err := w.Node(smallNodes[0]); err == nil {
				t.Error("a node after an edge was accepted")
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if err := w.Edge(smallEdges[0]); err == nil {
				t.Error("an edge after Close was accepted")
			}
		})
	}
}

func TestGraphMLRefusesIDsThatAreNotNameTokens(t *testing.T) {
	w := export.NewGraphML(io.Discard, export.Options{})
	if err := w.Node(pg.ExportNode{ID: "two words"}); err == nil {
		t.Error("GraphML accepted a node id with a space (ids must be NMTOKENs)")
	}
}

// countingWriter counts the bytes that reached it.
type countingWriter struct{ n int }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }

// TestWritersStream proves the writers write as they go: after many edges, all but a buffer's
// worth of the file has reached the underlying writer before Close.
func TestWritersStream(t *testing.T) {
	for _, f := range export.Formats {
		t.Run(string(f), func(t *testing.T) {
			var out countingWriter
			w, _ := export.New(f, &out, export.Options{})
			for _, n := range smallNodes {
				_ = w.Node(n)
			}
			// Distinct ends, so that even the zip's compression leaves a large file.
			rng := rand.New(rand.NewPCG(1, 2))
			for range 50000 {
				e := pg.ExportEdge{Source: fmt.Sprintf("n-%x", rng.Uint64()), Target: fmt.Sprintf("n-%x", rng.Uint64()), Types: []pg.RelType{pg.RelAbout}, Weight: 1}
				if err := w.Edge(e); err != nil {
					t.Fatal(err)
				}
			}
			before := out.n
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if before < out.n/2 || out.n-before > 256<<10 {
				t.Errorf("%d of %d bytes reached the writer before Close: the writer holds its output", before, out.n)
			}
		})
	}
}

// failingWriter fails every write.
type failingWriter struct{}

var errDiskFull = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestWriteErrorsStopTheExport(t *testing.T) {
	for _, f := range export.Formats {
		t.Run(string(f), func(t *testing.T) {
			w, _ := export.New(f, failingWriter{}, export.Options{})
			var err error
			for i := 0; i < 100000 && err == nil; i++ {
				err = w.Edge(smallEdges[0])
			}
			if err == nil {
				err = w.Close()
			}
			if !errors.Is(err, errDiskFull) {
				t.Errorf("got %v, want the writer's error", err)
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	for _, s := range []string{"graphml", "GEXF", "csv"} {
		if _, err := export.ParseFormat(s); err != nil {
			t.Errorf("ParseFormat(%q): %v", s, err)
		}
	}
	if _, err := export.ParseFormat("xlsx"); pg.ErrorCode(err) != pg.EINVALID {
		t.Errorf("ParseFormat(xlsx): got %v, want EINVALID", err)
	}
}
