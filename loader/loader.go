// Package loader batches the relationship lookups of one GraphQL request: every field that
// reads related entities goes through a per-request loader, so a list of N parents costs one
// round trip per field and nesting level, not N. It depends on the domain only.
package loader

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/vikstrous/dataloadgen"

	pg "github.com/unicri/partnergraph"
)

// wait is how long a loader collects keys before it fetches. gqlgen resolves the items of a
// list concurrently, so their keys arrive within microseconds of each other.
const wait = 2 * time.Millisecond

// Loaders are the loaders of one request, for one viewer.
type Loaders struct {
	network pg.NetworkService
	viewer  pg.Viewer
	nodes   *dataloadgen.Loader[string, pg.Node]

	mu     sync.Mutex
	edges  map[string]*dataloadgen.Loader[string, *pg.Page[pg.Edge]]
	counts map[string]*dataloadgen.Loader[string, int]
}

// New returns the loaders of one request.
func New(content pg.ContentService, network pg.NetworkService, viewer pg.Viewer) *Loaders {
	l := &Loaders{network: network, viewer: viewer,
		edges: map[string]*dataloadgen.Loader[string, *pg.Page[pg.Edge]]{}, counts: map[string]*dataloadgen.Loader[string, int]{}}
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

// signature identifies a query's arguments: parents asking the same question share a batch.
func signature(v ...any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Edges returns one page of the entities related to parent by q.
func (l *Loaders) Edges(ctx context.Context, parent string, q pg.EdgeQuery, page pg.PageArgs) (*pg.Page[pg.Edge], error) {
	sig := signature(q, page)
	l.mu.Lock()
	ld, ok := l.edges[sig]
	if !ok {
		ld = dataloadgen.NewMappedLoader(func(ctx context.Context, parents []string) (map[string]*pg.Page[pg.Edge], error) {
			return l.network.Edges(ctx, l.viewer, parents, q, page)
		}, dataloadgen.WithWait(wait))
		l.edges[sig] = ld
	}
	l.mu.Unlock()
	return ld.Load(ctx, parent)
}

// CountEdges returns how many entities are related to parent by q.
func (l *Loaders) CountEdges(ctx context.Context, parent string, q pg.EdgeQuery) (int, error) {
	sig := signature(q)
	l.mu.Lock()
	ld, ok := l.counts[sig]
	if !ok {
		ld = dataloadgen.NewLoader(func(ctx context.Context, parents []string) ([]int, []error) {
			m, err := l.network.CountEdges(ctx, l.viewer, parents, q)
			if err != nil {
				return nil, []error{err}
			}
			out := make([]int, len(parents))
			for i, p := range parents {
				out[i] = m[p]
			}
			return out, nil
		}, dataloadgen.WithWait(wait))
		l.counts[sig] = ld
	}
	l.mu.Unlock()
	return ld.Load(ctx, parent)
}
