"""Read the configuration table (CSV) row by row, keeping row numbers for errors."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from ingest.errors import IngestError, Location, Problem, fail
from ingest.models import ConfigurationRow
from ingest.yaml_source import MAX_FILE_BYTES

COLUMNS = ("service", "period", "dimension", "status", "verbatim", "codes", "actors", "source", "locator", "note")
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class LocatedRow:
    row: ConfigurationRow
    location: Location


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip()]


def read_configurations(path: Path) -> list[LocatedRow]:
    """Parse configurations.csv; every problem is reported with its row (line) number."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise fail(Location(path), f"cannot read the file ({exc.strerror})", "check the path") from exc
    if len(raw) > MAX_FILE_BYTES:
        raise fail(Location(path), f"file is {len(raw)} bytes, over the limit", "split the file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise fail(Location(path, line), f"byte 0x{raw[exc.start]:02x} is not UTF-8",
                   "save the file as UTF-8") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise fail(Location(path, 1), "the file is empty", f"start with the header: {','.join(COLUMNS)}")
    missing = [c for c in COLUMNS if c not in header]
    extra = [c for c in header if c not in COLUMNS]
    if missing or extra:
        what = "; ".join(filter(None, [missing and f"missing column(s) {missing}",
                                        extra and f"unknown column(s) {extra}"]))
        raise fail(Location(path, 1), what, f"the header must be exactly: {','.join(COLUMNS)}")
    rows: list[LocatedRow] = []
    problems: list[Problem] = []
    for cells in reader:
        line = reader.line_num
        where = Location(path, line, row=line)
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(Problem(where, f"{len(cells)} cells where the header has {len(header)}",
                                    "quote cells that contain commas; one cell per column"))
            continue
        record = dict(zip(header, (c.strip() for c in cells), strict=True))
        data: dict[str, object] = {k: (v or None) for k, v in record.items()}
        data["codes"] = _split(record["codes"])
        data["actors"] = _split(record["actors"])
        try:
            rows.append(LocatedRow(ConfigurationRow.model_validate(data), where))
        except ValidationError as exc:
            for err in exc.errors():
                field = ".".join(str(p) for p in err["loc"]) or "row"
                problems.append(Problem(where, f"{field}: {err['msg']} (given {err.get('input')!r:.80})",
                                        "correct this cell; see data/README.md for the columns"))
    if problems:
        raise IngestError(problems)
    return rows
