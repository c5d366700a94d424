"""Named queries keep the read-only Oxigraph store open between calls (graph.oxigraph_store.open_store): the
same store is reused, a rebuild is picked up, a deleted or replaced store is never used, threads share it.
They keep one Neo4j driver per settings too, which reconnects when the server restarts."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from neo4j.exceptions import DriverError
from support import CASE

from app import named
from app.build import build, store_dir
from app.named import MAX_NEO4J_DRIVERS, close_neo4j_stores, run_named
from graph import oxigraph_store
from graph.neo4j_load import load_build
from graph.neo4j_server import Neo4jServerConfig, provision, start, stop
from graph.neo4j_store import ENV_URI, Neo4jSettings, Neo4jUnavailable
from graph.oxigraph_store import MAX_OPEN_STORES, bulk_load, close_open_stores, open_store, open_store_paths

PROVIDERS_A = "Multiple TSOs"


@pytest.fixture(autouse=True)
def no_open_stores() -> Iterator[None]:
    close_open_stores()
    yield
    close_open_stores()


def providers_of_a(build_dir: Path) -> str | None:
    rows = run_named(build_dir, "table2", {"case": "A"}).rows
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


def test_the_open_store_is_reused_across_calls(build_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[Path] = []
    real = oxigraph_store.OxigraphStore

    class Counting(real):  # type: ignore[misc, valid-type]
        def __init__(self, path: Path) -> None:
            opened.append(path)
            super().__init__(path)

    monkeypatch.setattr(oxigraph_store, "OxigraphStore", Counting)
    first = run_named(build_dir, "table2", {"case": "D"})
    for _ in range(3):
        assert run_named(build_dir, "table2", {"case": "D"}).rows == first.rows
    run_named(build_dir, "intents", {})
    assert opened == [store_dir(build_dir)]
    assert open_store(build_dir / "store") is open_store(store_dir(build_dir))  # keyed by the resolved folder
    assert open_store_paths() == [store_dir(build_dir)]


def test_a_rebuild_is_picked_up_and_a_deleted_release_never_used(tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    build(edited_case(tmp_path, "First providers"), build_dir)
    first = store_dir(build_dir)
    assert providers_of_a(build_dir) == "First providers"

    build(edited_case(tmp_path, "Second providers"), build_dir)
    second = store_dir(build_dir)
    assert second != first  # a new release, so a new key
    assert providers_of_a(build_dir) == "Second providers"
    assert open_store_paths() == [first, second]  # the previous release still exists (a reader may use it)

    build(edited_case(tmp_path, "Third providers"), build_dir)  # deletes the first release
    assert not first.exists()
    assert providers_of_a(build_dir) == "Third providers"
    assert first not in open_store_paths()  # dropped, not kept open
    with pytest.raises(FileNotFoundError, match="no Oxigraph store"):
        open_store(first)


def test_a_store_replaced_at_the_same_path_is_reopened(tmp_path: Path) -> None:
    path = tmp_path / "store"
    one, two = tmp_path / "one.nt", tmp_path / "two.nt"
    one.write_text("<urn:a> <urn:p> \"one\" .\n", encoding="utf-8")
    two.write_text("<urn:a> <urn:p> \"two\" .\n<urn:b> <urn:p> \"two\" .\n", encoding="utf-8")
    bulk_load(path, one)
    assert open_store(path).triple_count() == 1
    shutil.rmtree(path)
    bulk_load(path, two)
    assert open_store(path).triple_count() == 2
    assert open_store_paths() == [path.resolve()]


def test_at_most_max_open_stores_least_recently_used_dropped(tmp_path: Path) -> None:
    nt = tmp_path / "g.nt"
    nt.write_text("<urn:a> <urn:p> <urn:o> .\n", encoding="utf-8")
    paths = []
    for n in range(MAX_OPEN_STORES + 2):
        paths.append(tmp_path / f"s{n}")
        bulk_load(paths[-1], nt)
    for path in paths[:MAX_OPEN_STORES]:
        open_store(path)
    open_store(paths[0])  # now the most recently used
    for path in paths[MAX_OPEN_STORES:]:
        open_store(path)
    assert open_store_paths() == [p.resolve() for p in [paths[3], paths[0], paths[4], paths[5]]]


def test_threads_share_the_store_and_get_correct_answers(build_dir: Path) -> None:
    calls = [(name, params) for name, params in [("table2", {"case": c}) for c in "ABCDEF"]
             + [("drift", {}), ("intents", {}), ("trace-paths", {"case": "D"}), ("adaptations", {"case": "B"})]]
    expected = {i: run_named(build_dir, name, params).rows for i, (name, params) in enumerate(calls)}
    close_open_stores()  # the threads race to open it
    work = [i for i in expected for _ in range(6)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda i: (i, run_named(build_dir, *calls[i]).rows), work))
    assert all(rows == expected[i] for i, rows in got)
    assert open_store_paths() == [store_dir(build_dir)]


def test_one_neo4j_driver_per_settings_kept_and_bounded() -> None:
    close_neo4j_stores()
    try:
        settings = [Neo4jSettings(uri=f"bolt://127.0.0.1:{port}") for port in range(7801, 7802 + MAX_NEO4J_DRIVERS)]
        first = named._neo4j_store(settings[0])  # no connection yet: a driver connects on first use
        assert named._neo4j_store(Neo4jSettings(uri=settings[0].uri)) is first
        assert named._neo4j_store(Neo4jSettings(uri=settings[0].uri, user="u", password="p")) is not first
        for other in settings[1:]:
            named._neo4j_store(other)
        assert list(named._neo4j_stores) == settings[-MAX_NEO4J_DRIVERS:]
        with pytest.raises(DriverError, match="closed"):  # the least recently used one, closed when dropped
            first.driver.session()
    finally:
        close_neo4j_stores()
    assert not named._neo4j_stores


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
    close_neo4j_stores()
    try:
        server = start(config)
        monkeypatch.setenv(ENV_URI, server.uri)
        load_build(Neo4jSettings(uri=server.uri), build_dir)
        expected = run_named(build_dir, "table2", {"case": "D"}, engine="sparql").rows
        kept = named._neo4j_store(Neo4jSettings.from_env())
        assert run_named(build_dir, "table2", {"case": "D"}, engine="cypher").rows == expected
        stop(config)
        with pytest.raises(Neo4jUnavailable, match="no Neo4j at"):
            run_named(build_dir, "table2", {"case": "D"}, engine="cypher")
        start(config)
        result = run_named(build_dir, "table2", {"case": "D"}, engine="cypher")
        assert result.rows == expected and not result.notes
        assert named._neo4j_store(Neo4jSettings.from_env()) is kept  # the same driver, reconnected
    finally:
        close_neo4j_stores()
        stop(config)
