"""Text for slide-grade figures: measured with matplotlib's own renderer, wrapped to a width, shortened with an
ellipsis past a number of lines, never typeset as math, and checked for overlaps once drawn.

Sizes are in pixels of the figure at its nominal width (1920 px): the figures are drawn at 100 dpi, so one
point is 100/72 px.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import combinations

import matplotlib as mpl

mpl.use("Agg")  # no display: render to files only
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text

DPI = 100
MIN_PX = 12.0  # the smallest text allowed at 1920 px wide
ELLIPSIS = "…"


def points(px: float) -> float:
    """A size in pixels (at DPI) as matplotlib points."""
    return px * 72 / DPI


@lru_cache(maxsize=4096)
def text_width(text: str, px: float, bold: bool = False) -> float:
    """The width in pixels of one line of `text` at `px` pixels high, as matplotlib will draw it."""
    renderer = _renderer()
    prop = FontProperties(size=points(px), weight="bold" if bold else "normal")
    width, _, _ = renderer.get_text_width_height_descent(text, prop, ismath=False)  # type: ignore[no-untyped-call]
    return float(width)


@lru_cache(maxsize=1)
def _renderer() -> RendererAgg:
    return RendererAgg(1, 1, DPI)  # type: ignore[no-untyped-call]


def _shorten(text: str, width: float, px: float, bold: bool) -> str:
    """`text` cut at a word (or a character) with an ellipsis so that it fits `width`."""
    if text_width(text, px, bold) <= width:
        return text
    words = text.split(" ")
    while len(words) > 1:
        words.pop()
        candidate = " ".join(words).rstrip(" ,;:-") + ELLIPSIS
        if text_width(candidate, px, bold) <= width:
            return candidate
    cut = text
    while cut and text_width(cut + ELLIPSIS, px, bold) > width:
        cut = cut[:-1]
    return cut + ELLIPSIS


def wrap(text: str, width: float, px: float, max_lines: int, bold: bool = False) -> list[str]:
    """`text` in lines no wider than `width` pixels, at most `max_lines`: the last one ends with an ellipsis when
    the text did not fit, and so does a word too long for a line."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and text_width(candidate, px, bold) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines[max_lines - 1:] = [" ".join(lines[max_lines - 1:])]  # wider than the width: shortened below
    return [_shorten(line, width, px, bold) for line in lines[:max(max_lines, 0)]]


def put(ax: Axes, x: float, y: float, text: str, px: float, *, bold: bool = False, colour: str = "#212121",
        ha: str = "left", va: str = "top", italic: bool = False, gid: str | None = None) -> Text:
    """Draw `text` as text (never as math: a '$' stays a dollar sign) at pixel position (x, y), y downwards."""
    if px < MIN_PX:
        raise ValueError(f"text of {px} px is under the {MIN_PX} px minimum")
    return ax.text(x, y, text, fontsize=points(px), fontweight="bold" if bold else "normal",
                   fontstyle="italic" if italic else "normal", color=colour, ha=ha, va=va, parse_math=False,
                   usetex=False, gid=gid)


def line_height(px: float) -> float:
    return px * 1.3


def overlapping_texts(fig: Figure) -> list[tuple[str, str]]:
    """The pairs of texts drawn on `fig` whose boxes intersect (measured by the renderer that draws them)."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for ax in fig.axes for t in ax.texts if t.get_text()]
    found = []
    for (a, box_a), (b, box_b) in combinations(boxes, 2):
        if (min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0) > 0.5
                and min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0) > 0.5):
            found.append((a, b))
    return found
