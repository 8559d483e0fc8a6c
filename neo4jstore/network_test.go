package neo4jstore_test

import (
	"context"
	"reflect"
	"testing"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/internal/neo4jtest"
)

// The network's edges are read from the lighter side of each relationship: whichever nodes
// count as dense, the network is the same.
func TestNetworkEdgesDoNotDependOnWhichNodesAreDense(t *testing.T) {
	db := neo4jtest.Open(t)
	seedWithDraft(t, db)
	ctx := context.Background()
	cases := []struct {
		center string
		depth  int
		v      pg.Viewer
	}{
		{"org-interpol", 1, pg.Public},
		{"org-interpol", 2, pg.Viewer{Drafts: true}},
		{"org-unicri", 3, pg.Public},
		{"topic-artificial-intelligence", 2, pg.Public},
	}
	for _, c := range cases {
		base := db.Network() // the default: nothing in the centre dataset is dense
		want, err := base.Network(ctx, c.v, c.center, c.depth, nil, 300)
		if err != nil {
			t.Fatalf("%s depth %d: %v", c.center, c.depth, err)
		}
		if len(want.Edges) == 0 {
			t.Fatalf("%s depth %d: no edges: the case tests nothing", c.center, c.depth)
		}
		// 1: every node is dense, so every edge comes from the pairwise lookup; 3 and 8: some
		// of each, so edges between a light and a dense node come from the light side.
		for _, dense := range []int{1, 3, 8} {
			n := db.Network()
			n.DenseDegree = dense
			got, err := n.Network(ctx, c.v, c.center, c.depth, nil, 300)
			if err != nil {
				t.Fatalf("%s depth %d, dense %d: %v", c.center, c.depth, dense, err)
			}
			if !reflect.DeepEqual(got.Edges, want.Edges) || len(got.Nodes) != len(want.Nodes) {
				t.Errorf("%s depth %d, dense above %d: %d nodes and %d edges, want %d and %d\n got %v\nwant %v",
					c.center, c.depth, dense, len(got.Nodes), len(got.Edges), len(want.Nodes), len(want.Edges), got.Edges, want.Edges)
			}
		}
	}
}
