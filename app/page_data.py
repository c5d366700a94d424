"""Data for the explorer's pages, as plain tables (no Streamlit here, so each is testable alone).

The drawing libraries (pyvis for the network pages, matplotlib for the exports: ~1 s to import) are imported
by the functions that draw, so that the Overview's first computation after a build does not wait for them
(app/explorer/startup.py imports them in the background)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from rdflib import RDF, URIRef

from app.analysis import core_graph, loaded_build
from app.overview import overview_of, text_of
from app.release_cache import Overview, release_manifest, store_overview
from app.views import View, neighbourhood_view, vision_view
from graph.case_model import CaseModel
from graph.drift import measure
from graph.projection import local_name
from graph.results import QueryResult
from ontology import PG

ORIENTATION_COLOURS = {"community": "#c8e6c9", "mixed": "#ffe0b2", "nhs-medical": "#ffcdd2", "neutral": "#eceff1",
                       "unknown": "#bdbdbd"}

Rows = list[tuple[str | None, ...]]


def known_cells(model: CaseModel) -> dict[tuple[URIRef, URIRef, URIRef], bool]:
    """Whether each cell of `model.cells` is known, from the same statements (same keys, same answer) without
    reading the cells' texts, codes and evidence: 3x faster (0.5 s on the national programme), for an
    Overview the build did not store (tests/test_explorer_snapshot.py checks the two agree)."""
    status = model.graph.value
    return {(service, period, dim): status(value, PG.status) == PG.known
            for service, period, dim, value in model.cell_values()}


def overview(build_dir: Path) -> Overview:
    model = loaded_build(build_dir).model
    return overview_of(model, known_cells(model), str(release_manifest(build_dir)[1]["programme"]))


def overview_stored(build_dir: Path) -> Overview:
    """`overview`, kept in the release folder for the explorer's next start (app/release_cache.py)."""
    ntriples, sha256 = core_graph(build_dir)
    data = overview(build_dir)
    if core_graph(build_dir) == (ntriples, sha256):  # else rebuilt meanwhile: which graph `data` is from is unknown
        store_overview(ntriples, sha256, data)
    return data


def cell_orientation(model: CaseModel, service: URIRef, period: URIRef, dimension: URIRef) -> str:
    cell = model.cells.get((service, period, dimension))
    if cell is None or not cell.known:
        return "unknown"
    found = {model.orientation(c) for c in cell.codes} - {"neutral"}
    if not found:
        return "neutral"
    return found.pop() if len(found) == 1 else "mixed"


@dataclass(frozen=True)
class Matrix:
    """Table 2 from the graph: one row per service and period, one column per dimension."""

    columns: list[str]
    rows: list[list[str]]
    orientations: list[list[str]]  # same shape as rows' dimension cells


def service_ids(build_dir: Path) -> list[str]:
    """The services' identifiers (case letters), in order."""
    model = loaded_build(build_dir).model
    return [model.ident(s) for s in model.services]


def _services(model: CaseModel, service: str | None) -> list[URIRef]:
    return [s for s in model.services if service is None or model.ident(s) == service]


def services_matrix(build_dir: Path, service: str | None = None) -> Matrix:
    """Table 2 of every service, or of one (by identifier)."""
    model = loaded_build(build_dir).model
    columns = ["service", "period", *(model.label(d) for d in model.dimensions)]
    rows, orientations = [], []
    for s in _services(model, service):
        for p in model.periods:
            cells = [model.cells.get((s, p, d)) for d in model.dimensions]
            rows.append([model.ident(s), model.label(p),
                         *((c.verbatim if c is not None and c.known else "unknown") or "unknown" for c in cells)])
            orientations.append([cell_orientation(model, s, p, d) for d in model.dimensions])
    return Matrix(columns, rows, orientations)


def adaptations_table(build_dir: Path, service: str | None = None) -> QueryResult:
    model = loaded_build(build_dir).model
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


def _score(value: Fraction | None, sufficient: bool) -> str:
    return f"{float(value) * 100:.1f}%" if sufficient and value is not None else "insufficient data"


def measures_table(build_dir: Path, service: str | None = None) -> QueryResult:
    model = loaded_build(build_dir).model
    rows: Rows = []
    for m in (measure(model, s, p) for s in _services(model, service) for p in model.periods):
        rows.append((model.ident(m.service), model.ident(m.period), _score(m.fidelity, m.sufficient),
                     _score(m.medicalisation, m.sufficient), f"{m.medicalisation_known}/{m.dimensions}"))
    return QueryResult(["service", "period", "fidelity", "medicalisation", "coverage"], rows)


@dataclass(frozen=True)
class NodeChoice:
    label: str
    iri: str
    kind: str  # the local name of its class, e.g. Service


def node_choices(build_dir: Path) -> list[NodeChoice]:
    """Every labelled resource of the programme (and the programme), by label, with its kind, for pickers."""
    model = loaded_build(build_dir).model
    g = model.graph
    programme = g.value(None, RDF.type, PG.Programme)
    found = {s for s in g.subjects(PG.partOfProgramme, None) if isinstance(s, URIRef)}
    if isinstance(programme, URIRef):
        found.add(programme)
    choices = []
    for s in found:
        kinds = sorted(str(t) for t in g.objects(s, RDF.type))
        choices.append(NodeChoice(model.label(s), str(s), local_name(kinds[0]) if kinds else "Resource"))
    return sorted(choices, key=lambda c: (c.label, c.iri))



def intent_choices(build_dir: Path) -> list[tuple[str, str]]:
    """(label, identifier) of every intent with expectations, by label."""
    model = loaded_build(build_dir).model
    return sorted((model.label(i), model.ident(i)) for i in {e.intent for e in model.expectations})


@dataclass(frozen=True)
class Drawn:
    """A view and its network page (HTML for the explorer's iframe)."""

    view: View
    html: str


def drawn_vision(build_dir: Path, intent: str | None, service: str | None) -> Drawn:
    from app.netview import render_html  # noqa: PLC0415 - a drawing library (see above)

    view = vision_view(build_dir, intent, service)
    return Drawn(view, render_html(view, height="620px"))


def drawn_neighbourhood(build_dir: Path, node: str, hops: int, max_nodes: int) -> Drawn:
    from app.netview import render_html  # noqa: PLC0415 - a drawing library (see above)

    view = neighbourhood_view(build_dir, node, hops, max_nodes)
    return Drawn(view, render_html(view, height="620px"))


def vision_export(build_dir: Path, intent: str | None, service: str | None, fmt: str) -> bytes:
    """The vision-to-practice view in an export format (see app.exports)."""
    from app.exports import export  # noqa: PLC0415 - a drawing library (see above)

    return export(build_dir, vision_view(build_dir, intent, service), fmt)
