"""Activity data ingest end to end on a generated client file: aggregation against pandas, disclosure
control on the published output, determinism and the N-Triples format, progress and thresholds.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pyoxigraph
import pytest
from activity_helpers import (
    GOALS,
    LOCATOR,
    MIN,
    ORIGIN,
    PROGRAMME,
    REF_PATTERN,
    REFERRALS,
    SERVICES,
    SOURCE,
    WITHHELD,
    generate,
    pandas_counts,
)
from rdflib import Graph

from policygraph.ingest.activity import ActivitySummary, aggregate_activity, ingest_activity, release_activity
from policygraph.ingest.activity_schema import CLOSED, DIMENSIONS, NO_PHP, TOTAL
from policygraph.ingest.activity_suppression import PRIMARY, SECONDARY
from policygraph.ontology import ID_BASE, PG


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
    summary = ingest_activity(folder / "activity.csv", out, programme=PROGRAMME, services=SERVICES, **ORIGIN)
    return folder / "activity.csv", out, records, summary


@pytest.fixture(scope="module")
def observations(run: tuple[Path, Path, list[list[str]], ActivitySummary]) -> list[Obs]:
    return read_observations(run[1])



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
    # Every observation cites the extract's record: its source and the locator the curator wrote, no other.
    assert set(re.findall(rb'#locator> "([^"]*)"', run[1].read_bytes())) == {LOCATOR.encode()}


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
    ingest_activity(tmp_path / "activity.csv", again, programme=PROGRAMME, services=SERVICES, **ORIGIN)
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



def test_the_output_is_readable_by_others(run: tuple[Path, Path, list[list[str]], ActivitySummary]) -> None:
    assert run[1].stat().st_mode & 0o777 == 0o644


def test_progress_reports_bytes_read(run: tuple[Path, Path, list[list[str]], ActivitySummary],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("policygraph.ingest.activity.PROGRESS_EVERY", 1000)
    seen: list[tuple[int, int]] = []
    aggregate_activity(run[0], SERVICES, progress=lambda done, size: seen.append((done, size)))
    size = run[0].stat().st_size
    assert len(seen) >= 3 and seen[-1] == (size, size)
    assert all(a[0] <= b[0] for a, b in pairwise(seen))


def test_a_higher_threshold_is_honoured(run: tuple[Path, Path, list[list[str]], ActivitySummary],
                                        tmp_path: Path) -> None:
    release = release_activity(aggregate_activity(run[0], SERVICES), programme=PROGRAMME, **ORIGIN, min_count=10)
    (tmp_path / "ten.nt").write_bytes(b"".join(release.lines()))
    counts = [o.count for o in read_observations(tmp_path / "ten.nt") if o.count is not None]
    assert counts and not [n for n in counts if 0 < n < 10]
    with pytest.raises(ValueError, match="at least 3"):
        release_activity(aggregate_activity(run[0], SERVICES), programme=PROGRAMME, **ORIGIN, min_count=2)
