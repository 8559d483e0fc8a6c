"""Reads partnergraph exports back the way an analyst's tools do, and reports what they hold.

usage: check_exports.py [--label ID]... FILE...

FILE is a GraphML (.graphml, read by networkx.read_graphml), GEXF 1.3 (.gexf, networkx.read_gexf)
or CSV export (.zip holding nodes.csv and edges.csv, read by the csv module). For each file it
prints one JSON line: {"file", "format", "nodes", "edges", "directed", "statuses", "labels",
"communities"}, where statuses counts nodes per status, labels maps each --label ID to that
node's label and communities to its community attribute (the partner network's), if any.
It exits 1 if a file does not parse, or if an edge names a node the file does not declare
(networkx would add such a node silently, without attributes).
"""

import csv
import io
import json
import os
import sys
import zipfile

import networkx as nx

NODE_COLUMNS = ["id", "label", "kind", "subKind", "status", "startDate", "endDate", "published",
                "founded", "countryCode"]
EDGE_COLUMNS = ["source", "target", "type", "role", "weight"]


class BadExport(Exception):
    pass


def check_graph(path, fmt, graph, labels):
    for node, data in graph.nodes(data=True):
        for attr in ("label", "kind", "status"):
            if attr not in data:
                raise BadExport(f"{path}: node {node!r} has no {attr}: an edge names a node the file does not declare")
    statuses = {}
    for _, status in graph.nodes(data="status"):
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "file": os.path.basename(path), "format": fmt,
        "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(),
        "directed": graph.is_directed(), "statuses": statuses,
        "labels": {i: graph.nodes[i]["label"] for i in labels if i in graph},
        "communities": {i: int(graph.nodes[i]["community"]) for i in labels if i in graph and "community" in graph.nodes[i]},
    }


def read_table(archive, name, columns):
    raw = archive.read(name)
    if not raw.startswith(b"\xef\xbb\xbf"):
        raise BadExport(f"{name} does not start with a UTF-8 byte order mark")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    header = rows[0]
    if header[:len(columns)] != columns:
        raise BadExport(f"{name}: header {header}, want it to start with {columns}")
    for i, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise BadExport(f"{name} line {i}: {len(row)} cells, header has {len(header)}")
    return [dict(zip(header, row)) for row in rows[1:]]


def check_csv(path, labels):
    with zipfile.ZipFile(path) as archive:
        names = sorted(archive.namelist())
        if names != ["edges.csv", "nodes.csv"]:
            raise BadExport(f"{path}: holds {names}, want edges.csv and nodes.csv")
        nodes = read_table(archive, "nodes.csv", NODE_COLUMNS)
        edges = read_table(archive, "edges.csv", EDGE_COLUMNS)
    ids = {n["id"]: n for n in nodes}
    if len(ids) != len(nodes):
        raise BadExport(f"{path}: node ids repeat")
    for e in edges:
        for end in ("source", "target"):
            if e[end] not in ids:
                raise BadExport(f"{path}: edge {e['source']} -> {e['target']} names an undeclared {end}")
    statuses = {}
    for n in nodes:
        statuses[n["status"]] = statuses.get(n["status"], 0) + 1
    return {
        "file": os.path.basename(path), "format": "csv", "nodes": len(nodes), "edges": len(edges),
        "directed": None, "statuses": statuses,
        "labels": {i: ids[i]["label"] for i in labels if i in ids},
        "communities": {i: int(ids[i]["community"]) for i in labels if i in ids and ids[i].get("community")},
    }


def main(argv):
    labels, files = [], []
    args = iter(argv)
    for a in args:
        if a == "--label":
            labels.append(next(args))
        else:
            files.append(a)
    if not files:
        print(__doc__, file=sys.stderr)
        return 2
    for path in files:
        try:
            if path.endswith(".graphml"):
                report = check_graph(path, "graphml", nx.read_graphml(path), labels)
            elif path.endswith(".gexf"):
                report = check_graph(path, "gexf", nx.read_gexf(path, version="1.3"), labels)
            elif path.endswith(".zip"):
                report = check_csv(path, labels)
            else:
                raise BadExport(f"{path}: not a .graphml, .gexf or .zip file")
        except Exception as err:  # any failure to read the file is the finding
            print(f"check_exports: {path}: {type(err).__name__}: {err}", file=sys.stderr)
            return 1
        print(json.dumps(report, ensure_ascii=False, sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
