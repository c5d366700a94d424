"""Network views as HTML sections: vis-network inlined (no CDN: opens offline, from a USB stick), fixed
positions (no physics freeze, stable across reruns), every label escaped.

pyvis assembles the nodes, edges and options; the page is our own template because pyvis's
template pulls Bootstrap from a CDN and renders some fields unescaped
(an XSS hole that vis-network itself had closed).
Labels reach the page only as JSON in a data block (with '<' escaped) and are shown by vis-network
as canvas text or by the evidence panel through textContent, never through innerHTML.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

from pyvis.network import Network

from policygraph.app.exports.page import dom_id, render_page, script_json
from policygraph.app.read.views import STATUS_COLOURS, View, layered_positions, neighbourhood_view

if TYPE_CHECKING:
    from policygraph.app.release import Release

SHAPES = {"document": "box", "intent": "ellipse", "expectation": "diamond", "value": "dot", "referral": "triangle",
          "adaptation": "star"}
# Each shape as a small inline SVG for the legend (no font has them all).
SHAPE_SVG = {"box": '<rect x="1" y="3" width="14" height="10"/>', "ellipse": '<ellipse cx="8" cy="8" rx="7" ry="4.5"/>',
             "diamond": '<polygon points="8,1 15,8 8,15 1,8"/>', "dot": '<circle cx="8" cy="8" r="6"/>',
             "triangle": '<polygon points="8,1 15,15 1,15"/>',
             "star": '<polygon points="8,1 10,6 15,6 11,9.5 12.5,15 8,11.5 3.5,15 5,9.5 1,6 6,6"/>'}
KIND_COLOURS = {"document": "#37474f", "intent": "#1565c0", "expectation": "#6a1b9a"}


@cache
def vis_js() -> str:
    lib = files("pyvis") / "lib" / "vis-9.1.2" / "vis-network.min.js"
    return lib.read_text(encoding="utf-8")


def _tooltip(label: str, status: str, evidence: list[tuple[str, str]]) -> str:
    lines = [label, f"status: {status}"] + [f"{sid}: {locator}" for sid, locator in evidence]
    return "\n".join(lines)


def network_data(view: View) -> Network:
    """The pyvis network of a view, with positions fixed from the layered layout."""
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    positions = layered_positions(view)
    for node in sorted(view.graph.nodes):
        attrs = view.graph.nodes[node]
        x, y = positions[node]
        colour = KIND_COLOURS.get(attrs["kind"], STATUS_COLOURS.get(attrs["status"], "#9e9e9e"))
        net.add_node(node, label=attrs["label"], title=_tooltip(attrs["label"], attrs["status"], attrs["evidence"]),
                     shape=SHAPES.get(attrs["kind"], "dot"), color=colour, x=x, y=y, physics=False,
                     font={"color": "#ffffff" if attrs["kind"] in ("document", "intent") else "#212121"})
    for a, b in sorted(view.graph.edges):
        attrs = view.graph.edges[a, b]
        net.add_edge(a, b, title=_tooltip(attrs["relation"], attrs["status"], attrs["evidence"]),
                     label=attrs["relation"], color=STATUS_COLOURS.get(attrs["status"], "#9e9e9e"),
                     width=3 if attrs["status"] == "departed" else 1.5, arrows="to")
    net.toggle_physics(False)
    return net


def _legend(view: View) -> str:
    statuses = {view.graph.edges[e]["status"] for e in view.graph.edges} | {
        view.graph.nodes[n]["status"] for n in view.graph if view.graph.nodes[n]["kind"] not in KIND_COLOURS}
    colours = "".join(f'<span class="pg-key"><span class="pg-swatch" style="background:{colour}"></span>'
                      f"{html.escape(view.legend.get(status, status))}</span> "
                      for status, colour in STATUS_COLOURS.items() if status in statuses)
    kinds = sorted({view.graph.nodes[n]["kind"] for n in view.graph})
    shapes = "".join(f'<span class="pg-key"><svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" '
                     f'fill="{KIND_COLOURS.get(kind, "#616161")}">{SHAPE_SVG[SHAPES.get(kind, "dot")]}</svg>'
                     f"{html.escape(kind)}</span> " for kind in kinds)
    return f'<p class="pg-legend">{colours}</p><p class="pg-legend">{shapes}</p>'


def network_section(view: View, section_id: str, *, height: str = "620px") -> str:
    """The view as one HTML section whose ids all start with `section_id` (vis-network must be on the page)."""
    net = network_data(view)
    node_keys = ("id", "label", "title", "shape", "color", "x", "y", "physics", "font")
    nodes = [{k: v for k, v in n.items() if k in node_keys} for n in net.nodes]
    edges = [{"id": f"e{i}", **{k: v for k, v in e.items() if k in ("from", "to", "title", "label", "color", "width",
                                                                    "arrows")}} for i, e in enumerate(net.edges)]
    notes = "".join(f'<p class="pg-note">{html.escape(n)}</p>' for n in view.notes)
    return (f'<section class="pg-view pg-network" id="{section_id}"><h2>{html.escape(view.title)}</h2>{notes}'
            f'{_legend(view)}<div class="pg-wrap"><div class="pg-net" id="{section_id}-net" '
            f'style="height:{html.escape(height)}"></div><div class="pg-evidence" id="{section_id}-evidence" '
            f'style="height:{html.escape(height)}">Select a node or an edge to see its evidence.</div></div>'
            f'<script type="application/json" id="{section_id}-data">{script_json({"nodes": nodes, "edges": edges})}'
            f"</script><script>{_SCRIPT.replace('@ID@', section_id)}</script></section>")


def network_id(view: View) -> str:
    return dom_id("network", view.title, *sorted(view.graph.nodes))


def render_html(view: View, *, height: str = "720px") -> str:
    """A complete offline HTML page showing the view, with an evidence panel for the selected item."""
    return render_page(view.title, [network_section(view, network_id(view), height=height)], css=[NETWORK_CSS],
                       scripts=[vis_js()])


@dataclass(frozen=True)
class Drawn:
    """A view and its network page (HTML for the explorer's iframe)."""

    view: View
    html: str


def drawn_vision(release: Release, intent: str | None, service: str | None) -> Drawn:
    """The vision -> practice page: the picture, then every hop as a network (as the offline export)."""
    from policygraph.app.exports import make_view  # noqa: PLC0415 - the package imports this module

    chosen = make_view(release, intent=intent, service=service)
    return Drawn(chosen.network, chosen.page())


def drawn_neighbourhood(release: Release, node: str, hops: int, max_nodes: int) -> Drawn:
    view = neighbourhood_view(release, node, hops, max_nodes)
    return Drawn(view, render_html(view, height="620px"))


NETWORK_CSS = """
.pg-legend { display: flex; flex-wrap: wrap; gap: 1.2rem; align-items: center; margin: 0.3rem 0; }
.pg-key { display: inline-flex; align-items: center; gap: 0.3rem; }
.pg-swatch { display: inline-block; width: 1.6rem; height: 0.35rem; }
.pg-wrap { display: flex; gap: 0.5rem; } .pg-net { flex: 3; border: 1px solid #ccc; }
.pg-network .pg-evidence { flex: 1; font-size: 0.85rem; white-space: pre-wrap; border: 1px solid #ccc;
  padding: 0.4rem; overflow: auto; }
"""

_SCRIPT = """(function () {
  var data = JSON.parse(document.getElementById("@ID@-data").textContent);
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var net = new vis.Network(document.getElementById("@ID@-net"), {nodes: nodes, edges: edges}, {
    physics: {enabled: false, stabilization: {iterations: 200}},
    interaction: {hover: true, tooltipDelay: 150},
    edges: {smooth: {type: "cubicBezier", forceDirection: "horizontal"}, font: {size: 9, align: "middle"}},
    nodes: {font: {size: 12}, size: 14}
  });
  net.once("stabilizationIterationsDone", function () { net.setOptions({physics: false}); });
  var panel = document.getElementById("@ID@-evidence");
  net.on("click", function (p) {
    var item = p.nodes.length ? nodes.get(p.nodes[0]) : (p.edges.length ? edges.get(p.edges[0]) : null);
    panel.textContent = item ? item.title : "Select a node or an edge to see its evidence.";
  });
  window.policygraphNetworks = window.policygraphNetworks || {};
  window.policygraphNetworks["@ID@"] = net;
  window.policygraphNetwork = window.policygraphNetwork || net;  // the page's first network
})();"""
