"""Exports of a view for presentations and other tools, each keeping the citations.

Formats: offline HTML page, SVG, PNG, GEXF (Gephi), GraphML, Cytoscape JSON, Turtle and JSON-LD of
the subgraph (with its evidence and sources), and a CSV of the claims shown with their citations.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import matplotlib as mpl

mpl.use("Agg")  # no display: render to files only
import matplotlib.pyplot as plt
import networkx as nx
from rdflib import Graph, URIRef

from policygraph.app.exports.html import render_html
from policygraph.app.read.views import (
    DEFAULT_MAX_NODES,
    STATUS_COLOURS,
    View,
    layered_positions,
    neighbourhood_view,
    vision_view,
)
from policygraph.ontology import PG, PREFIXES

if TYPE_CHECKING:
    from policygraph.app.release import Release

MEDIA_TYPES = {
    "html": "text/html", "svg": "image/svg+xml", "png": "image/png", "gexf": "application/xml",
    "graphml": "application/xml", "cyjs": "application/json", "ttl": "text/turtle", "jsonld": "application/ld+json",
    "csv": "text/csv",
}


def _citations(evidence: list[tuple[str, str]]) -> str:
    return "; ".join(f"{sid} ({locator})" for sid, locator in evidence)


def _flat(view: View) -> nx.DiGraph[str]:
    """The view with scalar attributes only (GEXF and GraphML take no lists)."""
    flat: nx.DiGraph[str] = nx.DiGraph()
    positions = layered_positions(view)
    for n in view.graph.nodes:
        a = view.graph.nodes[n]
        flat.add_node(n, label=a["label"], kind=a["kind"], status=a["status"], iri=a["iri"],
                      evidence=_citations(a["evidence"]), x=positions[n][0], y=positions[n][1])
    for u, v in view.graph.edges:
        a = view.graph.edges[u, v]
        flat.add_edge(u, v, relation=a["relation"], status=a["status"], evidence=_citations(a["evidence"]))
    return flat


def _figure(view: View, fmt: str) -> bytes:
    positions = {n: (x, -y) for n, (x, y) in layered_positions(view).items()}
    layers = max((view.graph.nodes[n]["layer"] for n in view.graph), default=0) + 1
    height = max(4.0, 0.35 * max(sum(1 for n in view.graph if view.graph.nodes[n]["layer"] == k)
                                 for k in range(layers)))
    fig, ax = plt.subplots(figsize=(4.0 * layers, height))
    try:
        g = view.graph
        nx.draw_networkx_edges(g, positions, ax=ax, edge_color=[STATUS_COLOURS[g.edges[e]["status"]] for e in g.edges],
                               arrows=True, arrowsize=8, width=1.2, node_size=120)
        nx.draw_networkx_nodes(g, positions, ax=ax, node_size=120,
                               node_color=[STATUS_COLOURS[g.nodes[n]["status"]] for n in g.nodes])
        # matplotlib writes text as text (escaped in SVG); no label becomes markup.
        nx.draw_networkx_labels(g, positions, ax=ax, font_size=6,
                                labels={n: g.nodes[n]["label"][:70] for n in g.nodes}, horizontalalignment="left")
        ax.set_title(view.title + (" (truncated)" if view.truncated else ""), fontsize=9)
        ax.axis("off")
        ax.margins(x=0.3, y=0.05)  # room for the labels of the last column
        out = io.BytesIO()
        fig.savefig(out, format=fmt, bbox_inches="tight", dpi=150, metadata={"Date": None} if fmt == "svg" else {})
        return out.getvalue()
    finally:
        plt.close(fig)


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


def claims_csv(view: View) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["item", "label", "relation", "status", "source", "locator"])
    for n in sorted(view.graph.nodes):
        a = view.graph.nodes[n]
        for sid, locator in a["evidence"] or [("", "")]:
            writer.writerow([n, a["label"], "", a["status"], sid, locator])
    for u, v in sorted(view.graph.edges):
        a = view.graph.edges[u, v]
        label = f"{view.graph.nodes[u]['label']} -> {view.graph.nodes[v]['label']}"
        for sid, locator in a["evidence"] or [("", "")]:
            writer.writerow([f"{u} -> {v}", label, a["relation"], a["status"], sid, locator])
    return out.getvalue()


def export(release: Release, view: View, fmt: str) -> bytes:
    """The view as bytes in `fmt` (one of MEDIA_TYPES)."""
    writers: dict[str, Callable[[], bytes]] = {
        "html": lambda: render_html(view).encode("utf-8"),
        "svg": lambda: _figure(view, "svg"),
        "png": lambda: _figure(view, "png"),
        "gexf": lambda: "\n".join(nx.generate_gexf(_flat(view))).encode("utf-8"),
        "graphml": lambda: "\n".join(nx.generate_graphml(_flat(view))).encode("utf-8"),
        "cyjs": lambda: json.dumps(nx.cytoscape_data(_flat(view)), ensure_ascii=False, indent=1).encode("utf-8"),
        "ttl": lambda: subgraph_rdf(release, view).serialize(format="turtle", encoding="utf-8"),
        "jsonld": lambda: subgraph_rdf(release, view).serialize(format="json-ld", encoding="utf-8"),
        "csv": lambda: claims_csv(view).encode("utf-8"),
    }
    if fmt not in writers:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(writers)}")
    return writers[fmt]()


VIEWS = ("vision", "neighbourhood")


def make_view(release: Release, view: str = "vision", *, intent: str | None = None, service: str | None = None,
              period: str | None = None, node: str | None = None, hops: int = 1,
              max_nodes: int = DEFAULT_MAX_NODES) -> View:
    """The view `policygraph export` and the Export page draw: the vision-to-practice view (of one intent,
    service and period when given) or the neighbourhood of `node`."""
    if view == "neighbourhood":
        if not node:
            raise ValueError("the neighbourhood view needs a centre node (--node IRI)")
        return neighbourhood_view(release, node, hops, max_nodes)
    if view != "vision":
        raise ValueError(f"unknown view {view!r}; use one of {', '.join(VIEWS)}")
    return vision_view(release, intent, service, period, max_nodes)


def export_view(release: Release, fmt: str, **view: Any) -> bytes:
    """`make_view(release, **view)` in `fmt`."""
    return export(release, make_view(release, **view), fmt)
