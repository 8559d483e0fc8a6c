package analytics

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	pg "github.com/unicri/partnergraph"
)

// cacheSize is how many analyses of the current content are kept: a few dashboard filters
// for each audience. Those of older content go when newer is computed.
const cacheSize = 8

// computeTimeout bounds a computation, which outlives the request that started it.
const computeTimeout = 2 * time.Minute

// Service implements pg.AnalyticsService over a partner source. An analysis is computed once
// per content version, audience (drafts or not) and filter, however many ask at once.
type Service struct {
	src   pg.PartnerSource
	group singleflight.Group

	mu      sync.Mutex
	version int64 // of the content the cached analyses are of
	cache   map[string]*partnerNetwork
	order   []string // keys, oldest first
}

var _ pg.AnalyticsService = (*Service)(nil)

// New returns the analytics of src.
func New(src pg.PartnerSource) *Service {
	return &Service{src: src, cache: map[string]*partnerNetwork{}}
}

// Analyse implements pg.AnalyticsService.
func (s *Service) Analyse(ctx context.Context, v pg.Viewer, f pg.AnalyticsFilter) (*pg.NetworkAnalysis, error) {
	n, err := s.network(ctx, v, f)
	if err != nil {
		return nil, err
	}
	return n.analysis, nil
}

// network returns the computed network of a filter, from the cache when the content has not
// changed since it was computed.
func (s *Service) network(ctx context.Context, v pg.Viewer, f pg.AnalyticsFilter) (*partnerNetwork, error) {
	version, err := s.src.ContentVersion(ctx)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("%d|%t|%s", version, v.Drafts, filterKey(f))
	s.mu.Lock()
	n, ok := s.cache[key]
	s.mu.Unlock()
	if ok {
		return n, nil
	}
	// The computation outlives a caller who gives up: the next caller takes its result.
	ch := s.group.DoChan(key, func() (any, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), computeTimeout)
		defer cancel()
		d, err := s.src.PartnerData(ctx, v, f)
		if err != nil {
			return nil, err
		}
		n := build(d, f, version)
		s.mu.Lock()
		defer s.mu.Unlock()
		if version > s.version {
			s.version, s.cache, s.order = version, map[string]*partnerNetwork{}, nil
		}
		if _, ok := s.cache[key]; !ok && version == s.version {
			s.cache[key] = n
			s.order = append(s.order, key)
			if len(s.order) > cacheSize {
				delete(s.cache, s.order[0])
				s.order = s.order[1:]
			}
		}
		return n, nil
	})
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*partnerNetwork), nil
	}
}

// filterKey is a filter as a cache key.
func filterKey(f pg.AnalyticsFilter) string {
	str := func(p *string) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprintf("%q", *p)
	}
	date := func(d *pg.Date) string {
		if d == nil {
			return "-"
		}
		return string(*d)
	}
	kinds := slices.Clone(f.Stats.EventKinds)
	slices.Sort(kinds)
	roles := slices.Clone(f.Roles)
	slices.Sort(roles)
	return fmt.Sprintf("t=%s c=%s p=%s o=%s k=%q from=%s to=%s r=%q u=%t e=%t", str(f.Stats.Topic), str(f.Stats.Country),
		str(f.Stats.Place), str(f.Stats.Organisation), kinds, date(f.Stats.From), date(f.Stats.To), roles, f.Units, f.PerEvent)
}

// Suggest implements pg.AnalyticsService: the organisations two steps from org, ranked by
// Adamic-Adar over their common partners (a common partner with few partners says more than
// a hub) plus the Jaccard similarity of their topics. An organisation outside the network
// has no suggestions.
func (s *Service) Suggest(ctx context.Context, v pg.Viewer, f pg.AnalyticsFilter, org string, limit int) ([]pg.PartnerSuggestion, error) {
	if limit < 1 || limit > 100 {
		return nil, pg.FieldErrorf(pg.EINVALID, "first", "first must be between 1 and 100")
	}
	n, err := s.network(ctx, v, f)
	if err != nil {
		return nil, err
	}
	x, ok := n.index[org]
	if !ok {
		return nil, nil
	}
	type common struct {
		node   int
		weight float64
	}
	commons := map[int][]common{}
	for z := range n.adj[x] {
		w := 1 / math.Log(float64(len(n.adj[z])))
		for y := range n.adj[z] {
			if y == x {
				continue
			}
			if _, partner := n.adj[x][y]; partner || slices.Contains(n.related[org], n.ids[y]) {
				continue
			}
			commons[y] = append(commons[y], common{z, w})
		}
	}
	out := make([]pg.PartnerSuggestion, 0, len(commons))
	for y, cs := range commons {
		sg := pg.PartnerSuggestion{ID: n.ids[y]}
		sort.Slice(cs, func(i, j int) bool {
			if cs[i].weight != cs[j].weight {
				return cs[i].weight > cs[j].weight
			}
			return n.ids[cs[i].node] < n.ids[cs[j].node]
		})
		for _, c := range cs {
			sg.Score += c.weight
			sg.CommonPartners = append(sg.CommonPartners, n.ids[c.node])
		}
		union := len(n.topics[x])
		for t := range n.topics[y] {
			if _, ok := n.topics[x][t]; ok {
				sg.SharedTopics = append(sg.SharedTopics, t)
			} else {
				union++
			}
		}
		slices.Sort(sg.SharedTopics)
		if union > 0 {
			sg.Score += float64(len(sg.SharedTopics)) / float64(union)
		}
		out = append(out, sg)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].ID < out[j].ID
	})
	return out[:min(limit, len(out))], nil
}

// Partners implements pg.AnalyticsService.
func (s *Service) Partners(ctx context.Context, v pg.Viewer, f pg.AnalyticsFilter, org string, limit int) ([]pg.Partner, error) {
	if limit < 1 || limit > 100 {
		return nil, pg.FieldErrorf(pg.EINVALID, "first", "first must be between 1 and 100")
	}
	ps, _, err := s.PartnersPage(ctx, v, f, org, 0, limit)
	return ps, err
}

// PartnersPage implements pg.AnalyticsService.
func (s *Service) PartnersPage(ctx context.Context, v pg.Viewer, f pg.AnalyticsFilter, org string, offset, limit int) ([]pg.Partner, int, error) {
	n, err := s.network(ctx, v, f)
	if err != nil {
		return nil, 0, err
	}
	if as, ok := n.countsAs[org]; ok {
		org = as
	}
	x, ok := n.index[org]
	if !ok {
		return nil, 0, nil
	}
	type ranked struct {
		id     string
		weight float64
	}
	var all []ranked
	for y, w := range n.adj[x] {
		all = append(all, ranked{n.ids[y], w})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].weight != all[j].weight {
			return all[i].weight > all[j].weight
		}
		return all[i].id < all[j].id
	})
	total := len(all)
	all = all[min(offset, len(all)):]
	out := make([]pg.Partner, 0, min(limit, len(all)))
	for _, r := range all[:min(limit, len(all))] {
		a, b := n.number[org], n.number[r.id]
		if a > b {
			a, b = b, a
		}
		p := pg.Partner{ID: r.id}
		for _, ei := range n.shared[uint64(a)<<32|uint64(b)] {
			p.Shared = append(p.Shared, n.work[ei])
		}
		sort.SliceStable(p.Shared, func(i, j int) bool { return p.Shared[i].Year > p.Shared[j].Year })
		out = append(out, p)
	}
	return out, total, nil
}
