"""The vision -> practice picture as an HTML section: the same table as the slide images, every mark with its
full value, status and evidence in a tooltip and, on click, in the section's evidence panel.

Ids are prefixed by the section's own id, so that several views can sit on one page; the script reads its data
from a JSON block of its section and writes only through textContent (no label is ever parsed as HTML).
"""

from __future__ import annotations

import html
from collections import Counter

from policygraph.app.exports.frame import Credits
from policygraph.app.exports.page import script_json
from policygraph.app.exports.picture_figure import MEANINGS, SYMBOLS
from policygraph.app.read.picture import STATUSES, Picture, Row, Run, describe
from policygraph.app.read.views import STATUS_COLOURS
from policygraph.graph.model import Citation
from policygraph.graph.traces import CONSISTENT, DEPARTED, UNKNOWN


def _cite(evidence: tuple[Citation, ...]) -> list[str]:
    return [f"{sid}: {locator}" for sid, locator in evidence]


def _bar(counts: Counter[str]) -> str:
    total = sum(counts.values()) or 1
    parts = "".join(f'<span class="pg-{s}" style="width:{100 * counts[s] / total:.2f}%"></span>'
                    for s in STATUSES if counts[s])
    return f'<span class="pg-bar">{parts}</span>'


class _Section:
    def __init__(self, picture: Picture, dom_id: str) -> None:
        self.picture = picture
        self.dom_id = dom_id
        self.details: list[str] = []  # what the evidence panel shows for each clickable item

    def item(self, tooltip: str, inner: str, css: str) -> str:
        self.details.append(tooltip)
        return (f'<button type="button" class="{css}" data-item="{len(self.details) - 1}" '
                f'title="{html.escape(tooltip)}">{inner}</button>')

    def run_cell(self, row: Row, run: Run) -> str:
        p = self.picture
        head = f"{run.label} · {row.dimension} (expects: {', '.join(row.expects)})"
        if p.summarised_periods:
            lines = [head, run.summary()] + [f"{m.period_label}: {m.value} - {m.status}" for m in run.marks]
            text = f'{_bar(run.counts)}<span class="pg-count">{html.escape(run.summary())}</span>'
            return f'<td class="pg-run">{self.item(chr(10).join(lines), text, "pg-summary")}</td>'
        by_period = {m.period: m for m in run.marks}
        marks = []
        for period, label in p.periods:
            mark = by_period.get(period)
            if mark is None:
                marks.append('<span class="pg-none" title="no configuration in this period">·</span>')
                continue
            lines = [head, f"{label}: {mark.value}", f"status: {mark.status}", *_cite(mark.evidence)]
            marks.append(self.item("\n".join(lines), SYMBOLS[mark.status], f"pg-mark pg-{mark.status}"))
        return f'<td class="pg-run">{"".join(marks)}</td>'

    def row(self, row: Row, first: bool, intent: str) -> str:
        cells = [intent] if first else []
        tooltip = "\n".join([f"{row.dimension}: expects {', '.join(row.expects)}", *_cite(row.evidence)])
        cells.append(f'<td class="pg-exp">{self.item(tooltip, _expectation(row), "pg-text")}</td>')
        cells.extend(self.run_cell(row, run) for run in row.runs)
        if self.picture.hidden_services:
            text = f'{_bar(row.other)}<span class="pg-count">{html.escape(describe(row.other))}</span>'
            tip = f"{self.picture.hidden_services} other {self.picture.services_word}: {describe(row.other)}"
            cells.append(f'<td class="pg-run">{self.item(tip, text, "pg-summary")}</td>')
        total = sum(row.totals.values())
        totals = "<br>".join(f'<span class="pg-t-{s}">{row.totals[s]} of {total} {s}</span>'
                             for s in (DEPARTED, CONSISTENT, UNKNOWN) if row.totals[s])
        cells.append(f'<td class="pg-total">{totals}</td>')
        return f"<tr>{''.join(cells)}</tr>"

    def table(self) -> str:
        p = self.picture
        head = ['<th scope="col">Intent</th>', '<th scope="col">Expected (dimension: concepts)</th>']
        head += [f'<th scope="col" title="{html.escape(label)}">{html.escape(label)}</th>' for _, label in p.services]
        if p.hidden_services:
            head.append(f'<th scope="col">{p.hidden_services} other {html.escape(p.services_word)}</th>')
        head.append('<th scope="col">Total</th>')
        periods = ""
        if not p.summarised_periods and p.periods:
            names = "".join(f"<span>{html.escape(label)}</span>" for _, label in p.periods)
            periods = (f'<tr class="pg-periods"><th></th><th></th>'
                       f'{"".join(f"<th>{names}</th>" for _ in p.services)}'
                       f'{"<th></th>" if p.hidden_services else ""}<th></th></tr>')
        body: list[str] = []
        for group in p.groups:
            tooltip = "\n".join([group.label, *(f"stated in: {d}" for d in group.documents), *_cite(group.evidence)])
            inner = (f'<strong>{html.escape(group.label)}</strong>'
                     + "".join(f'<em>stated in: {html.escape(d)}</em>' for d in group.documents))
            intent = (f'<th scope="rowgroup" rowspan="{len(group.rows)}" class="pg-intent">'
                      f'{self.item(tooltip, inner, "pg-text")}</th>')
            body.extend(self.row(row, k == 0, intent) for k, row in enumerate(group.rows))
        return (f'<table class="pg-table"><thead><tr>{"".join(head)}</tr>{periods}</thead>'
                f'<tbody>{"".join(body)}</tbody></table>')

    def legend(self) -> str:
        used = self.picture.statuses_used()
        items = [f'<span class="pg-key"><span class="pg-mark pg-{s}">{SYMBOLS[s]}</span> {html.escape(MEANINGS[s])}'
                 "</span>" for s in used]
        if self.picture.summarised_periods or self.picture.hidden_services:
            items.append(f'<span class="pg-key">{_bar(Counter(dict.fromkeys(used, 1)))} share of the periods by '
                         "status</span>")
        return f'<p class="pg-legend">{"".join(items)}</p>'

    def render(self) -> str:
        p = self.picture
        scope = p.scope()
        notes = "".join(f'<p class="pg-note">{html.escape(n)}</p>' for n in p.notes)
        caption = Credits(p.sources, p.programme, p.version, p.build, p.built_at).caption()
        table = self.table()  # fills self.details

        return (f'<section class="pg-view pg-picture" id="{self.dom_id}">'
                f'<h2>{html.escape(p.title)}</h2><p class="pg-sub">{html.escape(scope)}</p>{notes}'
                f'<div class="pg-scroll">{table}</div>{self.legend()}'
                f'<p class="pg-caption">{html.escape(caption)}</p>'
                f'<div class="pg-evidence" id="{self.dom_id}-evidence" aria-live="polite">Select an intent, an '
                "expectation or a mark to see its evidence.</div>"
                f'<script type="application/json" id="{self.dom_id}-data">{script_json(self.details)}</script>'
                f"<script>{_SCRIPT.replace('@ID@', self.dom_id)}</script></section>")


def _expectation(row: Row) -> str:
    return (f"<strong>{html.escape(row.dimension)}</strong>"
            f'<span>expects: {html.escape(", ".join(row.expects))}</span>')


def picture_section(picture: Picture, dom_id: str) -> str:
    """The picture as one HTML section whose ids all start with `dom_id`."""
    return _Section(picture, dom_id).render()


_SCRIPT = """(function () {
  var root = document.getElementById("@ID@");
  var details = JSON.parse(document.getElementById("@ID@-data").textContent);
  var panel = document.getElementById("@ID@-evidence");
  root.addEventListener("click", function (event) {
    var item = event.target.closest("[data-item]");
    if (item && root.contains(item)) { panel.textContent = details[Number(item.dataset.item)]; }
  });
})();"""

PICTURE_CSS = """
.pg-table { border-collapse: collapse; font-size: 0.9rem; }
.pg-table th, .pg-table td { border-bottom: 1px solid #cfd8dc; padding: 0.3rem 0.5rem; vertical-align: middle;
  text-align: left; }
.pg-table thead th { border-bottom: 0; } .pg-table thead tr:last-child th { border-bottom: 2px solid #78909c; }
.pg-periods th { font-weight: normal; color: #455a64; font-size: 0.8rem; }
.pg-periods span { display: inline-block; width: 4.2rem; text-align: center; }
.pg-text { all: unset; cursor: pointer; display: block; } .pg-text strong, .pg-text em, .pg-text span
  { display: block; } .pg-text em, .pg-text span { color: #455a64; font-size: 0.82rem; }
.pg-table .pg-intent { min-width: 11rem; max-width: 15rem; font-weight: normal; vertical-align: top; }
.pg-table .pg-exp { min-width: 13rem; max-width: 20rem; vertical-align: top; }
.pg-run { white-space: nowrap; text-align: center; }
.pg-total { white-space: nowrap; font-size: 0.85rem; }
.pg-mark { display: inline-flex; align-items: center; justify-content: center; width: 2.2rem; height: 2.2rem;
  margin: 0 1rem; padding: 0; border: 0; color: #fff; font-weight: bold; font-size: 1.1rem; cursor: pointer;
  vertical-align: middle; }
.pg-key { display: inline-flex; align-items: center; gap: 0.3rem; }
.pg-key .pg-mark { width: 1.3rem; height: 1.3rem; margin: 0; font-size: 0.8rem; cursor: default; }
.pg-summary { all: unset; cursor: pointer; display: inline-block; width: 5.5rem; text-align: center; }
.pg-bar { display: flex; height: 0.9rem; width: 100%; } .pg-key .pg-bar { display: inline-flex; width: 2.5rem; }
.pg-count { display: block; font-size: 0.8rem; white-space: normal; }
.pg-none { display: inline-block; width: 2.2rem; margin: 0 1rem; color: #90a4ae; }
.pg-legend { display: flex; flex-wrap: wrap; gap: 1.2rem; align-items: center; }
.pg-caption { color: #455a64; font-size: 0.8rem; } .pg-sub { color: #455a64; margin: 0.1rem 0; }
.pg-evidence { white-space: pre-wrap; border: 1px solid #ccc; padding: 0.4rem; font-size: 0.85rem;
  min-height: 3rem; } .pg-scroll { overflow-x: auto; }
""" + "".join(f".pg-{s} {{ background: {c}; }} .pg-t-{s} {{ color: {c}; }}\n" for s, c in STATUS_COLOURS.items()) \
    + ".pg-t-unknown { color: #455a64; }\n"
