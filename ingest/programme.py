"""Load a programme folder (YAML + CSV), validate every record and every cross-reference."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from policygraph.ingest.checker import Checker as _Checker
from policygraph.ingest.csv_source import COLUMNS, LocatedRow, read_configurations
from policygraph.ingest.errors import IngestError, Location, Problem
from policygraph.ingest.folder_files import file_problem
from policygraph.ingest.models import (
    ActivityExtract,
    ActorsFile,
    DocumentsFile,
    Evidence,
    IntentsFile,
    ObservationsFile,
    Period,
    ProgrammeFile,
    ProgrammeRecord,
    ServicesFile,
    Sourced,
    SourcesFile,
    TimelineFile,
)
from policygraph.ingest.reference_checks import check_references
from policygraph.ingest.text_rules import non_ascii
from policygraph.ingest.validation_fixes import describe_input, fix_for
from policygraph.ingest.vocabulary import VOCABULARY, Vocabulary, VocabularyFile, vocabulary_problems
from policygraph.ingest.yaml_source import Located, read_yaml
from policygraph.ontology import concept_codes

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
Key = tuple[str | int, ...]

FILES: dict[str, type[BaseModel]] = {
    "programme.yaml": ProgrammeFile,
    "sources.yaml": SourcesFile,
    "documents.yaml": DocumentsFile,
    "intents.yaml": IntentsFile,
    "actors.yaml": ActorsFile,
    "services.yaml": ServicesFile,
    "timeline.yaml": TimelineFile,
    "observations.yaml": ObservationsFile,
    VOCABULARY: VocabularyFile,
}
CONFIGURATIONS = "configurations.csv"
MAX_LISTED = 12


@dataclass(frozen=True)
class ProgrammeFolder:
    """A validated programme: typed records plus where each came from."""

    folder: Path
    programme_file: ProgrammeFile
    sources: SourcesFile
    documents: DocumentsFile
    intents: IntentsFile
    actors: ActorsFile
    services: ServicesFile
    timeline: TimelineFile
    observations: ObservationsFile
    vocabulary: Vocabulary
    configurations: list[LocatedRow]

    @property
    def record(self) -> ProgrammeRecord:
        return self.programme_file.programme

    @property
    def periods(self) -> list[Period]:
        return self.programme_file.periods

    @property
    def activity(self) -> ActivityExtract | None:
        return self.programme_file.activity

    @property
    def id(self) -> str:
        return self.record.id


def one_of(ids: Collection[str], where: str) -> str:
    """A fix naming the valid ids (all of them when few)."""
    listed = sorted(ids)
    if len(listed) > MAX_LISTED:
        return f"use an id from {where} (e.g. {', '.join(listed[:MAX_LISTED])}, ...)"
    return f"use one of {', '.join(listed)} (from {where})"


def _parse(folder: Path, name: str, model: type[M]) -> tuple[M, Located]:
    data, located = read_yaml(folder / name, expected_keys=tuple(model.model_fields))
    try:
        return model.model_validate(data), located
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = tuple(err["loc"])
            field = ".".join(str(p) for p in key) or "(top level)"
            record_level = err["type"] == "missing" or isinstance(err["input"], dict)
            given = "" if record_level else f" (given {describe_input(err['input'])})"
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":  # a homoglyph in a key
                message += non_ascii(str(key[-1])).replace("; it holds", "; the key holds")
            problems.append(Problem(located.at(key), f"{field}: {message}{given}",
                                    fix_for(err, model)))
        raise IngestError(problems) from exc


def load_programme(folder: Path) -> ProgrammeFolder:
    """Read and validate a programme folder. Raises IngestError listing every problem found."""
    folder = Path(folder)
    if not folder.is_dir():
        raise IngestError([Problem(Location(folder), "not a folder",
                                   "pass --data a programme folder (e.g. data/health-trainers)")])
    parsed: dict[str, tuple[BaseModel, Located]] = {}
    problems: list[Problem] = []
    for name, model in FILES.items():
        if (bad := file_problem(folder / name, folder)) is not None:
            problems.append(Problem(Location(folder / name), bad[0], bad[1] or (
                f"create {name} with its top-level key(s) {', '.join(model.model_fields)} (every programme has it)")))
            continue
        try:
            parsed[name] = _parse(folder, name, model)
        except IngestError as exc:
            problems.extend(exc.problems)
    rows: list[LocatedRow] = []
    if (bad := file_problem(folder / CONFIGURATIONS, folder)) is not None:
        problems.append(Problem(Location(folder / CONFIGURATIONS), bad[0],
                                bad[1] or f"create {CONFIGURATIONS} with the header {','.join(COLUMNS)}"))
    else:
        try:
            rows = read_configurations(folder / CONFIGURATIONS)
        except IngestError as exc:
            problems.extend(exc.problems)
    if problems:
        raise IngestError(problems)
    prog = ProgrammeFolder(
        folder,
        programme_file=parsed["programme.yaml"][0],  # type: ignore[arg-type]
        sources=parsed["sources.yaml"][0],  # type: ignore[arg-type]
        documents=parsed["documents.yaml"][0],  # type: ignore[arg-type]
        intents=parsed["intents.yaml"][0],  # type: ignore[arg-type]
        actors=parsed["actors.yaml"][0],  # type: ignore[arg-type]
        services=parsed["services.yaml"][0],  # type: ignore[arg-type]
        timeline=parsed["timeline.yaml"][0],  # type: ignore[arg-type]
        observations=parsed["observations.yaml"][0],  # type: ignore[arg-type]
        vocabulary=Vocabulary(parsed[VOCABULARY][0]),  # type: ignore[arg-type]
        configurations=rows,
    )
    _cross_check(prog, {n: loc for n, (_, loc) in parsed.items()})
    log.info("validated programme %s from %s", prog.id, folder)
    return prog


@dataclass
class _Ids:
    sources: set[str]
    periods: set[str]
    entities: set[str]
    docs: set[str]
    orgs: set[str]
    services: set[str]
    docs_unique: bool
    orgs_unique: bool


def _ids(p: ProgrammeFolder, at: dict[str, Located], c: _Checker) -> _Ids:
    def located(fname: str, top: str, ids: Iterable[str]) -> list[tuple[str, Location]]:
        return [(ident, at[fname].at((top, i, "id"))) for i, ident in enumerate(ids)]

    src, _ = c.unique(located("sources.yaml", "sources", (s.id for s in p.sources.sources)),
                      "source")
    periods, _ = c.unique(located("programme.yaml", "periods",
                                  (q.id for q in p.periods)), "period")
    docs = located("documents.yaml", "documents", (d.id for d in p.documents.documents))
    orgs = located("actors.yaml", "organisations", (o.id for o in p.actors.organisations))
    entity_ids = [
        *docs,
        *located("intents.yaml", "intents", (x.id for x in p.intents.intents)),
        *orgs,
        *located("actors.yaml", "roles", (r.id for r in p.actors.roles)),
        *located("services.yaml", "services", (s.id for s in p.services.services)),
        *located("timeline.yaml", "events", (e.id for e in p.timeline.events)),
        *located("observations.yaml", "observations",
                 (o.id for o in p.observations.observations)),
        *located("observations.yaml", "findings", (f.id for f in p.observations.findings)),
    ]
    c.unique(located("actors.yaml", "commissioning", (x.id for x in p.actors.commissioning)), "commissioning")
    entities, _ = c.unique(entity_ids, "record")
    doc_ids = [d for d, _ in docs]
    org_ids = [o for o, _ in orgs]
    return _Ids(src, periods, entities, set(doc_ids), set(org_ids),
                {s.id for s in p.services.services},
                docs_unique=len(doc_ids) == len(set(doc_ids)),
                orgs_unique=len(org_ids) == len(set(org_ids)))


def _check_citations(p: ProgrammeFolder, at: dict[str, Located], c: _Checker, ids: _Ids) -> None:
    """Every citation must name a known source."""
    cited: list[tuple[Located, Key, list[Evidence]]] = [
        (at["programme.yaml"], ("programme",), p.record.evidence)]
    groups: list[tuple[str, str, Iterable[Sourced]]] = [
        ("documents.yaml", "documents", p.documents.documents),
        ("intents.yaml", "intents", p.intents.intents),
        ("actors.yaml", "organisations", p.actors.organisations),
        ("actors.yaml", "roles", p.actors.roles),
        ("services.yaml", "services", p.services.services),
        ("timeline.yaml", "events", p.timeline.events),
        ("observations.yaml", "observations", p.observations.observations),
        ("observations.yaml", "findings", p.observations.findings),
        ("actors.yaml", "commissioning", p.actors.commissioning),
    ]
    for fname, top, items in groups:
        cited += [(at[fname], (top, i), it.evidence) for i, it in enumerate(items)]
    for i, intent in enumerate(p.intents.intents):
        cited += [(at["intents.yaml"], ("intents", i, "expectations", j), e.evidence)
                  for j, e in enumerate(intent.expectations)]
    vocab = p.vocabulary.file
    cited.append((at[VOCABULARY], ("orientation",), vocab.orientation.evidence))
    cited += [(at[VOCABULARY], ("dimensions", i), d.evidence) for i, d in enumerate(vocab.dimensions)]
    for located, key, evidence in cited:
        first: dict[tuple[str, str], int] = {}
        for j, ev in enumerate(evidence):
            c.need((ev.source, ev.locator) not in first, located.at((*key, "evidence", j)),
                   f"evidence entry {j + 1} cites {ev.source!r} at {ev.locator!r}, as entry "
                   f"{first.get((ev.source, ev.locator), 0) + 1} does", "remove the repeated evidence entry")
            first.setdefault((ev.source, ev.locator), j)
            c.need(ev.source in ids.sources, located.at((*key, "evidence", j, "source")),
                   f"unknown source {ev.source!r}: sources.yaml has no such id",
                   f"{one_of(ids.sources, 'sources.yaml')}, or add the source there")
    activity = p.activity
    if activity is not None:
        c.need(activity.source in ids.sources, at["programme.yaml"].at(("activity", "source")),
               f"unknown source {activity.source!r} for the activity extract",
               f"{one_of(ids.sources, 'sources.yaml')}, or add the extract there as a source")
        bad = file_problem(p.folder / activity.file, p.folder)
        c.need(bad is None, at["programme.yaml"].at(("activity", "file")),
               f"activity file {activity.file!r} " + ("is not in the programme folder" if bad is None or not bad[1]
                                                      else bad[0]),
               "put the extract in the programme folder" if bad is None or not bad[1] else bad[1])


def _check_documents(p: ProgrammeFolder, loc: Located, c: _Checker, ids: _Ids) -> None:
    for i, d in enumerate(p.documents.documents):
        c.need(d.published_by in ids.orgs, loc.at(("documents", i, "published_by")),
               f"published_by {d.published_by!r} is not an organisation",
               one_of(ids.orgs, "the organisations of actors.yaml"))
        for j, target in enumerate(d.implements):
            c.need(target in ids.docs, loc.at(("documents", i, "implements", j)),
                   f"implements {target!r}: no such document",
                   one_of(ids.docs, "documents.yaml"))
    if ids.docs_unique:  # with duplicate ids the graph of links is ambiguous; fix those first
        c.acyclic({d.id: list(d.implements) for d in p.documents.documents},
                  {d.id: loc.at(("documents", i, "implements"))
                   for i, d in enumerate(p.documents.documents)}, "implements")


def _check_intents(p: ProgrammeFolder, loc: Located, c: _Checker, ids: _Ids) -> None:
    dims = p.vocabulary.codes
    for i, intent in enumerate(p.intents.intents):
        for j, doc in enumerate(intent.stated_in):
            c.need(doc in ids.docs, loc.at(("intents", i, "stated_in", j)),
                   f"stated_in {doc!r}: no such document", one_of(ids.docs, "documents.yaml"))
        for j, e in enumerate(intent.expectations):
            key: Key = ("intents", i, "expectations", j)
            if e.dimension not in dims:
                c.need(False, loc.at((*key, "dimension")), f"unknown dimension {e.dimension!r}",
                       one_of(dims, f"the dimensions of {VOCABULARY}"))
                continue
            codes = dims[e.dimension]
            for k, code in enumerate(e.expects):
                c.need(code in codes, loc.at((*key, "expects", k)),
                       f"unknown concept {code!r} in dimension {e.dimension!r}", _codes_fix(e.dimension, codes))


def _check_actors(p: ProgrammeFolder, loc: Located, c: _Checker, ids: _Ids) -> None:
    kinds = concept_codes("actor-kind")
    for i, o in enumerate(p.actors.organisations):
        c.need(o.kind in kinds, loc.at(("organisations", i, "kind")),
               f"unknown actor kind {o.kind!r}", f"use one of: {', '.join(sorted(kinds))}")
        if o.sub_organisation_of is not None:
            c.need(o.sub_organisation_of in ids.orgs,
                   loc.at(("organisations", i, "sub_organisation_of")),
                   f"sub_organisation_of {o.sub_organisation_of!r}: no such organisation",
                   one_of(ids.orgs, "the organisations of actors.yaml"))
    if ids.orgs_unique:
        c.acyclic({o.id: [o.sub_organisation_of] for o in p.actors.organisations
                   if o.sub_organisation_of},
                  {o.id: loc.at(("organisations", i, "sub_organisation_of"))
                   for i, o in enumerate(p.actors.organisations)},
                  "sub_organisation_of")


def _check_timeline(p: ProgrammeFolder, loc: Located, c: _Checker, ids: _Ids) -> None:
    for i, event in enumerate(p.timeline.events):
        for j, target in enumerate(event.relates_to):
            c.need(target in ids.entities, loc.at(("events", i, "relates_to", j)),
                   f"relates_to {target!r}: no such record",
                   "use the id of a document, intent, actor, service, event or observation")


def _codes_fix(dimension: str, codes: Collection[str]) -> str:
    return f"use one of: {', '.join(sorted(codes))} (or add it to dimension {dimension!r} of {VOCABULARY})"


def _check_configurations(p: ProgrammeFolder, c: _Checker, ids: _Ids) -> None:
    dims = p.vocabulary.codes
    seen_cells: dict[tuple[str, str, str], Location] = {}
    for lr in p.configurations:
        r, where = lr.row, lr.location
        c.need(r.service in ids.services, where, f"service {r.service!r} is not in services.yaml",
               lambda: one_of(ids.services, "services.yaml"))
        c.need(r.period in ids.periods, where, f"period {r.period!r} is not in programme.yaml",
               lambda: one_of(ids.periods, "the periods of programme.yaml"))
        c.need(r.source in ids.sources, where, f"unknown source {r.source!r}",
               lambda: f"{one_of(ids.sources, 'sources.yaml')}, or add the source there")
        for actor in r.actors:
            c.need(actor in ids.orgs, where, f"actor {actor!r} is not an organisation",
                   lambda: one_of(ids.orgs, "the organisations of actors.yaml"))
        if r.dimension not in dims:
            c.need(False, where, f"unknown dimension {r.dimension!r}",
                   one_of(dims, f"the dimensions of {VOCABULARY}"))
        else:
            codes = dims[r.dimension]
            for code in r.codes:
                c.need(code in codes, where, f"unknown concept {code!r} in dimension {r.dimension!r}",
                       partial(_codes_fix, r.dimension, codes))
        cell = (r.service, r.period, r.dimension)
        if cell in seen_cells:
            c.need(False, where, f"duplicate cell {cell} (first at line {seen_cells[cell].line})",
                   "keep one row per service, period and dimension")
        seen_cells.setdefault(cell, where)
    csv_path = Location(p.folder / CONFIGURATIONS)
    for s in sorted(ids.services):
        for q in sorted(ids.periods):
            for d in p.vocabulary.dimension_ids:
                c.need((s, q, d) in seen_cells, csv_path,
                       f"no row for service {s}, period {q}, dimension {d}",
                       "add the row; write status 'unknown' with a note if the sources are silent")


def _check_periods(p: ProgrammeFolder, loc: Located, c: _Checker) -> None:
    first: dict[int, str] = {}
    for i, period in enumerate(p.periods):
        c.need(period.order not in first, loc.at(("periods", i, "order")),
               f"period {period.id!r} has order {period.order}, as period {first.get(period.order)!r} does",
               "give each period its own order (1 for the first, 2 for the next, ...)")
        first.setdefault(period.order, period.id)


def _cross_check(p: ProgrammeFolder, at: dict[str, Located]) -> None:
    c = _Checker()
    c.problems += vocabulary_problems(p.vocabulary.file, at[VOCABULARY])
    _check_periods(p, at["programme.yaml"], c)
    ids = _ids(p, at, c)
    _check_citations(p, at, c, ids)
    _check_documents(p, at["documents.yaml"], c, ids)
    _check_intents(p, at["intents.yaml"], c, ids)
    _check_actors(p, at["actors.yaml"], c, ids)
    _check_timeline(p, at["timeline.yaml"], c, ids)
    _check_configurations(p, c, ids)
    check_references(p, at["observations.yaml"], at["actors.yaml"], c)
    if c.problems:
        raise IngestError(c.problems)
