"""Engine-neutral query results: column names plus rows of plain text cells."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

Cell = str | None


@dataclass(frozen=True)
class QueryResult:
    """`rows` hold text cells (tables, CSV); `values`, when an engine returns lists or maps (Cypher), the same
    rows with those kept as JSON arrays and objects, for the JSON format."""

    columns: list[str]
    rows: list[tuple[Cell, ...]]
    truncated: bool = False
    notes: list[str] = field(default_factory=list)
    values: list[tuple[object, ...]] | None = None

    def as_dicts(self) -> list[dict[str, Cell]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def as_json_dicts(self) -> list[dict[str, object]]:
        rows = self.rows if self.values is None else self.values
        return [dict(zip(self.columns, row, strict=True)) for row in rows]


FORMATS = ("table", "csv", "json")


def render(result: QueryResult, fmt: str) -> str:
    """Render a result as an aligned text table, CSV (RFC 4180) or JSON."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([["" if c is None else c for c in row] for row in result.rows])
        return out.getvalue()
    if fmt == "json":
        return json.dumps({"columns": result.columns, "rows": result.as_json_dicts(), "truncated": result.truncated},
                          ensure_ascii=False, indent=2) + "\n"
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    cells = [[_one_line(c) for c in row] for row in result.rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(result.columns)]
    lines = [" | ".join(h.ljust(w) for h, w in zip(result.columns, widths, strict=True)),
             "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    lines.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''}"
                 f"{', truncated' if result.truncated else ''})")
    return "\n".join(lines) + "\n"


def _one_line(cell: Cell) -> str:
    if cell is None:
        return ""
    text = cell.replace("\n", " ")
    return text if len(text) <= 120 else text[:117] + "..."
