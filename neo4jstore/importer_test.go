package neo4jstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/internal/neo4jtest"
	"github.com/unicri/partnergraph/neo4jstore"
)

func importNode(kind pg.Kind, id string, props map[string]any) pg.ImportNode {
	p := map[string]any{"id": id, "slug": id, "status": string(pg.StatusPublished)}
	for k, v := range props {
		p[k] = v
	}
	return pg.ImportNode{Kind: kind, Props: p}
}

// TestImportHubsConcurrently imports a graph whose relations all meet at a few hubs, reached in
// different orders, in tiny batches with many workers and no retries: batches that share a
// node must wait for each other rather than deadlock, and every relation is created once.
func TestImportHubsConcurrently(t *testing.T) {
	neo4jtest.Open(t) // empties the database before and after
	c := neo4jtest.Config()
	c.RetryTime = time.Nanosecond // a deadlock fails the import instead of being retried
	db, err := neo4jstore.Open(c)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close(context.Background()) }()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// The driver (v5.28) sets up its dialer on the first connection without a lock: dial once
	// before the workers dial side by side, or the race detector reports the driver.
	if err := db.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	var nodes []pg.ImportNode
	var rels []pg.Relation
	for h := range 3 {
		nodes = append(nodes, importNode(pg.KindOrganisation, fmt.Sprintf("hub-%d", h), map[string]any{"name": "Hub", "kind": "OTHER"}))
	}
	for i := range 600 {
		evt, org := fmt.Sprintf("evt-%d", i), fmt.Sprintf("org-%d", i)
		nodes = append(nodes,
			importNode(pg.KindEvent, evt, map[string]any{"title": "Meeting", "kind": "MEETING", "startDate": "2020-01-02"}),
			importNode(pg.KindOrganisation, org, map[string]any{"name": "Small", "kind": "OTHER"}))
		rels = append(rels, pg.Relation{Type: pg.RelOrganised, From: org, To: evt, Role: pg.RoleOrganiser})
		for h := range 3 {
			hub := fmt.Sprintf("hub-%d", (i+h)%3) // each event meets the hubs in another order
			rels = append(rels, pg.Relation{Type: pg.RelOrganised, From: hub, To: evt, Role: pg.RoleCoOrganiser})
		}
	}
	imp := db.Importer()
	imp.Workers = 4
	tests := []struct {
		name string
		want pg.ImportResult
	}{
		{"first import creates everything", pg.ImportResult{Nodes: len(nodes), Relations: len(rels), NodesCreated: len(nodes), RelationsCreated: len(rels)}},
		{"second import creates nothing", pg.ImportResult{Nodes: len(nodes), Relations: len(rels)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := imp.Import(ctx, nodes, rels, 25)
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			if got != tt.want {
				t.Errorf("Import: got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestImportRelationProperties checks that a relation imported again takes the properties of
// the new import: added ones are set, missing ones removed.
func TestImportRelationProperties(t *testing.T) {
	db := neo4jtest.Open(t)
	ctx := context.Background()
	nodes := []pg.ImportNode{
		importNode(pg.KindPerson, "person-a", map[string]any{"name": "A"}),
		importNode(pg.KindOrganisation, "org-a", map[string]any{"name": "Org A", "kind": "OTHER"}),
	}
	title, since := "Head", pg.Date("2019")
	tests := []struct {
		name string
		rel  pg.Relation
	}{
		{"with title and since", pg.Relation{Type: pg.RelAffiliatedWith, From: "person-a", To: "org-a", Title: &title, Since: &since}},
		{"without them", pg.Relation{Type: pg.RelAffiliatedWith, From: "person-a", To: "org-a"}},
		{"with them again", pg.Relation{Type: pg.RelAffiliatedWith, From: "person-a", To: "org-a", Title: &title, Since: &since}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := db.Importer().Import(ctx, nodes, []pg.Relation{tt.rel}, 0); err != nil {
				t.Fatalf("Import: %v", err)
			}
			pages, err := db.Network().Edges(ctx, pg.Viewer{Drafts: true}, []string{"person-a"},
				pg.EdgeQuery{Types: []pg.RelType{pg.RelAffiliatedWith}, Outgoing: true}, pg.PageArgs{})
			if err != nil {
				t.Fatalf("Edges: %v", err)
			}
			edges := pages["person-a"].Items
			if len(edges) != 1 {
				t.Fatalf("got %d AFFILIATED_WITH edges, want 1", len(edges))
			}
			got := edges[0].Relation
			if !importSamePtr(got.Title, tt.rel.Title) || !importSamePtr(got.Since, tt.rel.Since) {
				t.Errorf("got title %v since %v, want %v %v", importShow(got.Title), importShow(got.Since), importShow(tt.rel.Title), importShow(tt.rel.Since))
			}
		})
	}
}

func importSamePtr[T comparable](a, b *T) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

func importShow[T any](p *T) string {
	if p == nil {
		return "<nil>"
	}
	return fmt.Sprint(*p)
}

func TestImportRefusesBadInput(t *testing.T) {
	db := neo4jtest.Open(t)
	tests := []struct {
		name  string
		nodes []pg.ImportNode
		rels  []pg.Relation
		field string
	}{
		{"unknown kind", []pg.ImportNode{{Kind: "PLANET", Props: map[string]any{"id": "x"}}}, nil, "kind"},
		{"no id", []pg.ImportNode{{Kind: pg.KindTopic, Props: map[string]any{"slug": "x", "name": "X"}}}, nil, "id"},
		{"unknown relation type", nil, []pg.Relation{{Type: "LIKES", From: "a", To: "b"}}, "type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.Importer().Import(context.Background(), tt.nodes, tt.rels, 0)
			if got := pg.ErrorCode(err); got != pg.EINVALID {
				t.Fatalf("Import: got %v (code %q), want EINVALID", err, got)
			}
			if got := pg.ErrorField(err); got != tt.field {
				t.Errorf("Import: got field %q, want %q", got, tt.field)
			}
		})
	}
}
