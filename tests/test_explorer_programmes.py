"""The explorer on several programmes (issue 6): the sidebar's Programme chooser under AppTest, every page
on a small generated national programme, sessions that never see each other's choice, clear messages
for a missing or unreadable build, and `policygraph explore --programme`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest
from support import REPO, build_national

from policygraph.app.cli import main
from policygraph.app.read.views import neighbourhood_view, vision_view
from policygraph.app.release import Release

ENTRY = REPO / "app" / "explorer" / "main.py"
CASE_TITLE = "National Health Trainers Service (England)"
NATIONAL_TITLE = "SYNTHETIC national health trainer programme"
NATIONAL_SERVICES = [f"S{i:03d}" for i in range(1, 7)]


@pytest.fixture(scope="module")
def national_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small national programme (6 services x 36 quarters, 2,000 clients), built once."""
    return build_national(tmp_path_factory.mktemp("national"), services=6, clients=2000, seed=11, drift=0.08,
                          missing=0.02)


def _builds(monkeypatch: pytest.MonkeyPatch, *builds: tuple[str | None, Path]) -> None:
    monkeypatch.setenv("POLICYGRAPH_BUILDS", json.dumps([[label, str(path)] for label, path in builds]))


@pytest.fixture
def two_programmes(build_dir: Path, national_build: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    _builds(monkeypatch, (None, build_dir), (None, national_build))
    return build_dir, national_build


def _app() -> AppTest:
    app = AppTest.from_file(str(ENTRY), default_timeout=90).run()
    _ok(app)
    return app


def _ok(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]


def _page(app: AppTest, name: str) -> AppTest:
    app.switch_page(f"screens/{name}.py").run()
    _ok(app)
    return app


def test_chooser_lists_the_programmes_and_switching_changes_every_page(two_programmes: tuple[Path, Path]) -> None:
    case, national = two_programmes
    app = _app()
    chooser = app.selectbox(key="programme")
    assert chooser.options == ["health-trainers", "national-synthetic"]  # labels from the manifests
    assert chooser.value == str(case)  # the first is the default
    assert app.title[0].value == CASE_TITLE

    chooser.select(str(national)).run()
    _ok(app)
    assert app.title[0].value == NATIONAL_TITLE
    assert list(app.dataframe[2].value["service"]) == NATIONAL_SERVICES

    _page(app, "services")
    assert app.selectbox(key="services-service").options == ["(all)", *NATIONAL_SERVICES]
    matrix = app.dataframe[0].value
    frame = matrix.data if hasattr(matrix, "data") else matrix
    assert len(frame) == 6 * 36
    assert set(frame["service"]) == set(NATIONAL_SERVICES)

    _page(app, "network")
    # Thousands of nodes: the list opens on the kind of the first service, where the view opens.
    assert app.selectbox(key="network-centre-kind").value == "Service"
    assert app.selectbox(key="network-centre").value.endswith("/service/S001")
    assert "80 nodes" in app.main.caption[0].value

    app.selectbox(key="programme").select(str(case)).run()  # back to the case, on the same page
    _ok(app)
    assert app.selectbox(key="network-centre-kind").value == "(all kinds)"
    assert app.selectbox(key="network-centre").value.endswith("/service/A")
    _page(app, "services")
    frame = app.dataframe[0].value
    frame = frame.data if hasattr(frame, "data") else frame
    assert set(frame["service"]) == set("ABCDEF")


def test_every_page_works_on_the_national_programme(national_build: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _builds(monkeypatch, ("National", national_build))
    app = _app()
    assert app.title[0].value == NATIONAL_TITLE
    assert any("Programme: National" in c.value for c in app.sidebar.caption)  # one programme: no chooser
    coverage = app.dataframe[3].value.set_index("service")
    assert list(coverage.index) == NATIONAL_SERVICES

    _page(app, "vision")
    app.selectbox(key="vision-service").select("S003").run()
    _ok(app)
    assert app.selectbox(key="vision-node").options  # the evidence picker lists the view's nodes
    assert not [w for w in app.warning if "truncated" in w.value]  # one service fits under the cap

    _page(app, "network")
    app.slider(key="network-hops").set_value(3).run()
    app.slider(key="network-cap").set_value(300).run()
    _ok(app)
    assert "300 nodes" in app.main.caption[-1].value
    assert any("truncated: showing 300 of at least" in w.value for w in app.warning)
    app.selectbox(key="network-centre-kind").select("Organisation").run()
    app.text_input(key="network-centre-search").input("zzz-no-such-label").run()
    _ok(app)
    assert app.info[0].value.startswith("No node of kind Organisation has 'zzz-no-such-label'")

    _page(app, "path")  # from the node last focused on to the first service
    _ok(app)
    assert app.selectbox(key="path-to").value.endswith("/service/S001")
    assert "shortest path" in app.main.caption[0].value

    _page(app, "query")
    app.selectbox(key="query-name").select("configuration-table").run()
    app.text_input(key="param-configuration-table-service").input("S002").run()
    app.button(key="query-run").click().run()
    _ok(app)
    assert len(app.dataframe[0].value) == 36 * 8

    _page(app, "export")
    assert "300 nodes" in app.main.caption[0].value  # every intent and service: capped
    assert any("truncated" in w.value for w in app.warning)
    app.selectbox(key="export-service").select("S002").run()
    app.radio(key="export-format").set_value("csv").run()
    _ok(app)


def test_views_stay_capped_on_the_national_programme(national_build: Path) -> None:
    """Tens of thousands of trace nodes at full scale: only the capped nodes are computed and drawn."""
    total = Release.current(national_build).model().trace_graph.number_of_nodes()
    vision = vision_view(Release.current(national_build), max_nodes=50)
    assert vision.graph.number_of_nodes() == 50
    assert vision.notes == [f"truncated: showing 50 of {total} nodes ({total - 50} hidden); narrow the view or "
                            "raise the node cap"]
    layers = [vision.graph.nodes[n]["layer"] for n in vision.graph]
    assert layers == sorted(layers)  # documents and intents first: the cap keeps the top of the hierarchy

    service = "https://w3id.org/policygraph/id/national-synthetic/service/S001"
    near = neighbourhood_view(Release.current(national_build), service, hops=1, max_nodes=300)
    assert not near.truncated
    far = neighbourhood_view(Release.current(national_build), service, hops=3, max_nodes=40)
    assert far.graph.number_of_nodes() == 40
    assert far.notes[0].startswith("truncated: showing 40 of at least ")  # farther levels never walked
    assert set(far.graph) <= set(near.graph)  # nearest first
    with pytest.raises(KeyError, match="not in this build"):
        neighbourhood_view(Release.current(national_build), service + "-nowhere")


def _linked(params: dict[str, str]) -> AppTest:
    app = AppTest.from_file(str(ENTRY), default_timeout=90)
    for name, value in params.items():
        app.query_params[name] = value
    app.run()
    _ok(app)
    return app


def test_a_link_names_its_programme(two_programmes: tuple[Path, Path]) -> None:
    _, national = two_programmes
    app = _linked({"page": "services", "programme": "national-synthetic", "service": "S002"})
    assert app.selectbox(key="programme").value == str(national)
    assert app.title[0].value == "Services over time"
    assert app.selectbox(key="services-service").value == "S002"
    assert app.sidebar.code[0].value == "/?page=services&programme=national-synthetic&service=S002"
    assert dict(app.query_params) == {"programme": "national-synthetic", "service": "S002"}


def test_a_link_to_an_unknown_programme_is_said(two_programmes: tuple[Path, Path]) -> None:
    case, _ = two_programmes
    app = _linked({"programme": "nowhere"})
    assert app.selectbox(key="programme").value == str(case)
    assert [w.value for w in app.sidebar.warning] == [
        "The link's programme='nowhere' cannot be shown (not one of health-trainers, national-synthetic); "
        "showing the default instead."]
    assert app.query_params["programme"] == "health-trainers"


def test_another_programme_forgets_the_links_choices(two_programmes: tuple[Path, Path]) -> None:
    _, national = two_programmes
    app = _linked({"page": "network", "node": "service/D", "depth": "2"})
    assert app.selectbox(key="network-centre").value.endswith("/health-trainers/service/D")
    app.selectbox(key="programme").select(str(national)).run()
    _ok(app)
    assert not [w for w in app.warning if "link" in w.value]  # service/D is not looked for in the national one
    assert app.selectbox(key="network-centre").value.endswith("/national-synthetic/service/S001")
    assert app.slider(key="network-hops").value == 1
    assert dict(app.query_params) == {"programme": "national-synthetic", "node": "service/S001", "depth": "1",
                                      "cap": "80"}


def test_sessions_keep_their_own_programme(two_programmes: tuple[Path, Path]) -> None:
    case, national = two_programmes
    first, second = _app(), _app()
    first.selectbox(key="programme").select(str(national)).run()
    second.run()
    _ok(second)
    assert second.selectbox(key="programme").value == str(case)
    assert second.title[0].value == CASE_TITLE
    assert first.title[0].value == NATIONAL_TITLE


def test_missing_and_unreadable_builds_give_a_clear_message(build_dir: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text(json.dumps({"programme": "broken", "graph_nt_sha256": "0"}))
    (broken / "graph.nt").write_text("this is not N-Triples\n")
    missing = tmp_path / "missing"
    _builds(monkeypatch, (None, build_dir), (None, missing), (None, broken))
    app = _app()
    assert app.selectbox(key="programme").options == ["health-trainers", f"{missing} (no build)", "broken"]
    app.selectbox(key="programme").select(str(missing)).run()
    _ok(app)
    assert f"No build in {missing}" in app.error[0].value
    app.selectbox(key="programme").select(str(broken)).run()
    _ok(app)
    assert f"Could not read the build in {broken}" in app.error[0].value
    app.selectbox(key="programme").select(str(build_dir)).run()
    _ok(app)
    assert app.title[0].value == CASE_TITLE


def test_a_malformed_builds_variable_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYGRAPH_BUILDS", "not json")
    app = _app()
    assert "POLICYGRAPH_BUILDS must be a JSON list" in app.error[0].value


def test_explore_passes_the_programmes_to_streamlit(build_dir: Path, national_build: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[tuple[list[str], dict[str, str]]] = []
    monkeypatch.setattr(os, "execve", lambda _exe, args, env: started.append((args, env)))
    runner = CliRunner()
    result = runner.invoke(main, ["--build-dir", str(build_dir), "explore", "--programme", f"Nat={national_build}",
                                  "--server.port", "8999"])
    assert result.exit_code == 0, result.output
    args, env = started[0]
    assert args[1:6] == ["-P", "-m", "streamlit", "run", str(REPO / "app" / "explorer" / "main.py")]
    assert args[-2:] == ["--server.port", "8999"]
    assert json.loads(env["POLICYGRAPH_BUILDS"]) == [[None, str(build_dir.resolve())],
                                                     ["Nat", str(national_build.resolve())]]
    assert env["POLICYGRAPH_BUILD"] == str(build_dir.resolve())

    result = runner.invoke(main, ["--build-dir", str(tmp_path / "none"), "explore", "--programme",
                                  str(national_build)])
    assert result.exit_code == 0, result.output
    assert json.loads(started[-1][1]["POLICYGRAPH_BUILDS"]) == [[None, str(national_build.resolve())]]

    result = runner.invoke(main, ["explore", "--programme", str(tmp_path / "nothing")])
    assert result.exit_code == 2
    assert f"no build in {tmp_path / 'nothing'}" in result.output
    assert len(started) == 2  # never started
