"""A network view (the neighbourhood of a node) drawn for a slide: one column per distance from the centre,
each node a dot coloured by its status with its label wrapped beside it, the links as thin lines beneath.

A column holds as many nodes as fit at a readable size; the rest are counted in a last "+ n more" line (the
HTML page and the claims CSV have them all). Text sizes, legend and caption as in every slide figure.
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from policygraph.app.exports.frame import (
    BODY_PX,
    GAP,
    MARGIN,
    MUTED,
    NOTE,
    SMALL_PX,
    Credits,
    blank,
    caption_lines,
    heading,
)
from policygraph.app.exports.text_fit import line_height, put, text_width, wrap
from policygraph.app.read.views import STATUS_COLOURS, View, layered_positions

LINK = "#b0bec5"
DOT = 9.0
SLOT = 2 * line_height(BODY_PX) + line_height(SMALL_PX) + 6  # two lines of label, one of kind


def _columns(view: View) -> list[list[str]]:
    """The nodes by layer, each column in the order of the layered layout (fewer crossings)."""
    positions = layered_positions(view)
    by_layer: dict[int, list[str]] = {}
    for n in view.graph.nodes:
        by_layer.setdefault(int(view.graph.nodes[n]["layer"]), []).append(n)
    return [sorted(by_layer[k], key=lambda n: (positions[n][1], n)) for k in sorted(by_layer)]


def _nodes(ax: Axes, view: View, where: dict[str, tuple[float, float]], label_w: float) -> dict[str, float]:
    """Each node's dot and its label (two lines) and kind; returns where each label ends."""
    ends = {}
    for k, (n, (x, cy)) in enumerate(where.items()):
        attrs = view.graph.nodes[n]
        ax.add_patch(Circle((x, cy), DOT, facecolor=STATUS_COLOURS[attrs["status"]], edgecolor="none", zorder=2,
                            gid=f"node-{attrs['status']}-{k}"))
        lines = wrap(attrs["label"], label_w, BODY_PX, 2)
        kind = wrap(attrs["kind"], label_w, SMALL_PX, 1)[0]
        for i, line in enumerate(lines):
            put(ax, x + DOT + 8, cy - DOT + i * line_height(BODY_PX), line, BODY_PX)
        put(ax, x + DOT + 8, cy - DOT + len(lines) * line_height(BODY_PX), kind, SMALL_PX, colour=MUTED)
        ends[n] = x + DOT + 14 + max([text_width(line, BODY_PX) for line in lines] + [text_width(kind, SMALL_PX)])
    return ends


def _links(ax: Axes, view: View, where: dict[str, tuple[float, float]], ends: dict[str, float]) -> None:
    """A line per link between drawn nodes: to the next column from the end of the label (never through
    one), within a column from dot to dot."""
    for u, v in view.graph.edges:
        if u in where and v in where:
            left, right = sorted((u, v), key=lambda n: where[n][0])
            (xa, ya), (xb, yb) = where[left], where[right]
            start = ends[left] if xb > xa else xa
            ax.plot([start, xb - DOT if xb > xa else xb], [ya, yb], color=LINK, lw=0.8, zorder=1)


def _legend(ax: Axes, view: View, drawn: set[str], x: float, y: float) -> None:
    used = {view.graph.nodes[n]["status"] for n in drawn}
    for status, colour in STATUS_COLOURS.items():
        if status in used:
            ax.add_patch(Circle((x + DOT, y + 11), DOT, facecolor=colour, edgecolor="none", gid=f"legend-{status}"))
            text = view.legend.get(status, status)
            put(ax, x + 2 * DOT + 8, y + 2, text, BODY_PX)
            x += 2 * DOT + 8 + text_width(text, BODY_PX) + 28
    ax.plot([x, x + 30], [y + 11, y + 11], color=LINK, lw=1.5, gid="legend-link")
    put(ax, x + 38, y + 2, "a link (its relation is in the HTML tooltip and the claims CSV)", BODY_PX)


def network_figure(view: View, credits: Credits, width: float = 1920, height: float = 1080, *,
                   framed: bool = True) -> Figure:
    """The view drawn on a figure of width x height pixels; `framed`: with its title and caption."""
    fig, ax = blank(width, height)
    g = view.graph
    y = heading(ax, width, view.title, f"{credits.programme} · {g.number_of_nodes()} nodes, "
                f"{g.number_of_edges()} links") if framed else MARGIN
    caption = caption_lines(credits, width) if framed else []
    bottom = height - MARGIN - len(caption) * line_height(SMALL_PX) - 30 - 2 * GAP
    columns = _columns(view)
    notes = list(view.notes)
    top = y + (len(notes) + 1) * line_height(SMALL_PX) + GAP
    fit = max(int((bottom - top) // SLOT), 2)
    if any(len(c) > fit for c in columns):
        notes.append(f"summarised: at most {fit - 1} nodes drawn per column, the others counted; the HTML page and "
                     "the claims CSV hold them all")
    for k, note in enumerate(notes):
        put(ax, MARGIN, y + k * line_height(SMALL_PX), wrap(note, width - 2 * MARGIN, SMALL_PX, 1)[0], SMALL_PX,
            colour=NOTE)
    col_w = (width - 2 * MARGIN) / max(len(columns), 1)
    where: dict[str, tuple[float, float]] = {}
    for c, nodes in enumerate(columns):
        shown = nodes if len(nodes) <= fit else nodes[:fit - 1]
        x = MARGIN + c * col_w + DOT
        for r, n in enumerate(shown):
            where[n] = (x, top + r * SLOT + DOT)
        if len(shown) < len(nodes):
            put(ax, x - DOT, top + len(shown) * SLOT, f"+ {len(nodes) - len(shown)} more", BODY_PX, colour=MUTED,
                bold=True)
    _links(ax, view, where, _nodes(ax, view, where, col_w - 2 * DOT - 16))
    _legend(ax, view, set(where), MARGIN, bottom + GAP)
    for k, line in enumerate(caption):
        put(ax, MARGIN, bottom + GAP + 30 + GAP + k * line_height(SMALL_PX), line, SMALL_PX, colour=MUTED)
    return fig
