"""A view as a graph for other tools: the flat networkx graph (GEXF, GraphML, Cytoscape JSON take no lists)
and the RDF subgraph (Turtle, JSON-LD) with the evidence and the sources it cites."""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
from rdflib import Graph, URIRef

from policygraph.app.read.views import View, layered_positions
from policygraph.ontology import PG, PREFIXES

if TYPE_CHECKING:
    from policygraph.app.release import Release


def citations(evidence: list[tuple[str, str]]) -> str:
    return "; ".join(f"{sid} ({locator})" for sid, locator in evidence)


def flat_graph(view: View) -> nx.DiGraph[str]:
    """The view with scalar attributes only, and the positions of its layered layout."""
    flat: nx.DiGraph[str] = nx.DiGraph()
    positions = layered_positions(view)
    for n in view.graph.nodes:
        a = view.graph.nodes[n]
        flat.add_node(n, label=a["label"], kind=a["kind"], status=a["status"], iri=a["iri"],
                      evidence=citations(a["evidence"]), x=positions[n][0], y=positions[n][1])
    for u, v in view.graph.edges:
        a = view.graph.edges[u, v]
        flat.add_edge(u, v, relation=a["relation"], status=a["status"], evidence=citations(a["evidence"]))
    return flat


def subgraph_rdf(release: Release, view: View) -> Graph:
    """The release's statements about the view's nodes, with their evidence and the sources cited."""
    full = release.model().graph
    out = Graph()
    for prefix, ns in PREFIXES.items():
        out.bind(prefix, ns)
    subjects: set[URIRef] = {URIRef(n) for n in view.graph.nodes}
    for s in list(subjects):
        for evidence in full.objects(s, PG.evidence):
            source = full.value(evidence, PG.source)
            subjects.update(t for t in (evidence, source) if isinstance(t, URIRef))
    for s in subjects:
        for p, o in full.predicate_objects(s):
            out.add((s, p, o))
    return out
