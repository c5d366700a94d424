"""View models for the explorer and the exports: small, capped networkx graphs with labels,
statuses and evidence on every node and edge (no Streamlit here; pure functions of a build)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import networkx as nx
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from policygraph.app.read.tables import start_node
from policygraph.graph.model import local_name
from policygraph.graph.traces import CONSISTENT, DEPARTED, UNKNOWN
from policygraph.ontology import PG

if TYPE_CHECKING:
    from policygraph.app.release import Release

LAYERS = {"document": 0, "intent": 1, "expectation": 2, "value": 3, "referral": 4, "adaptation": 4}
STATUS_COLOURS = {CONSISTENT: "#2e7d32", DEPARTED: "#c62828", UNKNOWN: "#9e9e9e"}
DEFAULT_MAX_NODES = 300
TRACE_LEGEND = {CONSISTENT: "consistent with the expectation", DEPARTED: "departed from the expectation",
                UNKNOWN: "unknown: the sources are silent"}
NEIGHBOURHOOD_LEGEND = {CONSISTENT: "with evidence", UNKNOWN: "no evidence cited"}


@dataclass
class View:
    """A subgraph to show or export. Node attrs: label, kind, layer, status, evidence, iri.
    Edge attrs: relation, status, evidence."""

    title: str
    graph: nx.DiGraph[str]
    truncated: bool = False
    notes: list[str] = field(default_factory=list)
    legend: dict[str, str] = field(default_factory=lambda: dict(TRACE_LEGEND))  # what each status means here


def _truncated(shown: int, total: int, exact: bool = True) -> str:
    of = f"{total}" if exact else f"at least {total}"
    return (f"truncated: showing {shown} of {of} nodes ({total - shown}{'' if exact else '+'} hidden); "
            "narrow the view or raise the node cap")


def vision_view(release: Release, intent: str | None = None, service: str | None = None,
                period: str | None = None, max_nodes: int = DEFAULT_MAX_NODES) -> View:
    """Document -> intent -> expectation -> configuration value -> referral pathway / adaptation.

    The cap is applied before anything is computed per node, so a national programme's tens of thousands
    of trace nodes cost a sort, not an evidence look-up each."""
    model = release.model()
    dig = model.trace_graph
    if intent:
        start = str(start_node(release, intent))
        reach = {start, *nx.descendants(dig, start), *nx.ancestors(dig, start)}
    else:
        reach = set(dig)
    keep = {n for n in reach
            if (service is None or dig.nodes[n].get("service") in (None, service))
            and (period is None or dig.nodes[n].get("period") in (None, period))}
    order = sorted(keep, key=lambda n: (LAYERS[dig.nodes[n]["kind"]], dig.nodes[n]["label"], n))
    shown = order[:max_nodes]
    sub: nx.DiGraph[str] = nx.DiGraph()
    for n in shown:
        attrs = dig.nodes[n]
        incoming = [dig.edges[p, n]["status"] for p in dig.predecessors(n) if p in keep]
        status = DEPARTED if DEPARTED in incoming else UNKNOWN if UNKNOWN in incoming else CONSISTENT
        sub.add_node(n, label=attrs["label"], kind=attrs["kind"], layer=LAYERS[attrs["kind"]], status=status,
                     iri=n, evidence=list(model.evidence(URIRef(n))))
    for a in shown:
        for b, attrs in dig.succ[a].items():
            if b in sub:
                sub.add_edge(a, b, relation=attrs["relation"], status=attrs["status"],
                             evidence=list(attrs["evidence"]))
    title = "Vision to practice" + (f": {model.label(URIRef(start_node(release, intent)))}" if intent else "") \
        + (f", {model.word()} {service}" if service else "") + (f", {period}" if period else "")
    if len(order) <= max_nodes:
        return View(title, sub)
    return View(title, sub, True, [_truncated(len(shown), len(order))])


def _key(term: Node) -> str:
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def _term(key: str) -> URIRef | BNode:
    return BNode(key[2:]) if key.startswith("_:") else URIRef(key)


def _linked(graph: Graph, key: str) -> Iterator[str]:
    """The resources one link away from `key`, either direction (literal values are attributes)."""
    term = _term(key)
    for o in graph.objects(term, None):
        if not isinstance(o, Literal):
            yield _key(o)
    for s in graph.subjects(None, term):
        yield _key(s)


def _cited(graph: Graph, term: URIRef | BNode) -> list[str]:
    """An evidence node named by what it cites ('S1: section 2, paragraph 3'), as it has no label of its own."""
    locator, source = graph.value(term, PG.locator), graph.value(term, PG.source)
    if locator is None:
        return []
    sid = graph.value(source, PG.identifier) if source is not None else None
    return [f"{sid}: {locator}" if sid is not None else str(locator)]


def _evidence(graph: Graph, term: URIRef | BNode) -> list[tuple[str, str]]:
    found = set()
    for ev in graph.objects(term, PG.evidence):
        source = graph.value(ev, PG.source)
        sid = graph.value(source, PG.identifier) if source is not None else None
        found.add((str(sid), str(graph.value(ev, PG.locator))))
    return sorted(found)


def neighbourhood_view(release: Release, node: str, hops: int = 1, max_nodes: int = 150) -> View:
    """The resources within `hops` links of `node` (either direction), nearest first (then by IRI), capped.

    Walked level by level on the build's graph with indexed look-ups; once more nodes are found than the
    cap, farther levels are not walked (they could not be shown), and the note says "at least"."""
    graph = release.model().graph
    if next(graph.triples((_term(node), None, None)), None) is None \
            and next(graph.triples((None, None, _term(node))), None) is None:
        raise KeyError(f"{node} is not in this build")
    distance = {node: 0}
    frontier = [node]
    exact = True
    for level in range(1, hops + 1):
        if len(distance) > max_nodes and frontier:
            exact = False  # what lies farther could not be shown anyway
            break
        found = sorted({n for key in frontier for n in _linked(graph, key) if n not in distance})
        distance.update(dict.fromkeys(found, level))
        frontier = found
    order = sorted(distance, key=lambda n: (distance[n], n))
    shown = order[:max_nodes]
    sub: nx.DiGraph[str] = nx.DiGraph()
    for n in shown:
        term = _term(n)
        labels = sorted(str(o) for o in graph.objects(term, RDFS.label) if isinstance(o, Literal))
        labels = labels or _cited(graph, term)
        kinds = sorted(str(t) for t in graph.objects(term, RDF.type))
        evidence = _evidence(graph, term)
        sub.add_node(n, label=labels[0] if labels else local_name(n),
                     kind=local_name(kinds[0]) if kinds else "resource", layer=distance[n],
                     status=CONSISTENT if evidence else UNKNOWN, iri=n, evidence=evidence)
    for a in shown:  # one edge per pair: the first predicate in IRI order
        relations: dict[str, str] = {}
        for p, o in graph.predicate_objects(_term(a)):
            b = _key(o)
            if not isinstance(o, Literal) and b in sub and (b not in relations or str(p) < relations[b]):
                relations[b] = str(p)
        for b, predicate in sorted(relations.items()):
            sub.add_edge(a, b, relation=local_name(predicate), status=CONSISTENT,
                         evidence=list(sub.nodes[a]["evidence"]))
    view = View(f"Neighbourhood of {sub.nodes[node]['label']} ({hops} hop{'s' if hops != 1 else ''})", sub,
                legend=dict(NEIGHBOURHOOD_LEGEND))
    if len(order) <= max_nodes:
        return view
    view.truncated = True
    view.notes.append(_truncated(len(shown), len(order), exact))
    return view


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
