"""The claims a view shows, as CSV: one row per node or link and source cited, with the full label.

A spreadsheet runs a cell that starts with '=', '+', '-' or '@' (or a tab or carriage return before one) as a
formula, so such a cell is written with a leading single quote: the text reads the same, nothing runs.
"""

from __future__ import annotations

import csv
import io

from policygraph.app.read.views import View

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = ["item", "label", "relation", "status", "source", "locator"]


def safe_cell(value: str) -> str:
    """`value` made inert for spreadsheets (formula injection): prefixed with ' when it could start a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def claims_csv(view: View) -> str:
    out = io.StringIO(newline="")
    # CRLF ends a row (RFC 4180): a field holding a CR or an LF is then quoted, so it cannot split its row.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)

    def row(*cells: str) -> None:
        writer.writerow([safe_cell(c) for c in cells])

    for n in sorted(view.graph.nodes):
        a = view.graph.nodes[n]
        for sid, locator in a["evidence"] or [("", "")]:
            row(n, a["label"], "", a["status"], sid, locator)
    for u, v in sorted(view.graph.edges):
        a = view.graph.edges[u, v]
        label = f"{view.graph.nodes[u]['label']} -> {view.graph.nodes[v]['label']}"
        for sid, locator in a["evidence"] or [("", "")]:
            row(f"{u} -> {v}", label, a["relation"], a["status"], sid, locator)
    return out.getvalue()
