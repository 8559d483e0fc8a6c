package analytics

import (
	"math/rand/v2"
	"slices"
)

// louvain finds communities of the weighted undirected graph adj (node -> neighbour ->
// weight, symmetric, no self-links) by Blondel et al.'s method at resolution 1: nodes move to
// the neighbouring community that raises modularity most, in a seeded random order, until no
// move helps; communities then become the nodes of a smaller graph, and again, until a level
// changes nothing. It returns each node's community (0..k-1) and the modularity.
//
// gonum has Louvain too (community.Modularize), and this package used it, but on the
// benchmark's network (20,000 organisations, 600,000 links) it ran for minutes: its moves go
// through interfaces and maps at every step. This is the same method over flat arrays; the
// tests hold its modularity to NetworkX's Louvain on the same networks.
func louvain(adj []map[int]float64, seed uint64) ([]int, float64) {
	n := len(adj)
	// The current level's graph in compressed rows.
	start, to, w := compress(adj)
	member := make([]int, n) // original node -> community
	for i := range member {
		member[i] = i
	}
	self := make([]float64, n) // weight of links inside each level node (collapsed communities)
	r := rand.New(rand.NewPCG(seed, seed))
	var m2 float64 // twice the total weight
	for _, x := range w {
		m2 += x
	}
	if m2 == 0 {
		return member, 0
	}
	for {
		size := len(start) - 1
		comm, moved := localMoves(start, to, w, self, m2, r)
		if !moved {
			break
		}
		// Renumber the communities 0..k-1 and collapse them into the next level's nodes.
		ids := map[int]int{}
		for _, c := range comm {
			if _, ok := ids[c]; !ok {
				ids[c] = len(ids)
			}
		}
		for i := range member {
			member[i] = ids[comm[member[i]]]
		}
		k := len(ids)
		next := make([]map[int]float64, k)
		nextSelf := make([]float64, k)
		for i := range next {
			next[i] = map[int]float64{}
		}
		for u := range size {
			cu := ids[comm[u]]
			nextSelf[cu] += self[u]
			for e := start[u]; e < start[u+1]; e++ {
				cv := ids[comm[to[e]]]
				if cu == cv {
					nextSelf[cu] += w[e] // both directions: counted twice, as in m2
				} else {
					next[cu][cv] += w[e]
				}
			}
		}
		start, to, w = compress(next)
		self = nextSelf
		if k == size {
			break
		}
	}
	return member, modularity(adj, member, m2)
}

// compress turns adjacency maps into compressed rows, neighbours in order.
func compress(adj []map[int]float64) (start, to []int, w []float64) {
	start = make([]int, len(adj)+1)
	for i, p := range adj {
		start[i+1] = start[i] + len(p)
	}
	to = make([]int, start[len(adj)])
	w = make([]float64, start[len(adj)])
	for i, p := range adj {
		e := start[i]
		for j := range p {
			to[e] = j
			e++
		}
		slices.Sort(to[start[i]:e])
		for k := start[i]; k < e; k++ {
			w[k] = p[to[k]]
		}
	}
	return start, to, w
}

// localMoves is one level of Louvain: it returns each node's community and whether any node
// moved.
func localMoves(start, to []int, w, self []float64, m2 float64, r *rand.Rand) ([]int, bool) {
	n := len(start) - 1
	comm := make([]int, n)
	degree := make([]float64, n) // weighted degree, links inside counted
	total := make([]float64, n)  // sum of the degrees of each community's nodes
	for u := range n {
		comm[u] = u
		degree[u] = self[u]
		for e := start[u]; e < start[u+1]; e++ {
			degree[u] += w[e]
		}
		total[u] = degree[u]
	}
	order := r.Perm(n)
	linkTo := make([]float64, n) // weight from the node being moved to each community
	var touched []int
	movedAny := false
	for range 1000 { // each pass raises modularity; the bound only guards against rounding
		moved := false
		for _, u := range order {
			cu := comm[u]
			touched = touched[:0]
			for e := start[u]; e < start[u+1]; e++ {
				c := comm[to[e]]
				if linkTo[c] == 0 {
					touched = append(touched, c)
				}
				linkTo[c] += w[e]
			}
			// Take u out of its community, then put it where the gain is largest.
			total[cu] -= degree[u]
			best, bestGain := cu, linkTo[cu]-total[cu]*degree[u]/m2
			for _, c := range touched {
				if gain := linkTo[c] - total[c]*degree[u]/m2; gain > bestGain+1e-12 { // strictly better: no cycling
					best, bestGain = c, gain
				}
			}
			total[best] += degree[u]
			if best != cu {
				comm[u] = best
				moved, movedAny = true, true
			}
			for _, c := range touched {
				linkTo[c] = 0
			}
			linkTo[cu] = 0
		}
		if !moved {
			break
		}
	}
	return comm, movedAny
}

// modularity is Newman's Q of a partition of the weighted graph adj at resolution 1, summed
// in a fixed order so the same partition always gives the same float.
func modularity(adj []map[int]float64, member []int, m2 float64) float64 {
	k := 0
	for _, c := range member {
		k = max(k, c+1)
	}
	inside := make([]float64, k)
	total := make([]float64, k)
	start, to, w := compress(adj)
	for u := range adj {
		for e := start[u]; e < start[u+1]; e++ {
			total[member[u]] += w[e]
			if member[u] == member[to[e]] {
				inside[member[u]] += w[e]
			}
		}
	}
	var q float64
	for c := range k {
		q += inside[c]/m2 - (total[c]/m2)*(total[c]/m2)
	}
	return q
}
