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

// DefaultWait is how long a loader collects keys before it fetches. gqlgen resolves the items
// of a list concurrently, so their keys normally arrive within microseconds of each other.
const DefaultWait = 5 * time.Millisecond

// Loaders are the loaders of one request, for one viewer.
type Loaders struct {
	wait    time.Duration
	network pg.NetworkService
	viewer  pg.Viewer
	nodes   *dataloadgen.Loader[string, pg.Node]

	mu            sync.Mutex
	edges         map[any]*dataloadgen.Loader[string, *pg.Page[pg.Edge]]
	counts        map[any]*dataloadgen.Loader[string, int]
	collaborators map[any]*dataloadgen.Loader[string, *pg.Page[*pg.Collaborator]]
	collabCounts  *dataloadgen.Loader[string, int]
}

// New returns the loaders of one request; wait is how long each loader collects keys (0 for
// DefaultWait).
func New(content pg.ContentService, network pg.NetworkService, viewer pg.Viewer, wait time.Duration) *Loaders {
	if wait <= 0 {
		wait = DefaultWait
	}
	l := &Loaders{wait: wait, network: network, viewer: viewer,
		edges: map[any]*dataloadgen.Loader[string, *pg.Page[pg.Edge]]{}, counts: map[any]*dataloadgen.Loader[string, int]{},
		collaborators: map[any]*dataloadgen.Loader[string, *pg.Page[*pg.Collaborator]]{}}
	l.collabCounts = dataloadgen.NewMappedLoader(func(ctx context.Context, orgs []string) (map[string]int, error) {
		m, err := network.CountCollaborators(ctx, viewer, orgs)
		if err != nil {
			return nil, err
		}
		for _, o := range orgs {
			m[o] += 0 // an organisation with no partners counts zero, not "not found"
		}
		return m, nil
	}, dataloadgen.WithWait(wait))
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

// Edges returns one page of the entities related to parent by q. All calls with the same
// BatchKey must ask the same q and page.
func (l *Loaders) Edges(ctx context.Context, key BatchKey, parent string, q pg.EdgeQuery, page pg.PageArgs) (*pg.Page[pg.Edge], error) {
	sig := batchKey(key, q, page)
	l.mu.Lock()
	ld, ok := l.edges[sig]
	if !ok {
		ld = dataloadgen.NewMappedLoader(func(ctx context.Context, parents []string) (map[string]*pg.Page[pg.Edge], error) {
			return l.network.Edges(ctx, l.viewer, parents, q, page)
		}, dataloadgen.WithWait(l.wait))
		l.edges[sig] = ld
	}
	l.mu.Unlock()
	return ld.Load(ctx, parent)
}

// CountEdges returns how many entities are related to parent by q.
func (l *Loaders) CountEdges(ctx context.Context, key BatchKey, parent string, q pg.EdgeQuery) (int, error) {
	sig := batchKey(key, q)
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
		}, dataloadgen.WithWait(l.wait))
		l.counts[sig] = ld
	}
	l.mu.Unlock()
	return ld.Load(ctx, parent)
}

// Collaborators returns one page of the partners of an organisation.
func (l *Loaders) Collaborators(ctx context.Context, key BatchKey, org string, page pg.PageArgs) (*pg.Page[*pg.Collaborator], error) {
	sig := batchKey(key, page)
	l.mu.Lock()
	ld, ok := l.collaborators[sig]
	if !ok {
		ld = dataloadgen.NewMappedLoader(func(ctx context.Context, orgs []string) (map[string]*pg.Page[*pg.Collaborator], error) {
			return l.network.Collaborators(ctx, l.viewer, orgs, page)
		}, dataloadgen.WithWait(l.wait))
		l.collaborators[sig] = ld
	}
	l.mu.Unlock()
	return ld.Load(ctx, org)
}

// CountCollaborators returns how many partners an organisation has.
func (l *Loaders) CountCollaborators(ctx context.Context, org string) (int, error) {
	return l.collabCounts.Load(ctx, org)
}
