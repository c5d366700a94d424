"""Validated records -> the build's curated and derived statements as canonical N-Triples lines.

Streams: the statements are N-Triples lines from the start (ingest/rdf.py); only the vocabulary and the
programme-wide statements are parsed into rdflib (the context that derivation and SHACL read), and the
per-service statements of a large programme only for the services that SHACL samples. So memory grows
with the text of the statements (a few hundred bytes each), not with an rdflib graph (~3 KB each).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef

from policygraph.app.build import programme_queries
from policygraph.app.read.overview import Overview
from policygraph.app.read.tables import overview_of
from policygraph.graph.derive import derive
from policygraph.graph.model import Cell, ProgrammeModel
from policygraph.ingest.errors import IngestError, Location, Problem
from policygraph.ingest.programme import ProgrammeFolder, load_programme
from policygraph.ingest.rdf import Minter, prefixes, programme_statements, vocabulary_lines
from policygraph.ingest.shacl import Scope, sample_scope, shacl_violations
from policygraph.ontology import PG
from policygraph.ontology import ntriples as nt

log = logging.getLogger(__name__)

Stage = Callable[[str], None]  # called with a stage's name when it starts
CellKey = tuple[URIRef, URIRef, URIRef]


@dataclass
class Prepared:
    folder: ProgrammeFolder
    lines: list[str]  # canonical N-Triples: unique lines, sorted
    counts: dict[str, int]  # instances per policygraph class
    scope: Scope  # what SHACL validated
    prefixes: dict[str, str]


def no_stage(_name: str) -> None:
    """The default Stage: report nothing."""
    return


def cells_of(folder: ProgrammeFolder) -> dict[CellKey, Cell]:
    """The configuration table as the model reads it, made from the records (the same IRIs as their statements),
    so that derivation need not parse the per-service statements."""
    iri = Minter(folder.id)
    cells: dict[CellKey, Cell] = {}
    for located in folder.configurations:
        r = located.row
        cell = Cell(iri=URIRef(iri("configuration", r.service, r.period, r.dimension)),
                    service=URIRef(iri("service", r.service)), period=URIRef(iri("period", r.period)),
                    dimension=URIRef(iri.dimension(r.dimension)), known=r.status == "known", verbatim=r.verbatim,
                    codes=frozenset(URIRef(iri.concept(r.dimension, c)) for c in r.codes),
                    evidence=((r.source, r.locator),))
        cells[(cell.service, cell.period, cell.dimension)] = cell
    return cells


@dataclass
class _Draft:
    """The canonical statements, and what SHACL is still to check of them."""

    lines: list[str]  # canonical N-Triples: unique lines, sorted
    # Over the context (the vocabulary and the programme-wide curated statements, parsed: model.graph),
    # with the configuration table made from the records.
    model: ProgrammeModel
    unchecked: str  # N-Triples SHACL checks with the context: derived common statements, sampled services
    scope: Scope


def _draft(folder: ProgrammeFolder, stage: Stage) -> _Draft:
    stage("statements")
    statements = programme_statements(folder)
    core = [*vocabulary_lines(), *statements.core]
    context = nt.to_graph(core)
    stage("derivation")
    model = ProgrammeModel(context, cells_of(folder))
    derived = derive(model)
    derived_common = derived.common
    core += derived_common
    per_service = {service: [*statements.per_service.get(service, []), *derived.per_service.get(service, [])]
                   for service in sorted(statements.per_service.keys() | derived.per_service.keys())}
    del statements, derived
    stage("canonical N-Triples")
    lines = sorted(set(_chain(core, per_service.values())))
    total = len(core) + sum(len(group) for group in per_service.values())
    scope = sample_scope({service: len(group) for service, group in per_service.items()}, total)
    sampled = per_service if scope.complete else {s: per_service[s] for s in scope.sampled_services}
    return _Draft(lines, model, "".join(_chain(derived_common, sampled.values())), scope)


def _check(draft: _Draft, folder: Path, stage: Stage) -> None:
    stage("SHACL")
    # The context already holds the vocabulary and the programme-wide curated statements: add the rest.
    draft.model.graph.parse(data=draft.unchecked, format="nt")
    violations = shacl_violations(draft.model.graph)
    if violations:
        raise IngestError([Problem(Location(folder), f"SHACL: {v}",
                                   "fix the record behind this node (see ontology/shapes.ttl)") for v in violations])


def prepare(folder: ProgrammeFolder, stage: Stage = no_stage) -> Prepared:
    """Statements (curated + derived) of a validated programme, SHACL-checked; raises IngestError."""
    started = time.perf_counter()
    draft = _draft(folder, stage)
    _check(draft, folder.folder, stage)
    log.info("prepared %s: %d statements in %.2f s", folder.id, len(draft.lines), time.perf_counter() - started)
    return Prepared(folder, draft.lines, count_instances(draft.lines), draft.scope, prefixes(folder.id))


def _chain(first: list[str], rest: Iterable[list[str]]) -> Iterable[str]:
    yield from first
    for lines in rest:
        yield from lines


def count_instances(lines: Iterable[str]) -> dict[str, int]:
    """Instances per policygraph class (distinct subjects) in N-Triples lines."""
    marker = f" {nt.RDF_TYPE} <{PG}"
    found: dict[str, set[str]] = {}
    for line in lines:
        at = line.find(marker)
        if at > 0:
            cls = line[at + len(marker):line.rindex(">")]
            found.setdefault(cls, set()).add(line[:at])
    return {name: len(members) for name, members in sorted(found.items())}


@dataclass(frozen=True)
class CoreFile:
    """What a build needs to know of the curated + derived statements once they are written."""

    sha256: str
    triples: int
    counts: dict[str, int]
    scope: Scope
    overview: Overview


def write_core(folder: ProgrammeFolder, out: Path, written: Callable[[], None] | None = None,
               batch: int = 50_000) -> CoreFile:
    """Prepare the programme's statements and write them to `out` as canonical N-Triples.

    `written` is called once `out` is complete and before SHACL checks the statements, so a build can
    load them meanwhile (a violation still fails it before anything is released); the lines are freed
    first, so the check holds only its sample in memory. The result carries the explorer's Overview of the
    programme, from the model this process holds, for the release to store."""
    started = time.perf_counter()
    draft = _draft(folder, no_stage)
    digest = hashlib.sha256()
    with out.open("wb") as handle:
        for start in range(0, len(draft.lines), batch):
            chunk = "".join(draft.lines[start:start + batch]).encode("utf-8")
            digest.update(chunk)
            handle.write(chunk)
    if written is not None:
        written()
    triples, counts = len(draft.lines), count_instances(draft.lines)
    draft.lines = []
    model = draft.model
    overview = overview_of(model, {key: cell.known for key, cell in model.cells.items()}, folder.id)
    _check(draft, folder.folder, no_stage)
    log.info("wrote and checked %s: %d statements in %.2f s", out.name, triples, time.perf_counter() - started)
    return CoreFile(digest.hexdigest(), triples, counts, draft.scope, overview)


def check_folder(data_dir: Path, stage: Stage = no_stage) -> Prepared:
    """Validate a programme folder end to end (records, references, SHACL) and derive adaptations and
    measures, without writing anything."""
    stage("records")
    folder = load_programme(data_dir)
    if problems := programme_queries.problems(data_dir):
        raise IngestError(problems)
    return prepare(folder, stage)


def validate_folder(data_dir: Path) -> tuple[ProgrammeFolder, Graph]:
    """`check_folder`, with the statements as an rdflib graph (for small programmes: tests, fixtures)."""
    prepared = check_folder(data_dir)
    graph = nt.to_graph(prepared.lines)
    for prefix, namespace in prepared.prefixes.items():
        graph.bind(prefix, namespace, replace=True)
    return prepared.folder, graph
