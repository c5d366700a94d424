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

from rdflib import Graph

from app.overview import overview_of
from app.release_cache import store_overview
from graph.case_model import CaseModel
from graph.derive import derive
from ingest import nt
from ingest.errors import IngestError, Location, Problem
from ingest.programme import Programme, load_programme
from ingest.rdf import prefixes, programme_statements, vocabulary_lines
from ingest.shacl import Scope, sample_scope, shacl_violations
from ontology import PG

log = logging.getLogger(__name__)

Stage = Callable[[str], None]  # called with a stage's name when it starts


@dataclass
class Prepared:
    prog: Programme
    lines: list[str]  # canonical N-Triples: unique lines, sorted
    counts: dict[str, int]  # instances per policygraph class
    scope: Scope  # what SHACL validated
    prefixes: dict[str, str]


def no_stage(_name: str) -> None:
    """The default Stage: report nothing."""
    return


@dataclass
class _Draft:
    """The canonical statements, and what SHACL is still to check of them."""

    lines: list[str]  # canonical N-Triples: unique lines, sorted
    # Over the context (the vocabulary and the programme-wide curated statements, parsed: model.graph),
    # with the configuration table made from the records.
    model: CaseModel
    unchecked: str  # N-Triples SHACL checks with the context: derived common statements, sampled services
    scope: Scope


def _draft(prog: Programme, stage: Stage) -> _Draft:
    stage("statements")
    statements = programme_statements(prog)
    core = [*vocabulary_lines(), *statements.core]
    context = nt.to_graph(core)
    stage("derivation")
    model = CaseModel(context, statements.cells)
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
    _check_shapes(draft.model.graph, folder)


def prepare(prog: Programme, stage: Stage = no_stage) -> Prepared:
    """Statements (curated + derived) of a validated programme, SHACL-checked; raises IngestError."""
    started = time.perf_counter()
    draft = _draft(prog, stage)
    _check(draft, prog.folder, stage)
    log.info("prepared %s: %d statements in %.2f s", prog.id, len(draft.lines), time.perf_counter() - started)
    return Prepared(prog, draft.lines, count_instances(draft.lines), draft.scope, prefixes(prog.id))


def _chain(first: list[str], rest: Iterable[list[str]]) -> Iterable[str]:
    yield from first
    for lines in rest:
        yield from lines


def _check_shapes(sample: Graph, folder: Path) -> None:
    violations = shacl_violations(sample)
    if violations:
        raise IngestError([Problem(Location(folder), f"SHACL: {v}",
                                   "fix the record behind this node (see ontology/shapes.ttl)") for v in violations])


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
    prefixes: dict[str, str]


def write_core(prog: Programme, out: Path, written: Callable[[], None] | None = None,
               batch: int = 50_000) -> CoreFile:
    """Prepare the programme's statements and write them to `out` as canonical N-Triples.

    `written` is called once `out` is complete and before SHACL checks the statements, so a build can
    load them meanwhile (a violation still fails it before anything is released); the lines are freed
    first, so the check holds only its sample in memory. Beside `out` goes the explorer's Overview of
    the programme (app/overview.py), from the model this worker holds, so the explorer's first start
    after the build need not parse the graph to show its first page."""
    started = time.perf_counter()
    draft = _draft(prog, no_stage)
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
    sha256 = digest.hexdigest()
    model = draft.model
    store_overview(out, sha256, overview_of(model, {key: cell.known for key, cell in model.cells.items()}, prog.id))
    _check(draft, prog.folder, no_stage)
    log.info("wrote and checked %s: %d statements in %.2f s", out.name, triples, time.perf_counter() - started)
    return CoreFile(sha256, triples, counts, draft.scope, prefixes(prog.id))


def check_folder(data_dir: Path, stage: Stage = no_stage) -> Prepared:
    """Validate a programme folder end to end (records, references, SHACL) and derive adaptations and
    measures, without writing anything."""
    stage("records")
    return prepare(load_programme(data_dir), stage)


def validate_folder(data_dir: Path) -> tuple[Programme, Graph]:
    """`check_folder`, with the statements as an rdflib graph (for small programmes: tests, fixtures)."""
    prepared = check_folder(data_dir)
    graph = nt.to_graph(prepared.lines)
    for prefix, namespace in prepared.prefixes.items():
        graph.bind(prefix, namespace, replace=True)
    return prepared.prog, graph
