"""View models for the explorer and the exports: small, capped networkx graphs with labels,
statuses and evidence on every node and edge (no Streamlit here; pure functions of a build)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
from rdflib import URIRef

from app.analysis import LoadedBuild, core_graph, loaded_build, start_node
from graph.projection import local_name, projection_of_build
from graph.traces import CONSISTENT, DEPARTED, UNKNOWN

LAYERS = {"document": 0, "intent": 1, "expectation": 2, "value": 3, "referral": 4, "adaptation": 4}
STATUS_COLOURS = {CONSISTENT: "#2e7d32", DEPARTED: "#c62828", UNKNOWN: "#9e9e9e"}
DEFAULT_MAX_NODES = 300


@dataclass
class View:
    """A subgraph to show or export. Node attrs: label, kind, layer, status, evidence, iri.
    Edge attrs: relation, status, evidence."""

    title: str
    graph: nx.DiGraph[str]
    truncated: bool = False
    notes: list[str] = field(default_factory=list)


def _cap(view: View, max_nodes: int, keep_order: list[str]) -> View:
    if view.graph.number_of_nodes() <= max_nodes:
        return view
    kept = keep_order[:max_nodes]
    capped = view.graph.subgraph(kept).copy()
    dropped = view.graph.number_of_nodes() - len(kept)
    return View(view.title, capped, True, [*view.notes, f"truncated: showing {len(kept)} of "
                                            f"{view.graph.number_of_nodes()} nodes ({dropped} hidden); "
                                            "narrow the view or raise the node cap"])


def vision_view(build_dir: Path, intent: str | None = None, service: str | None = None,
                period: str | None = None, max_nodes: int = DEFAULT_MAX_NODES) -> View:
    """Document -> intent -> expectation -> configuration value -> referral pathway / adaptation."""
    loaded = loaded_build(build_dir)
    dig = loaded.trace_graph
    if intent:
        start = str(start_node(loaded, intent))
        reach = {start, *nx.descendants(dig, start), *nx.ancestors(dig, start)}
    else:
        reach = set(dig)
    keep = [n for n in reach
            if (service is None or dig.nodes[n].get("service") in (None, service))
            and (period is None or dig.nodes[n].get("period") in (None, period))]
    sub: nx.DiGraph[str] = nx.DiGraph()
    for n in keep:
        attrs = dig.nodes[n]
        incoming = [dig.edges[p, n]["status"] for p in dig.predecessors(n) if p in keep]
        status = DEPARTED if DEPARTED in incoming else UNKNOWN if UNKNOWN in incoming else CONSISTENT
        sub.add_node(n, label=attrs["label"], kind=attrs["kind"], layer=LAYERS[attrs["kind"]], status=status,
                     iri=n, evidence=_node_evidence(loaded, n))
    for a, b, attrs in dig.edges(data=True):
        if a in sub and b in sub:
            sub.add_edge(a, b, relation=attrs["relation"], status=attrs["status"], evidence=list(attrs["evidence"]))
    title = "Vision to practice" + (f": {loaded.model.label(URIRef(start_node(loaded, intent)))}" if intent else "") \
        + (f", case study {service}" if service else "") + (f", {period}" if period else "")
    order = sorted(sub, key=lambda n: (sub.nodes[n]["layer"], sub.nodes[n]["label"]))
    return _cap(View(title, sub), max_nodes, order)


def _node_evidence(loaded: LoadedBuild, node: str) -> list[tuple[str, str]]:
    return list(loaded.model.evidence(URIRef(node)))


def neighbourhood_view(build_dir: Path, node: str, hops: int = 1, max_nodes: int = 150) -> View:
    """The resources within `hops` links of `node` (either direction), nearest first, capped."""
    full = projection_of_build(*core_graph(build_dir))
    if node not in full:
        raise KeyError(f"{node} is not in this build")
    undirected = full.to_undirected(as_view=True)
    distance = nx.single_source_shortest_path_length(undirected, node, cutoff=hops)
    order = sorted(distance, key=lambda n: (distance[n], n))
    sub: nx.DiGraph[str] = nx.DiGraph()
    for n in order:
        attrs = full.nodes[n]
        label = attrs.get("label") or local_name(n)
        kinds = [local_name(t) for t in attrs.get("types", [])]
        sub.add_node(n, label=label, kind=kinds[0] if kinds else "resource", layer=distance[n], status=UNKNOWN
                     if not attrs.get("evidence") else CONSISTENT, iri=n, evidence=list(attrs.get("evidence", [])))
    for a, b, data in full.edges(data=True):
        if a in sub and b in sub and not sub.has_edge(a, b):
            sub.add_edge(a, b, relation=data["relation"], status=CONSISTENT, evidence=list(data.get("evidence", [])))
    view = View(f"Neighbourhood of {sub.nodes[node]['label']} ({hops} hop{'s' if hops != 1 else ''})", sub)
    return _cap(view, max_nodes, order)


def layered_positions(view: View, x_gap: float = 320.0, y_gap: float = 70.0) -> dict[str, tuple[float, float]]:
    """Deterministic left-to-right layout: one column per layer; within a column, nodes follow the
    mean position of their predecessors (fewer crossings), then their label."""
    by_layer: dict[int, list[str]] = {}
    for n in view.graph.nodes:
        by_layer.setdefault(int(view.graph.nodes[n]["layer"]), []).append(n)
    rank: dict[str, float] = {}
    positions: dict[str, tuple[float, float]] = {}
    for layer in sorted(by_layer):
        nodes = by_layer[layer]

        def key(n: str) -> tuple[float, str, str]:
            parents = [rank[p] for p in view.graph.predecessors(n) if p in rank]
            return (sum(parents) / len(parents) if parents else 0.0, view.graph.nodes[n]["label"], n)

        nodes.sort(key=key)
        offset = (len(nodes) - 1) * y_gap / 2
        for i, n in enumerate(nodes):
            rank[n] = float(i)
            positions[n] = (layer * x_gap, i * y_gap - offset)
    return positions
