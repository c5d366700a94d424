"""Activity data ingest: aggregation against pandas, disclosure control, determinism, bad rows."""

from __future__ import annotations

import csv
import random
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pyoxigraph
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph

from ingest.activity import ActivitySummary, aggregate_activity, ingest_activity, release_activity
from ingest.activity_schema import CLOSED, COLUMNS, DIMENSIONS, NO_PHP, TOTAL
from ingest.activity_suppression import PRIMARY, SECONDARY, SlotDecision, suppress_slot
from ingest.errors import IngestError
from ontology import ID_BASE, PG

SEED = 20_140_725
ROWS = 6_000
MIN = 5
PROGRAMME = "test-programme"
SOURCE = "DCRS-EXTRACT"
SERVICES = [f"T{n:02d}" for n in range(1, 13)]
QUARTERS = [f"{y}-Q{q}" for y in (2009, 2010) for q in range(1, 5)]
REFERRALS = ["self-community", "gp-referral", "cvd-risk-assessment", "smoking-cessation", "pharmacy", "housing-officer"]
GOALS = ["diet", "physical-activity", "weight", "smoking", "alcohol"]
REF_PATTERN = re.compile(rb"DCRS-[0-9a-f]{12}")
WITHHELD = ("T12", "2008-Q4")  # a crafted slot: 6 clients, quintile 1 x1 and quintile 2 x5, alike otherwise


def _client(rng: random.Random, service: str, quarter: str) -> list[str]:
    php = rng.random() < 0.75
    return [f"DCRS-{rng.getrandbits(48):012x}", service, quarter,
            rng.choices(REFERRALS, weights=(50, 25, 10, 6, 3, 1))[0],
            rng.choices("12345", weights=(40, 25, 15, 12, 8))[0],
            rng.choices(CLOSED["age_band"], weights=(10, 20, 20, 20, 15, 10, 5))[0],
            rng.choices(CLOSED["sex"], weights=(55, 40, 3, 2))[0],
            rng.choices(GOALS, weights=(30, 30, 25, 10, 5))[0],
            "yes" if php else "no",
            rng.choices(["fully", "partly", "not"], weights=(5, 3, 2))[0] if php else ""]


def generate(path: Path, rows: int = ROWS, seed: int = SEED) -> list[list[str]]:
    """A client file with thin and thick service-quarters (many small cells) plus one crafted slot."""
    rng = random.Random(seed)
    slots = [(s, q) for s in SERVICES for q in QUARTERS]
    weights = [rng.choice([1, 2, 5, 20, 60]) for _ in slots]
    records = [_client(rng, *rng.choices(slots, weights)[0]) for _ in range(rows)]
    for quintile in "122222":
        row = _client(rng, *WITHHELD)
        row[3:10] = ["self-community", quintile, "35-44", "female", "diet", "yes", "fully"]
        records.append(row)
    write_csv(path, [list(COLUMNS), *records])
    return records


def write_csv(path: Path, rows: Iterable[Sequence[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


@dataclass(frozen=True)
class Obs:
    service: str
    quarter: str
    breakdown: str
    category: str
    count: int | None
    suppression: str | None


def read_observations(path: Path) -> list[Obs]:
    props: dict[str, dict[str, str]] = defaultdict(dict)
    kinds = {str(PG[n]): n for n in ("refService", "refQuarter", "breakdown", "category", "clientCount",
                                     "suppressed", "suppression")}
    for triple in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.N_TRIPLES):
        name = kinds.get(triple.predicate.value)
        if name:
            props[triple.subject.value][name] = triple.object.value
    out = []
    for p in props.values():
        suppressed = p["suppressed"] == "true"
        assert suppressed == ("clientCount" not in p) == ("suppression" in p)
        out.append(Obs(p["refService"].rsplit("/", 1)[1], p["refQuarter"], p["breakdown"], p["category"],
                       None if suppressed else int(p["clientCount"]), p.get("suppression")))
    return out


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[list[str]], ActivitySummary]:
    folder = tmp_path_factory.mktemp("activity")
    records = generate(folder / "activity.csv")
    out = folder / "activity.nt"
    summary = ingest_activity(folder / "activity.csv", out, programme=PROGRAMME, services=SERVICES, source=SOURCE)
    return folder / "activity.csv", out, records, summary


@pytest.fixture(scope="module")
def observations(run: tuple[Path, Path, list[list[str]], ActivitySummary]) -> list[Obs]:
    return read_observations(run[1])


def pandas_counts(csv_path: Path) -> dict[tuple[str, str, str, str], int]:
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    frame["goal_achieved"] = frame["goal_achieved"].replace("", NO_PHP)
    long = frame.melt(id_vars=["service", "quarter"], value_vars=list(DIMENSIONS), var_name="breakdown",
                      value_name="category")
    sizes = long.groupby(["service", "quarter", "breakdown", "category"]).size()
    return {key: int(n) for key, n in sizes.items()}


# ---------------------------------------------------------------------------------------------
# aggregation
# ---------------------------------------------------------------------------------------------

def test_counts_match_a_direct_pandas_computation(run: tuple[Path, Path, list[list[str]], ActivitySummary],
                                                  observations: list[Obs]) -> None:
    csv_path, _, records, summary = run
    expected = pandas_counts(csv_path)
    agg = aggregate_activity(csv_path, SERVICES)
    counted = {(s, q, d, c): n for (s, q) in agg.slots for d in DIMENSIONS
               for c, n in agg.group(s, q, d).items() if n}
    assert counted == expected
    assert (summary.rows_read, summary.rows_used, summary.rows_skipped) == (len(records), len(records), 0)
    # every published figure is the true one; zeros are published only where the data has none
    totals = pd.Series([r[1] + "|" + r[2] for r in records]).value_counts().to_dict()
    for o in observations:
        if o.count is None:
            continue
        truth = totals[f"{o.service}|{o.quarter}"] if o.category == TOTAL else \
            expected.get((o.service, o.quarter, o.breakdown, o.category), 0)
        assert o.count == truth, o


def test_every_slot_lists_every_category_of_every_breakdown(observations: list[Obs]) -> None:
    by_slot: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for o in observations:
        by_slot[(o.service, o.quarter, o.breakdown)].add(o.category)
    found = {d: sorted({c for (_, _, b), cats in by_slot.items() if b == d for c in cats} - {TOTAL})
             for d in DIMENSIONS}
    assert found["referral_source"] == sorted(REFERRALS)
    assert found["goal_type"] == sorted(GOALS)
    for (_, _, breakdown), cats in by_slot.items():
        assert cats == {TOTAL, *found[breakdown]}


def test_summary_counts_what_was_written(run: tuple[Path, Path, list[list[str]], ActivitySummary],
                                         observations: list[Obs]) -> None:
    _, out, _, s = run
    assert s.observations == len(observations) == s.published + s.suppressed_primary + s.suppressed_secondary
    assert s.published == sum(o.count is not None for o in observations)
    assert s.suppressed_primary == sum(o.suppression == "primary" for o in observations)
    assert s.triples == len(out.read_bytes().splitlines())
    assert s.slots == len({(o.service, o.quarter) for o in observations})
    assert s.slots_small > 0 and s.groups_withheld >= 1 and s.suppressed_secondary > 0
    assert s.elapsed_s > 0 and "rows read" in s.render()


# ---------------------------------------------------------------------------------------------
# disclosure control on the published output
# ---------------------------------------------------------------------------------------------

def test_no_published_count_is_small(run: tuple[Path, Path, list[list[str]], ActivitySummary],
                                     observations: list[Obs]) -> None:
    published = [o.count for o in observations if o.count is not None]
    assert published and not [n for n in published if 0 < n < MIN]
    assert {o.suppression for o in observations} == {None, "primary", "secondary"}
    for n in re.findall(rb"rows aggregated: (\d+)", run[1].read_bytes()):
        assert int(n) >= MIN


Bounds = dict[str, tuple[int, int]]


def _ranges(cells: list[Obs], total: int, bound: Bounds | None = None) -> Bounds:
    """A reader's inference from the labels alone: primary 1..MIN-1, secondary >= MIN; sum = total."""
    rest = total - sum(o.count for o in cells if o.count is not None)
    hidden = [o for o in cells if o.count is None]
    bounds = {o.category: (1, MIN - 1) if o.suppression == PRIMARY else (MIN, rest) for o in hidden}
    for cat, (lo, hi) in (bound or {}).items():
        bounds[cat] = (max(bounds[cat][0], lo), min(bounds[cat][1], hi))
    low, high = sum(b[0] for b in bounds.values()), sum(b[1] for b in bounds.values())
    return {c: (max(lo, rest - (high - hi)), min(hi, rest - (low - lo))) for c, (lo, hi) in bounds.items()}


def _withheld(cells: list[Obs]) -> bool:
    """A group suppressed whole as secondary: its labels say nothing (each cell is in 0..total)."""
    return all(o.suppression == SECONDARY for o in cells)


def test_no_published_total_reveals_a_suppressed_cell(observations: list[Obs]) -> None:
    groups: dict[tuple[str, str, str], list[Obs]] = defaultdict(list)
    for o in observations:
        groups[(o.service, o.quarter, o.breakdown)].append(o)
    checked = withheld = 0
    slot_ranges: dict[tuple[str, str], dict[str, dict[str, tuple[int, int]]]] = defaultdict(dict)
    for (service, quarter, breakdown), obs in groups.items():
        total = next(o for o in obs if o.category == TOTAL)
        cells = [o for o in obs if o.category != TOTAL]
        hidden = [o for o in cells if o.count is None]
        if total.count is None:
            assert len(hidden) == len(cells), "a suppressed total suppresses every cell"
            assert {o.suppression for o in hidden} == {SECONDARY}, "labels must not tell zeros apart"
            continue
        if hidden and _withheld(cells):
            withheld += 1
            assert len(cells) >= 2
        elif hidden:
            checked += 1
            assert len(hidden) >= 2
            ranges = _ranges(cells, total.count)
            assert all(lo < hi for lo, hi in ranges.values()), (service, quarter, breakdown, ranges)
            slot_ranges[(service, quarter)][breakdown] = ranges
    assert checked > 50 and withheld >= 1
    # the linked cells (php_created = no, goal_achieved = no-php) count the same clients
    for (service, quarter, breakdown), obs in groups.items():
        if breakdown != "php_created":
            continue
        no = next(o for o in obs if o.category == "no")
        no_php = next(o for o in groups[(service, quarter, "goal_achieved")] if o.category == NO_PHP)
        assert (no.count, no.suppression) == (no_php.count, no_php.suppression)
        linked = slot_ranges[(service, quarter)]
        if no.count is None and {"php_created", "goal_achieved"} <= set(linked):
            lo = max(linked["php_created"]["no"][0], linked["goal_achieved"][NO_PHP][0])
            hi = min(linked["php_created"]["no"][1], linked["goal_achieved"][NO_PHP][1])
            assert lo < hi
            for breakdown2, cat in (("php_created", "no"), ("goal_achieved", NO_PHP)):
                cells = [o for o in groups[(service, quarter, breakdown2)] if o.category != TOTAL]
                joint = _ranges(cells, no_php_total(groups, service, quarter), {cat: (lo, hi)})
                assert all(a < b for a, b in joint.values())
        else:  # both published, or one group (at least) all secondary: it tells the reader nothing
            assert no.count is not None or _withheld([o for o in obs if o.category != TOTAL]) or _withheld(
                [o for o in groups[(service, quarter, "goal_achieved")] if o.category != TOTAL])


def no_php_total(groups: dict[tuple[str, str, str], list[Obs]], service: str, quarter: str) -> int:
    count = next(o for o in groups[(service, quarter, "goal_achieved")] if o.category == TOTAL).count
    assert count is not None
    return count


def test_an_unprotectable_breakdown_is_withheld_whole(observations: list[Obs]) -> None:
    slot = [o for o in observations if (o.service, o.quarter) == WITHHELD]
    assert len(slot) == 7 + sum(len(c) for c in CLOSED.values()) + len(REFERRALS) + len(GOALS)
    quintiles = [o for o in slot if o.breakdown == "deprivation_quintile" and o.category != TOTAL]
    assert {(o.count, o.suppression) for o in quintiles} == {(None, SECONDARY)}  # 1 + 5 = 6: no way to hide the 1
    assert {o.count for o in slot if o.category == TOTAL} == {6}
    assert {o.count for o in slot if o.breakdown == "sex"} == {6, 0}


def test_no_client_reference_reaches_the_output(run: tuple[Path, Path, list[list[str]], ActivitySummary]) -> None:
    _, out, records, _ = run
    data = out.read_bytes()
    assert REF_PATTERN.search(data) is None
    assert not any(r[0].encode() in data for r in records[:40])
    assert b"client_ref" not in data


# ---------------------------------------------------------------------------------------------
# output format
# ---------------------------------------------------------------------------------------------

def test_two_runs_give_byte_identical_output(run: tuple[Path, Path, list[list[str]], ActivitySummary],
                                             tmp_path: Path) -> None:
    again = tmp_path / "again.nt"
    generate(tmp_path / "activity.csv")
    ingest_activity(tmp_path / "activity.csv", again, programme=PROGRAMME, services=SERVICES, source=SOURCE)
    assert again.read_bytes() == run[1].read_bytes()


def test_output_parses_as_n_triples_with_rdflib_and_pyoxigraph(run: tuple[Path, Path, list[list[str]],
                                                                          ActivitySummary]) -> None:
    out = run[1]
    rdflib_graph = Graph().parse(out, format="nt")
    oxi = list(pyoxigraph.parse(path=str(out), format=pyoxigraph.RdfFormat.N_TRIPLES))
    assert len(rdflib_graph) == len(oxi) == run[3].triples
    dataset = f"{ID_BASE}{PROGRAMME}/dataset/activity"
    sample = f"{ID_BASE}{PROGRAMME}/activity/T01/2009-Q1/age_band/75%2B"
    assert any(t.subject.value == sample for t in oxi)
    store = pyoxigraph.Store()
    store.bulk_load(path=str(out), format=pyoxigraph.RdfFormat.N_TRIPLES)
    rows = store.query(f"""
        PREFIX pg: <{PG}> PREFIX qb: <http://purl.org/linked-data/cube#>
        SELECT (COUNT(?o) AS ?n) WHERE {{
          ?o a qb:Observation, pg:ActivityObservation ; qb:dataSet <{dataset}> ; pg:refService ?s ;
             pg:refQuarter ?q ; pg:breakdown ?b ; pg:category ?c ; pg:suppressed ?x ; pg:partOfProgramme ?p ;
             pg:evidence [ a pg:Evidence ; pg:source <{ID_BASE}{PROGRAMME}/source/{SOURCE}> ; pg:locator ?l ] .
        }}""")
    assert isinstance(rows, pyoxigraph.QuerySolutions)
    assert int(next(iter(rows))[0].value) == run[3].observations


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------

BAD = {  # line in the file -> (column, value, what the fix says)
    3: ("quarter", "2009-Q5", "YYYY-Qn"),
    5: ("service", "T99", "services.yaml"),
    6: ("deprivation_quintile", "6", "1 (most deprived)"),
    8: ("goal_achieved", "fully", "leave goal_achieved empty"),
}


def _bad_file(path: Path) -> list[list[str]]:
    rng = random.Random(7)
    rows = [_client(rng, SERVICES[n % 3], QUARTERS[0]) for n in range(12)]
    rows[1][2], rows[3][1], rows[4][4] = "2009-Q5", "T99", "6"
    rows[6][8:10] = ["no", "fully"]
    write_csv(path, [list(COLUMNS), *rows])
    data = path.read_bytes().splitlines(keepends=True)
    data[9] = data[9].replace(b"DCRS-", b"DCRS\xa7-")  # line 10: Latin-1
    data[10] = data[10].rstrip(b"\n") + b",extra\n"  # line 11: a cell too many
    path.write_bytes(b"".join(data))
    return rows


def test_strict_mode_fails_with_every_bad_row_and_writes_nothing(tmp_path: Path) -> None:
    _bad_file(tmp_path / "a.csv")
    out = tmp_path / "out.nt"
    out.write_bytes(b"previous\n")
    with pytest.raises(IngestError) as caught:
        ingest_activity(tmp_path / "a.csv", out, programme=PROGRAMME, services=SERVICES, source=SOURCE, strict=True)
    problems = caught.value.problems
    assert [p.location.row for p in problems] == [3, 5, 6, 8, 10, 11]
    for p in problems:
        if p.location.row in BAD:
            column, value, fix = BAD[p.location.row]
            assert f"column {column!r}" in p.message and repr(value) in p.message and fix in p.fix
    assert "not UTF-8" in problems[4].message and "cells where the header has" in problems[5].message
    assert "a.csv:3 (row 3)" in str(caught.value)
    assert out.read_bytes() == b"previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "out.nt"]


def test_lenient_mode_skips_bad_rows_and_reports_them(tmp_path: Path) -> None:
    rows = _bad_file(tmp_path / "a.csv")
    out = tmp_path / "out.nt"
    summary = ingest_activity(tmp_path / "a.csv", out, programme=PROGRAMME, services=SERVICES, source=SOURCE,
                              max_problems=3)
    assert (summary.rows_read, summary.rows_used, summary.rows_skipped) == (12, 6, 6)
    assert summary.problem_count == 6 and [p.location.row for p in summary.problems] == [3, 5, 6]
    assert "6 problem(s) in skipped rows, the first 3" in summary.render()
    good = [r for n, r in enumerate(rows, start=2) if n not in (*BAD, 10, 11)]
    write_csv(tmp_path / "good.csv", [list(COLUMNS), *good])
    expected = pandas_counts(tmp_path / "good.csv")
    agg = aggregate_activity(tmp_path / "a.csv", SERVICES)
    assert {(s, q, d, c): n for (s, q) in agg.slots for d in DIMENSIONS
            for c, n in agg.group(s, q, d).items() if n} == expected
    assert out.exists() and summary.triples == len(out.read_bytes().splitlines())


@pytest.mark.parametrize("strict", [True, False])
def test_a_missing_column_fails_in_either_mode(tmp_path: Path, strict: bool) -> None:
    header = [c for c in COLUMNS if c != "sex"]
    write_csv(tmp_path / "a.csv", [header, ["x"] * len(header)])
    with pytest.raises(IngestError, match=r"a.csv:1 \(row 1\): the header row is wrong: missing column\(s\) sex"):
        ingest_activity(tmp_path / "a.csv", tmp_path / "out.nt", programme=PROGRAMME, services=SERVICES,
                        source=SOURCE, strict=strict)
    assert not (tmp_path / "out.nt").exists()


def test_a_file_that_is_not_utf8_is_reported_per_row(tmp_path: Path) -> None:
    rows = [list(COLUMNS), *(_client(random.Random(n), "T01", "2009-Q1") for n in range(6))]
    write_csv(tmp_path / "a.csv", rows)
    latin = (tmp_path / "a.csv").read_bytes().replace(b"female", "f\xe9male".encode("latin-1"))
    (tmp_path / "b.csv").write_bytes(latin)
    agg = aggregate_activity(tmp_path / "b.csv", SERVICES)
    bad_rows = [n for n, r in enumerate(rows[1:], start=2) if r[6] == "female"]
    assert bad_rows and [p.location.row for p in agg.problems] == bad_rows
    assert agg.rows_used == 6 - len(bad_rows)
    assert all("byte 0xe9" in p.message and "UTF-8" in p.fix for p in agg.problems)
    (tmp_path / "c.csv").write_bytes(latin.replace(b"sex", "s\xe9x".encode("latin-1"), 1))
    for strict in (True, False):  # a header that is not UTF-8 is fatal in either mode
        with pytest.raises(IngestError, match=r"c.csv:1 \(row 1\): byte 0xe9 at column 75 is not UTF-8"):
            aggregate_activity(tmp_path / "c.csv", SERVICES, strict=strict)


def test_a_csv_error_is_reported_and_reading_resumes_on_the_next_row(tmp_path: Path) -> None:
    rows = [_client(random.Random(n), "T01", "2009-Q1") for n in range(6)]
    write_csv(tmp_path / "a.csv", [list(COLUMNS), *rows])
    lines = (tmp_path / "a.csv").read_bytes().splitlines(keepends=True)
    lines[3] = lines[3].replace(b",T01,", b',"T01"x,')  # line 4: text after a closing quote
    (tmp_path / "a.csv").write_bytes(b"".join(lines))
    agg = aggregate_activity(tmp_path / "a.csv", SERVICES)
    assert (agg.rows_read, agg.rows_used, agg.total("T01", "2009-Q1")) == (6, 5, 5)
    assert [(p.location.row, p.message.split(":")[0]) for p in agg.problems] == [(4, "CSV error")]


def test_the_output_is_readable_by_others(run: tuple[Path, Path, list[list[str]], ActivitySummary]) -> None:
    assert run[1].stat().st_mode & 0o777 == 0o644


def test_a_byte_order_mark_and_blank_lines_are_accepted(tmp_path: Path) -> None:
    rows = [list(COLUMNS), *(_client(random.Random(n), "T01", "2009-Q1") for n in range(8))]
    write_csv(tmp_path / "a.csv", rows)
    (tmp_path / "b.csv").write_bytes(b"\xef\xbb\xbf" + (tmp_path / "a.csv").read_bytes().replace(b"\n", b"\r\n\r\n", 1))
    agg = aggregate_activity(tmp_path / "b.csv", SERVICES, strict=True)
    assert (agg.rows_read, agg.rows_used, agg.total("T01", "2009-Q1")) == (8, 8, 8)


def test_progress_reports_bytes_read(run: tuple[Path, Path, list[list[str]], ActivitySummary],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ingest.activity.PROGRESS_EVERY", 1000)
    seen: list[tuple[int, int]] = []
    aggregate_activity(run[0], SERVICES, progress=lambda done, size: seen.append((done, size)))
    size = run[0].stat().st_size
    assert len(seen) >= 3 and seen[-1] == (size, size)
    assert all(a[0] <= b[0] for a, b in pairwise(seen))


def test_a_higher_threshold_is_honoured(run: tuple[Path, Path, list[list[str]], ActivitySummary],
                                        tmp_path: Path) -> None:
    release = release_activity(aggregate_activity(run[0], SERVICES), programme=PROGRAMME, source=SOURCE, min_count=10)
    (tmp_path / "ten.nt").write_bytes(b"".join(release.lines()))
    counts = [o.count for o in read_observations(tmp_path / "ten.nt") if o.count is not None]
    assert counts and not [n for n in counts if 0 < n < 10]
    with pytest.raises(ValueError, match="at least 3"):
        release_activity(aggregate_activity(run[0], SERVICES), programme=PROGRAMME, source=SOURCE, min_count=2)


# ---------------------------------------------------------------------------------------------
# the suppression rule itself
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("counts", "expected"), [
    ([3, 10, 20, 50], ["primary", "secondary", None, None]),  # one primary: the smallest other non-zero cell
    ([3, 10, 10, 50], ["primary", "secondary", None, None]),  # ties: category order
    ([0, 3, 40, 0, 12], [None, "primary", None, None, "secondary"]),  # zeros are never chosen
    ([2, 2, 30], ["primary", "primary", None]),  # two primaries whose sum (4) does not pin either
    ([4, 4, 30], ["primary", "primary", "secondary"]),  # 4 + 4 = 8 would pin both at 4
    ([1, 6, 30], ["primary", "secondary", None]),  # 1 + 6 = 7 with a secondary >= 5: 1 or 2
    ([1, 5, 30], ["primary", "secondary", "secondary"]),  # 1 + 5 = 6 with a secondary >= 5 pins 1
    ([4, 5, 5, 40], ["primary", "secondary", "secondary", None]),  # 4 + 5, the other 5 showing, pins 4
    ([20, 30], [None, None]),
])
def test_suppression_examples(counts: list[int], expected: list[str | None]) -> None:
    decision = suppress_slot([counts], MIN)
    assert decision.total is None and list(decision.cells[0]) == expected


def test_small_slots_and_unprotectable_groups_are_suppressed_whole() -> None:
    assert suppress_slot([[1, 2, 0], [3, 0, 0]], MIN) == SlotDecision(PRIMARY, ((SECONDARY,) * 3,) * 2)
    assert suppress_slot([[1, 5, 0], [6, 0, 0]], MIN) == SlotDecision(
        None, ((SECONDARY,) * 3, (None,) * 3), frozenset({0}))
    link = ((0, 0), (1, 0))  # withholding one linked group withholds the other
    assert suppress_slot([[1, 5, 0], [1, 2, 3], [6, 0]], MIN, link) == SlotDecision(
        None, ((SECONDARY,) * 3, (SECONDARY,) * 3, (None, None)), frozenset({0, 1}))


def _feasible(bounds: list[range], rest: int) -> list[set[int]]:
    """Brute force: the values each cell can take when the cells (each within its bounds) sum to rest."""
    out = []
    for i, own in enumerate(bounds):
        sums = {0}
        for j, other in enumerate(bounds):
            if j != i:
                sums = {s + v for s in sums for v in other if s + v <= rest}
        out.append({v for v in own if rest - v in sums})
    return out


def _reader_view(counts: Sequence[int], statuses: Sequence[str | None], m: int,
                 shared: tuple[int, set[int]] | None = None) -> list[set[int]]:
    total = sum(counts)
    rest = total - sum(c for c, s in zip(counts, statuses, strict=True) if s is None)
    hidden = [i for i, s in enumerate(statuses) if s is not None]
    bounds = [range(1, m) if statuses[i] == PRIMARY else range(m, rest + 1) for i in hidden]
    if shared is not None and shared[0] in hidden:
        k = hidden.index(shared[0])
        bounds[k] = range(0) if not shared[1] else range(min(shared[1]), max(shared[1]) + 1)
    return _feasible(bounds, rest)


def _assert_safe(groups: list[list[int]], decision: SlotDecision, m: int,
                 link: tuple[tuple[int, int], tuple[int, int]] | None = None) -> None:
    if decision.total is not None:
        assert all(s == SECONDARY for g in decision.cells for s in g)
        assert (decision.total == PRIMARY) == (sum(groups[0]) < m)
        return
    views: list[list[set[int]]] = []
    for g, (counts, statuses) in enumerate(zip(groups, decision.cells, strict=True)):
        assert len(statuses) == len(counts)
        if g in decision.withheld:
            assert set(statuses) == {SECONDARY} and len(counts) >= 2
            views.append([set(range(sum(counts) + 1))] * len(counts))
            continue
        for c, s in zip(counts, statuses, strict=True):
            assert (s == PRIMARY) == (0 < c < m) and not (s == SECONDARY and c == 0)
        hidden = [s for s in statuses if s]
        assert not hidden or len(hidden) >= 2
        view = _reader_view(counts, statuses, m)
        assert all(len(values) >= 2 for values in view), (counts, statuses, view)
        views.append(view)
    if link is not None:
        (ga, ia), (gb, ib) = link
        assert decision.cells[ga][ia] == decision.cells[gb][ib]
        assert (ga in decision.withheld) == (gb in decision.withheld)
        if decision.cells[ga][ia] is not None and ga not in decision.withheld:
            pos_a = [i for i, s in enumerate(decision.cells[ga]) if s].index(ia)
            pos_b = [i for i, s in enumerate(decision.cells[gb]) if s].index(ib)
            shared = views[ga][pos_a] & views[gb][pos_b]
            assert len(shared) >= 2
            for g, i in ((ga, ia), (gb, ib)):
                joint = _reader_view(groups[g], decision.cells[g], m, (i, shared))
                assert all(len(values) >= 2 for values in joint)


@settings(max_examples=400, deadline=None)
@given(counts=st.lists(st.integers(0, 14), min_size=1, max_size=6), m=st.sampled_from([3, 5, 7]))
def test_suppression_property_on_random_count_tables(counts: list[int], m: int) -> None:
    if sum(counts) == 0:
        return
    decision = suppress_slot([counts], m)
    _assert_safe([counts], decision, m)
    primaries = [i for i, c in enumerate(counts) if 0 < c < m]
    if decision.total is None and not decision.withheld and len(primaries) == 1:  # the brief's rule, at least
        others = [(c, i) for i, c in enumerate(counts) if c >= m]
        assert decision.cells[0][min(others)[1]] == SECONDARY


CLIENT = st.tuples(st.integers(0, 4), st.integers(0, 3), st.sampled_from([(0, 0), (0, 1), (0, 2), (1, 3)]))


@settings(max_examples=300, deadline=None)
@given(clients=st.lists(CLIENT, min_size=1, max_size=30), m=st.sampled_from([3, 5]))
def test_suppression_property_on_random_slots_with_linked_cells(clients: list[tuple[int, int, tuple[int, int]]],
                                                                m: int) -> None:
    quintile, sex, php, achieved = [0] * 5, [0] * 4, [0] * 2, [0] * 4
    for q, s, (p, a) in clients:
        quintile[q] += 1
        sex[s] += 1
        php[p] += 1
        achieved[a] += 1
    groups = [quintile, sex, php, achieved]
    link = ((2, 1), (3, 3))  # php_created = no, goal_achieved = no-php
    decision = suppress_slot(groups, m, link)
    _assert_safe(groups, decision, m, link)
