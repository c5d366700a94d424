"""The explorer's faster start (issue 6, docs/decisions/0007): the analytics snapshot (used when valid,
refused when the graph, the signature, the key or the file is wrong, never written into a read-only
folder, the same page results as a parse) and the stored Overview (shown without loading the model)."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Literal
from streamlit.testing.v1 import AppTest
from support import CASE, REPO, build_national, run_cli

from app import analysis, page_data, release_cache, snapshot
from app.analysis import drift_table, run_trace, trace_table
from app.build import build
from app.explorer import common, startup
from app.release_cache import OVERVIEW_NAME, core_release, store_overview, stored_overview
from app.snapshot import KEY_NAME, SNAPSHOT_NAME, explorer_build, read_snapshot, write_snapshot
from app.views import neighbourhood_view, vision_view


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key of this test's own, and builds loaded afresh (not from another test's cache)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(analysis, "_BUILDS", {})


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("snapshot-case") / "build"
    build(CASE, out)
    return out


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_national(tmp_path_factory.mktemp("snapshot-national"), services=4, clients=500, seed=5,
                          drift=0.1, missing=0.03)


def _snapshotted(build_dir: Path) -> Path:
    """Parse the build as the explorer does and write its snapshot; the snapshot's path."""
    snapshot.snapshot_path(core_release(build_dir)[0]).unlink(missing_ok=True)
    loaded, parsed = explorer_build(build_dir)
    assert parsed is not None
    assert write_snapshot(*parsed, loaded)
    analysis._BUILDS.clear()
    return snapshot.snapshot_path(parsed[0])


def _no_parse(*_args: object) -> None:
    raise AssertionError("parsed although a valid snapshot was there")


def test_a_valid_snapshot_is_used_instead_of_parsing(case: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = _snapshotted(case)
    assert path.parent == core_release(case)[0].parent  # in the release folder, beside the core graph
    assert path.name == SNAPSHOT_NAME
    key = tmp_path / "cache" / "policygraph" / KEY_NAME
    assert key.stat().st_mode & 0o777 == 0o600
    assert len(key.read_bytes()) == snapshot.KEY_BYTES
    monkeypatch.setattr(snapshot, "parse_build", _no_parse)
    loaded, parsed = explorer_build(case)
    assert parsed is None
    assert loaded.model.cells and loaded.trace_graph.number_of_nodes()  # completed before it was written
    assert analysis.loaded_build(case) is loaded  # what every page then reads


def _assert_refused(case: Path, caplog: pytest.LogCaptureFixture, why: str) -> None:
    ntriples, sha = core_release(case)
    with caplog.at_level(logging.WARNING, logger="app.snapshot"):
        assert read_snapshot(ntriples, sha) is None
    assert why in caplog.text
    loaded, parsed = explorer_build(case)  # the explorer parses instead
    assert parsed is not None
    assert loaded.model.services


def test_a_snapshot_of_another_graph_is_ignored(case: Path, caplog: pytest.LogCaptureFixture) -> None:
    _snapshotted(case)
    ntriples, _ = core_release(case)
    with caplog.at_level(logging.WARNING, logger="app.snapshot"):
        assert read_snapshot(ntriples, "0" * 64) is None
    assert "made from another graph" in caplog.text


def test_a_snapshot_by_other_code_is_ignored(case: Path, caplog: pytest.LogCaptureFixture,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _snapshotted(case)
    monkeypatch.setattr(snapshot, "code_fingerprint", lambda: "other code")
    _assert_refused(case, caplog, "made by other code")


def test_a_changed_snapshot_is_refused(case: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = _snapshotted(case)
    data = bytearray(path.read_bytes())
    data[-100] ^= 0x01  # one bit of the pickled body
    path.write_bytes(bytes(data))
    _assert_refused(case, caplog, "bad signature")


def test_a_snapshot_signed_with_another_key_is_refused(case: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _snapshotted(case)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-user"))
    snapshot.signing_key(create=True)
    _assert_refused(case, caplog, "bad signature")


def test_without_a_key_nothing_is_unpickled(case: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _snapshotted(case)
    (tmp_path / "cache" / "policygraph" / KEY_NAME).unlink()
    _assert_refused(case, caplog, "no key to check its signature with")


def test_a_key_others_can_read_is_not_used(case: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _snapshotted(case)
    (tmp_path / "cache" / "policygraph" / KEY_NAME).chmod(0o644)
    _assert_refused(case, caplog, "others may read it")
    ntriples, sha = core_release(case)
    loaded, _ = explorer_build(case)
    assert not write_snapshot(ntriples, sha, loaded)


@pytest.mark.parametrize("keep", [10, 90, 0.5])
def test_a_truncated_snapshot_is_refused(case: Path, caplog: pytest.LogCaptureFixture, keep: float) -> None:
    """Cut in the magic line, in the header, or half-way through the body."""
    path = _snapshotted(case)
    data = path.read_bytes()
    path.write_bytes(data[:int(keep * len(data)) if keep < 1 else int(keep)])
    _assert_refused(case, caplog, "truncated")


def test_no_snapshot_in_a_read_only_folder(case: Path, caplog: pytest.LogCaptureFixture,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    ntriples, sha = core_release(case)
    snapshot.snapshot_path(ntriples).unlink(missing_ok=True)
    ntriples.with_name(OVERVIEW_NAME).unlink(missing_ok=True)
    loaded, parsed = explorer_build(case)
    assert parsed is not None
    folder = ntriples.parent
    before = sorted(p.name for p in folder.iterdir())
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):  # root writes anyway: make the folder refuse as a read-only one would
            monkeypatch.setattr(release_cache.tempfile, "mkstemp", _read_only)
            monkeypatch.setattr(snapshot.os, "access", lambda *_: True)
        with caplog.at_level(logging.INFO):
            assert not write_snapshot(ntriples, sha, loaded)
            assert page_data.overview_stored(case).programme  # the page still gets its tables
    finally:
        folder.chmod(0o755)
    assert "not written" in caplog.text
    assert sorted(p.name for p in folder.iterdir()) == before  # and no temporary file left behind


def _read_only(*_args: object, **_kwargs: object) -> tuple[int, str]:
    raise OSError(30, "Read-only file system")


def _answers(build_dir: Path) -> dict[str, object]:
    """What the pages and the CLI show, from whichever load `analysis.loaded_build` holds."""
    loaded = analysis.loaded_build(build_dir)
    model = loaded.model
    services = page_data.service_ids(build_dir)
    intent = page_data.intent_choices(build_dir)[0][1]
    centre = str(model.services[0])
    return {
        "overview": page_data.overview(build_dir),
        "matrix": page_data.services_matrix(build_dir),
        "adaptations": page_data.adaptations_table(build_dir),
        "measures": page_data.measures_table(build_dir),
        "nodes": page_data.node_choices(build_dir),
        "intents": page_data.intent_choices(build_dir),
        "drift": drift_table(build_dir),
        "trace": trace_table(run_trace(build_dir, intent, service=services[0])),
        "vision": sorted(vision_view(build_dir, intent).graph.nodes(data=True)),
        "neighbourhood": sorted(neighbourhood_view(build_dir, centre, hops=2).graph.edges(data=True)),
        "triples": sorted((s, p, o, type(o), getattr(o, "datatype", None), getattr(o, "language", None))
                          for s, p, o in model.graph),
        "values": sorted((str(o), repr(o.value)) for o in model.graph.objects() if isinstance(o, Literal)),
    }


@pytest.mark.parametrize("which", ["case", "national"])
def test_the_snapshot_gives_the_same_pages_as_a_parse(which: str, request: pytest.FixtureRequest) -> None:
    build_dir: Path = request.getfixturevalue(which)
    _snapshotted(build_dir)
    _, parsed = explorer_build(build_dir)
    assert parsed is None
    from_snapshot = _answers(build_dir)
    analysis._BUILDS.clear()
    analysis.loaded_build(build_dir, analysis.parse_build)
    assert _answers(build_dir) == from_snapshot


@pytest.mark.parametrize("which", ["case", "national"])
def test_the_overview_counts_the_cells_the_model_has(which: str, request: pytest.FixtureRequest) -> None:
    model = analysis.loaded_build(request.getfixturevalue(which)).model
    assert page_data.known_cells(model) == {key: cell.known for key, cell in model.cells.items()}


def test_the_overview_is_stored_for_the_next_start(case: Path) -> None:
    ntriples, sha = core_release(case)
    ntriples.with_name(OVERVIEW_NAME).unlink(missing_ok=True)
    assert stored_overview(case) is None
    computed = page_data.overview_stored(case)
    assert stored_overview(case) == computed
    record = json.loads(ntriples.with_name(OVERVIEW_NAME).read_text(encoding="utf-8"))
    record["core_nt_sha256"] = "0" * 64  # another graph
    ntriples.with_name(OVERVIEW_NAME).write_text(json.dumps(record), encoding="utf-8")
    assert stored_overview(case) is None
    assert store_overview(ntriples, sha, computed)
    ntriples.with_name(OVERVIEW_NAME).write_text("{", encoding="utf-8")  # torn
    assert stored_overview(case) is None


def test_the_overview_page_shows_stored_tables_without_loading_the_build(case: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    page_data.overview_stored(case)
    monkeypatch.setenv("POLICYGRAPH_BUILD", str(case))
    monkeypatch.delenv("POLICYGRAPH_BUILDS", raising=False)
    monkeypatch.setattr(common, "_load", _no_parse)
    monkeypatch.setattr(common, "prewarm", lambda _paths: None)
    app = AppTest.from_file(str(REPO / "app" / "explorer" / "screens" / "overview.py"), default_timeout=60).run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == "National Health Trainers Service (England)"
    assert list(app.dataframe[2].value["service"]) == list("ABCDEF")


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> None:
    """app/explorer/startup.py's state afresh, as in a new explorer process."""
    monkeypatch.setattr(startup, "_READY", {step: threading.Event() for step in startup.STEPS})
    monkeypatch.setattr(startup, "_NEEDED", set())
    monkeypatch.setattr(startup, "_BEGUN", [])
    monkeypatch.setattr(startup, "_SHOWN", [])
    monkeypatch.setattr(startup, "_PREPARER", [])


def _timed(fn: Callable[[], object]) -> float:
    t0 = time.monotonic()
    fn()
    return time.monotonic() - t0


@pytest.mark.usefixtures("gate")
def test_page_runs_wait_for_the_background_imports_they_need(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _timed(lambda: startup.wait(startup.PAGES)) < 0.1  # nothing prepares (AppTest, streamlit run)
    assert _timed(startup.settle) < 0.1
    monkeypatch.setattr(startup, "_NEEDED", set())
    startup.preparing(threading.Thread(target=lambda: None))
    done: list[str] = []
    waiter = threading.Thread(target=lambda: (startup.wait(startup.OVERVIEW), done.append("overview"),
                                              startup.wait(startup.MODEL), done.append("model"),
                                              startup.wait(startup.PAGES), done.append("pages")))
    waiter.start()
    time.sleep(0.2)
    assert done == []
    startup.ready(startup.OVERVIEW)
    time.sleep(0.2)
    assert done == ["overview"]
    assert _timed(lambda: startup.settle(startup.MODEL)) < 0.1  # a page waits for it: no more waiting
    startup.ready(startup.MODEL)
    time.sleep(0.2)
    assert done == ["overview", "model"]
    startup.ready(startup.PAGES)
    waiter.join(5)
    assert done == ["overview", "model", "pages"]


@pytest.mark.usefixtures("gate")
def test_background_work_lets_the_first_page_run_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    startup.preparing(threading.Thread(target=lambda: None))
    monkeypatch.setattr(startup, "GRACE_S", 0.3)
    assert 0.4 < _timed(lambda: startup.settle(startup.MODEL, idle_s=0.5)) < 1.5  # no visitor yet: idle_s
    startup.ready(startup.OVERVIEW)
    startup.wait(startup.OVERVIEW)  # a page run begins: then until it ends, and GRACE_S more
    threading.Timer(0.3, startup.shown).start()
    assert 0.5 < _timed(lambda: startup.settle(startup.MODEL, idle_s=0)) < 1.5
    assert _timed(startup.settle) < 0.1  # long enough after the first page: at once
    startup.ready(startup.PAGES)
    startup.wait(startup.PAGES, want=False)  # a background load does not hurry anything
    assert not startup._NEEDED



def test_trace_and_drift_commands_read_the_snapshot_and_answer_the_same(case: Path) -> None:
    commands = [("trace", "--intent", "reach-hard-to-reach-in-community", "--site", "D", "--format", "csv"),
                ("drift", "--format", "csv")]
    snapshot.snapshot_path(core_release(case)[0]).unlink(missing_ok=True)
    parsed = [run_cli("-v", *command, build_dir=case) for command in commands]
    for result in parsed:
        assert result.returncode == 0, result.stderr
        assert "no analytics snapshot" in result.stderr
    assert not snapshot.snapshot_path(core_release(case)[0]).exists(), "the commands must not write one"
    _snapshotted(case)
    for command, before in zip(commands, parsed, strict=True):
        result = run_cli("-v", *command, build_dir=case)
        assert result.returncode == 0, result.stderr
        assert "loaded the analytics snapshot" in result.stderr
        assert result.stdout == before.stdout and result.stdout.count("\n") > 1
