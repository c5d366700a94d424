"""The build pipeline: curated folder -> validated RDF -> files + embedded store, swapped in atomically.

Layout of a build folder::

    build/releases/<id>/{graph.ttl, graph.nt, core.nt, store/, manifest.json, explorer-overview.json}
    build/current -> releases/<id>        (replaced atomically at the very end)
    build/graph.ttl, graph.nt, core.nt, store, manifest.json -> current/...

core.nt is the curated and derived statements (graph.nt without the activity cube), which analytics and the
explorer read; explorer-overview.json the explorer's first page (app/overview.py); the explorer adds its
analytics snapshot to the release after its first start (app/snapshot.py).

Nothing under build/ changes unless the whole new release was written and loaded.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from importlib.metadata import version
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, cast

from rdflib import Graph

from app.prepare import CoreFile, Stage, check_folder, no_stage, validate_folder, write_core
from app.workers import Note, Worker, as_ready, worker
from graph.oxigraph_store import bulk_load_each, write_turtle
from ingest.activity import ActivitySummary, ingest_activity
from ingest.errors import IngestError, Location, Problem
from ingest.programme import Programme, load_programme
from ingest.rdf import prefixes

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


def _point(link: Path, target: str) -> None:
    # Replace a symlink atomically: make the new one aside, then rename over the old.
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    tmp.symlink_to(target)
    tmp.replace(link)


LOW_PRIORITY = 10  # os.nice increment of the work that runs beside the store's load
STAGES = ("records", "statements and activity", "store, graph.nt and Turtle", "release")


def _activity(prog: Programme, out: Path, strict: bool) -> ActivitySummary | None:
    """Aggregate the programme's activity extract, if it has one, into `out` (N-Triples)."""
    extract = prog.programme.activity
    if extract is None:
        return None
    return ingest_activity(prog.folder / extract.file, out, programme=prog.id,
                           services={s.id for s in prog.services.services}, source=extract.source,
                           min_count=extract.min_count, strict=strict)


def _release_files(parts: Connection, prefixes: dict[str, str]) -> str:
    """The release's files from its N-Triples parts: part.ttl for each part whose path arrives on `parts`,
    then, given the list of every part in order, graph.nt and graph.ttl (the parts one after the other);
    returns graph.nt's SHA-256. Runs beside the store's load, off the build's critical path."""
    os.nice(LOW_PRIORITY)  # the store's load is the critical path: this fills the CPU time it leaves idle
    while isinstance(part := parts.recv(), Path):
        write_turtle(part, part.with_suffix(".ttl"), prefixes)
    ordered = cast(list[Path], part)
    graph_sha = _concatenate(ordered, ordered[0].with_name("graph.nt"))
    _concatenate([p.with_suffix(".ttl") for p in ordered], ordered[0].with_name("graph.ttl"))
    for done in ordered:
        done.with_suffix(".ttl").unlink()
    return graph_sha


def _concatenate(parts: list[Path], out: Path) -> str:
    """`out` = the parts, one after the other (a hard link for one part); its SHA-256."""
    digest = hashlib.sha256()
    if len(parts) == 1:
        os.link(parts[0], out)
    with contextlib.ExitStack() as files:
        target = files.enter_context(out.open("wb")) if len(parts) > 1 else None
        for part in parts:
            with part.open("rb") as source:
                while chunk := source.read(1 << 20):
                    digest.update(chunk)
                    if target is not None:
                        target.write(chunk)
    return digest.hexdigest()


def _write_release(prog: Programme, data_dir: Path, staging: Path, strict: bool,
                   stage: Stage) -> tuple[int, dict[str, int], ActivitySummary | None]:
    """Write every file of a release into `staging`: (triples, instance counts, activity summary)."""
    # The curated statements and the activity cube (CPU-bound, independent) are written by two worker
    # processes in parallel. Each part goes into the store (this process) and to the files worker as soon
    # as it is written - the curated part before SHACL has checked it, which a violation still fails - so
    # the store's load overlaps the rest of the work. The workers are all forked before the store is opened
    # (a fork must not copy RocksDB's threads mid-work), and their memory is freed as each ends.
    stage("statements and activity")
    parts = {"core": staging / "core.nt", "activity": staging / "activity.nt"}
    to_files, files_end = multiprocessing.get_context("fork").Pipe(duplex=False)
    results: dict[str, object] = {}
    core_written = Note()

    with contextlib.ExitStack() as jobs:
        for pipe_end in (to_files, files_end, core_written):
            jobs.callback(pipe_end.close)  # the parent's ends: each worker holds its own copies
        files_job = jobs.enter_context(worker(_release_files, to_files, prefixes(prog.id)))
        producers: dict[Worker[Any], Note | None] = {
            jobs.enter_context(worker(write_core, prog, parts["core"], core_written.send)): core_written,
            jobs.enter_context(worker(_activity, prog, parts["activity"], strict)): None}
        names = dict(zip(producers, parts, strict=True))
        loaded: list[Path] = []

        def written() -> Iterator[Path]:
            order_sent = False
            for job, finished in as_ready(producers):
                name = names[job]
                if finished:
                    results[name] = job.result()  # raises the worker's error, even after its part loaded
                new = parts[name] not in loaded and (not finished or results[name] is not None)
                if new:  # (None: no activity extract)
                    loaded.append(parts[name])
                    files_end.send(parts[name])
                if not order_sent and all(parts[n] in loaded or n in results for n in names.values()):
                    # No more parts to come: the files worker can join them while the store loads this one.
                    stage("store, graph.nt and Turtle")
                    files_end.send([path for path in parts.values() if path in loaded])  # graph.nt's order
                    order_sent = True
                if new:
                    yield parts[name]

        triples = bulk_load_each(staging / "store", written())
        graph_sha = files_job.result()
    core = cast(CoreFile, results["core"])
    activity = cast(ActivitySummary | None, results["activity"])
    (staging / "activity.nt").unlink(missing_ok=True)
    manifest = {
        "programme": prog.id,
        "data_dir": str(Path(data_dir).resolve()),
        "triples": triples,
        "core_triples": core.triples,
        "graph_nt_sha256": graph_sha,
        "core_nt_sha256": core.sha256,
        "shacl": {"triples": core.scope.triples, "validated": core.scope.validated,
                  "sampled_services": list(core.scope.sampled_services)},
        "activity": None if activity is None else {
            k: v for k, v in asdict(activity).items() if k not in ("problems", "elapsed_s")},
        "policygraph_version": version("policygraph"),
        "counts": core.counts,
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return triples, core.counts, activity


def build(data_dir: Path, build_dir: Path, *, strict: bool = False, stage: Stage = no_stage) -> BuildSummary:
    """Validate, write and load a new release; swap it in only when all of it succeeded.

    `strict`: a bad row in the activity extract fails the build (default: skipped and reported).
    `stage`: called with each step's name (STAGES) as it starts, for progress display."""
    started = time.perf_counter()
    stage("records")
    prog = load_programme(data_dir)  # bad records fail before anything under build/ is touched
    with _locked(build_dir):
        releases = build_dir / "releases"
        releases.mkdir(exist_ok=True)
        for leftover in build_dir.glob(".staging-*"):
            # Only a build killed mid-way leaves one: we hold the lock, so no build is writing it.
            shutil.rmtree(leftover, ignore_errors=True)
        staging = build_dir / f".staging-{os.getpid()}-{time.time_ns()}"
        staging.mkdir()
        try:
            triples, counts, activity = _write_release(prog, data_dir, staging, strict, stage)
            stage("release")
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


__all__ = ["STAGES", "BuildSummary", "build", "canonical_ntriples", "check_folder", "read_manifest", "store_dir",
           "validate_folder"]
