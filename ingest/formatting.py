"""The canonical form of a validated programme folder: which files are not in it (`non_canonical_files`) and
rewriting them into it (`format_programme`).

A rewrite never changes what a file says: each new file is written beside the old one, read back and
compared with it (the same data, the same configuration rows) before any file is replaced; a file is
replaced atomically (os.replace), and when one file fails the check none is replaced.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from policygraph.ingest.canonical_order import configuration_sort_key
from policygraph.ingest.csv_source import read_configurations
from policygraph.ingest.errors import IngestError, Location, Problem
from policygraph.ingest.programme import CONFIGURATIONS, FILES, ProgrammeFolder
from policygraph.ingest.yaml_layout import KeyOutOfOrder, Unformattable, layout
from policygraph.ingest.yaml_source import compose_yaml, decode_utf8, read_limited, read_yaml

log = logging.getLogger(__name__)

TEMPORARY_SUFFIX = ".format-tmp"
LAYOUT = ("two-space indentation, one record per '- ' list item, lists of ids as [a, b], no byte-order mark, "
          "one line break at the end")


@dataclass(frozen=True)
class CanonicalText:
    """A file of the folder as it is and as the canonical form writes it."""

    path: Path
    written: bytes
    canonical: bytes
    problem: Problem | None  # why the file is not canonical (None when it is)
    rewritable: bool = True  # False: the canonical layout has no form for what the file holds


def format_fix(folder: Path) -> str:
    return f"run `policygraph format {folder}` (it rewrites the file in the canonical form, data/README.md)"


def _first_difference(written: bytes, canonical: bytes) -> int:
    """The 1-based line where two texts first differ."""
    old, new = written.split(b"\n"), canonical.split(b"\n")
    return next((i + 1 for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))


def _layout_problem(path: Path, written: bytes, canonical: bytes, what: str) -> Problem:
    line = _first_difference(written, canonical)
    return Problem(Location(path, line), f"not in the canonical layout from this line ({what})",
                   format_fix(path.parent))


def _yaml_text(path: Path, model: type[BaseModel]) -> CanonicalText:
    written = read_limited(path)
    text = decode_utf8(path, written)
    root = compose_yaml(text, path)
    try:
        new, misplaced = layout(text, root, model)
    except Unformattable as exc:
        problem = Problem(Location(path), f"cannot be written in the canonical layout: {exc}",
                          "write the records in block style (key: value lines, '- ' list items) by hand")
        return CanonicalText(path, written, written, problem, rewritable=False)
    canonical = new.encode("utf-8")
    if canonical == written:
        return CanonicalText(path, written, canonical, None)
    if misplaced is not None:
        return CanonicalText(path, written, canonical, _order_problem(path, misplaced))
    return CanonicalText(path, written, canonical, _layout_problem(path, written, canonical, LAYOUT))


def _order_problem(path: Path, misplaced: KeyOutOfOrder) -> Problem:
    return Problem(Location(path, misplaced.line),
                   f"key {misplaced.key!r} is out of the canonical order: this record's keys go "
                   f"{', '.join(misplaced.order)} (own fields, then evidence, then nested records)",
                   format_fix(path.parent))


def _csv_text(programme: ProgrammeFolder) -> CanonicalText:
    path = programme.folder / CONFIGURATIONS
    written = path.read_bytes()
    text = decode_utf8(path, written)
    lines = text.splitlines(keepends=True)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str], str]] = []  # (first line, cells, the record's text)
    end = 0
    for cells in reader:
        start, end = end + 1, reader.line_num
        if any(c.strip() for c in cells):
            records.append((start, cells, "".join(lines[start - 1:end]).rstrip("\r\n") + "\n"))
    if not records:
        return CanonicalText(path, written, written, None)
    header, rows = records[0], records[1:]
    column = {name.strip(): i for i, name in enumerate(header[1])}
    periods = {p.id: p.order for p in programme.periods}
    dimensions = {d.id: d.order for d in programme.vocabulary.dimensions}

    def place(record: tuple[int, list[str], str]) -> tuple[str, int, int]:
        cells = [c.strip() for c in record[1]]
        return configuration_sort_key(cells[column["service"]], cells[column["period"]],
                                      cells[column["dimension"]], periods, dimensions)

    ordered = sorted(rows, key=place)
    canonical = "".join(r[2] for r in [header, *ordered]).encode("utf-8")
    if canonical == written:
        return CanonicalText(path, written, canonical, None)
    moved = next((old for old, new in zip(rows, ordered, strict=True) if old is not new), None)
    if moved is None:
        problem = _layout_problem(path, written, canonical, "no blank rows, '\\n' line breaks, no byte-order mark")
    else:
        problem = Problem(Location(path, moved[0], row=moved[0]),
                          "row out of the canonical order: rows go by service, then period order "
                          "(programme.yaml), then dimension order (vocabulary.yaml)", format_fix(path.parent))
    return CanonicalText(path, written, canonical, problem)


def canonical_texts(programme: ProgrammeFolder) -> list[CanonicalText]:
    """Every file of the folder, as it is and in the canonical form."""
    texts = [_yaml_text(programme.folder / name, model) for name, model in FILES.items()]
    return [*texts, _csv_text(programme)]


def non_canonical_files(programme: ProgrammeFolder) -> list[Problem]:
    """One problem per file not in the canonical form: the first out-of-order key or row, or the first line
    whose layout differs, with the fix (run `policygraph format`)."""
    return [t.problem for t in canonical_texts(programme) if t.problem is not None]


def _reads_the_same(text: CanonicalText, written: Path) -> bool:
    try:
        if text.path.name == CONFIGURATIONS:
            def rows(path: Path) -> list[str]:
                return sorted(r.row.model_dump_json() for r in read_configurations(path))
            return rows(text.path) == rows(written)
        return bool(read_yaml(text.path)[0] == read_yaml(written)[0])
    except IngestError:
        return False


def _write_beside(text: CanonicalText) -> Path:
    """The canonical text written next to the file (a hidden temporary), checked to read back the same."""
    temporary = text.path.with_name(f".{text.path.name}{TEMPORARY_SUFFIX}")
    try:
        temporary.write_bytes(text.canonical)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise
    if _reads_the_same(text, temporary):
        return temporary
    if text.path.suffix == ".yaml":  # the values' own text did not read back the same: quote them all
        source = decode_utf8(text.path, text.written)
        root = compose_yaml(source, text.path)
        temporary.write_bytes(layout(source, root, FILES[text.path.name], keep_text=False)[0].encode("utf-8"))
        if _reads_the_same(text, temporary):
            return temporary
    temporary.unlink()
    raise IngestError([Problem(Location(text.path), "the canonical layout of this file would not read back as "
                               "the same data, so it was left as it is",
                               "rewrite the file by hand in the canonical form (data/README.md)")])


def format_programme(programme: ProgrammeFolder) -> list[Path]:
    """Rewrite the folder's files that are not in the canonical form; the files rewritten.

    Raises IngestError (nothing replaced) when a file cannot be rewritten without changing what it says.
    """
    texts = [t for t in canonical_texts(programme) if t.problem is not None]
    unformattable = [t.problem for t in texts if t.problem is not None and not t.rewritable]
    if unformattable:
        raise IngestError(unformattable)
    written: list[tuple[Path, Path]] = []
    try:
        for text in texts:
            written.append((_write_beside(text), text.path))
    except (IngestError, OSError):
        for temporary, _ in written:
            temporary.unlink(missing_ok=True)
        raise
    for temporary, path in written:
        temporary.replace(path)  # os.replace: atomic
        log.info("rewrote %s in the canonical form", path)
    return [path for _, path in written]
