"""What every slide-grade figure shares: a blank frame in pixels (y downwards), the title block, the caption
citing the sources, the programme and the build, and the writing of SVG (text kept as <text>), PNG and PDF."""

from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib as mpl

mpl.use("Agg")  # no display: render to files only
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from policygraph.app.exports.text_fit import DPI, line_height, put, wrap

SIZES = {"16:9": (1920, 1080), "4:3": (1920, 1440)}  # both 1920 px wide: the width the text sizes are set for
IMAGE_FORMATS = ("svg", "png", "pdf")
INK, MUTED, NOTE = "#212121", "#455a64", "#b71c1c"
MARGIN, GAP = 40.0, 12.0
TITLE_PX, SUB_PX, BODY_PX, SMALL_PX = 34.0, 17.0, 15.0, 13.0


def frame_size(size: str) -> tuple[int, int]:
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; use one of {', '.join(SIZES)}")
    return SIZES[size]


@dataclass(frozen=True)
class Credits:
    """What a figure's caption says: the sources of what it shows, the programme, the build."""

    sources: str
    programme: str
    version: str
    build: str
    built_at: str
    references: tuple[str, ...] = ()  # one line per source cited (speaker notes)

    def caption(self) -> str:
        return (f"Sources: {self.sources or 'none cited'}. Programme: {self.programme}. policygraph {self.version}, "
                f"build {self.build or 'unknown'} of {self.built_at[:10]}. Every item's full text, source and "
                "locator: the HTML page's tooltips and the claims CSV.")


def blank(width: float, height: float) -> tuple[Figure, Axes]:
    """A white figure of width x height pixels whose data coordinates are those pixels, y downwards."""
    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.axis("off")
    return fig, ax


def heading(ax: Axes, width: float, title: str, subtitle: str) -> float:
    """The title (two lines at most) and a subtitle; returns the y below them."""
    usable = width - 2 * MARGIN
    y = MARGIN
    for line in wrap(title, usable, TITLE_PX, 2, bold=True):
        put(ax, MARGIN, y, line, TITLE_PX, bold=True)
        y += line_height(TITLE_PX)
    for line in wrap(subtitle, usable, SUB_PX, 1):
        put(ax, MARGIN, y + 4, line, SUB_PX, colour=MUTED)
        y += line_height(SUB_PX) + 4
    return y


def caption_lines(credits: Credits, width: float) -> list[str]:
    return wrap(credits.caption(), width - 2 * MARGIN, SMALL_PX, 4)


def save(fig: Figure, fmt: str, scale: float = 2.0) -> bytes:
    """The figure as SVG (text as <text>, no date: the same picture gives the same bytes), PNG at `scale` times
    its pixel size, or PDF (fonts embedded as TrueType: the text stays selectable)."""
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"unknown image format {fmt!r}; use one of {', '.join(IMAGE_FORMATS)}")
    dated = {"svg": "Date", "pdf": "CreationDate"}
    metadata: dict[str, str | None] = {dated[fmt]: None} if fmt in dated else {}
    out = io.BytesIO()
    with mpl.rc_context({"svg.fonttype": "none", "pdf.fonttype": 42, "svg.hashsalt": "policygraph",
                         "text.usetex": False}):
        fig.savefig(out, format=fmt, dpi=DPI * scale if fmt == "png" else DPI, metadata=metadata)
    return out.getvalue()
