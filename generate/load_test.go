package generate_test

import (
	"context"
	"testing"
	"time"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/generate"
	"github.com/unicri/partnergraph/internal/neo4jtest"
)

// TestLoadIntoNeo4j loads a small graph into the real test database twice: the first load
// creates every entity and relation, the second creates nothing.
func TestLoadIntoNeo4j(t *testing.T) {
	db := neo4jtest.Open(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := generate.Config{Organisations: 200, Events: 1000, Publications: 200, Seed: 1}
	want := c.Count()

	tests := []struct {
		name                      string
		nodesCreated, relsCreated int
	}{
		{"first load creates everything", want.Nodes, want.Relations},
		{"second load creates nothing", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Small chunks and batches: many Import calls and transactions, run concurrently.
			got, err := generate.Load(ctx, db.Importer(), c, generate.Options{Chunk: 300, Batch: 700})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			wantRes := pg.ImportResult{Nodes: want.Nodes, Relations: want.Relations, NodesCreated: tt.nodesCreated, RelationsCreated: tt.relsCreated}
			if got != wantRes {
				t.Errorf("Load: got %+v, want %+v", got, wantRes)
			}
			n, err := db.CountEntities(ctx)
			if err != nil {
				t.Fatalf("CountEntities: %v", err)
			}
			if n != want.Nodes {
				t.Errorf("CountEntities: got %d, want %d", n, want.Nodes)
			}
		})
	}

	t.Run("the load ends with the pairs' shared counts built", func(t *testing.T) {
		n, err := db.Network().CountCollaborators(ctx, pg.Viewer{Drafts: true}, []string{"gen-org-000000"})
		if err != nil {
			t.Fatalf("CountCollaborators: %v", err)
		}
		if n["gen-org-000000"] == 0 {
			t.Errorf("gen-org-000000 has no collaborators after the load: the counts were not rebuilt")
		}
	})

	t.Run("the biggest hub is gen-org-000000", func(t *testing.T) {
		first := 1
		page, err := db.Content().ListNodes(ctx, pg.Viewer{Drafts: true},
			pg.NodeFilter{Kind: pg.KindOrganisation, OrderBy: pg.Order{Field: pg.OrderEventCount, Desc: true}}, pg.PageArgs{First: &first})
		if err != nil {
			t.Fatalf("ListNodes: %v", err)
		}
		if len(page.Items) != 1 || page.Items[0].NodeID() != "gen-org-000000" {
			t.Errorf("organisation with most events: got %v, want gen-org-000000", page.Items)
		}
	})
}
