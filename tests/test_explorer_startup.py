"""The explorer's start (docs/decisions/0007): the Overview the build stores in the release (the same tables as
computed from the model; shown without loading the model), and the background imports that page runs wait for."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from support import CASE, REPO, build_national

from policygraph.app import release as release_module
from policygraph.app.build import build
from policygraph.app.explorer import startup
from policygraph.app.read import tables
from policygraph.app.read.overview import read_overview, write_overview
from policygraph.app.release import Release


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("startup-case") / "build"
    build(CASE, out)
    return out


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_national(tmp_path_factory.mktemp("startup-national"), services=4, clients=500, seed=5,
                          drift=0.1, missing=0.03)


def _no_parse(*_args: object) -> None:
    raise AssertionError("the model was loaded although the Overview is stored")


@pytest.mark.parametrize("which", ["case", "national"])
def test_the_overview_counts_the_cells_the_model_has(which: str, request: pytest.FixtureRequest) -> None:
    model = Release.current(request.getfixturevalue(which)).model()
    assert tables.known_cells(model) == {key: cell.known for key, cell in model.cells.items()}


def test_an_unreadable_stored_overview_is_computed_instead(case: Path) -> None:
    release = Release.current(case)
    stored = read_overview(release.overview_file)
    assert stored is not None
    assert tables.overview(release) == stored
    torn = release.path.parent / "torn.json"
    torn.write_text("{", encoding="utf-8")
    assert read_overview(torn) is None
    write_overview(torn, stored)
    assert read_overview(torn) == stored


def test_the_overview_page_shows_stored_tables_without_loading_the_build(case: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    release_module.forget()
    monkeypatch.setenv("POLICYGRAPH_BUILD", str(case))
    monkeypatch.delenv("POLICYGRAPH_BUILDS", raising=False)
    monkeypatch.setattr(Release, "_load_model", _no_parse)
    app = AppTest.from_file(str(REPO / "app" / "explorer" / "screens" / "overview.py"), default_timeout=60).run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == "National Health Trainers Service (England)"
    assert list(app.dataframe[2].value["service"]) == list("ABCDEF")


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> None:
    """app/explorer/startup.py's state afresh, as in a new explorer process."""
    monkeypatch.setattr(startup, "_READY", {step: threading.Event() for step in startup.STEPS})
    monkeypatch.setattr(startup, "_PREPARER", [])


def _timed(fn: Callable[[], object]) -> float:
    t0 = time.monotonic()
    fn()
    return time.monotonic() - t0


@pytest.mark.usefixtures("gate")
def test_page_runs_wait_for_the_background_steps_they_need(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _timed(lambda: startup.wait(startup.PAGES)) < 0.1  # nothing prepares yet: at once
    monkeypatch.setattr(startup, "GRACE_S", 0.0)
    go = threading.Event()
    steps: list[str] = []

    def prepare() -> None:
        go.wait(5)
        steps.append("model")
        startup.ready(startup.MODEL)
        go.clear()
        go.wait(5)

    startup.begin(prepare)
    startup.begin(lambda: steps.append("again"))  # once per process
    done: list[str] = []
    waiter = threading.Thread(target=lambda: (startup.wait(startup.MODEL), done.append("model"),
                                              startup.wait(startup.PAGES), done.append("pages")))
    waiter.start()
    time.sleep(0.2)
    assert done == []
    go.set()
    time.sleep(0.3)
    assert done == ["model"]
    go.set()
    waiter.join(5)
    assert done == ["model", "pages"]  # the preparation's end readies every step
    assert steps == ["model"]


@pytest.mark.usefixtures("gate")
def test_the_preparation_starts_after_the_grace_period(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(startup, "GRACE_S", 0.5)
    started: list[float] = []
    t0 = time.monotonic()
    startup.begin(lambda: started.append(time.monotonic() - t0))
    startup.wait(startup.PAGES)
    assert started and 0.45 < started[0] < 2.0
