"""Network views as self-contained HTML: vis-network inlined (no CDN: opens offline, from a USB
stick), fixed positions (no physics freeze, stable across reruns), every label escaped.

pyvis assembles the nodes, edges and options; the page is our own template because pyvis's
template pulls Bootstrap from a CDN and renders some fields unescaped
(an XSS hole that vis-network itself had closed).
Labels reach the page only as JSON inside a script (with '<' escaped) and are shown by vis-network
as canvas text or by the evidence panel through textContent, never through innerHTML.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

from pyvis.network import Network

from policygraph.app.read.views import STATUS_COLOURS, View, layered_positions, neighbourhood_view, vision_view

if TYPE_CHECKING:
    from policygraph.app.release import Release

SHAPES = {"document": "box", "intent": "ellipse", "expectation": "diamond", "value": "dot", "referral": "triangle",
          "adaptation": "star"}
KIND_COLOURS = {"document": "#37474f", "intent": "#1565c0", "expectation": "#6a1b9a"}


@cache
def _vis_js() -> str:
    lib = files("pyvis") / "lib" / "vis-9.1.2" / "vis-network.min.js"
    return lib.read_text(encoding="utf-8")


def _script_json(value: object) -> str:
    # JSON inside <script>: escape '<', '>' and '&' so no label can close the script element.
    return (json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


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


def render_html(view: View, *, height: str = "720px") -> str:
    """A complete offline HTML page showing the view, with an evidence panel for the selected item."""
    net = network_data(view)
    node_keys = ("id", "label", "title", "shape", "color", "x", "y", "physics", "font")
    nodes = [{k: v for k, v in n.items() if k in node_keys} for n in net.nodes]
    edges = [{"id": f"e{i}", **{k: v for k, v in e.items() if k in ("from", "to", "title", "label", "color", "width",
                                                                    "arrows")}} for i, e in enumerate(net.edges)]
    notes = "".join(f"<p class=\"note\">{html.escape(n)}</p>" for n in view.notes)
    return _TEMPLATE.format(
        title=html.escape(view.title), notes=notes, height=html.escape(height), vis=_vis_js(),
        nodes=_script_json(nodes), edges=_script_json(edges),
        legend="".join(f"<span style=\"color:{colour}\">&#9632; {html.escape(status)}</span> "
                       for status, colour in STATUS_COLOURS.items()),
    )


@dataclass(frozen=True)
class Drawn:
    """A view and its network page (HTML for the explorer's iframe)."""

    view: View
    html: str


def drawn_vision(release: Release, intent: str | None, service: str | None) -> Drawn:
    view = vision_view(release, intent, service)
    return Drawn(view, render_html(view, height="620px"))


def drawn_neighbourhood(release: Release, node: str, hops: int, max_nodes: int) -> Drawn:
    view = neighbourhood_view(release, node, hops, max_nodes)
    return Drawn(view, render_html(view, height="620px"))


_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="generator" content="policygraph">
<style>
body {{ font-family: system-ui, sans-serif; margin: 0.5rem; color: #212121; }}
h1 {{ font-size: 1.1rem; margin: 0.2rem 0; }} .note {{ color: #b71c1c; margin: 0.2rem 0; }}
#wrap {{ display: flex; gap: 0.5rem; }} #net {{ flex: 3; height: {height}; border: 1px solid #ccc; }}
#evidence {{ flex: 1; font-size: 0.85rem; white-space: pre-wrap; border: 1px solid #ccc; padding: 0.4rem;
  overflow: auto; height: {height}; }}
</style>
<script>{vis}</script>
</head><body>
<h1>{title}</h1>{notes}
<div>{legend}</div>
<div id="wrap"><div id="net"></div><div id="evidence">Select a node or an edge to see its evidence.</div></div>
<script>
(function () {{
  var nodes = new vis.DataSet({nodes});
  var edges = new vis.DataSet({edges});
  var net = new vis.Network(document.getElementById("net"), {{nodes: nodes, edges: edges}}, {{
    physics: {{enabled: false, stabilization: {{iterations: 200}}}},
    interaction: {{hover: true, tooltipDelay: 150}},
    edges: {{smooth: {{type: "cubicBezier", forceDirection: "horizontal"}}, font: {{size: 9, align: "middle"}}}},
    nodes: {{font: {{size: 12}}, size: 14}}
  }});
  net.once("stabilizationIterationsDone", function () {{ net.setOptions({{physics: false}}); }});
  var panel = document.getElementById("evidence");
  net.on("click", function (p) {{
    var item = p.nodes.length ? nodes.get(p.nodes[0]) : (p.edges.length ? edges.get(p.edges[0]) : null);
    panel.textContent = item ? item.title : "Select a node or an edge to see its evidence.";
  }});
  window.policygraphNetwork = net;
}})();
</script>
</body></html>
"""
