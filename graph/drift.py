"""Fidelity and medicalisation per service and period (definitions: docs/measures.md).

* fidelity: among the dimensions on which some intent states an expectation, the share of the
  *known* ones whose value is consistent with every expectation on it.
* medicalisation: the mean, over *known* dimensions, of the share of a value's codes whose concept
  is NHS-or-medical-oriented.

Unknown values lower coverage, never the score; with fewer than half the dimensions known the
scores are reported as insufficient data.
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
    medical: Fraction | None  # share of NHS-or-medical codes; None when unknown
    consistent: bool | None  # None when unknown or no expectation on the dimension


@dataclass(frozen=True)
class Measure:
    service: URIRef
    period: URIRef
    fidelity: Fraction | None
    fidelity_known: int
    fidelity_dimensions: int
    medicalisation: Fraction | None
    medicalisation_known: int
    dimensions: int
    cells: tuple[CellScore, ...] = field(repr=False)

    @property
    def sufficient(self) -> bool:
        return self.dimensions > 0 and Fraction(self.medicalisation_known, self.dimensions) >= SUFFICIENT_SHARE


@dataclass(frozen=True)
class Change:
    """How one service's measures moved between two periods, and the cells behind the move."""

    service: URIRef
    before: Measure
    after: Measure
    drivers: tuple[str, ...]

    @property
    def medicalisation_delta(self) -> Fraction | None:
        if not (self.before.sufficient and self.after.sufficient):
            return None
        assert self.before.medicalisation is not None and self.after.medicalisation is not None
        return self.after.medicalisation - self.before.medicalisation

    @property
    def fidelity_delta(self) -> Fraction | None:
        if not (self.before.sufficient and self.after.sufficient) or None in (self.before.fidelity,
                                                                                self.after.fidelity):
            return None
        assert self.before.fidelity is not None and self.after.fidelity is not None
        return self.after.fidelity - self.before.fidelity


def measure(model: ProgrammeModel, service: URIRef, period: URIRef) -> Measure:
    scores: list[CellScore] = []
    for dim in model.dimensions:
        cell = model.cells.get((service, period, dim))
        expectations = model.expectations_on(dim)
        if cell is None or not cell.known or not cell.codes:
            scores.append(CellScore(model.ident(dim), None, None, None))
            continue
        medical = Fraction(sum(model.orientation(c) == "nhs-medical" for c in cell.codes), len(cell.codes))
        consistent = all(model.meets(cell, e) for e in expectations) if expectations else None
        scores.append(CellScore(model.ident(dim), cell.verbatim, medical, consistent))
    known = [s for s in scores if s.medical is not None]
    expected_dims = [d for d in model.dimensions if model.expectations_on(d)]
    judged = [s for s in scores if s.consistent is not None]
    return Measure(
        service=service,
        period=period,
        fidelity=Fraction(sum(s.consistent is True for s in judged), len(judged)) if judged else None,
        fidelity_known=len(judged),
        fidelity_dimensions=len(expected_dims),
        medicalisation=sum((s.medical for s in known if s.medical is not None), Fraction(0)) / len(known)
        if known else None,
        medicalisation_known=len(known),
        dimensions=len(model.dimensions),
        cells=tuple(scores),
    )


def all_measures(model: ProgrammeModel) -> list[Measure]:
    return [measure(model, s, p) for s in model.services for p in model.periods]


def changes(model: ProgrammeModel) -> list[Change]:
    """Between consecutive periods of each service: the measures and the cells that moved them."""
    out = []
    for service in model.services:
        series = [measure(model, service, p) for p in model.periods]
        for before, after in pairwise(series):
            drivers = tuple(
                f"{b.dimension}: {b.verbatim!s} -> {a.verbatim!s}"
                for b, a in zip(before.cells, after.cells, strict=True)
                if b.medical is not None and a.medical is not None
                and (b.medical != a.medical or b.consistent != a.consistent)
            )
            out.append(Change(service, before, after, drivers))
    return out


@dataclass(frozen=True)
class Rollup:
    services: int
    sufficient: int
    medicalised: int  # services whose medicalisation rose
    less_faithful: int  # services whose fidelity fell
    mean_medicalisation_delta: Fraction | None
    mean_fidelity_delta: Fraction | None


def rollup(found: list[Change]) -> Rollup:
    med = [c.medicalisation_delta for c in found if c.medicalisation_delta is not None]
    fid = [c.fidelity_delta for c in found if c.fidelity_delta is not None]
    return Rollup(
        services=len({c.service for c in found}),
        sufficient=len(med),
        medicalised=sum(d > 0 for d in med),
        less_faithful=sum(d < 0 for d in fid),
        mean_medicalisation_delta=sum(med, Fraction(0)) / len(med) if med else None,
        mean_fidelity_delta=sum(fid, Fraction(0)) / len(fid) if fid else None,
    )
