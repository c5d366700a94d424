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
from support import CASE, REPO

from app import prepare
from app.build import build
from app.workers import Note, WorkerDied, as_ready, worker
from graph.oxigraph_store import bulk_load_each
from ingest import shacl
from ingest.errors import IngestError, Location, Problem

# core.nt of the case as built by the rdflib-based pipeline (commit 8c9c219), before statements were streamed:
# the streamed build must give the same graph. Update only on purpose (a deliberate change of the graph).
GOLDEN_CORE = REPO / "tests" / "golden" / "case-core.nt"


def _explain(expected: Graph, got: Graph) -> str:
    _both, missing, extra = graph_diff(to_isomorphic(expected), to_isomorphic(got))
    return "\n".join([*(f"missing {t}" for t in sorted(missing)[:10]), *(f"extra {t}" for t in sorted(extra)[:10])])


def test_streamed_case_is_the_graph_the_rdflib_pipeline_built() -> None:
    prepared = prepare.check_folder(CASE)
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
    prepared = prepare.check_folder(CASE)
    scope = prepared.scope
    assert scope.sampled_services == ("A", "B", "C")
    assert 1000 < scope.validated < scope.triples == len(prepared.lines)
    assert prepared.counts["ConfigurationValue"] == 96  # sampling limits SHACL, never the build


def _fails() -> None:
    raise IngestError([Problem(Location(Path("x.csv"), row=3), "bad", "fix it")])


def _exits() -> None:
    os._exit(3)


def test_workers_are_taken_in_the_order_they_finish() -> None:
    with worker(time.sleep, 0.6) as slow, worker(time.sleep, 0.05) as fast, worker(_fails) as failing:
        order = [job for job, _ in as_ready(dict.fromkeys([slow, fast, failing]))]
    assert order[-1] is slow
    assert set(order[:2]) == {fast, failing}


def _notes_then_sleeps(note: Note, seconds: float) -> str:
    note.send()
    time.sleep(seconds)
    return "done"


def _fails_before_its_note(note: Note) -> None:
    _fails()
    note.send()


def test_a_note_is_reported_before_its_worker_ends_and_an_error_before_it_once() -> None:
    noted, failing_note = Note(), Note()
    with worker(_notes_then_sleeps, noted, 0.4) as noting, worker(_fails_before_its_note, failing_note) as failing:
        events = list(as_ready({noting: noted, failing: failing_note}))
        assert noting.result() == "done"
    assert events.index((noting, False)) < events.index((noting, True))
    assert [e for e in events if e[0] is failing] == [(failing, True)]
    assert len(events) == 3


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


def test_a_worker_error_reaches_the_build_with_its_problems() -> None:
    with worker(_fails) as job, pytest.raises(IngestError) as caught:
        job.result()
    assert [str(p.location) for p in caught.value.problems] == ["x.csv:3 (row 3)"]


def test_a_worker_that_dies_is_reported() -> None:
    with worker(_exits) as job, pytest.raises(WorkerDied, match="exit code 3"):
        job.result()


def test_a_worker_dies_with_its_killed_build() -> None:
    # A worker outliving a killed build would hold the build lock: it must go with its parent.
    script = ("import sys, time; sys.path.insert(0, '.');\n"
              "from app.workers import Worker\n"
              "w = Worker(time.sleep, 600); print(w.process.pid, flush=True); time.sleep(600)")
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{child}").exists():
        status = Path(f"/proc/{child}/stat").read_text().split()[2] if Path(f"/proc/{child}/stat").exists() else "X"
        if status in ("Z", "X"):
            break
        time.sleep(0.05)
    stat = Path(f"/proc/{child}/stat")
    assert not stat.exists() or stat.read_text().split()[2] in ("Z", "X"), "the worker outlived its build"
