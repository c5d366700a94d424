"""Load a programme folder (YAML + CSV), validate every record and every cross-reference."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ingest.csv_source import LocatedRow, read_configurations
from ingest.errors import IngestError, Location, Problem
from ingest.models import (
    ActorsFile,
    DocumentsFile,
    Evidence,
    IntentsFile,
    ObservationsFile,
    ProgrammeFile,
    ServicesFile,
    SourcesFile,
    TimelineFile,
)
from ingest.yaml_source import Located, read_yaml
from ontology import concept_codes, dimension_ids

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

FILES: dict[str, type[BaseModel]] = {
    "programme.yaml": ProgrammeFile,
    "sources.yaml": SourcesFile,
    "documents.yaml": DocumentsFile,
    "intents.yaml": IntentsFile,
    "actors.yaml": ActorsFile,
    "services.yaml": ServicesFile,
    "timeline.yaml": TimelineFile,
    "observations.yaml": ObservationsFile,
}
CONFIGURATIONS = "configurations.csv"


@dataclass(frozen=True)
class Programme:
    """A validated programme: typed records plus where each came from."""

    folder: Path
    programme: ProgrammeFile
    sources: SourcesFile
    documents: DocumentsFile
    intents: IntentsFile
    actors: ActorsFile
    services: ServicesFile
    timeline: TimelineFile
    observations: ObservationsFile
    configurations: list[LocatedRow]

    @property
    def id(self) -> str:
        return self.programme.programme.id


def _parse(folder: Path, name: str, model: type[M]) -> tuple[M, Located]:
    data, located = read_yaml(folder / name)
    try:
        return model.model_validate(data), located
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = tuple(err["loc"])
            field = ".".join(str(p) for p in key) or "(top level)"
            given = "" if err["type"] == "missing" else f" (given {err.get('input')!r:.80})"
            fix = _fix_for(err["type"], key)
            problems.append(Problem(located.at(key), f"{field}: {err['msg']}{given}", fix))
        raise IngestError(problems) from exc


def _fix_for(kind: str, key: tuple[Any, ...]) -> str:
    if kind == "extra_forbidden":
        return f"remove or rename {key[-1]!r}; allowed keys are listed in data/README.md"
    if kind == "missing":
        return f"add {key[-1]!r}"
    return "correct the value; see data/README.md for each field's form"


class _Checker:
    """Collects cross-reference problems across all files."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def need(self, ok: bool, where: Location, message: str, fix: str) -> None:
        if not ok:
            self.problems.append(Problem(where, message, fix))

    def unique(self, items: Iterable[tuple[str, Location]], what: str) -> set[str]:
        seen: dict[str, Location] = {}
        for ident, where in items:
            if ident in seen:
                self.problems.append(Problem(where, f"duplicate {what} id {ident!r} (first at {seen[ident]})",
                                             "give each record its own id"))
            seen.setdefault(ident, where)
        return set(seen)

    def acyclic(self, edges: dict[str, list[str]], where: dict[str, Location], what: str) -> None:
        state: dict[str, int] = {}

        def visit(node: str, trail: list[str]) -> None:
            state[node] = 1
            for nxt in edges.get(node, []):
                if state.get(nxt) == 1:
                    cycle = " -> ".join([*trail[trail.index(nxt):], nxt]) if nxt in trail else nxt
                    self.problems.append(Problem(where[node], f"{what} forms a cycle: {cycle}",
                                                 f"remove one {what} link of the cycle"))
                elif nxt in edges and state.get(nxt) is None:
                    visit(nxt, [*trail, nxt])
            state[node] = 2

        for node in sorted(edges):
            if state.get(node) is None:
                visit(node, [node])


def load_programme(folder: Path) -> Programme:
    """Read and validate a programme folder. Raises IngestError listing every problem found."""
    folder = Path(folder)
    if not folder.is_dir():
        raise IngestError([Problem(Location(folder), "not a folder", "pass --data a programme folder")])
    parsed: dict[str, tuple[BaseModel, Located]] = {}
    problems: list[Problem] = []
    for name, model in FILES.items():
        if not (folder / name).is_file():
            problems.append(Problem(Location(folder / name), "file is missing", f"create {name}"))
            continue
        try:
            parsed[name] = _parse(folder, name, model)
        except IngestError as exc:
            problems.extend(exc.problems)
    rows: list[LocatedRow] = []
    try:
        rows = read_configurations(folder / CONFIGURATIONS)
    except IngestError as exc:
        problems.extend(exc.problems)
    if problems:
        raise IngestError(problems)
    prog = Programme(folder, *(parsed[n][0] for n in FILES), configurations=rows)  # type: ignore[arg-type]
    _cross_check(prog, {n: loc for n, (_, loc) in parsed.items()})
    log.info("validated programme %s from %s", prog.id, folder)
    return prog


def _evidence(records: Iterable[tuple[tuple[str | int, ...], list[Evidence]]]) -> Iterator[tuple[tuple[str | int, ...], int, Evidence]]:
    for key, evidence in records:
        for i, ev in enumerate(evidence):
            yield key, i, ev


def _cross_check(p: Programme, at: dict[str, Located]) -> None:  # noqa: C901, PLR0912
    c = _Checker()
    src = c.unique(((s.id, at["sources.yaml"].at(("sources", i, "id"))) for i, s in enumerate(p.sources.sources)), "source")
    periods = c.unique(((q.id, at["programme.yaml"].at(("periods", i, "id"))) for i, q in enumerate(p.programme.periods)), "period")
    entity_ids: list[tuple[str, Location]] = []
    entity_ids += [(d.id, at["documents.yaml"].at(("documents", i, "id"))) for i, d in enumerate(p.documents.documents)]
    entity_ids += [(x.id, at["intents.yaml"].at(("intents", i, "id"))) for i, x in enumerate(p.intents.intents)]
    entity_ids += [(o.id, at["actors.yaml"].at(("organisations", i, "id"))) for i, o in enumerate(p.actors.organisations)]
    entity_ids += [(r.id, at["actors.yaml"].at(("roles", i, "id"))) for i, r in enumerate(p.actors.roles)]
    entity_ids += [(s.id, at["services.yaml"].at(("services", i, "id"))) for i, s in enumerate(p.services.services)]
    entity_ids += [(e.id, at["timeline.yaml"].at(("events", i, "id"))) for i, e in enumerate(p.timeline.events)]
    entity_ids += [(o.id, at["observations.yaml"].at(("observations", i, "id"))) for i, o in enumerate(p.observations.observations)]
    entities = c.unique(entity_ids, "record")
    docs = {d.id for d in p.documents.documents}
    orgs = {o.id for o in p.actors.organisations}
    services = {s.id for s in p.services.services}
    dims = dimension_ids()
    kinds = concept_codes("actor-kind")

    # Every citation must name a known source.
    cited: list[tuple[str, Located, tuple[str | int, ...], list[Evidence]]] = [
        ("programme.yaml", at["programme.yaml"], ("programme",), p.programme.programme.evidence)]
    for fname, top, items in (
        ("documents.yaml", "documents", p.documents.documents),
        ("intents.yaml", "intents", p.intents.intents),
        ("actors.yaml", "organisations", p.actors.organisations),
        ("actors.yaml", "roles", p.actors.roles),
        ("services.yaml", "services", p.services.services),
        ("timeline.yaml", "events", p.timeline.events),
        ("observations.yaml", "observations", p.observations.observations),
    ):
        cited += [(fname, at[fname], (top, i), it.evidence) for i, it in enumerate(items)]
    for i, intent in enumerate(p.intents.intents):
        cited += [("intents.yaml", at["intents.yaml"], ("intents", i, "expectations", j), e.evidence)
                  for j, e in enumerate(intent.expectations)]
    for _fname, located, key, evidence in cited:
        for j, ev in enumerate(evidence):
            c.need(ev.source in src, located.at((*key, "evidence", j, "source")),
                   f"unknown source {ev.source!r}", "cite a source id listed in sources.yaml, or add it there")

    loc = at["documents.yaml"]
    for i, d in enumerate(p.documents.documents):
        c.need(d.published_by in orgs, loc.at(("documents", i, "published_by")),
               f"published_by {d.published_by!r} is not an organisation", "use an organisation id from actors.yaml")
        for j, target in enumerate(d.implements):
            c.need(target in docs, loc.at(("documents", i, "implements", j)),
                   f"implements {target!r}: no such document", "use a document id from documents.yaml")
    c.acyclic({d.id: list(d.implements) for d in p.documents.documents},
              {d.id: loc.at(("documents", i, "implements")) for i, d in enumerate(p.documents.documents)}, "implements")

    loc = at["intents.yaml"]
    for i, intent in enumerate(p.intents.intents):
        for j, doc in enumerate(intent.stated_in):
            c.need(doc in docs, loc.at(("intents", i, "stated_in", j)),
                   f"stated_in {doc!r}: no such document", "use a document id from documents.yaml")
        for j, e in enumerate(intent.expectations):
            key = ("intents", i, "expectations", j)
            if e.dimension not in dims:
                c.need(False, loc.at((*key, "dimension")), f"unknown dimension {e.dimension!r}",
                       f"use one of: {', '.join(sorted(dims))}")
                continue
            codes = concept_codes(e.dimension)
            for k, code in enumerate(e.expects):
                c.need(code in codes, loc.at((*key, "expects", k)),
                       f"unknown concept {code!r} in scheme {e.dimension!r}",
                       f"use one of: {', '.join(sorted(codes))} (or add it to ontology/vocab)")

    loc = at["actors.yaml"]
    for i, o in enumerate(p.actors.organisations):
        c.need(o.kind in kinds, loc.at(("organisations", i, "kind")), f"unknown actor kind {o.kind!r}",
               f"use one of: {', '.join(sorted(kinds))}")
        if o.sub_organisation_of is not None:
            c.need(o.sub_organisation_of in orgs, loc.at(("organisations", i, "sub_organisation_of")),
                   f"sub_organisation_of {o.sub_organisation_of!r}: no such organisation",
                   "use an organisation id from actors.yaml")
    c.acyclic({o.id: [o.sub_organisation_of] for o in p.actors.organisations if o.sub_organisation_of},
              {o.id: loc.at(("organisations", i, "sub_organisation_of")) for i, o in enumerate(p.actors.organisations)},
              "sub_organisation_of")

    loc = at["timeline.yaml"]
    for i, ev in enumerate(p.timeline.events):
        for j, target in enumerate(ev.relates_to):
            c.need(target in entities, loc.at(("events", i, "relates_to", j)),
                   f"relates_to {target!r}: no such record", "use the id of a document, actor, service or intent")

    seen_cells: dict[tuple[str, str, str], Location] = {}
    for lr in p.configurations:
        r, where = lr.row, lr.location
        c.need(r.service in services, where, f"service {r.service!r} is not in services.yaml", "use a service id")
        c.need(r.period in periods, where, f"period {r.period!r} is not in programme.yaml", "use a period id")
        c.need(r.source in src, where, f"unknown source {r.source!r}", "cite a source id from sources.yaml")
        for actor in r.actors:
            c.need(actor in orgs, where, f"actor {actor!r} is not an organisation", "use an id from actors.yaml")
        if r.dimension not in dims:
            c.need(False, where, f"unknown dimension {r.dimension!r}", f"use one of: {', '.join(sorted(dims))}")
        else:
            codes = concept_codes(r.dimension)
            for code in r.codes:
                c.need(code in codes, where, f"unknown concept {code!r} in scheme {r.dimension!r}",
                       f"use one of: {', '.join(sorted(codes))} (or add it to ontology/vocab)")
        cell = (r.service, r.period, r.dimension)
        if cell in seen_cells:
            c.need(False, where, f"duplicate cell {cell} (first at {seen_cells[cell]})", "keep one row per cell")
        seen_cells.setdefault(cell, where)
    csv_path = Location(p.folder / CONFIGURATIONS)
    for s in sorted(services):
        for q in sorted(periods):
            for d in sorted(dims):
                c.need((s, q, d) in seen_cells, csv_path, f"no row for service {s}, period {q}, dimension {d}",
                       "add the row; write status 'unknown' with a note if the sources are silent")
    if c.problems:
        raise IngestError(c.problems)
