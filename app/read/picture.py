"""The vision -> practice picture as a view model: what each intent expected, dimension by dimension, and how
each service's value compared period by period (consistent / departed / unknown), with the evidence of every
mark. Pure functions of a programme's model: the images, the slides and the HTML page draw this same object.

Dense parts are summarised, not drawn: past `max_periods` a service's marks on an expectation become counts
("3 of 4 departed"); past `max_services` the services that departed least are summed in one "other" column.
Every word shown comes from the programme's own model (labels of its intents, dimensions, concepts, periods,
what it calls a service), so the picture works for any programme.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import RDF, URIRef

from policygraph.app.read.citations import cite, source_names, source_order
from policygraph.app.read.tables import start_node
from policygraph.graph.model import Citation, Expectation, ProgrammeModel
from policygraph.graph.traces import CONSISTENT, DEPARTED, UNKNOWN
from policygraph.ontology import PG

if TYPE_CHECKING:
    from policygraph.app.release import Release

STATUSES = (CONSISTENT, DEPARTED, UNKNOWN)
DEFAULT_MAX_SERVICES = 10
DEFAULT_MAX_PERIODS = 4


def describe(counts: Counter[str]) -> str:
    """'3 of 4 departed': the most common status (departed first on a tie); 'no data' without any."""
    total = sum(counts.values())
    if not total:
        return "no data"
    status = max(STATUSES, key=lambda s: (counts[s], s == DEPARTED, s == CONSISTENT))
    return f"{counts[status]} of {total} {status}"


@dataclass(frozen=True)
class Mark:
    """One service's value in one period on one expectation's dimension, and how it compares."""

    period: str
    period_label: str
    status: str
    value: str  # the source's verbatim text, or "unknown"
    evidence: tuple[Citation, ...]


@dataclass(frozen=True)
class Run:
    """One service's marks on one expectation, in period order."""

    service: str
    label: str
    marks: tuple[Mark, ...]

    @property
    def counts(self) -> Counter[str]:
        return Counter(m.status for m in self.marks)

    def summary(self) -> str:
        return describe(self.counts)


@dataclass(frozen=True)
class Row:
    """One expectation: the dimension, the concepts expected, and every shown service's run."""

    iri: str
    dimension: str
    expects: tuple[str, ...]
    evidence: tuple[Citation, ...]
    runs: tuple[Run, ...]
    other: Counter[str]  # the marks of the services not shown, by status
    totals: Counter[str]  # every service's marks, by status


@dataclass(frozen=True)
class Group:
    """An intent, the documents stating it, and its expectations."""

    iri: str
    label: str
    documents: tuple[str, ...]
    evidence: tuple[Citation, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Picture:
    title: str
    programme: str
    service_word: str  # what the programme calls one service
    services_word: str
    services: tuple[tuple[str, str], ...]  # (identifier, label) of the services with a column
    hidden_services: int  # services summed in the "other" column
    periods: tuple[tuple[str, str], ...]  # (identifier, label) of the periods shown
    summarised_periods: bool  # runs are drawn as counts, not one mark per period
    groups: tuple[Group, ...]
    sources: str  # author-year and source ids of everything shown
    source_ids: tuple[str, ...]
    version: str
    built_at: str
    build: str  # the first characters of the build's hash
    notes: list[str] = field(default_factory=list)

    def scope(self) -> str:
        """'<programme> · 6 services by 2 periods' (with a multiplication sign)."""
        shown = len(self.services) + self.hidden_services
        periods = f"{len(self.periods)} period{'s' if len(self.periods) != 1 else ''}"
        return f"{self.programme} · {shown} {self.services_word if shown != 1 else self.service_word} \u00d7 {periods}"

    @property
    def rows(self) -> list[Row]:
        return [row for group in self.groups for row in group.rows]

    def statuses_used(self) -> list[str]:
        used: set[str] = set()
        for row in self.rows:
            used.update(s for s, n in (row.totals + row.other).items() if n)
        return [s for s in STATUSES if s in used]


def _status(met: bool | None) -> str:
    return UNKNOWN if met is None else CONSISTENT if met else DEPARTED


def _pick(model: ProgrammeModel, ident: str | None, among: list[URIRef], what: str) -> list[URIRef]:
    if ident is None:
        return among
    found = [n for n in among if model.ident(n) == ident]
    if not found:
        raise KeyError(f"no {what} {ident!r}; choose one of: {', '.join(model.ident(n) for n in among)}")
    return found


def _intents(release: Release, model: ProgrammeModel, intent: str | None) -> list[URIRef]:
    with_expectations = sorted({e.intent for e in model.expectations}, key=model.label)
    if intent is None:
        return with_expectations
    start = start_node(release, intent)
    if start in with_expectations:
        return [start]
    return [i for i in with_expectations if (i, PG.statedIn, start) in model.graph]  # a document: its intents


def _runs(model: ProgrammeModel, exp: Expectation, services: list[URIRef],
          periods: list[tuple[URIRef, str, str]]) -> dict[URIRef, Run]:
    """Each service's marks on `exp` (`periods`: node, identifier and label of each period, looked up once)."""
    out = {}
    for s in services:
        marks = []
        for p, ident, label in periods:
            cell = model.cells.get((s, p, exp.dimension))
            if cell is None:
                continue  # no configuration of this service in this period
            value = (cell.verbatim or "unknown") if cell.known else "unknown"
            marks.append(Mark(ident, label, _status(model.meets(cell, exp)), value, cell.evidence))
        out[s] = Run(model.ident(s), model.label(s), tuple(marks))
    return out


def _title(model: ProgrammeModel, groups: list[URIRef], intent: str | None, service: str | None,
           period: str | None) -> str:
    title = "From policy vision to delivered practice"
    if intent is not None:
        title += ": " + "; ".join(model.label(i) for i in groups)
    if service is not None:
        title += f", {model.word()} {service}"
    if period is not None:
        title += f", {period}"
    return title


def programme_label(release: Release) -> str:
    """The programme's name as its graph gives it (else the build's programme id)."""
    model = release.model()
    found = model.graph.value(None, RDF.type, PG.Programme)
    return model.label(found) if isinstance(found, URIRef) else release.programme


def vision_picture(release: Release, intent: str | None = None, service: str | None = None,
                   period: str | None = None, *, max_services: int = DEFAULT_MAX_SERVICES,
                   max_periods: int = DEFAULT_MAX_PERIODS) -> Picture:
    """The picture of one intent (or the intents a document states; default: every intent with expectations),
    of one service and one period when given (identifiers; an unknown one raises KeyError naming the choices)."""
    model = release.model()
    intents = _intents(release, model, intent)
    services = _pick(model, service, model.services, model.word())
    periods = _pick(model, period, model.periods, "period")
    named = [(p, model.ident(p), model.label(p)) for p in periods]
    runs = {exp.iri: _runs(model, exp, services, named) for i in intents for exp in model.expectations
            if exp.intent == i}
    departures = Counter[URIRef]()
    for by_service in runs.values():
        for s, run in by_service.items():
            departures[s] += run.counts[DEPARTED]
    # The services that departed most get a column; ties in the programme's order of services.
    ranked = sorted(services, key=lambda s: (-departures[s], services.index(s)))
    shown = sorted(ranked[:max_services], key=services.index)
    cited: set[str] = set()
    groups = []
    for i in intents:
        rows = []
        for exp in (e for e in model.expectations if e.intent == i):
            by_service = runs[exp.iri]
            totals = sum((r.counts for r in by_service.values()), Counter[str]())
            other = sum((by_service[s].counts for s in services if s not in shown), Counter[str]())
            rows.append(Row(str(exp.iri), model.label(exp.dimension),
                            tuple(sorted(model.label(c) for c in exp.expects)), exp.evidence,
                            tuple(by_service[s] for s in shown), other, totals))
            cited.update(sid for sid, _ in exp.evidence)
            cited.update(sid for s in services for m in by_service[s].marks for sid, _ in m.evidence)
        documents = tuple(sorted(model.label(d) for d in model.graph.objects(i, PG.statedIn)
                                 if isinstance(d, URIRef)))
        groups.append(Group(str(i), model.label(i), documents, model.evidence(i), tuple(rows)))
        cited.update(sid for sid, _ in model.evidence(i))
    notes = []
    hidden = len(services) - len(shown)
    words = model.word(plural=True)
    if hidden:
        notes.append(f"summarised: {len(shown)} of {len(services)} {words} shown, the {max_services} with the most "
                     f"departures; the other {hidden} are summed in 'other'")
    summarised = len(periods) > max_periods
    if summarised:
        notes.append(f"summarised: {len(periods)} periods per {model.word()} counted, not drawn one by one")
    return Picture(
        title=_title(model, intents, intent, service, period),
        programme=programme_label(release),
        service_word=model.word(), services_word=words,
        services=tuple((model.ident(s), model.label(s)) for s in shown), hidden_services=hidden,
        periods=tuple((model.ident(p), model.label(p)) for p in periods), summarised_periods=summarised,
        groups=tuple(groups), sources=cite(source_names(model), cited),
        source_ids=tuple(sorted(cited, key=source_order)), version=release.version, built_at=release.built_at,
        build=release.sha256[:7], notes=notes,
    )
