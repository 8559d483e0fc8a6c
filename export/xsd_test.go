package export_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/export"
	"github.com/unicri/partnergraph/export/xsdtest"
)

// TestExportsAreSchemaValid validates GraphML and GEXF files, whole-graph and network, empty,
// small and large with hostile text, against the formats' official XML Schemas.
func TestExportsAreSchemaValid(t *testing.T) {
	files := map[string][]byte{}
	for _, f := range []export.Format{export.GraphML, export.GEXF} {
		for _, network := range []bool{false, true} {
			mode := "graph"
			if network {
				mode = "network"
			}
			files[mode+f.Extension()] = write(t, f, network)
			files["empty-"+mode+f.Extension()] = render(t, f, export.Options{Network: network}, nil, nil)
			nodes, edges := randomGraph(500, 2000, network)
			files["random-"+mode+f.Extension()] = render(t, f, export.Options{Network: network, Description: hostile(rand.New(rand.NewPCG(9, 9)), 40)}, nodes, edges)
		}
	}
	xsdtest.Validate(t, files)
}

// TestSchemaValidationCatchesErrors: the validator is not a rubber stamp.
func TestSchemaValidationCatchesErrors(t *testing.T) {
	bad := map[string]func([]byte) []byte{
		"bad-type.graphml": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`attr.type="int"`), []byte(`attr.type="integer"`), 1)
		},
		"dangling-edge.graphml": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`source="org-a"`), []byte(`source="org-nobody"`), 1)
		},
		"bad-weight.gexf": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`weight="1"`), []byte(`weight="heavy"`), 1)
		},
	}
	for name, spoil := range bad {
		t.Run(name, func(t *testing.T) {
			f := export.GraphML
			if strings.HasSuffix(name, ".gexf") {
				f = export.GEXF
			}
			good := write(t, f, false)
			spoilt := spoil(good)
			if bytes.Equal(good, spoilt) {
				t.Fatal("the file was not changed")
			}
			ft := &failRecorder{TB: t}
			func() {
				defer func() { _ = recover() }()
				xsdtest.Validate(ft, map[string][]byte{name: spoilt})
			}()
			if !ft.failed {
				t.Errorf("%s passed validation", name)
			}
		})
	}
}

// failRecorder records a Fatalf instead of failing the test (and stops the helper by panicking).
type failRecorder struct {
	testing.TB
	failed bool
}

func (f *failRecorder) Fatalf(format string, args ...any) {
	f.failed = true
	f.TB.Logf("expected failure: "+format, args...)
	panic("stop")
}

func render(t *testing.T, f export.Format, o export.Options, nodes []pg.ExportNode, edges []pg.ExportEdge) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := export.New(f, &buf, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		if err := w.Node(n); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range edges {
		if err := w.Edge(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// hostile returns text with markup, quotes, control characters, characters XML cannot carry,
// invalid UTF-8 and non-Latin scripts.
func hostile(rng *rand.Rand, n int) string {
	pieces := []string{"<", ">", "&", `"`, "'", "]]>", "\x00", "\x07", "\t", "\n", "\r", "\uFFFE", "\xff", "\xed\xa0\x80",
		"é", "日本", "🤖", " ", "a", "Z", "0", "-", "&amp;", "<!--", "?>"}
	var b strings.Builder
	for range n {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	return b.String()
}

// randomGraph returns nodes with every attribute set or empty at random and edges between
// them, with hostile labels; network edges are pairs with weights, as networks are.
func randomGraph(nNodes, nEdges int, network bool) ([]pg.ExportNode, []pg.ExportEdge) {
	rng := rand.New(rand.NewPCG(7, uint64(nNodes)))
	pick := func(vals ...string) string { return vals[rng.IntN(len(vals))] }
	nodes := make([]pg.ExportNode, nNodes)
	for i := range nodes {
		kind := pg.Kinds[rng.IntN(len(pg.Kinds))]
		nodes[i] = pg.ExportNode{
			ID: fmt.Sprintf("%s-%d", strings.ToLower(string(kind)), i), Label: hostile(rng, rng.IntN(12)), Kind: kind,
			SubKind: pick("", "UN_BODY", "WORKSHOP"), Status: pg.Status(pick(string(pg.StatusPublished), string(pg.StatusDraft))),
			StartDate: pg.Date(pick("", "2018", "2018-07", "2018-07-11")), EndDate: pg.Date(pick("", "2019-01-02")), Published: pg.Date(pick("", "2020")),
			Founded: pg.Date(pick("", "1968")), CountryCode: pick("", "IT", "CH;IT"), Depth: rng.IntN(4),
		}
	}
	edges := make([]pg.ExportEdge, nEdges)
	types := []pg.RelType{pg.RelOrganised, pg.RelAttended, pg.RelPublished, pg.RelAbout, pg.RelHeldIn}
	roles := []pg.Role{pg.RoleOrganiser, pg.RoleCoOrganiser, pg.RoleHost, pg.RolePublisher}
	for i := range edges {
		e := pg.ExportEdge{Source: nodes[rng.IntN(nNodes)].ID, Target: nodes[rng.IntN(nNodes)].ID, Types: []pg.RelType{types[rng.IntN(len(types))]}, Weight: 1}
		if rng.IntN(2) == 0 {
			e.Roles = []pg.Role{roles[rng.IntN(len(roles))]}
		}
		if network {
			e.Types = append(e.Types, types[rng.IntN(len(types))])
			e.Weight = 1 + rng.IntN(9)
		}
		edges[i] = e
	}
	return nodes, edges
}
