// Package analytics computes partner-network analytics (centrality, communities, evolution,
// partners and suggested partners) from the engagements a pg.PartnerSource reads, in Go over
// flat arrays (docs/analytics.md says why not gonum's, which the tests use as a check). It
// needs no Neo4j plugin, so it works against any Neo4j 5.
package analytics

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"sync"

	pg "github.com/unicri/partnergraph"
)

// ExactSources is the largest network whose betweenness and closeness are computed from every
// organisation; larger networks use SampleSources seeded sources (Brandes' estimate).
const (
	ExactSources  = 3000
	SampleSources = 256
	sampleSeed    = 1
)

// partnerNetwork is one computed network: the analysis, and what partners and suggestions need.
type partnerNetwork struct {
	analysis *pg.NetworkAnalysis
	ids      []string            // node index -> organisation id
	index    map[string]int      // organisation id -> node index
	adj      []map[int]float64   // node index -> partner -> shared engagements
	topics   []map[string]int    // node index -> topic -> engagements about it
	related  map[string][]string // organisation -> its units and parents (never suggested)
	countsAs map[string]string   // organisation -> the one it counts as (itself, or rolled up)
	number   map[string]int      // organisation -> its number in shared's keys
	shared   map[uint64][]int32  // pair (a<<32 | b by number, a < b) -> indexes of engagements
	work     []pg.Engagement     // the engagements, ID and Kind only
}

// build turns partner data into a network and analyses it.
func build(d *pg.PartnerData, f pg.AnalyticsFilter, version int64) *partnerNetwork {
	// Rolled up, a unit with no units of its own counts as the organisation it is part of: the
	// UNICRI Centre as UNICRI, the INTERPOL Innovation Centre as INTERPOL, while UNICRI, which
	// has units, stays itself rather than vanishing into the United Nations.
	hasUnits := map[string]bool{}
	for _, p := range d.Parent {
		hasUnits[p] = true
	}
	top := func(id string) string {
		if p, ok := d.Parent[id]; ok && !f.Units && !hasUnits[id] {
			return p
		}
		return id
	}
	ancestors := func(id string) []string {
		var out []string
		for range 32 { // a guard against a cycle of PART_OF
			p, ok := d.Parent[id]
			if !ok {
				break
			}
			out = append(out, p)
			id = p
		}
		return out
	}
	related := map[string][]string{}
	for u := range d.Parent {
		for _, a := range ancestors(u) {
			related[u] = append(related[u], a)
			related[a] = append(related[a], u)
		}
	}
	isRelated := func(a, b string) bool { return slices.Contains(related[a], b) }

	// Organisations are numbered as they come (intern) and a pair is one integer, a<<32 | b
	// with a < b: on 600,000 pairs, keys of two strings cost seconds of hashing.
	number := map[string]int{}
	var names []string
	intern := func(id string) int {
		k, ok := number[id]
		if !ok {
			k = len(names)
			number[id] = k
			names = append(names, id)
		}
		return k
	}
	key := func(a, b int) uint64 { return uint64(a)<<32 | uint64(b) }
	weights := map[uint64]float64{}
	shared := map[uint64][]int32{}
	yearPairs := map[int]map[uint64]struct{}{}
	topicsOf := map[int]map[string]int{}
	var orgs []int
	for ei, e := range d.Engagements {
		orgs = orgs[:0]
		for _, o := range e.Orgs {
			orgs = append(orgs, intern(top(o)))
		}
		slices.Sort(orgs)
		orgs = slices.Compact(orgs)
		for _, o := range orgs {
			if len(e.Topics) > 0 && topicsOf[o] == nil {
				topicsOf[o] = map[string]int{}
			}
			for _, t := range e.Topics {
				topicsOf[o][t]++
			}
		}
		for i := range orgs {
			for j := i + 1; j < len(orgs); j++ {
				if len(related) > 0 && isRelated(names[orgs[i]], names[orgs[j]]) {
					continue // an organisation and its own unit are not partners
				}
				k := key(orgs[i], orgs[j])
				weights[k]++
				shared[k] = append(shared[k], int32(ei))
				if e.Year != 0 {
					if yearPairs[e.Year] == nil {
						yearPairs[e.Year] = map[uint64]struct{}{}
					}
					yearPairs[e.Year][k] = struct{}{}
				}
			}
		}
	}

	// The network's nodes: the organisations with a partner, numbered in id order.
	n := &partnerNetwork{index: map[string]int{}, related: related, number: number, shared: shared, countsAs: map[string]string{}}
	n.work = make([]pg.Engagement, len(d.Engagements))
	for i, e := range d.Engagements {
		n.work[i] = pg.Engagement{ID: e.ID, Kind: e.Kind, Year: e.Year}
	}
	for id := range d.Parent {
		n.countsAs[id] = top(id)
	}
	linked := make([]bool, len(names))
	for k := range weights {
		linked[k>>32], linked[k&0xffffffff] = true, true
	}
	for i, id := range names {
		if linked[i] {
			n.ids = append(n.ids, id)
		}
	}
	slices.Sort(n.ids)
	node := make([]int, len(names)) // interned number -> node index
	for i, id := range n.ids {
		n.index[id] = i
		node[number[id]] = i
	}
	n.adj = make([]map[int]float64, len(n.ids))
	n.topics = make([]map[string]int, len(n.ids))
	degree := make([]int, len(n.ids))
	for k := range weights {
		degree[node[k>>32]]++
		degree[node[k&0xffffffff]]++
	}
	for i, id := range n.ids {
		n.adj[i] = make(map[int]float64, degree[i])
		n.topics[i] = topicsOf[number[id]]
	}
	for k, w := range weights {
		a, b := node[k>>32], node[k&0xffffffff]
		n.adj[a][b] = w
		n.adj[b][a] = w
	}
	byYear := make(map[int][][2]string, len(yearPairs))
	for y, ps := range yearPairs {
		for k := range ps {
			byYear[y] = append(byYear[y], [2]string{names[k>>32], names[k&0xffffffff]})
		}
	}

	a := &pg.NetworkAnalysis{Version: version, Organisations: len(n.ids), Links: len(weights), ByID: map[string]*pg.OrganisationMetrics{}}
	n.analysis = a
	if len(n.ids) == 0 {
		return n
	}
	metrics := make([]*pg.OrganisationMetrics, len(n.ids))
	for i, id := range n.ids {
		m := &pg.OrganisationMetrics{ID: id, Degree: len(n.adj[i])}
		for _, w := range n.adj[i] {
			m.WeightedDegree += w
		}
		metrics[i] = m
		a.ByID[id] = m
	}

	// PageRank over the weighted network.
	for i, r := range pageRank(n.adj, 0.85, 1e-12) {
		metrics[i].PageRank = r
	}

	// Communities: Louvain on the weighted network, seeded so an analysis is repeatable.
	member, q := louvain(n.adj, sampleSeed)
	a.Modularity = q
	groups := map[int][]int{}
	for i, c := range member {
		groups[c] = append(groups[c], i)
	}

	// Betweenness and closeness over hops.
	a.BetweennessSources = brandes(n.adj, metrics)

	a.Ranked = slices.Clone(metrics)
	sort.SliceStable(a.Ranked, func(i, j int) bool {
		if a.Ranked[i].PageRank != a.Ranked[j].PageRank {
			return a.Ranked[i].PageRank > a.Ranked[j].PageRank
		}
		return a.Ranked[i].ID < a.Ranked[j].ID
	})
	for i, m := range a.Ranked {
		m.Rank = i + 1
	}
	a.RankedBy = map[pg.Centrality][]*pg.OrganisationMetrics{pg.CentralityPageRank: a.Ranked}
	for c, value := range pg.Centralities {
		if c == pg.CentralityPageRank {
			continue
		}
		ranked := slices.Clone(a.Ranked)
		slices.SortStableFunc(ranked, func(x, y *pg.OrganisationMetrics) int {
			switch vx, vy := value(x), value(y); {
			case vx > vy:
				return -1
			case vx < vy:
				return 1
			}
			return x.Rank - y.Rank
		})
		a.RankedBy[c] = ranked
	}

	for _, g := range groups {
		c := pg.Community{}
		topics, countries := map[string]int{}, map[string]int{}
		for _, i := range g {
			c.Members = append(c.Members, n.ids[i])
			for t, k := range n.topics[i] {
				topics[t] += k
			}
			if cc := d.Country[n.ids[i]]; cc != "" {
				countries[cc]++
			}
		}
		sort.Slice(c.Members, func(i, j int) bool { return a.ByID[c.Members[i]].Rank < a.ByID[c.Members[j]].Rank })
		c.Topics, c.Countries = top5(topics), top5(countries)
		a.Communities = append(a.Communities, c)
	}
	sort.SliceStable(a.Communities, func(i, j int) bool {
		ci, cj := a.Communities[i], a.Communities[j]
		if len(ci.Members) != len(cj.Members) {
			return len(ci.Members) > len(cj.Members)
		}
		return a.ByID[ci.Members[0]].Rank < a.ByID[cj.Members[0]].Rank
	})
	for k := range a.Communities {
		a.Communities[k].ID = k + 1
		for _, id := range a.Communities[k].Members {
			a.ByID[id].Community = k + 1
		}
	}

	a.Evolution = evolution(byYear)
	return n
}

// pageRank is PageRank with damping over the weighted undirected graph adj (every node has a
// link), by power iteration until the L1 change per node is under tol: NetworkX's
// formulation (a link's share of a node's weight is the chance to follow it). gonum's
// network.PageRankSparse computes the same, but wants a gonum graph, whose construction took
// more time and memory on the benchmark's 600,000 links than the iteration itself.
func pageRank(adj []map[int]float64, damping, tol float64) []float64 {
	n := len(adj)
	start, to, w := compress(adj)
	out := make([]float64, n) // each node's total link weight
	for u := range n {
		for e := start[u]; e < start[u+1]; e++ {
			out[u] += w[e]
		}
	}
	x := make([]float64, n)
	next := make([]float64, n)
	for i := range x {
		x[i] = 1 / float64(n)
	}
	for range 10000 {
		for i := range next {
			next[i] = (1 - damping) / float64(n)
		}
		for u := range n {
			share := damping * x[u] / out[u]
			for e := start[u]; e < start[u+1]; e++ {
				next[to[e]] += share * w[e]
			}
		}
		var change float64
		for i := range x {
			change += math.Abs(next[i] - x[i])
		}
		x, next = next, x
		if change < float64(n)*tol {
			break
		}
	}
	return x
}

// top5 is the five most frequent keys of counts, ties by key.
func top5(counts map[string]int) []pg.Bucket {
	out := make([]pg.Bucket, 0, len(counts))
	for k, c := range counts {
		out = append(out, pg.Bucket{Key: k, Count: c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Key < out[j].Key
	})
	return out[:min(5, len(out))]
}

// brandes computes betweenness (normalised as NetworkX does for undirected graphs) and
// Wasserman-Faust closeness over hops, from every node or, above ExactSources nodes, from
// SampleSources seeded ones; it returns the number of sources. gonum has Brandes' algorithm
// only over every source (network.Betweenness), which on 20,000 organisations takes minutes,
// so the sampled form is here.
func brandes(adj []map[int]float64, metrics []*pg.OrganisationMetrics) int {
	n := len(adj)
	neighbours := make([][]int, n)
	for i, p := range adj {
		for j := range p {
			neighbours[i] = append(neighbours[i], j)
		}
		slices.Sort(neighbours[i])
	}
	sources := make([]int, n)
	for i := range sources {
		sources[i] = i
	}
	if n > ExactSources {
		r := rand.New(rand.NewPCG(sampleSeed, sampleSeed))
		r.Shuffle(n, func(i, j int) { sources[i], sources[j] = sources[j], sources[i] })
		sources = sources[:SampleSources]
	}
	component := components(neighbours)
	size := map[int]int{}
	for _, c := range component {
		size[c]++
	}

	// The sources are shared out among the cores; each worker keeps its own sums.
	type sums struct {
		bc, dist []float64
		reached  []int
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), len(sources)))
	parts := make([]sums, workers)
	var wg sync.WaitGroup
	for k := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			parts[k] = sums{make([]float64, n), make([]float64, n), make([]int, n)}
			accumulate(neighbours, sources[k*len(sources)/workers:(k+1)*len(sources)/workers], parts[k].bc, parts[k].dist, parts[k].reached)
		}()
	}
	wg.Wait()
	bc, sumDist, reached := parts[0].bc, parts[0].dist, parts[0].reached
	for _, p := range parts[1:] {
		for i := range bc {
			bc[i] += p.bc[i]
			sumDist[i] += p.dist[i]
			reached[i] += p.reached[i]
		}
	}

	if n > 2 {
		scale := 1 / float64((n-1)*(n-2)) * float64(n) / float64(len(sources))
		for i := range bc {
			metrics[i].Betweenness = bc[i] * scale
		}
	}
	for i := range metrics {
		if reached[i] == 0 || n < 2 {
			continue
		}
		// dist is symmetric: the mean distance from the sources that reach i is i's mean
		// distance to its component (exactly so when every node is a source).
		r := float64(size[component[i]])
		mean := sumDist[i] / float64(reached[i])
		metrics[i].Closeness = (1 / mean) * (r - 1) / float64(n-1)
	}
	return len(sources)
}

// accumulate runs Brandes' single-source step from each of sources over hops, adding each
// node's dependency to bc, and its distance from the sources that reach it to dist and reached.
func accumulate(neighbours [][]int, sources []int, bc, dist []float64, reached []int) {
	n := len(neighbours)
	d := make([]int, n)
	sigma := make([]float64, n)
	delta := make([]float64, n)
	pred := make([][]int, n)
	order := make([]int, 0, n)
	queue := make([]int, 0, n)
	for i := range d {
		d[i] = -1
	}
	for _, s := range sources {
		order, queue = order[:0], append(queue[:0], s)
		d[s], sigma[s] = 0, 1
		for len(queue) > 0 {
			v := queue[0]
			queue = queue[1:]
			order = append(order, v)
			for _, w := range neighbours[v] {
				if d[w] < 0 {
					d[w] = d[v] + 1
					queue = append(queue, w)
				}
				if d[w] == d[v]+1 {
					sigma[w] += sigma[v]
					pred[w] = append(pred[w], v)
				}
			}
		}
		for k := len(order) - 1; k >= 0; k-- {
			w := order[k]
			for _, v := range pred[w] {
				delta[v] += sigma[v] / sigma[w] * (1 + delta[w])
			}
			if w != s {
				bc[w] += delta[w]
				dist[w] += float64(d[w])
				reached[w]++
			}
		}
		for _, v := range order {
			d[v], sigma[v], delta[v], pred[v] = -1, 0, 0, pred[v][:0]
		}
	}
}

// components labels each node with its connected component.
func components(neighbours [][]int) []int {
	label := make([]int, len(neighbours))
	for i := range label {
		label[i] = -1
	}
	var stack []int
	for s := range neighbours {
		if label[s] >= 0 {
			continue
		}
		label[s] = s
		stack = append(stack[:0], s)
		for len(stack) > 0 {
			v := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, w := range neighbours[v] {
				if label[w] < 0 {
					label[w] = s
					stack = append(stack, w)
				}
			}
		}
	}
	return label
}

// evolution is the network year by year.
func evolution(yearPairs map[int][][2]string) []pg.NetworkYear {
	years := make([]int, 0, len(yearPairs))
	for y := range yearPairs {
		years = append(years, y)
	}
	slices.Sort(years)
	seen := map[string]bool{}
	var prev map[string]bool
	var out []pg.NetworkYear
	for _, y := range years {
		active := map[string]bool{}
		for _, p := range yearPairs[y] {
			active[p[0]], active[p[1]] = true, true
		}
		ny := pg.NetworkYear{Year: y, Active: len(active), Links: len(yearPairs[y])}
		for o := range active {
			if !seen[o] {
				ny.New++
			}
			if prev[o] {
				ny.Retained++
			}
		}
		if k := len(active); k > 1 {
			ny.Density = 2 * float64(ny.Links) / float64(k*(k-1))
		}
		for o := range active {
			seen[o] = true
		}
		prev = active
		out = append(out, ny)
	}
	return out
}
