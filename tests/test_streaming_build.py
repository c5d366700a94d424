"""The streaming build (statements as N-Triples lines, workers in parallel) against the graph the earlier
rdflib-based pipeline built, SHACL sampling on large programmes, and the build's worker processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from support import CASE, REPO, generator

from policygraph.app.build import WorkerDied, build, pipeline, statements
from policygraph.graph.oxigraph_store import bulk_load_each
from policygraph.ingest import shacl
from policygraph.ingest.errors import IngestError, Location, Problem

# core.nt of the case as built by the rdflib-based pipeline (commit 8c9c219), before statements were streamed:
# the streamed build must give the same graph. Update only on purpose (a deliberate change of the graph).
GOLDEN_CORE = REPO / "tests" / "golden" / "case-core.nt"


def _explain(expected: Graph, got: Graph) -> str:
    _both, missing, extra = graph_diff(to_isomorphic(expected), to_isomorphic(got))
    return "\n".join([*(f"missing {t}" for t in sorted(missing)[:10]), *(f"extra {t}" for t in sorted(extra)[:10])])


def test_streamed_case_is_the_graph_the_rdflib_pipeline_built() -> None:
    prepared = statements.check_folder(CASE)
    assert prepared.lines == sorted(set(prepared.lines)), "canonical: unique, sorted lines"
    got = Graph().parse(data="".join(prepared.lines), format="nt")
    expected = Graph().parse(GOLDEN_CORE, format="nt")
    assert len(got) == len(expected) == len(prepared.lines)
    assert isomorphic(got, expected), _explain(expected, got)


def test_build_writes_the_same_bytes_twice(tmp_path: Path) -> None:
    first = build(CASE, tmp_path / "a")
    second = build(CASE, tmp_path / "b")
    assert (first.release / "graph.nt").read_bytes() == (second.release / "graph.nt").read_bytes()
    manifest = json.loads((first.release / "manifest.json").read_text())
    assert manifest["shacl"] == {"triples": manifest["core_triples"], "validated": manifest["core_triples"],
                                 "sampled_services": []}


def test_large_programmes_are_validated_on_a_sample_of_services(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shacl, "FULL_VALIDATION_LIMIT", 1000)
    prepared = statements.check_folder(CASE)
    scope = prepared.scope
    assert scope.sampled_services == ("A", "B", "C")
    assert 1000 < scope.validated < scope.triples == len(prepared.lines)
    assert prepared.counts["ConfigurationValue"] == 96  # sampling limits SHACL, never the build


def _fails() -> None:
    raise IngestError([Problem(Location(Path("x.csv"), row=3), "bad", "fix it")])


def test_an_error_of_the_files_to_load_reaches_the_caller_as_itself(tmp_path: Path) -> None:
    # bulk_load_each reads the files an iterable yields; the iterable's error (a worker's IngestError)
    # must come out with its problems, not as Oxigraph's I/O error.
    part = tmp_path / "part.nt"
    part.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n")

    def files() -> Iterator[Path]:
        yield part
        _fails()

    with pytest.raises(IngestError) as caught:
        bulk_load_each(tmp_path / "store", files())
    assert [str(p.location) for p in caught.value.problems] == ["x.csv:3 (row 3)"]


def test_files_are_loaded_as_one_stream(tmp_path: Path) -> None:
    parts = []
    for n in range(3):
        parts.append(tmp_path / f"{n}.nt")
        parts[-1].write_text(f"<http://example.org/s{n}> <http://example.org/p> \"{n}\" .\n")
    assert bulk_load_each(tmp_path / "store", iter(parts)) == 3


def _exits() -> None:
    os._exit(3)


def test_a_worker_error_reaches_the_build_with_its_problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "write_core", lambda *_args: _fails())  # in the worker, forked after this
    with pytest.raises(IngestError) as caught:
        build(CASE, tmp_path / "build")
    assert [str(p.location) for p in caught.value.problems] == ["x.csv:3 (row 3)"]
    assert not list((tmp_path / "build").glob(".staging-*")), "the staging folder is removed"


def test_a_worker_that_dies_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "write_core", lambda *_args: _exits())
    with pytest.raises(WorkerDied, match="ended without a result"):
        build(CASE, tmp_path / "build")


def _workers_end(marker: str, seconds: float = 10.0) -> bool:
    """Whether every process whose command line names `marker` has ended within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive = []
        for proc in Path("/proc").iterdir():
            try:
                cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
                state = (proc / "stat").read_text().split()[2]
            except (OSError, IndexError):
                continue
            if marker in cmdline and state != "Z":
                alive.append(proc.name)
        if not alive:
            return True
        time.sleep(0.2)
    return False


def test_a_killed_build_leaves_the_folder_to_the_next_build(tmp_path: Path) -> None:
    # A worker may outlive its killed build for a moment; the build lock must not (a lockf lock is the process's).
    folder = tmp_path / "prog"
    generator.generate(folder, services=6, clients=60_000, seed=3, drift=0.05, missing=0.02)
    env = {**os.environ, "POLICYGRAPH_BUILD": str(tmp_path / "build")}
    first = subprocess.Popen([sys.executable, "-m", "policygraph.app.cli", "-v", "build", "--data", str(folder)],
                             cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)
    assert first.stderr is not None
    for line in first.stderr:
        if "bulk-loading" in line:  # a worker has written its part; the other may still run
            break
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert _workers_end(str(folder)), "a worker of the killed build is still running"
    again = subprocess.run([sys.executable, "-m", "policygraph.app.cli", "build", "--data", str(folder)], cwd=REPO,
                           env=env, capture_output=True, text=True, timeout=300, check=False)
    assert again.returncode == 0, again.stderr
    assert "another build is running" not in again.stderr
