"""Recomputes a partner network's analytics with NetworkX, for analytics_test.go.

Reads {"edges": [[a, b, weight], ...]} from the file named by argv[1] and prints
{"pagerank": {...}, "betweenness": {...}, "closeness": {...}, "modularity": q}: weighted
PageRank (damping 0.85), betweenness and closeness over hops, and the weighted modularity of
NetworkX's Louvain communities.
"""
import json
import sys

import networkx as nx
# nx.pagerank needs SciPy; its pure-Python form is the same algorithm.
from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

with open(sys.argv[1]) as f:
    data = json.load(f)
g = nx.Graph()
for a, b, w in data["edges"]:
    g.add_edge(a, b, weight=w)
communities = nx.community.louvain_communities(g, weight="weight", seed=1)
print(json.dumps({
    "pagerank": _pagerank_python(g, alpha=0.85, weight="weight", tol=1e-14, max_iter=10000),
    "betweenness": nx.betweenness_centrality(g, normalized=True),
    "closeness": nx.closeness_centrality(g),
    "modularity": nx.community.modularity(g, communities, weight="weight"),
}))
