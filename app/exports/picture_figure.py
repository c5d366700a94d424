"""The vision -> practice picture drawn for a slide (SVG, PNG, PDF): a table of intents, their expectations and
each service's marks period by period, with a title, a legend of every colour and shape drawn, and a caption
citing the sources, the programme and the build.

Drawn in pixels of a 1920 px wide frame (16:9 or 4:3), every text measured before it is placed: it wraps in its
cell or ends with an ellipsis (the full text is in the HTML page's tooltips and the claims CSV), and none is
smaller than 12 px.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

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
from policygraph.app.read.picture import STATUSES, Group, Picture, Row, Run, describe
from policygraph.app.read.views import STATUS_COLOURS, TRACE_LEGEND
from policygraph.graph.traces import CONSISTENT, DEPARTED, UNKNOWN

SYMBOLS = {CONSISTENT: "✓", DEPARTED: "✗", UNKNOWN: "?"}
MEANINGS = TRACE_LEGEND
RULE, STRONG_RULE = "#cfd8dc", "#78909c"
MIN_ROW, MAX_ROW, MIN_MARK, OTHER_W, LEGEND_LINE, VALUE_SLOT = 46.0, 240.0, 22.0, 130.0, 30.0, 110.0


@dataclass(frozen=True)
class Columns:
    intent: float
    expectation: float
    services: float  # left edge of the first service column
    service_w: float
    other: float | None  # left edge of the "other" column
    totals: float
    totals_w: float


def _columns(picture: Picture, width: float) -> Columns:
    usable = width - 2 * MARGIN
    intent_w, exp_w, totals_w = usable * 0.15, usable * 0.21, 170.0
    other_w = OTHER_W if picture.hidden_services else 0.0
    gaps = (4 if other_w else 3) * GAP
    area = usable - intent_w - exp_w - totals_w - other_w - gaps
    service_w = min(area / max(len(picture.services), 1), 420.0)
    services = MARGIN + intent_w + exp_w + 2 * GAP
    after = services + service_w * len(picture.services)
    other = after + GAP if other_w else None
    return Columns(MARGIN, MARGIN + intent_w + GAP, services, service_w, other,
                   after + GAP + (other_w + GAP if other_w else 0.0), totals_w)


def _slot(picture: Picture, cols: Columns) -> float:
    """The width given to one period's mark in a service's column."""
    return (cols.service_w - 10) / max(len(picture.periods), 1)


def _mark_size(picture: Picture, cols: Columns, row_h: float) -> float:
    return min(row_h - 16, _slot(picture, cols) - 6, 48.0)


class _Drawing:
    def __init__(self, picture: Picture, size: tuple[float, float], framed: bool) -> None:
        self.picture = picture
        self.framed = framed
        self.width, self.height = size
        self.fig, self.ax = blank(self.width, self.height)
        self.cols = _columns(picture, self.width)
        self.used: set[str] = set()  # legend entries drawn: statuses, "bar"
        self.notes = list(picture.notes)
        self.summarised = picture.summarised_periods
        self.drawn = 0

    def gid(self, kind: str) -> str:
        """A unique id for a drawn item (the SVG's element ids), starting with what it is."""
        self.drawn += 1
        return f"{kind}-{self.drawn}"

    def text_block(self, lines: list[str], x: float, y: float, px: float, **style: object) -> float:
        for line in lines:
            put(self.ax, x, y, line, px, **style)  # type: ignore[arg-type]
            y += line_height(px)
        return y

    # --- the parts -----------------------------------------------------------------------------------------

    def heading(self) -> float:
        if not self.framed:
            return MARGIN
        return heading(self.ax, self.width, self.picture.title, self.picture.scope())

    def caption_lines(self) -> list[str]:
        p = self.picture
        credits = Credits(p.sources, p.programme, p.version, p.build, p.built_at)
        return caption_lines(credits, self.width) if self.framed else []

    def header(self, y: float, summarised: bool) -> tuple[float, bool]:
        """The column headings; returns the y below them and whether the periods were named under each
        service (else the legend names their order)."""
        p, c = self.picture, self.cols
        put(self.ax, c.intent, y, "Intent", BODY_PX, bold=True)
        put(self.ax, c.expectation, y, "Expected (dimension: concepts)", BODY_PX, bold=True)
        heading = wrap("Total", c.totals_w, BODY_PX, 2, bold=True)
        self.text_block(heading, c.totals, y, BODY_PX, bold=True)
        named = False
        slot = _slot(p, c)
        if not summarised and p.periods:
            named = all(text_width(label, SMALL_PX) <= slot - 2 for _, label in p.periods)
        for i, (ident, label) in enumerate(p.services):
            x = c.services + i * c.service_w + c.service_w / 2
            shown = label if text_width(label, BODY_PX, True) <= c.service_w - 6 else ident
            put(self.ax, x, y, wrap(shown, c.service_w - 6, BODY_PX, 1, bold=True)[0], BODY_PX, bold=True,
                ha="center")
            if named:
                left = x - slot * len(p.periods) / 2
                for k, (_, period) in enumerate(p.periods):
                    put(self.ax, left + slot * (k + 0.5), y + line_height(BODY_PX), period, SMALL_PX,
                        colour=MUTED, ha="center")
        if c.other is not None:
            other = wrap(f"{p.hidden_services} other {p.services_word}", OTHER_W - 6, BODY_PX, 2, bold=True)
            self.text_block(other, c.other, y, BODY_PX, bold=True)
        rows = 2 if (named or c.other is not None or len(heading) > 1) else 1
        return y + rows * line_height(BODY_PX) + 8, named

    def group(self, group: Group, rows: list[Row], y: float, row_h: float, summarised: bool, mark: float) -> None:
        c = self.cols
        span = row_h * len(rows)
        intent_w = c.expectation - GAP - c.intent
        budget = max(int((span - 8) // line_height(BODY_PX)), 1)
        label = wrap(group.label, intent_w, BODY_PX, min(budget, 3), bold=True)
        after = self.text_block(label, c.intent, y + 6, BODY_PX, bold=True)
        left = int((y + span - 4 - after) // line_height(SMALL_PX))
        if group.documents and left > 0:
            stated = "stated in: " + "; ".join(group.documents)
            self.text_block(wrap(stated, intent_w, SMALL_PX, left), c.intent, after + 2, SMALL_PX, colour=MUTED,
                            italic=True)
        for k, row in enumerate(rows):
            self.row(row, y + k * row_h, row_h, summarised, mark)
        self.ax.plot([MARGIN, self.width - MARGIN], [y + span, y + span], color=STRONG_RULE, lw=1.2)

    def row(self, row: Row, y: float, row_h: float, summarised: bool, mark: float) -> None:
        c = self.cols
        exp_w = c.services - GAP - c.expectation
        budget = max(int((row_h - 8) // line_height(SMALL_PX)), 1)
        name = wrap(row.dimension, exp_w, BODY_PX, 1 if budget < 3 else 2, bold=True)
        after = self.text_block(name, c.expectation, y + 6, BODY_PX, bold=True)
        left = int((y + row_h - 4 - after) // line_height(SMALL_PX))
        if left > 0:
            self.text_block(wrap("expects: " + ", ".join(row.expects), exp_w, SMALL_PX, left), c.expectation,
                            after, SMALL_PX, colour=MUTED)
        for i, run in enumerate(row.runs):
            x = c.services + i * c.service_w
            if summarised:
                self.summary(run.counts, run.summary(), x, y, c.service_w, row_h)
            else:
                self.marks(run, x, y, row_h, mark)
        if c.other is not None:
            self.summary(row.other, describe(row.other), c.other, y, OTHER_W, row_h)
        self.totals(row.totals, c.totals, y, row_h)
        self.ax.plot([c.expectation, self.width - MARGIN], [y + row_h, y + row_h], color=RULE, lw=0.8)

    def marks(self, run: Run, x: float, y: float, row_h: float, size: float) -> None:
        slot = _slot(self.picture, self.cols)
        left = x + self.cols.service_w / 2 - slot * len(self.picture.periods) / 2
        by_period = {m.period: m for m in run.marks}
        # The values themselves under the marks when a period's slot is wide enough to read them.
        values = int((row_h - size - 22) // line_height(SMALL_PX)) if slot >= VALUE_SLOT else 0
        for k, (period, _) in enumerate(self.picture.periods):
            found = by_period.get(period)
            if found is None:
                continue  # the service had no configuration in that period
            mx = left + (k + 0.5) * slot - size / 2
            my = y + 10 if values > 0 else y + (row_h - size) / 2
            if values > 0:
                self.text_block(wrap(found.value, slot - 10, SMALL_PX, values), mx + size / 2, my + size + 6,
                                SMALL_PX, ha="center")
            self.ax.add_patch(Rectangle((mx, my), size, size, facecolor=STATUS_COLOURS[found.status],
                                        edgecolor="none", gid=self.gid(f"mark-{found.status}")))
            put(self.ax, mx + size / 2, my + size / 2, SYMBOLS[found.status], max(size * 0.55, 13.0), bold=True,
                colour="#ffffff", ha="center", va="center_baseline")
            self.used.add(found.status)

    def summary(self, counts: Counter[str], text: str, x: float, y: float, w: float, row_h: float) -> None:
        total = sum(counts.values())
        bar_w, bar_h = w - 14, 16.0
        bx, by = x + 7, y + max((row_h - bar_h - 2 * line_height(SMALL_PX)) / 2, 4)
        start = bx
        for status in STATUSES:
            if counts[status]:
                part = bar_w * counts[status] / total
                self.ax.add_patch(Rectangle((start, by), part, bar_h, facecolor=STATUS_COLOURS[status],
                                            edgecolor="none", gid=self.gid(f"bar-{status}")))
                start += part
                self.used.update({status, "bar"})
        words = text.split(" ")
        lines = [" ".join(words[:3]), " ".join(words[3:])] if len(words) > 3 else [text]
        self.text_block([wrap(line, w - 6, SMALL_PX, 1)[0] for line in lines], x + w / 2, by + bar_h + 3, SMALL_PX,
                        ha="center")

    def totals(self, counts: Counter[str], x: float, y: float, row_h: float) -> None:
        total = sum(counts.values())
        lines = []
        for status in (DEPARTED, CONSISTENT, UNKNOWN):
            if counts[status]:
                text = f"{counts[status]} of {total} {status}"
                if text_width(text, SMALL_PX, status == DEPARTED) > self.cols.totals_w:
                    text = f"{counts[status]} {status} ({100 * counts[status] / total:.0f}%)"
                lines.append((text, status))
        fit = max(int((row_h - 8) // line_height(SMALL_PX)), 1)
        top = y + max((row_h - min(fit, len(lines)) * line_height(SMALL_PX)) / 2, 4)
        for k, (text, status) in enumerate(lines[:fit]):
            put(self.ax, x, top + k * line_height(SMALL_PX), wrap(text, self.cols.totals_w, SMALL_PX, 1)[0],
                SMALL_PX, colour=MUTED if status == UNKNOWN else STATUS_COLOURS[status], bold=status == DEPARTED)

    def legend_entries(self, named: bool) -> list[tuple[str | None, str]]:
        """What the legend explains: each status drawn, the bar if drawn, the order of the marks if the
        periods are not named above them."""
        entries: list[tuple[str | None, str]] = [(s, MEANINGS[s]) for s in STATUSES if s in self.used]
        if "bar" in self.used:
            entries.append(("bar", "bar: share of the periods by status"))
        if not named and self.picture.periods and not self.summarised:
            entries.append((None, "marks left to right: " + ", ".join(label for _, label in self.picture.periods)))
        return entries

    def legend(self, y: float, entries: list[tuple[str | None, str]]) -> float:
        """Draws the legend from `y`, on as many lines as it needs; returns the y below it."""
        x, px, right = MARGIN, BODY_PX, self.width - MARGIN
        for kind, label in entries:
            swatch = 30.0 if kind in SYMBOLS else 44.0 if kind == "bar" else 0.0
            text = wrap(label, right - MARGIN - swatch, px, 1)[0]
            if x > MARGIN and x + swatch + text_width(text, px) > right:
                x, y = MARGIN, y + LEGEND_LINE
            if kind in SYMBOLS:
                self.ax.add_patch(Rectangle((x, y), 22, 22, facecolor=STATUS_COLOURS[kind], edgecolor="none",
                                            gid=f"legend-{kind}"))
                put(self.ax, x + 11, y + 11, SYMBOLS[kind], 14, bold=True, colour="#ffffff", ha="center",
                    va="center_baseline")
            elif kind == "bar":
                for k, status in enumerate(STATUSES):
                    self.ax.add_patch(Rectangle((x + 12 * k, y + 3), 12, 16, facecolor=STATUS_COLOURS[status],
                                                edgecolor="none", gid=f"legend-bar-{status}"))
            put(self.ax, x + swatch, y + 2, text, px)
            x += swatch + text_width(text, px) + 28
        return y + LEGEND_LINE

    def draw(self) -> Figure:
        p, usable = self.picture, self.width - 2 * MARGIN
        y = self.heading()
        caption = self.caption_lines()
        # The legend takes two lines at most; the table gets the rest.
        bottom = self.height - MARGIN - len(caption) * line_height(SMALL_PX) - 2 * LEGEND_LINE - GAP
        header_h = 2 * line_height(BODY_PX) + 8
        rows = p.rows
        room = bottom - y - header_h - GAP - (len(self.notes) + 2) * line_height(SMALL_PX)
        fit = max(int(room // MIN_ROW), 1)
        if len(rows) > fit:
            self.notes.append(f"truncated: {fit} of {len(rows)} expectations drawn; export one intent at a time "
                              "(--intent) to see the rest")
        drawn = min(len(rows), fit)
        if not rows:
            self.notes.append("nothing to draw: no intent in this view has an expectation")
        if not self.summarised and _mark_size(p, self.cols, MAX_ROW) < MIN_MARK:
            self.summarised = True
            self.notes.append(f"summarised: {len(p.periods)} periods per {p.service_word} counted (too many to draw "
                              "one by one at this width)")
        y = self.text_block([wrap(n, usable, SMALL_PX, 1)[0] for n in self.notes], MARGIN, y, SMALL_PX,
                            colour=NOTE) + GAP
        row_h = min(MAX_ROW, (bottom - y - header_h) / max(drawn, 1))
        mark = _mark_size(p, self.cols, row_h)
        top, named = self.header(y, self.summarised)
        self.ax.plot([MARGIN, self.width - MARGIN], [top - 4, top - 4], color=STRONG_RULE, lw=1.2)
        left = drawn
        for group in p.groups:
            chosen = list(group.rows[:left])
            if not chosen:
                break
            self.group(group, chosen, top, row_h, self.summarised, mark)
            top += row_h * len(chosen)
            left -= len(chosen)
        below = self.legend(top + GAP, self.legend_entries(named))
        self.text_block(caption, MARGIN, below + 4, SMALL_PX, colour=MUTED)
        return self.fig


def picture_figure(picture: Picture, width: float = 1920, height: float = 1080, *, framed: bool = True) -> Figure:
    """The picture drawn on a figure of width x height pixels; `framed`: with its title and caption (a slide
    that has its own leaves them out)."""
    return _Drawing(picture, (width, height), framed).draw()
