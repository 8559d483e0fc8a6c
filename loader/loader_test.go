package loader

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	pg "github.com/unicri/partnergraph"
)

// countingNetwork answers CountEdges with the parent's name length and records each batch.
type countingNetwork struct {
	pg.NetworkService
	mu      sync.Mutex
	batches [][]string
}

func (n *countingNetwork) CountEdges(_ context.Context, _ pg.Viewer, parents []string, _ pg.EdgeQuery) (map[string]int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.batches = append(n.batches, slices.Sorted(slices.Values(parents)))
	out := map[string]int{}
	for _, p := range parents {
		out[p] = len(p)
	}
	return out, nil
}

// ask has every parent ask the question key, each in its own goroutine, started one after
// another with a pause, as gqlgen's list items do on a busy machine.
func ask(t *testing.T, l *Loaders, key BatchKey, parents []string, pause time.Duration) {
	t.Helper()
	var wg sync.WaitGroup
	for _, p := range parents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := l.CountEdges(context.Background(), key, p, pg.EdgeQuery{})
			if err != nil || n != len(p) {
				t.Errorf("%s: got %d, %v", p, n, err)
			}
		}()
		time.Sleep(pause)
	}
	wg.Wait()
}

func TestAnnouncedParentsShareOneBatchHoweverLateTheyAsk(t *testing.T) {
	net := &countingNetwork{}
	l := New(nil, net, pg.Viewer{}, time.Millisecond)
	key := new(int)
	parents := []string{"a", "bb", "ccc", "dddd"}
	l.Expect(key, parents)
	start := time.Now()
	// Each parent asks 5 ms after the one before: a 1 ms window alone would split them.
	ask(t, l, key, parents, 5*time.Millisecond)
	if len(net.batches) != 1 || !slices.Equal(net.batches[0], []string{"a", "bb", "ccc", "dddd"}) {
		t.Fatalf("batches: %v, want one of all four", net.batches)
	}
	if took := time.Since(start); took >= ExpectedWait {
		t.Errorf("took %s: the batch waited for the safety net instead of going when full", took)
	}
}

func TestUnannouncedParentsUseTheWindow(t *testing.T) {
	net := &countingNetwork{}
	l := New(nil, net, pg.Viewer{}, time.Millisecond)
	ask(t, l, new(int), []string{"a", "bb", "ccc"}, 20*time.Millisecond)
	if len(net.batches) != 3 {
		t.Fatalf("batches: %v, want three (the window is 1 ms, the asks 20 ms apart)", net.batches)
	}
}

func TestALaterGroupKeepsEarlierParentsInTheirBatch(t *testing.T) {
	net := &countingNetwork{}
	l := New(nil, net, pg.Viewer{}, time.Millisecond)
	key := new(int)
	l.Expect(key, []string{"a", "bb"})
	ask(t, l, key, []string{"a", "bb"}, 0)
	// The next level announces the same field for a, already answered, and two new parents.
	l.Expect(key, []string{"a", "ccc", "dddd"})
	ask(t, l, key, []string{"ccc", "a", "dddd"}, 5*time.Millisecond)
	want := [][]string{{"a", "bb"}, {"ccc", "dddd"}}
	if fmt.Sprint(net.batches) != fmt.Sprint(want) {
		t.Fatalf("batches: %v, want %v", net.batches, want)
	}
}

func TestAnAnnouncedParentThatNeverAsksDelaysItsGroupOnlyUntilTheSafetyNet(t *testing.T) {
	net := &countingNetwork{}
	l := New(nil, net, pg.Viewer{}, time.Millisecond)
	key := new(int)
	l.Expect(key, []string{"a", "bb", "ccc"})
	start := time.Now()
	ask(t, l, key, []string{"a", "bb"}, 0) // ccc's resolution failed, say
	if took := time.Since(start); took < ExpectedWait {
		t.Errorf("the incomplete group went after %s, before the safety net (%s)", took, ExpectedWait)
	}
	ask(t, l, key, []string{"ccc"}, 0) // asking after its group went: a fetch of its own
	want := [][]string{{"a", "bb"}, {"ccc"}}
	if fmt.Sprint(net.batches) != fmt.Sprint(want) {
		t.Fatalf("batches: %v, want %v", net.batches, want)
	}
}
