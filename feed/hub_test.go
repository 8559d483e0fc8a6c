package feed_test

import (
	"context"
	"testing"
	"time"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/feed"
	"github.com/unicri/partnergraph/internal/neo4jtest"
)

func TestASubscriberThatFallsBehindIsDisconnectedWithAReason(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hub := feed.New(db.Feed(), feed.Options{Poll: 20 * time.Millisecond, Buffer: 2})
	go hub.Run(ctx)
	sub, err := hub.Subscribe(ctx, pg.Viewer{Drafts: true}, pg.ChangeFilter{After: -1})
	if err != nil {
		t.Fatal(err)
	}
	// It reads nothing while changes pile up, one statement at a time.
	for i := range 10 {
		if _, err := db.Content().CreateNode(ctx, pg.NodeInput{Kind: pg.KindTopic, Fields: map[string]any{
			"slug": "pile-" + string(rune('a'+i)), "name": "Pile"}}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(30 * time.Millisecond) // the reader fans each out on its own
	}
	deadline := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-sub.C:
			if !ok {
				if !feed.IsSlowConsumer(sub.Err()) {
					t.Fatalf("the subscription ended with %v, want the slow-consumer error", sub.Err())
				}
				if n := hub.Subscribers(); n != 0 {
					t.Errorf("%d subscribers left after the disconnection", n)
				}
				return
			}
		case <-deadline:
			t.Fatal("a subscriber 10 changes behind with room for 2 was not disconnected")
		}
	}
}

func TestOldChangesArePruned(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	ctx := context.Background()
	if _, err := db.Content().CreateNode(ctx, pg.NodeInput{Kind: pg.KindTopic, Fields: map[string]any{"slug": "old", "name": "Old"}}); err != nil {
		t.Fatal(err)
	}
	src := db.Feed()
	if n, err := src.PruneChanges(ctx, time.Now().Add(-time.Hour), 100); err != nil || n != 0 {
		t.Fatalf("pruning changes older than an hour: %d, %v; want none", n, err)
	}
	if n, err := src.PruneChanges(ctx, time.Now().Add(time.Second), 100); err != nil || n != 1 {
		t.Fatalf("pruning every change: %d, %v; want 1", n, err)
	}
	if c, err := src.ChangesAfter(ctx, 0, 10); err != nil || len(c) != 0 {
		t.Errorf("after pruning: %v, %v", c, err)
	}
}
