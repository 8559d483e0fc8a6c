// Package loader batches the relationship lookups of one GraphQL request: every field that
// reads related entities goes through a per-request loader, so a list of N parents costs one
// round trip per field and nesting level, not N. It depends on the domain only.
package loader

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/vikstrous/dataloadgen"

	pg "github.com/unicri/partnergraph"
)

// DefaultWait is how long a loader collects keys before it fetches, when nobody announced
// which parents will ask (see Expect). gqlgen resolves the items of a list concurrently, so
// their keys normally arrive within a few milliseconds of each other; on a busy machine they
// may not, and a batch splits.
const DefaultWait = 5 * time.Millisecond

// ExpectedWait is how long a batch of announced parents waits for the last of them before it
// fetches what it has: a safety net for a parent whose resolution failed before it asked.
const ExpectedWait = 2 * time.Second

// Loaders are the loaders of one request, for one viewer.
type Loaders struct {
	wait    time.Duration
	network pg.NetworkService
	viewer  pg.Viewer
	nodes   *dataloadgen.Loader[string, pg.Node]

	mu sync.Mutex
	// batches holds, per question (a batch key, i.e. a field of the document), the announced
	// groups of parents and the loader for parents nobody announced.
	batches map[any]*question

	// Announce, if set, is told in the batch of the entities each relation batch returned,
	// before any of their parents sees them. The GraphQL layer uses it to Expect the fields
	// those entities will ask for, so the next level's batches go as soon as they are
	// complete rather than when a timer runs out.
	Announce func(ctx context.Context, key BatchKey, nodes []pg.Node)
}

// question is one batch key's loaders: one per announced group of parents (a group's batch
// goes when all of them asked), and one with a timer for the others.
type question struct {
	groupOf   map[string]*group // each announced parent's group
	unplanned any               // *dataloadgen.Loader[string, V]
}

type group struct {
	size  int
	batch any // *groupBatch[V], made at the group's first ask
}

// New returns the loaders of one request; wait is how long a loader collects the keys of
// parents nobody announced (0 for DefaultWait).
func New(content pg.ContentService, network pg.NetworkService, viewer pg.Viewer, wait time.Duration) *Loaders {
	if wait <= 0 {
		wait = DefaultWait
	}
	l := &Loaders{wait: wait, network: network, viewer: viewer, batches: map[any]*question{}}
	l.nodes = dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([]pg.Node, []error) {
		nodes, err := content.FindNodes(ctx, viewer, ids)
		if err != nil {
			return nil, []error{err}
		}
		return nodes, nil
	}, dataloadgen.WithWait(wait))
	return l
}

type ctxKey struct{}

// NewContext returns ctx carrying l.
func NewContext(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// FromContext returns the loaders of the request. It panics when the HTTP middleware did not
// install them: that is a wiring bug, not a runtime condition.
func FromContext(ctx context.Context) *Loaders {
	l, ok := ctx.Value(ctxKey{}).(*Loaders)
	if !ok {
		panic("loader: no loaders in context")
	}
	return l
}

// Node returns the entity with the id, or nil if it does not exist or is hidden.
func (l *Loaders) Node(ctx context.Context, id string) (pg.Node, error) {
	return l.nodes.Load(ctx, id)
}

// BatchKey names a question that many parents ask with the same arguments, so they share a
// batch: the GraphQL layer passes the selection's field (one pointer for all the items of a
// list), which costs nothing to compare. A nil key falls back to the arguments' JSON.
type BatchKey any

func batchKey(k BatchKey, v ...any) any {
	if k != nil {
		return k
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Expect announces that each of parents will ask the question key (a field of the document),
// as a group: their batch goes as soon as the last of them asked. Parents announced before for
// key stay in their earlier group.
func (l *Loaders) Expect(key BatchKey, parents []string) {
	if key == nil || len(parents) == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	q := l.question(key)
	g := &group{}
	for _, p := range parents {
		if _, ok := q.groupOf[p]; !ok {
			q.groupOf[p] = g
			g.size++
		}
	}
}

func (l *Loaders) question(sig any) *question {
	q, ok := l.batches[sig]
	if !ok {
		q = &question{groupOf: map[string]*group{}}
		l.batches[sig] = q
	}
	return q
}

// load answers parent's question sig: from its announced group's batch if it has one, else
// through the timed loader for the unannounced.
func load[V any](ctx context.Context, l *Loaders, sig any, parent string, fetch func(context.Context, []string) (map[string]V, error)) (V, error) {
	l.mu.Lock()
	q := l.question(sig)
	var b *groupBatch[V]
	if g := q.groupOf[parent]; g != nil {
		if g.batch == nil {
			g.batch = &groupBatch[V]{size: g.size, fetch: fetch, done: make(chan struct{})}
		}
		b = g.batch.(*groupBatch[V])
	}
	if q.unplanned == nil {
		q.unplanned = dataloadgen.NewMappedLoader(fetch, dataloadgen.WithWait(l.wait))
	}
	unplanned := q.unplanned.(*dataloadgen.Loader[string, V])
	l.mu.Unlock()
	if b != nil {
		if v, ok, err := b.load(ctx, parent); ok {
			return v, err
		}
	}
	return unplanned.Load(ctx, parent)
}

// groupBatch is the one fetch of an announced group of parents: it goes when the last of them
// asked, or after ExpectedWait with those that did. (dataloadgen's timer cannot be stopped: a
// batch that went when full would still hold its loader for the whole safety wait.)
type groupBatch[V any] struct {
	size  int
	fetch func(context.Context, []string) (map[string]V, error)

	mu     sync.Mutex
	keys   []string
	asked  map[string]bool
	timer  *time.Timer
	closed bool // fetching or fetched: no more keys join
	done   chan struct{}
	values map[string]V
	err    error
}

// load waits for parent's value; ok is false when the batch had already gone without parent,
// which then needs a fetch of its own.
func (b *groupBatch[V]) load(ctx context.Context, parent string) (v V, ok bool, err error) {
	b.mu.Lock()
	switch {
	case b.asked[parent]:
	case b.closed:
		b.mu.Unlock()
		return v, false, nil
	default:
		if b.asked == nil {
			b.asked = map[string]bool{}
			b.timer = time.AfterFunc(ExpectedWait, func() { b.run(ctx) })
		}
		b.asked[parent] = true
		b.keys = append(b.keys, parent)
		if len(b.keys) >= b.size {
			b.timer.Stop()
			b.closed = true
			b.mu.Unlock()
			b.fetchAll(ctx)
			return b.value(parent)
		}
	}
	b.mu.Unlock()
	<-b.done
	return b.value(parent)
}

// run is the safety timer: fetch what has been asked so far.
func (b *groupBatch[V]) run(ctx context.Context) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	b.mu.Unlock()
	b.fetchAll(ctx)
}

func (b *groupBatch[V]) fetchAll(ctx context.Context) {
	defer close(b.done)
	defer func() {
		if r := recover(); r != nil {
			b.err = fmt.Errorf("panic during fetch: %v", r)
		}
	}()
	b.values, b.err = b.fetch(ctx, b.keys)
}

func (b *groupBatch[V]) value(parent string) (V, bool, error) {
	if b.err != nil {
		var zero V
		return zero, true, b.err
	}
	v, found := b.values[parent]
	if !found {
		return v, true, dataloadgen.ErrNotFound
	}
	return v, true, nil
}

// Edges returns one page of the entities related to parent by q. All calls with the same
// BatchKey must ask the same q and page.
func (l *Loaders) Edges(ctx context.Context, key BatchKey, parent string, q pg.EdgeQuery, page pg.PageArgs) (*pg.Page[pg.Edge], error) {
	return load(ctx, l, batchKey(key, q, page), parent, func(ctx context.Context, parents []string) (map[string]*pg.Page[pg.Edge], error) {
		pages, err := l.network.Edges(ctx, l.viewer, parents, q, page)
		if err == nil && l.Announce != nil && key != nil {
			var nodes []pg.Node
			for _, p := range pages {
				for _, e := range p.Items {
					nodes = append(nodes, e.Node)
				}
			}
			l.Announce(ctx, key, nodes)
		}
		return pages, err
	})
}

// CountEdges returns how many entities are related to parent by q.
func (l *Loaders) CountEdges(ctx context.Context, key BatchKey, parent string, q pg.EdgeQuery) (int, error) {
	return load(ctx, l, batchKey(key, q), parent, func(ctx context.Context, parents []string) (map[string]int, error) {
		return zeroFilled(l.network.CountEdges(ctx, l.viewer, parents, q))(parents)
	})
}

// Collaborators returns one page of the partners of an organisation.
func (l *Loaders) Collaborators(ctx context.Context, key BatchKey, org string, page pg.PageArgs) (*pg.Page[*pg.Collaborator], error) {
	return load(ctx, l, batchKey(key, page), org, func(ctx context.Context, orgs []string) (map[string]*pg.Page[*pg.Collaborator], error) {
		pages, err := l.network.Collaborators(ctx, l.viewer, orgs, page)
		if err == nil && l.Announce != nil && key != nil {
			var nodes []pg.Node
			for _, p := range pages {
				for _, c := range p.Items {
					if c.Organisation != nil {
						nodes = append(nodes, c.Organisation)
					}
				}
			}
			l.Announce(ctx, key, nodes)
		}
		return pages, err
	})
}

// CountCollaborators returns how many partners an organisation has.
func (l *Loaders) CountCollaborators(ctx context.Context, key BatchKey, org string) (int, error) {
	return load(ctx, l, batchKey(key, "collaborators"), org, func(ctx context.Context, orgs []string) (map[string]int, error) {
		return zeroFilled(l.network.CountCollaborators(ctx, l.viewer, orgs))(orgs)
	})
}

// zeroFilled makes a parent missing from counts count zero, not "not found".
func zeroFilled(counts map[string]int, err error) func([]string) (map[string]int, error) {
	return func(parents []string) (map[string]int, error) {
		if err != nil {
			return nil, err
		}
		for _, p := range parents {
			counts[p] += 0
		}
		return counts, nil
	}
}
