"""A build is a Release (policygraph.app.release): its manifest read once, its store opened once and shared by
every query and thread, its model loaded once (at most MAX_MODELS kept), a rebuild picked up as a new release,
a deleted release never used; its Neo4j driver kept, and reconnected when the server restarts."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from support import CASE

import policygraph
from policygraph.app import release as release_module
from policygraph.app.build import build
from policygraph.app.read.queries import run_named
from policygraph.app.release import MAX_MODELS, MAX_OPEN_RELEASES, NoBuild, Release, loaded_models, open_releases
from policygraph.graph import oxigraph_store
from policygraph.graph.neo4j_server import Neo4jServerConfig, provision, start, stop
from policygraph.graph.neo4j_store import ENV_PASSWORD, ENV_URI, ENV_USER, Neo4jSettings, Neo4jUnavailable

PROVIDERS_A = "Multiple TSOs"


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    release_module.forget()
    yield
    release_module.forget()


def providers_of_a(build_dir: Path) -> str | None:
    rows = run_named(Release.current(build_dir), "table2", {"service": "A"}).rows
    return rows[0][3]  # columns: case, description, period, providers, ...


def edited_case(tmp_path: Path, providers: str) -> Path:
    """A copy of the case with A's start-up providers cell reading `providers`."""
    data = tmp_path / f"data-{len(list(tmp_path.glob('data-*')))}"
    shutil.copytree(CASE, data)
    table = data / "configurations.csv"
    text = table.read_text(encoding="utf-8")
    assert f"A,start-up,providers,known,{PROVIDERS_A}," in text
    table.write_text(text.replace(f"A,start-up,providers,known,{PROVIDERS_A},",
                                  f"A,start-up,providers,known,{providers},", 1), encoding="utf-8")
    return data


def test_open_is_the_current_release_of_a_build_folder(build_dir: Path) -> None:
    g = policygraph.open(build_dir)
    assert g is Release.current(build_dir)
    assert g.programme == "health-trainers"
    assert g.store_dir == (build_dir / "store").resolve()
    assert len(g.sha256) == 64 and g.version and g.built_at != "unknown"
    with pytest.raises(NoBuild, match="no build in"):
        Release.current(build_dir / "nothing-here")


def test_the_store_is_opened_once_and_reused_across_calls(build_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[Path] = []
    real = oxigraph_store.OxigraphStore

    class Counting(real):  # type: ignore[misc, valid-type]
        def __init__(self, path: Path) -> None:
            opened.append(path)
            super().__init__(path)

    monkeypatch.setattr(oxigraph_store, "OxigraphStore", Counting)
    first = run_named(Release.current(build_dir), "table2", {"service": "D"})
    for _ in range(3):
        assert run_named(Release.current(build_dir), "table2", {"service": "D"}).rows == first.rows
    run_named(Release.current(build_dir), "intents", {})
    assert opened == [Release.current(build_dir).store_dir]
    assert open_releases() == [Release.current(build_dir).path]


def test_a_rebuild_is_picked_up_and_a_deleted_release_never_used(tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    build(edited_case(tmp_path, "First providers"), build_dir)
    first = Release.current(build_dir).path
    assert providers_of_a(build_dir) == "First providers"

    build(edited_case(tmp_path, "Second providers"), build_dir)
    second = Release.current(build_dir).path
    assert second != first  # a new release, so a new key
    assert providers_of_a(build_dir) == "Second providers"
    assert open_releases() == [first, second]  # the previous release still exists (a reader may use it)

    build(edited_case(tmp_path, "Third providers"), build_dir)  # deletes the first release
    assert not first.exists()
    assert providers_of_a(build_dir) == "Third providers"
    assert first not in open_releases()  # dropped, not kept open
    with pytest.raises(NoBuild, match="no build in"):
        Release.open(first)


def test_at_most_max_open_releases_least_recently_used_dropped(tmp_path: Path) -> None:
    paths = []
    for n in range(MAX_OPEN_RELEASES + 2):
        paths.append(tmp_path / f"r{n}")
        paths[-1].mkdir()
        (paths[-1] / "manifest.json").write_text(f'{{"programme": "p", "graph_nt_sha256": "{n}"}}')
    for path in paths[:MAX_OPEN_RELEASES]:
        Release.open(path)
    Release.open(paths[0])  # now the most recently used
    for path in paths[MAX_OPEN_RELEASES:]:
        Release.open(path)
    assert open_releases() == [p.resolve() for p in [paths[3], paths[0], paths[4], paths[5]]]


def test_models_are_loaded_once_and_at_most_max_models_kept(tmp_path: Path, build_dir: Path) -> None:
    release = Release.current(build_dir)
    assert release.model() is release.model()
    builds = [tmp_path / f"b{n}" for n in range(MAX_MODELS + 1)]
    for n, folder in enumerate(builds):
        build(edited_case(tmp_path, f"Providers {n}"), folder)
        Release.current(folder).model()
    assert loaded_models() == [Release.current(b).core_sha256 for b in builds[1:]]
    assert release.core_sha256 not in loaded_models()  # the least recently used, dropped


def test_threads_share_the_store_and_get_correct_answers(build_dir: Path) -> None:
    calls = [(name, params) for name, params in [("table2", {"service": c}) for c in "ABCDEF"]
             + [("drift", {}), ("intents", {}), ("trace-paths", {"service": "D"}), ("adaptations", {"service": "B"})]]
    expected = {i: run_named(Release.current(build_dir), name, params).rows for i, (name, params) in enumerate(calls)}
    release_module.forget()  # the threads race to open it
    work = [i for i in expected for _ in range(6)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda i: (i, run_named(Release.current(build_dir), *calls[i]).rows), work))
    assert all(rows == expected[i] for i, rows in got)
    assert open_releases() == [Release.current(build_dir).path]


@pytest.mark.neo4j
def test_the_kept_driver_survives_a_server_restart(build_dir: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing and os.environ.get("CI") != "true":
        pytest.skip(f"Neo4j tests need {' and '.join(missing)} on PATH")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    config = Neo4jServerConfig(data_dir=tmp_path / "neo4j", bolt_port=port, home=provision())
    try:
        server = start(config)
        assert server.auth is not None  # authentication is on: the password path is the one tested
        monkeypatch.setenv(ENV_URI, server.uri)
        monkeypatch.setenv(ENV_USER, server.auth[0])
        monkeypatch.setenv(ENV_PASSWORD, server.auth[1])
        release = Release.current(build_dir)
        release.load_neo4j(Neo4jSettings.from_env())
        expected = run_named(release, "table2", {"service": "D"}, engine="sparql").rows
        kept = release.neo4j()
        assert run_named(release, "table2", {"service": "D"}, engine="cypher").rows == expected
        stop(config)
        with pytest.raises(Neo4jUnavailable, match="no Neo4j at"):
            run_named(release, "table2", {"service": "D"}, engine="cypher")
        start(config)
        result = run_named(release, "table2", {"service": "D"}, engine="cypher")
        assert result.rows == expected and not result.notes
        assert release.neo4j() is kept  # the same driver, reconnected
    finally:
        stop(config)
