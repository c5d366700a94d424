"""The programme's headline, the first lines of its Overview: how many services drifted towards the pole and
lost fidelity, how much of the configuration table is known, and on which dimension services departed most
from the intents' expectations. Worded in the programme's own terms (its words, measure and pole)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from fractions import Fraction

from rdflib import URIRef

from policygraph.graph.drift import measure, rollup
from policygraph.graph.model import ProgrammeModel

CellKey = tuple[URIRef, URIRef, URIRef]  # (service, period, dimension)


def _points(delta: Fraction | None) -> str:
    return "n/a" if delta is None else f"{float(delta) * 100:+.1f} points"


def headline(model: ProgrammeModel, known: Mapping[CellKey, bool]) -> tuple[str, ...]:
    """Three sentences: drift and fidelity over services, coverage, the dimension departed most."""
    services = model.word(plural=True)
    pole = model.drift_pole
    towards = model.label(pole) if pole is not None else "the drift pole"
    summary = rollup(model)
    lines = [f"{model.drift_name.capitalize()}: {summary.drifted} of {summary.sufficient} {services} with "
             f"enough known data moved towards the {towards} pole from their first to their last period (mean "
             f"{_points(summary.mean_drift_delta)}); {summary.less_faithful} became less faithful to the policy "
             f"intents' expectations (mean {_points(summary.mean_fidelity_delta)})."
             if summary.sufficient else
             f"{model.drift_name.capitalize()}: no {model.word()} has enough known data in two periods to "
             "measure a change."]
    known_cells = sum(known.values())
    with_known = {svc for (svc, _, _), is_known in known.items() if is_known}
    silent = sum(1 for s in model.services if s not in with_known)
    share = f" ({100 * known_cells / len(known):.0f}%)" if known else ""
    lines.append(f"Coverage: {known_cells} of {len(known)} configuration cells known{share}; {silent} of "
                 f"{len(model.services)} {services} with no known cell.")
    last = model.periods[-1] if model.periods else None
    departed, judged = Counter[str](), Counter[str]()
    for m in (measure(model, s, last) for s in model.services) if last is not None else ():
        for cell in m.cells:
            if cell.consistent is not None:
                judged[cell.dimension] += 1
                departed[cell.dimension] += not cell.consistent
    if departed and max(departed.values()) > 0:
        ident, count = max(departed.items(), key=lambda kv: (kv[1], kv[0]))
        dimension = next((model.label(d) for d in model.dimensions if model.ident(d) == ident), ident)
        period = model.label(last) if last is not None else ""
        lines.append(f"Departed most in {period}: {dimension}, where {count} of {judged[ident]} {services} with a "
                     "known value departed from an intent's expectation.")
    return tuple(lines)
