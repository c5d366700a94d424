"""The build pipeline: curated folder -> validated RDF -> a new release (files + embedded store), swapped in
atomically. The release layout is policygraph.app.release's; nothing under build/ changes unless the whole
new release was written and loaded.

Two producers run in parallel worker processes (a fork each: nothing pickled on the way in): the curated
and derived statements (`core.nt`, then its SHACL check) and the activity cube. Each part goes into the
store (this process's bulk load) as soon as it is written - the curated part before SHACL has checked it,
which a violation still fails - and a third, low-priority worker writes the Turtle and joins the parts into
graph.nt and graph.ttl beside the load. docs/decisions/0006-streaming-build.md says why.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import json
import logging
import multiprocessing
import os
import queue
import shutil
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from multiprocessing.queues import SimpleQueue
from pathlib import Path

from policygraph.app.build import programme_queries
from policygraph.app.build.statements import CoreFile, Stage, no_stage, write_core
from policygraph.app.read.overview import write_overview
from policygraph.app.release import CORE_NT, CURRENT, GRAPH_NT, GRAPH_TTL, LINKS, MANIFEST, OVERVIEW, RELEASES, STORE
from policygraph.graph.oxigraph_store import bulk_load_each, write_turtle
from policygraph.ingest.activity import ActivitySummary, ingest_activity
from policygraph.ingest.errors import IngestError, Location, Problem
from policygraph.ingest.programme import ProgrammeFolder, load_programme
from policygraph.ingest.rdf import prefixes

log = logging.getLogger(__name__)

PARENT_CHECK_SECONDS = 0.5
LOW_PRIORITY = 10  # os.nice increment of the work that runs beside the store's load
STAGES = ("records", "statements and activity", "store, graph.nt and Turtle", "release")
_FORK = multiprocessing.get_context("fork")
_CORE_WRITTEN = "core written"


class WorkerDied(RuntimeError):
    """A build worker ended without a result (killed, or out of memory)."""


@dataclass(frozen=True)
class BuildSummary:
    programme: str
    triples: int
    release: Path
    seconds: float
    counts: dict[str, int]
    activity: ActivitySummary | None = None


@contextlib.contextmanager
def _locked(build_dir: Path) -> Iterator[None]:
    """One build at a time per folder. A lockf lock (unlike flock) is not shared with forked children, so
    it goes with the build process even if a worker outlives it."""
    build_dir.mkdir(parents=True, exist_ok=True)
    with (build_dir / ".lock").open("a") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
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


# --- what the worker processes run ------------------------------------------------------------------------

@dataclass(frozen=True)
class _Job:
    """What the producers work on: given to each worker process when it starts (inherited by the fork,
    never pickled: a national programme's records are tens of thousands of rows)."""

    folder: ProgrammeFolder
    paths: dict[str, Path]
    strict: bool
    notes: SimpleQueue[str]  # a producer's messages to the build while it still runs


_job: _Job | None = None


def _end_with_parent() -> None:
    """An idle pool worker waits on a pipe whose write end it holds itself (fork), so it would outlive a killed
    build forever: a daemon thread ends it once the build process is gone."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


def _producer_init(job: _Job) -> None:
    global _job  # noqa: PLW0603 - set once per worker process, by its initializer
    _job = job
    _end_with_parent()


def _write_core() -> CoreFile:
    assert _job is not None
    job = _job
    return write_core(job.folder, job.paths["core"], lambda: job.notes.put(_CORE_WRITTEN))


def _activity() -> ActivitySummary | None:
    """Aggregate the programme's activity extract, if it has one, into its part (N-Triples)."""
    assert _job is not None
    folder, extract = _job.folder, _job.folder.activity
    if extract is None:
        return None
    return ingest_activity(folder.folder / extract.file, _job.paths["activity"], programme=folder.id,
                           services={s.id for s in folder.services.services}, source=extract.source,
                           locator=extract.locator,
                           min_count=extract.min_count, strict=_job.strict)


def _files_init() -> None:
    os.nice(LOW_PRIORITY)  # the store's load is the critical path: this fills the CPU time it leaves idle
    _end_with_parent()


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


def _join_parts(parts: list[Path]) -> str:
    """graph.nt and graph.ttl: the parts (and their Turtle) one after the other; graph.nt's SHA-256."""
    graph_sha = _concatenate(parts, parts[0].with_name(GRAPH_NT))
    _concatenate([p.with_suffix(".ttl") for p in parts], parts[0].with_name(GRAPH_TTL))
    for done in parts:
        done.with_suffix(".ttl").unlink()
    return graph_sha


# --- the release ------------------------------------------------------------------------------------------

@dataclass
class _Written:
    core: CoreFile
    activity: ActivitySummary | None
    triples: int
    graph_sha: str


def _parts_as_written(producers: dict[str, Future[object]], notes: SimpleQueue[str], paths: dict[str, Path],
                      results: dict[str, object]) -> Iterator[str]:
    """The names of the parts, as each is written (the curated part when its worker says so, before it ends);
    a producer's error is raised here, even after its part was yielded."""
    events: queue.Queue[str] = queue.Queue()
    for name, future in producers.items():
        future.add_done_callback(lambda _, name=name: events.put(name))  # type: ignore[misc]
    relay = threading.Thread(target=lambda: events.put("core" if notes.get() == _CORE_WRITTEN else ""),
                             daemon=True, name="policygraph-notes")
    relay.start()
    given: set[str] = set()
    try:
        while len(results) < len(producers):
            name = events.get()
            done = producers.get(name)
            if done is not None and done.done():
                results[name] = done.result()  # raises the worker's error
                if results[name] is None:  # no activity extract: no part
                    given.add(name)
            if name in paths and name not in given:
                given.add(name)
                yield name
    finally:
        notes.put("")  # lets the relay end if the note never came (an error before it)


def _write_release(folder: ProgrammeFolder, staging: Path, strict: bool, stage: Stage) -> _Written:
    stage("statements and activity")
    paths = {"core": staging / CORE_NT, "activity": staging / "activity.nt"}
    notes: SimpleQueue[str] = _FORK.SimpleQueue()
    job = _Job(folder, paths, strict, notes)
    results: dict[str, object] = {}
    # Every worker is forked before the store opens (a fork must not copy RocksDB's threads mid-work):
    # with the fork method a pool starts all its processes at its first submit.
    # Objects the caller already holds are frozen across the forks: a worker's garbage collector must never run
    # their finalisers (an open store's, in a process that already used one, aborts in RocksDB's C++).
    gc.freeze()
    with ProcessPoolExecutor(2, mp_context=_FORK, initializer=_producer_init, initargs=(job,)) as producers, \
            ProcessPoolExecutor(1, mp_context=_FORK, initializer=_files_init) as files:
        try:
            jobs: dict[str, Future[object]] = {
                "core": producers.submit(_write_core), "activity": producers.submit(_activity)}
            files.submit(int).result()  # started now, before the store
        finally:
            gc.unfreeze()  # every worker is forked
        loaded: list[Path] = []
        turtles: list[Future[None]] = []

        def written() -> Iterator[Path]:
            for name in _parts_as_written(jobs, notes, paths, results):
                loaded.append(paths[name])
                turtles.append(files.submit(write_turtle, paths[name], paths[name].with_suffix(".ttl"),
                                            prefixes(folder.id)))
                if len(loaded) == 1:
                    stage("store, graph.nt and Turtle")
                yield paths[name]

        try:
            triples = bulk_load_each(staging / STORE, written())
            for turtle in turtles:
                turtle.result()
            graph_sha = files.submit(_join_parts, [p for p in paths.values() if p in loaded]).result()
        except BrokenProcessPool as exc:
            raise WorkerDied("a build worker process ended without a result (killed, or out of memory)") from exc
    core = results["core"]
    activity = results["activity"]
    assert isinstance(core, CoreFile) and (activity is None or isinstance(activity, ActivitySummary))
    paths["activity"].unlink(missing_ok=True)
    return _Written(core, activity, triples, graph_sha)


def _manifest(folder: ProgrammeFolder, data_dir: Path, written: _Written) -> dict[str, object]:
    core, activity = written.core, written.activity
    return {
        "programme": folder.id,
        "data_dir": str(Path(data_dir).resolve()),
        "triples": written.triples,
        "core_triples": core.triples,
        "graph_nt_sha256": written.graph_sha,
        "core_nt_sha256": core.sha256,
        "shacl": {"triples": core.scope.triples, "validated": core.scope.validated,
                  "sampled_services": list(core.scope.sampled_services)},
        "activity": None if activity is None else {
            k: v for k, v in asdict(activity).items() if k not in ("problems", "elapsed_s")},
        "policygraph_version": version("policygraph"),
        "built_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "counts": core.counts,
    }


def build(data_dir: Path, build_dir: Path, *, strict: bool = False, stage: Stage = no_stage) -> BuildSummary:
    """Validate, write and load a new release; swap it in only when all of it succeeded.

    `strict`: a bad row in the activity extract fails the build (default: skipped and reported).
    `stage`: called with each step's name (STAGES) as it starts, for progress display."""
    started = time.perf_counter()
    stage("records")
    folder = load_programme(data_dir)  # bad records fail before anything under build/ is touched
    if problems := programme_queries.problems(data_dir):
        raise IngestError(problems)
    with _locked(build_dir):
        releases = build_dir / RELEASES
        releases.mkdir(exist_ok=True)
        for leftover in build_dir.glob(".staging-*"):
            # Only a build killed mid-way leaves one: we hold the lock, so no build is writing it.
            shutil.rmtree(leftover, ignore_errors=True)
        staging = build_dir / f".staging-{os.getpid()}-{time.time_ns()}"
        staging.mkdir()
        try:
            written = _write_release(folder, staging, strict, stage)
            stage("release")
            write_overview(staging / OVERVIEW, written.core.overview)
            programme_queries.copy_into(data_dir, staging)
            (staging / MANIFEST).write_text(json.dumps(_manifest(folder, data_dir, written), indent=2,
                                                       sort_keys=True) + "\n")
            release = releases / f"r{time.time_ns()}"
            staging.rename(release)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        previous = (build_dir / CURRENT).resolve() if (build_dir / CURRENT).is_symlink() else None
        _point(build_dir / CURRENT, f"{RELEASES}/{release.name}")
        for name in LINKS:
            link = build_dir / name
            if not link.is_symlink():
                _point(link, f"{CURRENT}/{name}")
        _prune(releases, keep={release.name, previous.name if previous else ""})
    seconds = time.perf_counter() - started
    log.info("built %s: %d triples in %.2f s", folder.id, written.triples, seconds)
    return BuildSummary(folder.id, written.triples, release, seconds, written.core.counts, written.activity)


def _prune(releases: Path, keep: set[str]) -> None:
    # Keep the new release and the one before it (a reader may still have it open).
    for old in releases.iterdir():
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
