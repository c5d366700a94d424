"""Fidelity and drift per service and period (definitions: docs/measures.md).

* fidelity: among the dimensions on which some intent states an expectation, the share of the
  *known* ones whose value is consistent with every expectation on it.
* drift: the mean, over *known* dimensions, of the share of a value's codes whose concept sits on the
  programme's drift pole (the programme gives the measure its name).

Unknown values lower coverage, never the score; with fewer than half the dimensions known the scores
are reported as insufficient data. A change between two periods is computed over the dimensions known in
both, so a value that becomes unknown never moves it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from itertools import pairwise

from rdflib import URIRef

from policygraph.graph.model import ProgrammeModel

SUFFICIENT_SHARE = Fraction(1, 2)


@dataclass(frozen=True)
class CellScore:
    dimension: str
    verbatim: str | None
    pole_share: Fraction | None  # share of codes on the drift pole; None when unknown
    consistent: bool | None  # None when unknown or no expectation on the dimension


@dataclass(frozen=True)
class Measure:
    service: URIRef
    period: URIRef
    fidelity: Fraction | None
    fidelity_known: int
    fidelity_dimensions: int
    drift: Fraction | None
    drift_known: int
    dimensions: int
    cells: tuple[CellScore, ...] = field(repr=False)

    @property
    def sufficient(self) -> bool:
        return self.dimensions > 0 and Fraction(self.drift_known, self.dimensions) >= SUFFICIENT_SHARE


def _mean(values: list[Fraction]) -> Fraction | None:
    return sum(values, Fraction(0)) / len(values) if values else None


@dataclass(frozen=True)
class Change:
    """How one service's measures moved from one period to a later one, over the dimensions known in both,
    and the cells behind the move."""

    service: URIRef
    before: Measure
    after: Measure
    drivers: tuple[str, ...]

    @property
    def comparable(self) -> bool:
        return self.before.sufficient and self.after.sufficient

    @property
    def drift_delta(self) -> Fraction | None:
        if not self.comparable:
            return None
        return _mean([a.pole_share - b.pole_share for b, a in zip(self.before.cells, self.after.cells, strict=True)
                      if b.pole_share is not None and a.pole_share is not None])

    @property
    def fidelity_delta(self) -> Fraction | None:
        if not self.comparable:
            return None
        both = [(b.consistent, a.consistent) for b, a in zip(self.before.cells, self.after.cells, strict=True)
                if b.consistent is not None and a.consistent is not None]
        return _mean([Fraction(int(a) - int(b)) for b, a in both])


def measure(model: ProgrammeModel, service: URIRef, period: URIRef) -> Measure:
    scores: list[CellScore] = []
    for dim in model.dimensions:
        cell = model.cells.get((service, period, dim))
        expectations = model.expectations_on(dim)
        if cell is None or not cell.known or not cell.codes:
            scores.append(CellScore(model.ident(dim), None, None, None))
            continue
        share = Fraction(sum(model.orientation(c) == model.drift_pole for c in cell.codes), len(cell.codes))
        consistent = all(model.meets(cell, e) for e in expectations) if expectations else None
        scores.append(CellScore(model.ident(dim), cell.verbatim, share, consistent))
    known = [s.pole_share for s in scores if s.pole_share is not None]
    judged = [s.consistent for s in scores if s.consistent is not None]
    return Measure(
        service=service,
        period=period,
        fidelity=Fraction(sum(judged), len(judged)) if judged else None,
        fidelity_known=len(judged),
        fidelity_dimensions=len([d for d in model.dimensions if model.expectations_on(d)]),
        drift=_mean(known),
        drift_known=len(known),
        dimensions=len(model.dimensions),
        cells=tuple(scores),
    )


def all_measures(model: ProgrammeModel) -> list[Measure]:
    return [measure(model, s, p) for s in model.services for p in model.periods]


def _change(service: URIRef, before: Measure, after: Measure) -> Change:
    drivers = tuple(
        f"{b.dimension}: {b.verbatim!s} -> {a.verbatim!s}"
        for b, a in zip(before.cells, after.cells, strict=True)
        if b.pole_share is not None and a.pole_share is not None
        and (b.pole_share != a.pole_share or b.consistent != a.consistent)
    )
    return Change(service, before, after, drivers)


def changes(model: ProgrammeModel) -> list[Change]:
    """Between consecutive periods of each service: the measures and the cells that moved them."""
    out = []
    for service in model.services:
        series = [measure(model, service, p) for p in model.periods]
        out += [_change(service, before, after) for before, after in pairwise(series)]
    return out


@dataclass(frozen=True)
class Rollup:
    services: int
    sufficient: int  # services with sufficient data in at least two periods
    drifted: int  # services whose drift rose, from their first to their last period with sufficient data
    less_faithful: int  # services whose fidelity fell, likewise
    mean_drift_delta: Fraction | None
    mean_fidelity_delta: Fraction | None


def rollup(model: ProgrammeModel) -> Rollup:
    """Over services: each one's change from its first to its last period with sufficient data."""
    drift: list[Fraction] = []
    fidelity: list[Fraction] = []
    for service in model.services:
        series = [m for m in (measure(model, service, p) for p in model.periods) if m.sufficient]
        if len(series) < 2:
            continue
        overall = _change(service, series[0], series[-1])
        if (delta := overall.drift_delta) is not None:
            drift.append(delta)
        if (delta := overall.fidelity_delta) is not None:
            fidelity.append(delta)
    return Rollup(
        services=len(model.services),
        sufficient=len(drift),
        drifted=sum(d > 0 for d in drift),
        less_faithful=sum(d < 0 for d in fidelity),
        mean_drift_delta=_mean(drift),
        mean_fidelity_delta=_mean(fidelity),
    )
