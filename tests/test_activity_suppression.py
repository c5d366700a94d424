"""The activity small-number suppression rule itself (``suppress_slot``): worked examples, whole-slot and
whole-group suppression, and properties on random count tables, linked cells included, checked against a
brute-force reader who knows the labels and the published counts.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from activity_helpers import MIN
from hypothesis import given, settings
from hypothesis import strategies as st

from policygraph.ingest.activity_suppression import PRIMARY, SECONDARY, SlotDecision, suppress_slot

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
