"""The read model's tables: what the CLI, the explorer's pages and notebooks show of a release, as plain
`QueryResult`s (no Streamlit, no drawing here, so each is testable alone).

The Overview (the explorer's first page) is computed by the build from the model its curated worker holds and
stored in the release (`overview.json`), so that the first page needs no parse of the graph.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from rdflib import RDF, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from policygraph.app.read.headline import headline
from policygraph.app.read.overview import Overview, read_overview
from policygraph.graph.drift import Change, Measure, all_measures, changes, rollup
from policygraph.graph.model import ProgrammeModel, local_name
from policygraph.graph.results import QueryResult
from policygraph.graph.traces import DEFAULT_HOP_CAP, DEFAULT_RESULT_CAP, TraceResult, trace
from policygraph.ontology import ID_BASE, PG

if TYPE_CHECKING:
    from policygraph.app.release import Release

Rows = list[tuple[str | None, ...]]
CellKey = tuple[URIRef, URIRef, URIRef]  # (service, period, dimension)
# Cell colours by where a value sits on the programme's orientation axis: the pole drift goes away from, the
# drift pole, both (mixed), neither (neutral), unknown.
AWAY, TOWARDS, MIXED, NEUTRAL, UNKNOWN_CELL = "#c8e6c9", "#ffcdd2", "#ffe0b2", "#eceff1", "#bdbdbd"
COLOUR_NAMES = {AWAY: "green", TOWARDS: "red", MIXED: "orange", NEUTRAL: "light grey", UNKNOWN_CELL: "dark grey"}


def text_of(model: ProgrammeModel, node: Node | None, predicate: URIRef) -> str:
    """A node's value for `predicate` as text ("" when it has none)."""
    value = model.graph.value(node, predicate)
    return "" if value is None else str(value)


# --- the Overview ------------------------------------------------------------------------------------------

def overview_of(model: ProgrammeModel, known: Mapping[CellKey, bool], programme_id: str) -> Overview:
    """The Overview of the programme `model` holds; `known`: whether each configuration cell is known;
    `programme_id` names the programme if the graph has no Programme node."""
    g = model.graph
    programme = g.value(None, RDF.type, PG.Programme)
    docs: Rows = sorted((text_of(model, d, PG.date), model.label(d), text_of(model, d, DCTERMS.type),  # type: ignore[arg-type]
                         "; ".join(sorted(model.label(i) for i in g.objects(d, PG.statesIntent))))  # type: ignore[arg-type]
                        for d in g.subjects(RDF.type, PG.PolicyDocument))
    intents: Rows = sorted((model.label(i), text_of(model, i, DCTERMS.description),  # type: ignore[arg-type]
                            "; ".join(sorted(f"{sid} ({loc})" for sid, loc in model.evidence(i))))  # type: ignore[arg-type]
                           for i in g.subjects(RDF.type, PG.PolicyIntent))
    services: Rows = [(model.ident(s), text_of(model, s, PG.verbatim) or "unknown",
                       "; ".join(f"{sid} ({loc})" for sid, loc in model.evidence(s))) for s in model.services]
    timeline: Rows = sorted((text_of(model, e, PG.date), model.label(e),  # type: ignore[arg-type]
                             "; ".join(sorted(sid for sid, _ in model.evidence(e))))  # type: ignore[arg-type]
                            for e in g.subjects(RDF.type, PG.TimelineEvent))
    cells, known_count = Counter[URIRef](), Counter[URIRef]()  # one pass over the cells, not one per service
    for (svc, _, _), is_known in known.items():
        cells[svc] += 1
        known_count[svc] += is_known
    coverage: Rows = [(model.ident(s), str(known_count[s]), str(cells[s] - known_count[s]),
                       f"{100 * known_count[s] / cells[s]:.0f}%" if cells[s] else "n/a") for s in model.services]
    return Overview(
        programme=model.label(programme) if isinstance(programme, URIRef) else programme_id,
        description=text_of(model, programme, DCTERMS.description),
        documents=QueryResult(["date", "document", "kind", "intents stated"], docs),
        intents=QueryResult(["intent", "description", "evidence"], intents),
        services=QueryResult(["service", "description (verbatim)", "evidence"], services),
        timeline=QueryResult(["date", "event", "sources"], timeline),
        coverage=QueryResult(["service", "known cells", "unknown cells", "known share"], coverage),
        services_word=model.word(plural=True),
        headline=headline(model, known),
    )


def known_cells(model: ProgrammeModel) -> dict[CellKey, bool]:
    """Whether each cell of `model.cells` is known, read from the cells' statuses alone (3x faster than the
    cells with their texts, codes and evidence)."""
    status = model.graph.value
    return {(service, period, dim): status(value, PG.status) == PG.known
            for service, period, dim, value in model.cell_values()}


def overview(release: Release) -> Overview:
    """The release's Overview: as the build stored it, else computed from the model."""
    found = read_overview(release.overview_file)
    if found is not None:
        return found
    model = release.model()
    return overview_of(model, known_cells(model), release.programme)


# --- services, periods, cells ----------------------------------------------------------------------------

def cell_orientation(model: ProgrammeModel, service: URIRef, period: URIRef, dimension: URIRef) -> str:
    """The orientation of a cell: the notation of its pole (or of the neutral) when all its concepts that lean
    somewhere lean the same way, 'mixed' when they lean both ways, 'unknown' when the cell is."""
    cell = model.cells.get((service, period, dimension))
    if cell is None or not cell.known:
        return "unknown"
    found = {o for c in cell.codes if (o := model.orientation(c)) is not None and o != model.neutral}
    if not found:
        return model.ident(model.neutral) if model.neutral is not None else "neutral"
    return model.ident(found.pop()) if len(found) == 1 else "mixed"


@dataclass(frozen=True)
class Legend:
    """What each cell orientation is called and coloured, for a programme's configuration table."""

    labels: dict[str, str]
    colours: dict[str, str]

    def caption(self) -> str:
        return "Cells: " + ", ".join(f"{COLOUR_NAMES[self.colours[k]]} = {label}" for k, label in self.labels.items())


def orientation_legend(model: ProgrammeModel) -> Legend:
    labels: dict[str, str] = {}
    colours: dict[str, str] = {}
    for pole in model.poles:
        labels[model.ident(pole)] = model.label(pole)
        colours[model.ident(pole)] = TOWARDS if pole == model.drift_pole else AWAY
    if model.neutral is not None:
        labels[model.ident(model.neutral)], colours[model.ident(model.neutral)] = model.label(model.neutral), NEUTRAL
    labels["mixed"], colours["mixed"] = "mixed (both poles)", MIXED
    labels["unknown"], colours["unknown"] = "unknown", UNKNOWN_CELL
    return Legend(labels, colours)


@dataclass(frozen=True)
class Matrix:
    """The configuration table from the graph: one row per service and period, one column per dimension."""

    columns: list[str]
    rows: list[list[str]]
    orientations: list[list[str]]  # same shape as rows' dimension cells (see cell_orientation)
    legend: Legend


def service_ids(release: Release) -> list[str]:
    """The services' identifiers, in order."""
    model = release.model()
    return [model.ident(s) for s in model.services]


def _services(model: ProgrammeModel, service: str | None) -> list[URIRef]:
    return [s for s in model.services if service is None or model.ident(s) == service]


def services_matrix(release: Release, service: str | None = None) -> Matrix:
    """The configuration table of every service, or of one (by identifier)."""
    model = release.model()
    columns = ["service", "period", *(model.label(d) for d in model.dimensions)]
    rows, orientations = [], []
    for s in _services(model, service):
        for p in model.periods:
            cells = [model.cells.get((s, p, d)) for d in model.dimensions]
            rows.append([model.ident(s), model.label(p),
                         *((c.verbatim if c is not None and c.known else "unknown") or "unknown" for c in cells)])
            orientations.append([cell_orientation(model, s, p, d) for d in model.dimensions])
    return Matrix(columns, rows, orientations, orientation_legend(model))


def adaptations_heading(release: Release) -> str:
    """The heading over the adaptations, in the programme's own period names."""
    model = release.model()
    labels = [str(model.label(p)) for p in model.periods]
    if len(labels) == 2:
        return f"Adaptations between {labels[0]} and {labels[1]}"
    if 2 < len(labels) <= 4:
        return f"Adaptations between periods ({' → '.join(labels)})"
    return f"Adaptations between periods ({labels[0]} to {labels[-1]})" if labels else "Adaptations"


def adaptations_table(release: Release, service: str | None = None) -> QueryResult:
    model = release.model()
    g = model.graph
    rows: Rows = []
    adaptations = (g.subjects(RDF.type, PG.Adaptation) if service is None else
                   (a for s in _services(model, service) for a in g.subjects(PG.ofService, s)
                    if (a, RDF.type, PG.Adaptation) in g))
    for a in sorted(adaptations, key=str):
        from_value, to_value = g.value(a, PG.fromValue), g.value(a, PG.toValue)
        fidelity = str(g.value(a, PG.frameFidelity)).rsplit("/", 1)[-1]
        rows.append((model.ident(g.value(a, PG.ofService)), model.ident(g.value(a, PG.onDimension)),  # type: ignore[arg-type]
                     text_of(model, from_value, PG.verbatim), text_of(model, to_value, PG.verbatim), fidelity))
    return QueryResult(["service", "dimension", "from", "to", "fidelity"], rows)


KIND_ORDER = ("finding", "conclusion", "method", "description")


def findings_table(release: Release, service: str | None = None) -> QueryResult:
    """The sources' findings about one service, or, for all services, those about any service or the programme
    itself: kind, label, the paraphrase and the citations."""
    model = release.model()
    g = model.graph
    targets = set(_services(model, service))
    if service is None and (programme := model.programme) is not None:
        targets.add(programme)
    rows: Rows = []
    findings = {f for t in targets for f in g.subjects(PG.about, t) if (f, RDF.type, PG.Finding) in g}
    for f in findings:
        kind = local_name(str(g.value(f, PG.findingKind)))
        about = sorted(model.ident(t) for t in g.objects(f, PG.about) if t in targets)  # type: ignore[arg-type]
        cited = "; ".join(f"{source}: {locator}" for source, locator in model.evidence(f))  # type: ignore[arg-type]
        rows.append((kind, ", ".join(about), model.label(f), text_of(model, f, DCTERMS.description), cited))  # type: ignore[arg-type]
    rows.sort(key=lambda r: (KIND_ORDER.index(str(r[0])) if r[0] in KIND_ORDER else len(KIND_ORDER), str(r[2])))
    return QueryResult(["kind", "about", "finding", "statement", "sources"], rows)


def _score(value: Fraction | None, sufficient: bool) -> str:
    return f"{float(value) * 100:.1f}%" if sufficient and value is not None else "insufficient data"


def measures_table(release: Release, service: str | None = None) -> QueryResult:
    model = release.model()
    rows: Rows = []
    for m in (m for m in all_measures(model) if service is None or model.ident(m.service) == service):
        rows.append((model.ident(m.service), model.ident(m.period), _score(m.fidelity, m.sufficient),
                     _score(m.drift, m.sufficient), f"{m.drift_known}/{m.dimensions}"))
    return QueryResult(["service", "period", "fidelity", model.drift_name, "coverage"], rows)


@dataclass(frozen=True)
class NodeChoice:
    label: str
    iri: str
    kind: str  # the local name of its class, e.g. Service


def node_choices(release: Release) -> list[NodeChoice]:
    """Every labelled resource of the programme (and the programme), by label, with its kind, for pickers."""
    g = release.model().graph
    model = release.model()
    programme = g.value(None, RDF.type, PG.Programme)
    found = {s for s in g.subjects(PG.partOfProgramme, None) if isinstance(s, URIRef)}
    if isinstance(programme, URIRef):
        found.add(programme)
    choices = []
    for s in found:
        kinds = sorted(str(t) for t in g.objects(s, RDF.type))
        choices.append(NodeChoice(model.label(s), str(s), local_name(kinds[0]) if kinds else "Resource"))
    return sorted(choices, key=lambda c: (c.label, c.iri))


def intent_choices(release: Release) -> list[tuple[str, str]]:
    """(label, identifier) of every intent with expectations, by label."""
    model = release.model()
    return sorted((model.label(i), model.ident(i)) for i in {e.intent for e in model.expectations})


# --- traces and drift ------------------------------------------------------------------------------------

def start_node(release: Release, ident: str) -> URIRef:
    """An intent or document id (or a full IRI) as the node a trace starts from."""
    if ident.startswith(("http://", "https://")):
        return URIRef(ident)
    model = release.model()
    g = model.graph
    base = f"{ID_BASE}{release.programme}/"
    starts = {e.intent for e in model.expectations}
    starts |= {d for i in starts for d in g.objects(i, PG.statedIn) if isinstance(d, URIRef)}
    for kind in ("intent", "document"):
        candidate = URIRef(f"{base}{kind}/{ident}")
        if candidate in starts:
            return candidate
    raise KeyError(f"no intent or document {ident!r}; choose one of: {', '.join(sorted(map(model.ident, starts)))}")


def run_trace(release: Release, ident: str, *, service: str | None = None, period: str | None = None,
              hop_cap: int = DEFAULT_HOP_CAP, result_cap: int = DEFAULT_RESULT_CAP) -> TraceResult:
    model = release.model()
    of = None
    if service is not None:
        of = next((s for s in model.services if model.ident(s) == service), None)
        if of is None:
            raise KeyError(f"no service {service!r}; choose one of: {', '.join(map(model.ident, model.services))}")
    return trace(model.trace_graph_of(of), start_node(release, ident), service=service, period=period,
                 hop_cap=hop_cap, result_cap=result_cap)


def trace_table(result: TraceResult) -> QueryResult:
    """One row per hop: path number, hop number, from, relation, to, status, sources with locators."""
    rows: Rows = []
    for n, path in enumerate(result.paths, start=1):
        for h, hop in enumerate(path.hops, start=1):
            rows.append((str(n), str(h), result.labels[hop.source], hop.relation, result.labels[hop.target],
                         hop.status, "; ".join(f"{sid} ({loc})" for sid, loc in hop.evidence)))
    notes = []
    if result.truncated:
        notes.append(f"truncated: more paths exist beyond the cap of {result.result_cap} paths / "
                     f"{result.hop_cap} hops (raise --max-paths / --max-hops)")
    return QueryResult(["path", "hop", "from", "relation", "to", "status", "evidence"], rows, result.truncated, notes)


def _pct(value: Fraction | None) -> str:
    return "n/a" if value is None else f"{float(value) * 100:.1f}%"


def _delta(value: Fraction | None) -> str:
    return "n/a" if value is None else f"{float(value) * 100:+.1f} pts"


def drift_table(release: Release, service: str | None = None) -> QueryResult:
    """Per service and period: fidelity and drift (under the programme's name for it), their coverage, and the
    change from the period before with the cells that drove it."""
    model = release.model()
    name = model.drift_name
    moves = {(c.service, c.after.period): c for c in changes(model)}
    rows: Rows = [_drift_row(model, m, moves.get((m.service, m.period))) for m in all_measures(model)
                  if service is None or model.ident(m.service) == service]
    roll = rollup(model)
    notes = [f"roll-up: {roll.sufficient} of {roll.services} services with sufficient data; {name} rose in "
             f"{roll.drifted} (mean {_delta(roll.mean_drift_delta)}), fidelity fell in "
             f"{roll.less_faithful} (mean {_delta(roll.mean_fidelity_delta)}), from each one's first to its last "
             "period with sufficient data"]
    return QueryResult(["service", "period", "fidelity", "fidelity_coverage", name, f"{name}_coverage",
                        "change_fidelity", f"change_{name}", "drivers"], rows, notes=notes)


def _drift_row(model: ProgrammeModel, m: Measure, move: Change | None) -> tuple[str | None, ...]:
    insufficient = "insufficient data"
    return (
        model.ident(m.service),
        model.ident(m.period),
        _pct(m.fidelity) if m.sufficient else insufficient,
        f"{m.fidelity_known}/{m.fidelity_dimensions}",
        _pct(m.drift) if m.sufficient else insufficient,
        f"{m.drift_known}/{m.dimensions}",
        _delta(move.fidelity_delta) if move else "",
        _delta(move.drift_delta) if move else "",
        " | ".join(move.drivers) if move else "",
    )
