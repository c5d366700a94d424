"""Activity data ingest: a client-level CSV -> aggregated, disclosure-controlled RDF Data Cube observations.

No client-level row ever reaches the graph: rows are streamed (constant memory in the number of rows;
memory grows only with the number of distinct service x quarter x breakdown x category keys), counted per
service x quarter ("slot") x breakdown x category, and only the counts - after small-number suppression
(ingest/activity_suppression.py) - are written, as N-Triples. The file format is in ingest/activity_schema.py.

Three steps, usable alone or through ``ingest_activity``:
    aggregate_activity(path, services)         -> ActivityAggregate  (read + check + count; may raise)
    release_activity(aggregate, programme=..., source=..., locator=..., min_count=5)
                                               -> ActivityRelease    (suppression decided; .lines() yields
                                                                      N-Triples bytes, deterministic order)
    ingest_activity(path, out, ...)            -> ActivitySummary    (both, written atomically to ``out``)

Bad rows: each is reported with its row (the line where the record starts; the header is line 1), the
column, the value and a fix. ``strict=True`` raises IngestError listing them before anything is written;
otherwise they are skipped and reported in the summary (their count and the first ``max_problems``).
Output: ``ingest_activity`` writes a temporary file beside ``out`` and renames it over ``out`` only when
complete, so a failure leaves any previous ``out`` untouched; a caller of ``ActivityRelease.lines()`` that
writes elsewhere must do the same (all checks happen in ``aggregate_activity``, before the first line).

Zero counts are published (in groups whose total is published): every breakdown lists every category of
its vocabulary (the open ones: every id seen in the file), so a zero there says nothing the published
total and cells do not already imply (a zero is known from the total and the other cells anyway once
they are published), and "no observation" never has to mean "zero". Where suppression could otherwise be
undone - a slot with a total below the threshold, or a breakdown withheld whole - zeros are suppressed
like every other cell, so they cannot reveal how the few clients are distributed. Service-quarters
without any client have no observations (the extract cannot tell "no clients" from "no return").
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from policygraph.ingest.activity_rdf import ActivityTerms
from policygraph.ingest.activity_schema import (
    CLOSED,
    COLUMNS,
    DIMENSIONS,
    LINKED,
    TOTAL,
    Issue,
    RowChecker,
    Values,
    not_utf8,
)
from policygraph.ingest.activity_suppression import PRIMARY, SECONDARY, SlotDecision, check_min_count, suppress_slot
from policygraph.ingest.csv_source import header_problem
from policygraph.ingest.errors import IngestError, Location, Problem, fail

if TYPE_CHECKING:
    from _csv import Reader as _CsvReader

Progress = Callable[[int, int], None]  # (bytes read, file size)
PROGRESS_EVERY = 20_000  # rows
_LINK = ((DIMENSIONS.index(LINKED[0][0]), CLOSED[LINKED[0][0]].index(LINKED[0][1])),
         (DIMENSIONS.index(LINKED[1][0]), CLOSED[LINKED[1][0]].index(LINKED[1][1])))
_CSV_HINT = ("put cells that contain commas, quotes or line breaks in double quotes, and double a quote "
             "inside a quoted cell (\"\")")


class _Slot:
    """Counts of one service in one quarter: its total and one counter per breakdown."""

    __slots__ = ("counters", "total")

    def __init__(self) -> None:
        self.total = 0
        self.counters: tuple[dict[str, int], ...] = tuple({} for _ in DIMENSIONS)


@dataclass
class ActivityAggregate:
    """Counts of the used rows, and what was read and skipped."""

    path: Path
    slots: dict[tuple[str, str], _Slot]
    rows_read: int = 0
    rows_used: int = 0
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    elapsed_s: float = 0.0
    _categories: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    @property
    def rows_skipped(self) -> int:
        return self.rows_read - self.rows_used

    def categories(self, dimension: str) -> tuple[str, ...]:
        """A breakdown's categories in publication order: its vocabulary, or the sorted ids found."""
        if dimension in CLOSED:
            return CLOSED[dimension]
        if dimension not in self._categories:  # asked once the file is read
            d = DIMENSIONS.index(dimension)
            self._categories[dimension] = tuple(sorted({c for s in self.slots.values() for c in s.counters[d]}))
        return self._categories[dimension]

    def group(self, service: str, quarter: str, dimension: str) -> dict[str, int]:
        """The raw (unsuppressed) counts of one breakdown of a slot, zeros included."""
        counter = self.slots[(service, quarter)].counters[DIMENSIONS.index(dimension)]
        return {c: counter.get(c, 0) for c in self.categories(dimension)}

    def total(self, service: str, quarter: str) -> int:
        return self.slots[(service, quarter)].total


def _not_utf8(where: Location, detail: str) -> Problem:
    return Problem(where, f"{detail} is not UTF-8 (the file has another encoding, e.g. Latin-1 or Windows-1252)",
                   "save the file as UTF-8 (in a text editor: 'Save with encoding' > UTF-8)")


class _Reader:
    """One pass over the file: checks, counts, collects problems."""

    def __init__(self, path: Path, services: Collection[str], max_problems: int, progress: Progress | None) -> None:
        self.path = path
        self.services = services
        self.max_problems = max_problems
        self.progress = progress
        self.agg = ActivityAggregate(path, {})
        self.end = 0  # the line where the last record read ends

    def report(self, problems: Iterable[Problem]) -> None:
        for p in problems:
            self.agg.problem_count += 1
            if len(self.agg.problems) < self.max_problems:
                self.agg.problems.append(p)

    def run(self, raw: BinaryIO, size: int) -> None:
        # Undecodable bytes become lone surrogates (U+DC80..U+DCFF), found and reported per row.
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")
        reader = csv.reader(text, strict=True)
        checker = RowChecker(self._header(reader), self.services)
        self.end = reader.line_num
        while True:  # resumes after a CSV error, on the next line
            try:
                self._consume(reader, checker, raw, size)
                break
            except csv.Error as exc:
                start, self.end = self.end + 1, reader.line_num
                self.agg.rows_read += 1
                self.report([Problem(Location(self.path, start, row=start), f"CSV error: {exc}", _CSV_HINT)])
        self.agg.rows_used = sum(slot.total for slot in self.agg.slots.values())
        if self.progress is not None:
            self.progress(raw.tell(), size)

    def _consume(self, reader: _CsvReader, checker: RowChecker, raw: BinaryIO, size: int) -> None:
        """The hot loop: check and count each record (a bad one is reported)."""
        slots, check, width, progress = self.agg.slots, checker.check, checker.width, self.progress
        rows, end = self.agg.rows_read, self.end
        try:
            for cells in reader:
                start, end = end + 1, reader.line_num
                if len(cells) == width:
                    values = check(cells)
                    if type(values) is tuple:
                        slot = slots.get((values[0], values[1]))
                        if slot is None:
                            slot = slots[(values[0], values[1])] = _Slot()
                        slot.total += 1
                        _, _, v2, v3, v4, v5, v6, v7, v8 = values
                        c0, c1, c2, c3, c4, c5, c6 = slot.counters
                        c0[v2] = c0.get(v2, 0) + 1
                        c1[v3] = c1.get(v3, 0) + 1
                        c2[v4] = c2.get(v4, 0) + 1
                        c3[v5] = c3.get(v5, 0) + 1
                        c4[v6] = c4.get(v6, 0) + 1
                        c5[v7] = c5.get(v7, 0) + 1
                        c6[v8] = c6.get(v8, 0) + 1
                    else:
                        self._bad_row(cells, values, start, end, width)
                elif not cells or (len(cells) == 1 and not cells[0].strip()):
                    continue  # a blank line
                else:
                    self._bad_row(cells, None, start, end, width)
                rows += 1
                if progress is not None and rows % PROGRESS_EVERY == 0:
                    progress(raw.tell(), size)
        finally:
            self.agg.rows_read, self.end = rows, end

    def _bad_row(self, cells: list[str], issues: list[Issue] | Values | None, start: int, end: int,
                 width: int) -> None:
        where = Location(self.path, start, row=start)
        if [c.strip() for c in cells] == list(COLUMNS):
            self.report([Problem(where, f"row {start} repeats the header",
                                 "remove it: the header is the first row only")])
        elif issues is None:
            span = f" (the record runs on to line {end}: is a quote left open?)" if end > start else ""
            self.report([Problem(where, f"{len(cells)} cells where the header has {width}{span}",
                                 "one cell per column; put cells that contain commas in double quotes")])
        elif isinstance(issues, list):
            self.report(Problem(where, message, fix) for _column, message, fix in issues)

    def _header(self, reader: _CsvReader) -> list[str]:
        first = Location(self.path, 1, row=1)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise fail(first, f"CSV error in the header row: {exc}", _CSV_HINT) from exc
        if header is None:
            raise fail(first, "the file is empty", f"start with the header row: {','.join(COLUMNS)}")
        joined = ",".join(header)
        if (bad := not_utf8(joined)) is not None:
            raise IngestError([_not_utf8(first, f"byte 0x{bad[1]:02x} at column {bad[0] + 1}")])
        header = [h.strip() for h in header]
        problem = header_problem(self.path, header, COLUMNS)
        if problem is not None:
            raise problem
        return header


def aggregate_activity(path: Path, services: Collection[str], *, strict: bool = False, max_problems: int = 100,
                       progress: Progress | None = None) -> ActivityAggregate:
    """Stream the client-level file and count its rows per service x quarter x breakdown x category.

    Raises IngestError when the file cannot be read, is empty, has a wrong header, or - with ``strict`` -
    has any bad row (listing the first ``max_problems``, then how many more). ``progress`` is called with
    (bytes read, file size) every PROGRESS_EVERY rows and at the end.
    """
    started = time.perf_counter()
    job = _Reader(path, services, max_problems, progress)
    try:
        with path.open("rb") as handle:
            job.run(handle, os.fstat(handle.fileno()).st_size)
    except OSError as exc:
        raise fail(Location(path), f"cannot read the file ({exc.strerror})", "check the path and permissions") from exc
    agg = job.agg
    agg.elapsed_s = time.perf_counter() - started
    if strict and agg.problem_count:
        problems = list(agg.problems)
        if agg.problem_count > len(problems):
            last = max((p.location.line or 0) for p in problems) + 1
            problems.append(Problem(Location(path, last, row=last),
                                    f"... and {agg.problem_count - len(problems)} more problem(s) not listed",
                                    "fix the ones listed and run again"))
        raise IngestError(problems)
    return agg


@dataclass(frozen=True)
class ActivitySummary:
    rows_read: int
    rows_used: int
    rows_skipped: int
    problem_count: int
    problems: tuple[Problem, ...]
    slots: int  # service-quarters with at least one client
    slots_small: int  # ... whose total is 1..min_count-1 (all suppressed)
    groups_withheld: int  # breakdowns of a slot suppressed whole, as they could not be protected otherwise
    observations: int  # including group totals
    published: int
    suppressed_primary: int
    suppressed_secondary: int
    triples: int
    elapsed_s: float

    def render(self) -> str:
        lines = [f"activity: {self.rows_read} rows read, {self.rows_used} used, {self.rows_skipped} skipped; "
                 f"{self.observations} observations ({self.published} published, {self.suppressed_primary} "
                 f"primary and {self.suppressed_secondary} secondary suppressions) over {self.slots} "
                 f"service-quarters ({self.slots_small} small; {self.groups_withheld} breakdowns withheld); "
                 f"{self.triples} triples in {self.elapsed_s:.1f} s"]
        if self.problem_count:
            lines.append(f"{self.problem_count} problem(s) in skipped rows"
                         + (f", the first {len(self.problems)}:" if self.problem_count > len(self.problems) else ":"))
            lines.extend(str(p) for p in self.problems)
        return "\n".join(lines)


class ActivityRelease:
    """The aggregate with its suppression decided: the observations to publish, as N-Triples."""

    def __init__(self, aggregate: ActivityAggregate, *, programme: str, source: str, locator: str,
                 min_count: int = 5) -> None:
        check_min_count(min_count)
        self.aggregate = aggregate
        self.programme = programme
        self.min_count = min_count
        self.terms = ActivityTerms(programme, source, locator)
        self.categories = {d: aggregate.categories(d) for d in DIMENSIONS}
        self.decisions: dict[tuple[str, str], SlotDecision] = {}
        for key in sorted(aggregate.slots):
            groups = [[counts.get(c, 0) for c in self.categories[d]]
                      for d, counts in zip(DIMENSIONS, aggregate.slots[key].counters, strict=True)]
            self.decisions[key] = suppress_slot(groups, min_count, _LINK)

    def statistics(self) -> dict[str, int]:
        """Counts of observations by status and of slots by kind (see ActivitySummary)."""
        cells_per_slot = sum(len(c) + 1 for c in self.categories.values())
        stats = {"slots": len(self.decisions), "slots_small": 0, "groups_withheld": 0,
                 "observations": cells_per_slot * len(self.decisions), "published": 0, "suppressed_primary": 0,
                 "suppressed_secondary": 0}
        for decision in self.decisions.values():
            stats["slots_small"] += decision.total is not None
            stats["groups_withheld"] += len(decision.withheld)
            for status in [decision.total] * len(DIMENSIONS) + [s for g in decision.cells for s in g]:
                key = "published" if status is None else f"suppressed_{status}"
                stats[key] += 1
        return stats

    def lines(self) -> Iterator[bytes]:
        """N-Triples, one chunk per slot (after the data set's), in a deterministic order."""
        terms = self.terms
        yield terms.dataset_lines(self.programme, self.min_count).encode()
        for (service, quarter), decision in self.decisions.items():
            slot = self.aggregate.slots[(service, quarter)]
            prefix = terms.slot_prefix(service, quarter)
            parts = []
            for d, (dimension, counter) in enumerate(zip(DIMENSIONS, slot.counters, strict=True)):
                parts.append(terms.observation_lines(prefix, service, quarter, dimension, TOTAL, slot.total,
                                                     decision.total))
                for category, status in zip(self.categories[dimension], decision.cells[d], strict=True):
                    parts.append(terms.observation_lines(prefix, service, quarter, dimension, category,
                                                         counter.get(category, 0), status))
            yield "".join(parts).encode()


def release_activity(aggregate: ActivityAggregate, *, programme: str, source: str, locator: str,
                     min_count: int = 5) -> ActivityRelease:
    """Decide the suppression of every count (rules in ingest/activity_suppression.py)."""
    return ActivityRelease(aggregate, programme=programme, source=source, locator=locator, min_count=min_count)


def write_atomically(chunks: Iterable[bytes], out: Path) -> int:
    """Write the chunks to a temporary file beside ``out``, then rename it to ``out``; the number of lines."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    lines = 0
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as handle:
            os.fchmod(handle.fileno(), 0o644)  # mkstemp makes it 0600, which would otherwise stay on the output
            for chunk in chunks:
                lines += chunk.count(b"\n")
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return lines


def ingest_activity(path: Path, out: Path, *, programme: str, services: Collection[str], source: str, locator: str,
                    min_count: int = 5, strict: bool = False, max_problems: int = 100,
                    progress: Progress | None = None) -> ActivitySummary:
    """Read, check, count and suppress the activity file; write its observations to ``out`` (N-Triples).

    ``services``: the programme's service ids; ``source``: the id of the pg:Source (the activity extract,
    declared in the programme's sources.yaml) every observation cites. Nothing is written if it raises.
    """
    started = time.perf_counter()
    check_min_count(min_count)
    agg = aggregate_activity(path, services, strict=strict, max_problems=max_problems, progress=progress)
    release = release_activity(agg, programme=programme, source=source, locator=locator, min_count=min_count)
    triples = write_atomically(release.lines(), out)
    stats = release.statistics()
    return ActivitySummary(rows_read=agg.rows_read, rows_used=agg.rows_used, rows_skipped=agg.rows_skipped,
                           problem_count=agg.problem_count, problems=tuple(agg.problems), triples=triples,
                           elapsed_s=time.perf_counter() - started, **stats)


__all__ = ["PRIMARY", "SECONDARY", "ActivityAggregate", "ActivityRelease", "ActivitySummary", "aggregate_activity",
           "ingest_activity", "release_activity", "write_atomically"]
