"""Exports of a view for presentations and other tools, each keeping the citations.

Formats: an offline HTML page; slide-grade images (SVG with text as text, PNG, PDF) and a PowerPoint deck; GEXF
(Gephi), GraphML, Cytoscape JSON, Turtle and JSON-LD of the subgraph (with its evidence and sources); and a CSV
of the claims shown with their citations. The vision view is drawn as the vision -> practice picture
(app/read/picture.py) in the HTML page, the images and the deck; the network formats and the CSV carry its
every hop (app/read/views.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx
from rdflib import URIRef

from policygraph.app.exports.claims import claims_csv
from policygraph.app.exports.frame import IMAGE_FORMATS, SIZES, Credits, frame_size, save
from policygraph.app.exports.html import NETWORK_CSS, network_id, network_section, vis_js
from policygraph.app.exports.network_figure import network_figure
from policygraph.app.exports.page import dom_id, render_page, unique_ids
from policygraph.app.exports.picture_figure import picture_figure
from policygraph.app.exports.picture_html import PICTURE_CSS, picture_section
from policygraph.app.exports.rdf import flat_graph, subgraph_rdf
from policygraph.app.read.citations import cite, references, source_names
from policygraph.app.read.picture import Picture, programme_label, vision_picture
from policygraph.app.read.views import DEFAULT_MAX_NODES, View, neighbourhood_view, vision_view

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from policygraph.app.release import Release

MEDIA_TYPES = {
    "html": "text/html", "svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "gexf": "application/xml", "graphml": "application/xml", "cyjs": "application/json", "ttl": "text/turtle",
    "jsonld": "application/ld+json", "csv": "text/csv",
}
VIEWS = ("vision", "neighbourhood")
__all__ = ["IMAGE_FORMATS", "MEDIA_TYPES", "SIZES", "VIEWS", "Chosen", "claims_csv", "export", "export_view",
           "make_view", "page_of", "subgraph_rdf"]


@dataclass(frozen=True)
class Chosen:
    """A view as every export draws it: its network (every hop, for the network formats and the CSV) and, for
    the vision view, its picture."""

    network: View
    picture: Picture | None
    credits: Credits
    service: str | None = None  # the service and period it was made for
    period: str | None = None

    @property
    def title(self) -> str:
        return self.picture.title if self.picture is not None else self.network.title

    def describe(self) -> str:
        g = self.network.graph
        what = f"{g.number_of_nodes()} nodes{', truncated' if self.network.truncated else ''}"
        if self.picture is not None:
            p = self.picture
            services = len(p.services) + p.hidden_services
            what = (f"{len(p.rows)} expectation{'s' if len(p.rows) != 1 else ''} x {services} "
                    f"{p.services_word if services != 1 else p.service_word}; {what}")
        return what

    def figure(self, width: float, height: float, *, framed: bool = True) -> Figure:
        if self.picture is not None:
            return picture_figure(self.picture, width, height, framed=framed)
        return network_figure(self.network, self.credits, width, height, framed=framed)

    def section_ids(self) -> list[str]:
        """The ids of its HTML sections: the picture's (when there is one), then the network's."""
        found = [dom_id("picture", self.picture.title, self.credits.build)] if self.picture is not None else []
        return [*found, network_id(self.network)]

    def sections(self, ids: list[str]) -> list[str]:
        """Its HTML sections under `ids` (as many as section_ids gives)."""
        out = [picture_section(self.picture, ids.pop(0))] if self.picture is not None else []
        return [*out, network_section(self.network, ids.pop(0))]

    def page(self) -> str:
        """The offline HTML page: the picture (when there is one) above the network of every hop."""
        return page_of([self])


def page_of(views: Sequence[Chosen], title: str | None = None) -> str:
    """One offline page holding several views, each section under its own ids (the same view twice included)."""
    ids = unique_ids([i for chosen in views for i in chosen.section_ids()])
    sections = []
    for chosen in views:
        mine, ids = ids[:len(chosen.section_ids())], ids[len(chosen.section_ids()):]
        sections += chosen.sections(mine)
    return render_page(title or views[0].title, sections, css=[NETWORK_CSS, PICTURE_CSS], scripts=[vis_js()])


def _credits(release: Release, network: View, picture: Picture | None) -> Credits:
    model = release.model()
    if picture is not None:
        sids = set(picture.source_ids)
        sources, programme = picture.sources, picture.programme
    else:
        sids = {sid for n in network.graph for sid, _ in network.graph.nodes[n]["evidence"]}
        sources, programme = cite(source_names(model), sids), programme_label(release)
    return Credits(sources, programme, release.version, release.sha256[:7], release.built_at,
                   tuple(references(model, sids)))


def make_view(release: Release, view: str = "vision", *, intent: str | None = None, service: str | None = None,
              period: str | None = None, node: str | None = None, hops: int = 1,
              max_nodes: int = DEFAULT_MAX_NODES) -> Chosen:
    """The view `policygraph export` and the Export page draw: the vision-to-practice view (of one intent,
    service and period when given) or the neighbourhood of `node`. An unknown intent, service, period or
    node raises KeyError naming the choices."""
    if view == "neighbourhood":
        if not node:
            raise ValueError("the neighbourhood view needs a centre node (--node IRI)")
        network = neighbourhood_view(release, node, hops, max_nodes)
        return Chosen(network, None, _credits(release, network, None))
    if view != "vision":
        raise ValueError(f"unknown view {view!r}; use one of {', '.join(VIEWS)}")
    picture = vision_picture(release, intent, service, period)
    network = vision_view(release, intent, service, period, max_nodes)
    return Chosen(network, picture, _credits(release, network, picture), service, period)


def export(release: Release, chosen: Chosen, fmt: str, *, size: str = "16:9", scale: float = 2.0) -> bytes:
    """The chosen view as bytes in `fmt` (one of MEDIA_TYPES); images and decks at `size` (a key of SIZES),
    PNG at `scale` times the frame's pixels."""
    view = chosen.network
    writers: dict[str, Callable[[], bytes]] = {
        "html": lambda: chosen.page().encode("utf-8"),
        "pptx": lambda: _deck(release, chosen, size),
        "gexf": lambda: "\n".join(nx.generate_gexf(flat_graph(view))).encode("utf-8"),
        "graphml": lambda: "\n".join(nx.generate_graphml(flat_graph(view))).encode("utf-8"),
        "cyjs": lambda: json.dumps(nx.cytoscape_data(flat_graph(view)), ensure_ascii=False, indent=1).encode("utf-8"),
        "ttl": lambda: subgraph_rdf(release, view).serialize(format="turtle", encoding="utf-8"),
        "jsonld": lambda: subgraph_rdf(release, view).serialize(format="json-ld", encoding="utf-8"),
        "csv": lambda: claims_csv(view).encode("utf-8"),
    }
    for image in IMAGE_FORMATS:
        writers[image] = lambda image=image: save(chosen.figure(*frame_size(size)), image, scale)  # type: ignore[misc]
    if fmt not in writers:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(MEDIA_TYPES)}")
    return writers[fmt]()


def _deck(release: Release, chosen: Chosen, size: str) -> bytes:
    from policygraph.app.exports.deck import deck  # noqa: PLC0415 - python-pptx only for a deck

    slides = [chosen]
    if chosen.picture is not None and len(chosen.picture.groups) > 1:
        # The whole picture first, then each intent on its own slide, at a size that reads from the back.
        model = release.model()
        slides += [make_view(release, intent=model.ident(URIRef(group.iri)), service=chosen.service,
                             period=chosen.period) for group in chosen.picture.groups]
    return deck(slides, size)


def export_view(release: Release, fmt: str, *, size: str = "16:9", scale: float = 2.0, **view: Any) -> bytes:
    """`make_view(release, **view)` in `fmt`."""
    return export(release, make_view(release, **view), fmt, size=size, scale=scale)
