package neo4jstore_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/internal/neo4jtest"
	"github.com/unicri/partnergraph/neo4jstore"
)

// recorder is an export sink that keeps what it gets.
type recorder struct {
	nodes []pg.ExportNode
	edges []pg.ExportEdge
}

func (r *recorder) Node(n pg.ExportNode) error {
	if len(r.edges) > 0 {
		return errors.New("a node after an edge")
	}
	r.nodes = append(r.nodes, n)
	return nil
}

func (r *recorder) Edge(e pg.ExportEdge) error { r.edges = append(r.edges, e); return nil }

func (r *recorder) node(id string) *pg.ExportNode {
	for i := range r.nodes {
		if r.nodes[i].ID == id {
			return &r.nodes[i]
		}
	}
	return nil
}

// draftID is a draft event organised by INTERPOL, added to the centre dataset.
const draftID = "evt-export-draft"

func seedWithDraft(t *testing.T, db *neo4jstore.DB) {
	t.Helper()
	neo4jtest.MustSeedCentre(t, db)
	_, err := db.Content().CreateNode(context.Background(), pg.NodeInput{Kind: pg.KindEvent,
		Fields: map[string]any{"id": draftID, "slug": "export-draft", "title": "A draft <meeting> & more", "kind": "MEETING",
			"status": "DRAFT", "startDate": "2030-01"},
		Links: []pg.Relation{{Type: pg.RelOrganised, From: "org-interpol", Role: pg.RoleHost}}})
	if err != nil {
		t.Fatal(err)
	}
}

func export(t *testing.T, ex *neo4jstore.Exporter, v pg.Viewer, scope pg.ExportScope) *recorder {
	t.Helper()
	r := &recorder{}
	if err := ex.Export(context.Background(), v, scope, r); err != nil {
		t.Fatalf("Export(%+v): %v", scope, err)
	}
	return r
}

func TestExportWholeGraph(t *testing.T) {
	db := neo4jtest.Open(t)
	seedWithDraft(t, db)
	ctx := context.Background()
	analyst := pg.Viewer{Drafts: true}

	whole := export(t, db.Exporter(), analyst, pg.ExportScope{})
	small := db.Exporter()
	small.PageSize = 7 // many pages of nodes, and of edges: the keyset must neither skip nor repeat
	paged := export(t, small, analyst, pg.ExportScope{})
	if !reflect.DeepEqual(whole, paged) {
		t.Errorf("pages of 7 rows give another export than pages of %d: %d/%d nodes, %d/%d edges",
			neo4jstore.DefaultExportPage, len(paged.nodes), len(whole.nodes), len(paged.edges), len(whole.edges))
	}

	entities, err := db.CountEntities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	relations, err := db.CountRelations(ctx, analyst)
	if err != nil {
		t.Fatal(err)
	}
	if len(whole.nodes) != entities || len(whole.edges) != relations {
		t.Errorf("exported %d nodes and %d edges, the database holds %d entities and %d relations",
			len(whole.nodes), len(whole.edges), entities, relations)
	}
	ids := map[string]bool{}
	for i, n := range whole.nodes {
		if i > 0 && n.ID <= whole.nodes[i-1].ID {
			t.Fatalf("nodes out of id order: %s after %s", n.ID, whole.nodes[i-1].ID)
		}
		if n.Kind == "" || n.Label == "" || n.Status == "" {
			t.Errorf("node %s lacks kind, label or status: %+v", n.ID, n)
		}
		ids[n.ID] = true
	}
	for _, e := range whole.edges {
		if !ids[e.Source] || !ids[e.Target] || len(e.Types) != 1 || e.Weight != 1 {
			t.Errorf("edge %+v: ends not exported, or not one relationship", e)
		}
	}

	for id, want := range map[string]pg.ExportNode{
		"org-unicri-centre-ai-robotics": {Kind: pg.KindOrganisation, SubKind: "RESEARCH_CENTRE", Founded: "2017-09", CountryCode: "NL"},
		"place-the-hague":               {Kind: pg.KindPlace, SubKind: "CITY", CountryCode: "NL"},
		"place-singapore":               {Kind: pg.KindPlace, SubKind: "COUNTRY", CountryCode: "SG"},
		draftID:                         {Kind: pg.KindEvent, SubKind: "MEETING", StartDate: "2030-01", Status: pg.StatusDraft, Label: "A draft <meeting> & more"},
	} {
		got := whole.node(id)
		if got == nil {
			t.Errorf("%s not exported", id)
			continue
		}
		if got.Kind != want.Kind || got.SubKind != want.SubKind || got.Founded != want.Founded || got.CountryCode != want.CountryCode ||
			got.StartDate != want.StartDate || (want.Status != "" && got.Status != want.Status) || (want.Label != "" && got.Label != want.Label) {
			t.Errorf("%s: got %+v, want %+v", id, *got, want)
		}
	}
	if !slices.ContainsFunc(whole.edges, func(e pg.ExportEdge) bool {
		return e.Source == "org-interpol" && e.Target == draftID && e.Types[0] == pg.RelOrganised && slices.Equal(e.Roles, []pg.Role{pg.RoleHost})
	}) {
		t.Error("the draft's ORGANISED {role: HOST} relation is missing")
	}

	public := export(t, small, pg.Public, pg.ExportScope{})
	publicRelations, _ := db.CountRelations(ctx, pg.Public)
	if public.node(draftID) != nil || len(public.nodes) != entities-1 || len(public.edges) != publicRelations {
		t.Errorf("anonymous export: %d nodes (draft included: %v) and %d edges; want %d and %d",
			len(public.nodes), public.node(draftID) != nil, len(public.edges), entities-1, publicRelations)
	}
	for _, e := range public.edges {
		if e.Source == draftID || e.Target == draftID {
			t.Errorf("anonymous export has an edge of the draft: %+v", e)
		}
	}
}

func TestExportNetwork(t *testing.T) {
	db := neo4jtest.Open(t)
	seedWithDraft(t, db)
	ctx := context.Background()
	for _, v := range []pg.Viewer{pg.Public, {Drafts: true}} {
		net, err := db.Network().Network(ctx, v, "org-interpol", 2, nil, 200)
		if err != nil {
			t.Fatal(err)
		}
		got := export(t, db.Exporter(), v, pg.ExportScope{Center: "org-interpol", Depth: 2, Limit: 200})
		if len(got.nodes) != len(net.Nodes) || len(got.edges) != len(net.Edges) {
			t.Fatalf("drafts %v: exported %d nodes and %d edges, the network has %d and %d",
				v.Drafts, len(got.nodes), len(got.edges), len(net.Nodes), len(net.Edges))
		}
		for i, n := range net.Nodes {
			if got.nodes[i].ID != n.Node.NodeID() || got.nodes[i].Depth != n.Depth {
				t.Errorf("node %d: got %s at depth %d, want %s at %d", i, got.nodes[i].ID, got.nodes[i].Depth, n.Node.NodeID(), n.Depth)
			}
		}
		for i, e := range net.Edges {
			g := got.edges[i]
			if g.Source != e.Source || g.Target != e.Target || g.Weight != e.Weight || !slices.Equal(g.Types, e.Types) {
				t.Errorf("edge %d: got %+v, want %+v", i, g, e)
			}
		}
		if hasDraft := got.node(draftID) != nil; hasDraft != v.Drafts {
			t.Errorf("drafts %v: the draft event exported: %v", v.Drafts, hasDraft)
		}
	}
}

func TestExportRefusesBadScopes(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	for _, tc := range []struct {
		name  string
		scope pg.ExportScope
		code  string
	}{
		{"unknown center", pg.ExportScope{Center: "org-nobody", Depth: 1, Limit: 10}, pg.ENOTFOUND},
		{"depth too deep", pg.ExportScope{Center: "org-interpol", Depth: 9, Limit: 10}, pg.EINVALID},
		{"limit too large", pg.ExportScope{Center: "org-interpol", Depth: 1, Limit: 5000}, pg.EINVALID},
		{"unknown kind", pg.ExportScope{Center: "org-interpol", Depth: 1, Limit: 10, Kinds: []pg.Kind{"ROBOT"}}, pg.EINVALID},
		{"depth without center", pg.ExportScope{Depth: 2}, pg.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{}
			err := db.Exporter().Export(context.Background(), pg.Viewer{Drafts: true}, tc.scope, r)
			if pg.ErrorCode(err) != tc.code {
				t.Errorf("got %v, want code %s", err, tc.code)
			}
			if len(r.nodes)+len(r.edges) > 0 {
				t.Errorf("the sink got %d nodes and %d edges before the error", len(r.nodes), len(r.edges))
			}
		})
	}
}

// stopAfter fails once it has had n nodes.
type stopAfter struct{ n int }

var errStop = errors.New("stop")

func (s *stopAfter) Node(pg.ExportNode) error {
	if s.n--; s.n < 0 {
		return errStop
	}
	return nil
}
func (s *stopAfter) Edge(pg.ExportEdge) error { return nil }

func TestExportStopsOnSinkError(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	ex := db.Exporter()
	ex.PageSize = 5
	before := db.RoundTrips()
	err := ex.Export(context.Background(), pg.Public, pg.ExportScope{}, &stopAfter{n: 3})
	if !errors.Is(err, errStop) {
		t.Errorf("got %v, want the sink's error", err)
	}
	if trips := db.RoundTrips() - before; trips > 2 {
		t.Errorf("the export went on for %d statements after the sink failed", trips)
	}
}
