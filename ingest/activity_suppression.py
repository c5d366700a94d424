"""Small-number suppression of aggregated activity counts (statistical disclosure control).

Terms. A *slot* is one service in one quarter; its total T is its number of clients. A *group* is the
cells of one breakdown (dimension) in a slot: every client has exactly one value on every breakdown, so
every group of a slot sums to the same T. No figure across slots (per service, per quarter, national) is
published, so slots are independent and only the figures of one slot can be combined against each other.

What a reader learns from a suppressed figure's label (the threat model the rules protect against):
- ``primary``: in a group whose total is published, the count is 1..m-1 (m = ``min_count``);
- ``secondary``: suppressed to protect another figure; in a group whose total is published it is a
  non-zero count >= m (zero counts are published there; rule 4 excepted). A reader who knows rule 2 may
  also guess it is no larger than the smallest non-zero count still published in its group; the checks
  assume the reader does (the guess is wrong for cells suppressed by rule 3, so assuming it only makes
  the checks stricter).

Rules (``suppress_slot``):
1. *Small slot*: T in 1..m-1. The total is suppressed (``primary``) and so is every cell of every group,
   zeros included, all labelled ``secondary`` - so the labels tell neither zero from non-zero cells nor
   how the few clients are distributed.
2. Otherwise the total is published and, in each group, every count in 1..m-1 is suppressed (``primary``).
   Then, as long as the total, the published cells and the labels' bounds pin any suppressed cell to a
   single value, the smallest published non-zero cell is suppressed too (``secondary``; ties broken by
   category order). With one primary cell this is exactly "also suppress the smallest other non-zero
   cell"; it adds more cells only where the labels themselves would give a value away (e.g. two primary
   cells summing to 2(m-1), or a primary and a secondary cell summing to m+1).
3. *Linked cells* count the same clients in two groups (php_created = no and goal_achieved = no-php):
   they are suppressed together, and rule 2 is applied to the two groups jointly (the shared cell's range
   is the intersection of its ranges in either group).
4. A group that rule 2 or 3 cannot protect (it runs out of non-zero cells to suppress, e.g. sex 5/1/0/0
   or five clients in five age bands) is *withheld*: every cell of it, zeros included, is suppressed as
   ``secondary`` - in such a group the labels say nothing, each cell is somewhere in 0..T. Withholding
   one of two linked groups withholds the other. The total stays published: it is the same figure in the
   slot's other groups.

The range of a suppressed cell is exact: one linear equation per group (cells sum to the total) with
integer box bounds; a cell's feasible values form the interval computed by ``cell_ranges``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Status = Literal["primary", "secondary"] | None
PRIMARY: Status = "primary"
SECONDARY: Status = "secondary"
Cell = tuple[int, int]  # (group index, cell index) within a slot
Range = tuple[int, int]
MIN_COUNT_FLOOR = 3  # below it a "primary" label alone would give the value away (m = 2: it is 1)


@dataclass(frozen=True)
class SlotDecision:
    """Suppression of one slot: the totals' status (the same in every group), each cell's status, and which
    groups are withheld whole (rule 4)."""

    total: Status
    cells: tuple[tuple[Status, ...], ...]
    withheld: frozenset[int] = frozenset()


def check_min_count(min_count: int) -> None:
    if min_count < MIN_COUNT_FLOOR:
        raise ValueError(f"min_count must be at least {MIN_COUNT_FLOOR} (given {min_count}): with "
                         f"min_count = 2 the label 'primary' alone would reveal a count of 1")


def cell_ranges(counts: Sequence[int], statuses: Sequence[Status], min_count: int,
                bound: dict[int, Range] | None = None) -> list[Range]:
    """What a reader can infer about each cell of a group whose total is published: (lowest, highest).

    Published cells are exact. A suppressed cell lies within its label's bounds (see the module doc),
    narrowed by ``bound`` (e.g. a linked cell's range from the other group), and the suppressed cells sum
    to the total minus the published cells.
    """
    total = sum(counts)
    hidden = [i for i, s in enumerate(statuses) if s is not None]
    rest = total - sum(c for c, s in zip(counts, statuses, strict=True) if s is None)
    smallest_published = min((c for c, s in zip(counts, statuses, strict=True) if s is None and c > 0),
                             default=rest)
    low: dict[int, int] = {}
    high: dict[int, int] = {}
    for i in hidden:
        if statuses[i] == PRIMARY:
            low[i], high[i] = 1, min_count - 1
        else:  # a secondary cell was the smallest published non-zero cell when it was chosen
            low[i], high[i] = min_count, min(rest, smallest_published)
        if bound and i in bound:
            low[i], high[i] = max(low[i], bound[i][0]), min(high[i], bound[i][1])
    sum_low, sum_high = sum(low.values()), sum(high.values())
    ranges = [(c, c) for c in counts]
    for i in hidden:
        ranges[i] = (max(low[i], rest - (sum_high - high[i])), min(high[i], rest - (sum_low - low[i])))
    return ranges


def _exposed(ranges: Sequence[Range], statuses: Sequence[Status]) -> bool:
    """Whether some suppressed cell is pinned to one value (or the bounds leave it no value at all)."""
    return any(s is not None and lo >= hi for (lo, hi), s in zip(ranges, statuses, strict=True))


def _smallest_published(counts: Sequence[int], statuses: Sequence[Status]) -> int | None:
    candidates = [(c, i) for i, (c, s) in enumerate(zip(counts, statuses, strict=True)) if s is None and c > 0]
    return min(candidates)[1] if candidates else None


def protect_group(counts: Sequence[int], min_count: int, forced: frozenset[int] = frozenset()) -> list[Status] | None:
    """Rule 2 on one group whose total (>= min_count) is published; None if it cannot be protected.

    ``forced`` cells are suppressed as secondary whatever their count (rule 3).
    """
    statuses: list[Status] = [PRIMARY if 0 < c < min_count else SECONDARY if i in forced else None
                              for i, c in enumerate(counts)]
    while _exposed(cell_ranges(counts, statuses, min_count), statuses):
        pick = _smallest_published(counts, statuses)
        if pick is None:
            return None
        statuses[pick] = SECONDARY
    return statuses


def _joint_ranges(groups: Sequence[Sequence[int]], statuses: Sequence[Sequence[Status]], link: tuple[Cell, Cell],
                  min_count: int) -> dict[int, list[Range]]:
    """Ranges in the two linked groups when the linked cell is known to be the same value in both."""
    (ga, ia), (gb, ib) = link
    ra = cell_ranges(groups[ga], statuses[ga], min_count)[ia]
    rb = cell_ranges(groups[gb], statuses[gb], min_count)[ib]
    shared = (max(ra[0], rb[0]), min(ra[1], rb[1]))
    return {ga: cell_ranges(groups[ga], statuses[ga], min_count, {ia: shared}),
            gb: cell_ranges(groups[gb], statuses[gb], min_count, {ib: shared})}


def _withheld(counts: Sequence[int]) -> list[Status]:
    return [SECONDARY for _ in counts]


def _reprotect(groups: Sequence[Sequence[int]], statuses: list[list[Status]], group: int, cell: int,
               min_count: int) -> bool:
    """Suppress one more cell of a group as secondary and re-apply rule 2 there; False if impossible."""
    forced = frozenset({i for i, s in enumerate(statuses[group]) if s == SECONDARY} | {cell})
    again = protect_group(groups[group], min_count, forced)
    if again is None:
        return False
    statuses[group] = again
    return True


def _protect_link(groups: Sequence[Sequence[int]], statuses: list[list[Status]], link: tuple[Cell, Cell],
                  min_count: int) -> bool:
    """Rule 3, to a fixed point; False if the slot must be withheld."""
    (ga, ia), (gb, ib) = link
    while True:  # each turn suppresses at least one more cell, so this ends
        hidden_a, hidden_b = statuses[ga][ia] is not None, statuses[gb][ib] is not None
        if hidden_a != hidden_b:
            group, cell = (gb, ib) if hidden_a else (ga, ia)
            if not _reprotect(groups, statuses, group, cell, min_count):
                return False
            continue
        if not hidden_a:
            return True
        joint = _joint_ranges(groups, statuses, link, min_count)
        if not any(_exposed(joint[g], statuses[g]) for g in (ga, gb)):
            return True
        picks = [(groups[g][i], g, i) for g in sorted({ga, gb})
                 if (i := _smallest_published(groups[g], statuses[g])) is not None]
        if not picks:
            return False
        _, group, cell = min(picks)
        if not _reprotect(groups, statuses, group, cell, min_count):
            return False


def suppress_slot(groups: Sequence[Sequence[int]], min_count: int,
                  link: tuple[Cell, Cell] | None = None) -> SlotDecision:
    """Apply rules 1-4 to one slot: ``groups`` are each breakdown's counts (zeros included) in category order.

    ``link`` names two cells, in different groups, that count the same clients.
    """
    check_min_count(min_count)
    totals = {sum(g) for g in groups}
    if len(totals) != 1:
        raise ValueError(f"the groups of a slot must have one total, found {sorted(totals)}")
    total = totals.pop()
    if total <= 0:
        raise ValueError("a slot has at least one client")
    if total < min_count:
        return SlotDecision(PRIMARY, tuple(tuple(_withheld(g)) for g in groups))
    statuses: list[list[Status]] = []
    withheld: set[int] = set()
    for g, counts in enumerate(groups):
        protected = protect_group(counts, min_count)
        if protected is None:
            withheld.add(g)
            protected = _withheld(counts)
        statuses.append(protected)
    if link is not None:
        (ga, ia), (gb, ib) = link
        if ga == gb or groups[ga][ia] != groups[gb][ib]:
            raise ValueError(f"linked cells {link} must be in two groups and hold the same count")
        if withheld & {ga, gb} or not _protect_link(groups, statuses, link, min_count):
            withheld |= {ga, gb}
            statuses[ga], statuses[gb] = _withheld(groups[ga]), _withheld(groups[gb])
    return SlotDecision(None, tuple(tuple(s) for s in statuses), frozenset(withheld))
