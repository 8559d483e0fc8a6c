package analytics

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/community"
	"gonum.org/v1/gonum/graph/simple"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/generate"
	"github.com/unicri/partnergraph/internal/neo4jtest"
	"github.com/unicri/partnergraph/internal/pyenv"
)

// networkx is what testdata/check_network.py computes.
type networkx struct {
	PageRank    map[string]float64 `json:"pagerank"`
	Betweenness map[string]float64 `json:"betweenness"`
	Closeness   map[string]float64 `json:"closeness"`
	Modularity  float64            `json:"modularity"`
}

// recompute hands the network's weighted links to NetworkX.
func recompute(t *testing.T, n *partnerNetwork) networkx {
	t.Helper()
	var edges [][3]any
	for i, partners := range n.adj {
		for j, w := range partners {
			if i < j {
				edges = append(edges, [3]any{n.ids[i], n.ids[j], w})
			}
		}
	}
	b, err := json.Marshal(map[string]any{"edges": edges})
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(t.TempDir(), "network.json")
	if err := os.WriteFile(in, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pyenv.Python(t), filepath.Join("testdata", "check_network.py"), in).Output()
	if err != nil {
		t.Fatalf("check_network.py: %v", err)
	}
	var nx networkx
	if err := json.Unmarshal(out, &nx); err != nil {
		t.Fatalf("check_network.py printed %q: %v", out, err)
	}
	return nx
}

// agree checks the analysis against NetworkX: PageRank, betweenness and closeness within
// 1e-6 of its values, modularity at least 0.95 of its Louvain's.
func agree(t *testing.T, n *partnerNetwork) {
	t.Helper()
	a := n.analysis
	if a.BetweennessSources != a.Organisations {
		t.Fatalf("betweenness from %d sources of %d organisations: the comparison needs the exact form", a.BetweennessSources, a.Organisations)
	}
	nx := recompute(t, n)
	if len(nx.PageRank) != a.Organisations {
		t.Fatalf("NetworkX saw %d organisations, the analysis %d", len(nx.PageRank), a.Organisations)
	}
	worst := map[string]float64{}
	for id, m := range a.ByID {
		for name, pair := range map[string][2]float64{
			"pageRank": {m.PageRank, nx.PageRank[id]}, "betweenness": {m.Betweenness, nx.Betweenness[id]}, "closeness": {m.Closeness, nx.Closeness[id]},
		} {
			d := math.Abs(pair[0] - pair[1])
			worst[name] = max(worst[name], d)
			if d > 1e-6 {
				t.Errorf("%s of %s: %.9f, NetworkX %.9f", name, id, pair[0], pair[1])
			}
		}
	}
	// The modularity this package reports, against gonum's for the same partition.
	g := simple.NewWeightedUndirectedGraph(0, 0)
	for i := range n.ids {
		g.AddNode(simple.Node(i))
	}
	for i, partners := range n.adj {
		for j, w := range partners {
			if i < j {
				g.SetWeightedEdge(g.NewWeightedEdge(simple.Node(i), simple.Node(j), w))
			}
		}
	}
	var groups [][]graph.Node
	for _, c := range a.Communities {
		var members []graph.Node
		for _, id := range c.Members {
			members = append(members, simple.Node(n.index[id]))
		}
		groups = append(groups, members)
	}
	if q := community.Q(g, groups, 1); math.Abs(q-a.Modularity) > 1e-9 {
		t.Errorf("modularity %.9f, gonum's Q of the same communities %.9f", a.Modularity, q)
	}
	t.Logf("%d organisations, %d links; largest differences from NetworkX %v; modularity %.4f, NetworkX's Louvain %.4f",
		a.Organisations, a.Links, worst, a.Modularity, nx.Modularity)
	if a.Modularity < 0.95*nx.Modularity {
		t.Errorf("modularity %.4f, under 0.95 of NetworkX's Louvain (%.4f)", a.Modularity, nx.Modularity)
	}
}

func TestAnalyticsAgreeWithNetworkX(t *testing.T) {
	db := neo4jtest.Open(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	admin := pg.Viewer{Drafts: true}

	t.Run("the seed", func(t *testing.T) {
		neo4jtest.MustSeedCentre(t, db)
		s := New(db.Partners())
		weight := map[string]float64{}
		for _, f := range []pg.AnalyticsFilter{{}, {Units: true}, {PerEvent: true}} {
			n, err := s.network(ctx, admin, f)
			if err != nil {
				t.Fatal(err)
			}
			agree(t, n)
			link := func(a, b string) float64 {
				i, ok1 := n.index[a]
				j, ok2 := n.index[b]
				if !ok1 || !ok2 {
					return 0
				}
				return n.adj[i][j]
			}
			key := filterKey(f)
			weight["interpol-unicri "+key] = link("org-interpol", "org-unicri")
			weight["unicri-france "+key] = link("org-government-france", "org-unicri")
			weight["centre "+key] = float64(len(n.adj[n.index["org-unicri-centre-ai-robotics"]]))
			if _, ok := n.index["org-unicri-centre-ai-robotics"]; !ok {
				weight["centre "+key] = -1
			}
			for _, p := range [][2]string{{"org-unicri", "org-unicri-centre-ai-robotics"}, {"org-interpol", "org-interpol-innovation-centre"}} {
				if w := link(p[0], p[1]); w != 0 {
					t.Errorf("%s and its unit %s are partners (%v) in %s", p[0], p[1], w, key)
				}
			}
		}
		// INTERPOL's partners, units rolled up: UNICRI first, with the four pieces of work.
		ps, err := s.Partners(ctx, admin, pg.AnalyticsFilter{}, "org-interpol", 10)
		if err != nil || len(ps) == 0 {
			t.Fatalf("INTERPOL's partners: %v, %v", ps, err)
		}
		var shared []string
		for _, e := range ps[0].Shared {
			shared = append(shared, e.ID)
		}
		slices.Sort(shared)
		want := []string{"evt-2018-interpol-unicri-global-meeting-singapore", "evt-toolkit-responsible-ai-launch-singapore",
			"pub-ai-robotics-for-law-enforcement-report", "pub-toolkit-responsible-ai-innovation-law-enforcement"}
		if ps[0].ID != "org-unicri" || !slices.Equal(shared, want) {
			t.Errorf("INTERPOL's first partner: %s sharing %v, want org-unicri sharing %v", ps[0].ID, shared, want)
		}
		unit, err := s.Partners(ctx, admin, pg.AnalyticsFilter{}, "org-interpol-innovation-centre", 10)
		if err != nil || len(unit) != len(ps) || unit[0].ID != ps[0].ID {
			t.Errorf("the Innovation Centre, rolled up, answers for INTERPOL: got %v (%v), want %v", unit, err, ps)
		}
		// UNICRI and France share the Kyiv delivery once: the umbrella event, not its sessions.
		ups, err := s.Partners(ctx, admin, pg.AnalyticsFilter{}, "org-government-france", 10)
		if err != nil || len(ups) == 0 {
			t.Fatalf("France's partners: %v, %v", ups, err)
		}
		for _, p := range ups {
			if p.ID == "org-unicri" && (len(p.Shared) != 1 || p.Shared[0].ID != "evt-2025-ukraine-advanced-training-kyiv") {
				t.Errorf("France and UNICRI share %v, want the Kyiv delivery once", p.Shared)
			}
		}
		rolled, units, perEvent := filterKey(pg.AnalyticsFilter{}), filterKey(pg.AnalyticsFilter{Units: true}), filterKey(pg.AnalyticsFilter{PerEvent: true})
		for _, c := range []struct {
			what string
			got  float64
			want float64
		}{
			// The Singapore meeting, the Toolkit's launch, the Toolkit and the 2018 report (by
			// the two organisations' units).
			{"INTERPOL and UNICRI, units rolled up", weight["interpol-unicri "+rolled], 4},
			{"INTERPOL and UNICRI, units apart", weight["interpol-unicri "+units], 3},
			{"the UNICRI Centre rolled into UNICRI (not in the network)", weight["centre "+rolled], -1},
			{"the Kyiv delivery, one engagement", weight["unicri-france "+rolled], 1},
			{"the Kyiv delivery, per event", weight["unicri-france "+perEvent], 3},
		} {
			if c.got != c.want {
				t.Errorf("%s: %v, want %v (units counted apart: INTERPOL-UNICRI %v)", c.what, c.got, c.want, weight["interpol-unicri "+units])
			}
		}
	})
	t.Run("a generated graph of 2,000 organisations", func(t *testing.T) {
		if err := db.Reset(ctx); err != nil {
			t.Fatal(err)
		}
		c := generate.Config{Organisations: 2000, Events: 2500, Publications: 500, Seed: 1}
		if _, err := generate.Load(ctx, db.Importer(), c, generate.Options{}); err != nil {
			t.Fatal(err)
		}
		n, err := New(db.Partners()).network(ctx, admin, pg.AnalyticsFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if n.analysis.Organisations < 1000 {
			t.Fatalf("only %d organisations in the network: not the test meant", n.analysis.Organisations)
		}
		agree(t, n)
	})
}
