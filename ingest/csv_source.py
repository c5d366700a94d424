"""Read the configuration table (CSV) row by row, keeping row numbers for errors."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from policygraph.ingest.errors import IngestError, Location, Problem, fail
from policygraph.ingest.models import MAX_TEXT, ConfigurationRow
from policygraph.ingest.text_rules import forbidden_character
from policygraph.ingest.validation_fixes import describe_input, fix_for
from policygraph.ingest.yaml_source import decode_utf8, read_limited

# A national programme's table (150 services x 36 quarters x 8 dimensions) is about 6 MB.
MAX_CSV_BYTES = 100_000_000

COLUMNS = ("service", "period", "dimension", "status", "verbatim", "codes", "actors", "source",
           "locator", "note")
LIST_SEPARATOR = ";"
# What each column holds, said in the fix of an error on that column.
COLUMN_HELP = {
    "service": "the id of a service in services.yaml",
    "period": "the id of a period in programme.yaml",
    "dimension": "the id of a configuration dimension (a scheme in ontology/vocab)",
    "status": "'known' or 'unknown'",
    "verbatim": "the cell text exactly as the source prints it",
    "codes": "the concept code(s) of the dimension's scheme, separated by ';'",
    "actors": "organisation id(s) from actors.yaml, separated by ';'",
    "source": "the id (from sources.yaml) of the source this cell comes from: every cell needs one",
    "locator": "where in the source the cell is (table, row, column)",
    "note": "a remark; required when status is 'unknown'",
}


@dataclass(frozen=True)
class LocatedRow:
    row: ConfigurationRow
    location: Location


def _forbidden(header: list[str], cells: list[str]) -> tuple[str, str] | None:
    """The first character of the row no curated file may hold (as the YAML reader refuses it), by column."""
    for column, cell in zip(header, cells, strict=True):
        if (bad := forbidden_character(cell)) is not None:
            return f"column {column!r}: {bad[1]}", bad[2]
    return None


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip()]


def _problem(where: Location, err: ErrorDetails) -> Problem:
    loc = tuple(err["loc"])
    column = str(loc[0]) if loc else ""
    if not column:  # a rule across the row's cells
        return Problem(where, err["msg"].removeprefix("Value error, "),
                       fix_for(err, ConfigurationRow))
    if err["input"] is None and err["type"] in ("string_type", "missing"):
        return Problem(where, f"column {column!r}: the cell is empty",
                       f"write {COLUMN_HELP.get(column, 'a value')}")
    message = (f"column {column!r}: {err['msg'].removeprefix('Value error, ')} "
               f"(given {describe_input(err['input'])})")
    fix = fix_for(err, ConfigurationRow)
    if column in COLUMN_HELP and err["type"] in ("string_type", "string_pattern_mismatch"):
        fix = f"{fix}; this column holds {COLUMN_HELP[column]}"
    return Problem(where, message, fix)


def header_problem(path: Path, header: list[str], columns: Sequence[str]) -> IngestError | None:
    """An error naming every missing, unknown or repeated column of a CSV header, or None if it is right."""
    missing = [c for c in columns if c not in header]
    extra = [c for c in header if c not in columns]
    doubled = sorted({c for c in header if header.count(c) > 1})
    if not (missing or extra or doubled):
        return None
    parts = [f"{label} column(s) {', '.join(names)}"
             for label, names in (("missing", missing), ("unknown", extra), ("repeated", doubled))
             if names]
    what = "; ".join(parts)
    return fail(Location(path, 1, row=1), f"the header row is wrong: {what}",
                f"the header must be exactly: {','.join(columns)}")


def read_configurations(path: Path) -> list[LocatedRow]:
    """Parse configurations.csv; every problem is reported with its row (line) number."""
    try:
        text = decode_utf8(path, read_limited(path, MAX_CSV_BYTES))
    except IngestError as exc:  # a CSV problem names its row
        raise IngestError([replace(p, location=replace(p.location, row=p.location.line))
                           for p in exc.problems]) from exc
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[LocatedRow] = []
    problems: list[Problem] = []
    try:
        header = next(reader, None)
        if header is None:
            raise fail(Location(path, 1, row=1), "the file is empty",
                       f"start with the header row: {','.join(COLUMNS)}")
        bad_header = header_problem(path, header, COLUMNS)
        if bad_header is not None:
            raise bad_header
        end = reader.line_num
        for cells in reader:
            # A quoted cell may span lines: report the line where the record starts.
            start, end = end + 1, reader.line_num
            where = Location(path, start, row=start)
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                span = f" (the record runs on to line {end}: is a quote left open?)" \
                    if end > start else ""
                problems.append(Problem(where, f"{len(cells)} cells where the header has "
                                        f"{len(header)}{span}",
                                        "put cells that contain commas in double quotes; "
                                        "one cell per column"))
                continue
            if [c.strip() for c in cells] == header:
                problems.append(Problem(where, f"row {start} repeats the header",
                                        "remove it: the header is the first row only"))
                continue
            if (bad := _forbidden(header, cells)) is not None:
                problems.append(Problem(where, bad[0], bad[1]))
                continue
            record = dict(zip(header, (c.strip() for c in cells), strict=True))
            data: dict[str, object] = {k: (v or None) for k, v in record.items()}
            data["codes"] = _split(record["codes"])
            data["actors"] = _split(record["actors"])
            try:
                rows.append(LocatedRow(ConfigurationRow.model_validate(data), where))
            except ValidationError as exc:
                problems.extend(_problem(where, err) for err in exc.errors())
    except csv.Error as exc:
        line = reader.line_num or 1
        hint = (f"shorten the cell to at most {MAX_TEXT} characters"
                if "field larger" in str(exc) else
                "put cells that contain commas, quotes or line breaks in double quotes, and "
                "double a quote inside a quoted cell (\"\")")
        problems.append(Problem(Location(path, line, row=line), f"CSV error: {exc}", hint))
    if problems:
        raise IngestError(problems)
    return rows
