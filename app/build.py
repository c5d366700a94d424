"""The build pipeline: curated folder -> validated RDF -> files + embedded store, swapped in atomically.

Layout of a build folder::

    build/releases/<id>/{graph.ttl, graph.nt, store/, manifest.json}
    build/current -> releases/<id>        (replaced atomically at the very end)
    build/graph.ttl, graph.nt, store, manifest.json -> current/...

Nothing under build/ changes unless the whole new release was written and loaded.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path

from rdflib import RDF, Graph

from graph.derive import derived_statements
from graph.oxigraph_store import bulk_load, write_turtle
from ingest.activity import ActivitySummary, ingest_activity
from ingest.errors import IngestError, Location, Problem
from ingest.programme import Programme, load_programme
from ingest.rdf import build_graph
from ingest.shacl import shacl_sample, shacl_violations
from ontology import PG

log = logging.getLogger(__name__)

LINKS = ("graph.ttl", "graph.nt", "core.nt", "store", "manifest.json")


@dataclass(frozen=True)
class BuildSummary:
    programme: str
    triples: int
    release: Path
    seconds: float
    counts: dict[str, int]
    activity: ActivitySummary | None = None


def validate_folder(data_dir: Path) -> tuple[Programme, Graph]:
    """Validate a programme folder end to end (records, references, SHACL) and derive adaptations and
    measures, without writing anything."""
    prog = load_programme(data_dir)
    graph = build_graph(prog)
    graph += derived_statements(graph)
    sample, _scope = shacl_sample(graph)
    violations = shacl_violations(sample)
    if violations:
        raise IngestError([Problem(Location(data_dir), f"SHACL: {v}",
                                   "fix the record behind this node (see ontology/shapes.ttl)")
                           for v in violations])
    return prog, graph


def canonical_ntriples(graph: Graph) -> str:
    """N-Triples with sorted lines, so the same data always gives the same bytes."""
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    return "".join(sorted(line + "\n" for line in text.splitlines() if line.strip()))


@contextlib.contextmanager
def _locked(build_dir: Path) -> Iterator[None]:
    build_dir.mkdir(parents=True, exist_ok=True)
    with (build_dir / ".lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IngestError([Problem(Location(build_dir), "another build is running on this folder",
                                       "wait for it to finish")]) from exc
        yield


def _counts(graph: Graph) -> dict[str, int]:
    """Instances per policygraph class (distinct subjects)."""
    found: dict[str, set[object]] = {}
    for subject, cls in graph.subject_objects(RDF.type):
        if str(cls).startswith(str(PG)):
            found.setdefault(str(cls).removeprefix(str(PG)), set()).add(subject)
    return {name: len(members) for name, members in sorted(found.items())}


def _point(link: Path, target: str) -> None:
    # Replace a symlink atomically: make the new one aside, then rename over the old.
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    tmp.symlink_to(target)
    tmp.replace(link)


def _activity(prog: Programme, staging: Path, strict: bool) -> ActivitySummary | None:
    """Aggregate the programme's activity extract, if it has one, into staging/activity.nt."""
    extract = prog.programme.activity
    if extract is None:
        return None
    return ingest_activity(prog.folder / extract.file, staging / "activity.nt", programme=prog.id,
                           services={s.id for s in prog.services.services}, source=extract.source,
                           min_count=extract.min_count, strict=strict)


def _concatenate(parts: list[Path], out: Path) -> None:
    with out.open("wb") as target:
        for part in parts:
            with part.open("rb") as source:
                shutil.copyfileobj(source, target, 1 << 20)


def build(data_dir: Path, build_dir: Path, *, strict: bool = False) -> BuildSummary:
    """Validate, write and load a new release; swap it in only when all of it succeeded.

    `strict`: a bad row in the activity extract fails the build (default: skipped and reported)."""
    started = time.perf_counter()
    prog, graph = validate_folder(data_dir)  # fails before anything under build/ is touched
    nt = canonical_ntriples(graph)
    with _locked(build_dir):
        releases = build_dir / "releases"
        releases.mkdir(exist_ok=True)
        for leftover in build_dir.glob(".staging-*"):
            # Only a build killed mid-way leaves one: we hold the lock, so no build is writing it.
            shutil.rmtree(leftover, ignore_errors=True)
        staging = build_dir / f".staging-{os.getpid()}-{time.time_ns()}"
        staging.mkdir()
        try:
            # core.nt: curated + derived statements (what analytics load); graph.nt adds the activity cube.
            (staging / "core.nt").write_text(nt, encoding="utf-8")
            activity = _activity(prog, staging, strict)
            parts = [staging / "core.nt"] + ([staging / "activity.nt"] if activity else [])
            _concatenate(parts, staging / "graph.nt")
            (staging / "activity.nt").unlink(missing_ok=True)
            write_turtle(staging / "graph.nt", staging / "graph.ttl", {p: str(ns) for p, ns in graph.namespaces()})
            triples = bulk_load(staging / "store", staging / "graph.nt")
            counts = _counts(graph)
            manifest = {
                "programme": prog.id,
                "data_dir": str(Path(data_dir).resolve()),
                "triples": triples,
                "graph_nt_sha256": _sha256(staging / "graph.nt"),
                "core_nt_sha256": hashlib.sha256(nt.encode("utf-8")).hexdigest(),
                "activity": None if activity is None else {
                    k: v for k, v in asdict(activity).items() if k not in ("problems", "elapsed_s")},
                "policygraph_version": version("policygraph"),
                "counts": counts,
            }
            (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
            release = releases / f"r{time.time_ns()}"
            staging.rename(release)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        previous = (build_dir / "current").resolve() if (build_dir / "current").is_symlink() else None
        _point(build_dir / "current", f"releases/{release.name}")
        for name in LINKS:
            link = build_dir / name
            if not link.is_symlink():
                _point(link, f"current/{name}")
        _prune(releases, keep={release.name, previous.name if previous else ""})
    seconds = time.perf_counter() - started
    log.info("built %s: %d triples in %.2f s", prog.id, triples, seconds)
    return BuildSummary(prog.id, triples, release, seconds, counts, activity)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _prune(releases: Path, keep: set[str]) -> None:
    # Keep the new release and the one before it (a reader may still have it open).
    for old in releases.iterdir():
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def store_dir(build_dir: Path) -> Path:
    """The current release's store, or a clear error if nothing was built."""
    path = build_dir / "store"
    if not (path / "CURRENT").exists():
        raise FileNotFoundError(f"no build in {build_dir}; run `policygraph build` first")
    return path.resolve()


def read_manifest(build_dir: Path) -> dict[str, object]:
    path = build_dir / "manifest.json"
    if not path.exists():
        raise FileNotFoundError(f"no build in {build_dir}; run `policygraph build` first")
    data: dict[str, object] = json.loads(path.read_text())
    return data
