"""The local server of a build folder (`policygraph neo4j start`), through the CLI, with NEO4J_URI unset.

Authentication is on: the password is generated into <build>/neo4j/password (mode 0600), used by every
command, the loader and the explorer's Cypher tab, and never printed. After `neo4j stop` nothing falls back
to bolt://127.0.0.1:7687 (on a shared machine, another user's server): the folder's port is kept and the
commands say the server is not running, without contacting anything.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from neo4j import GraphDatabase
from neo4j.exceptions import AuthError
from neo4j_fixture import installed_home
from streamlit.testing.v1 import AppTest
from support import free_port

from policygraph.app.cli import main
from policygraph.graph import neo4j_local
from policygraph.graph.neo4j_local import PASSWORD_FILE, SETTINGS_FILE, memory_for, remembered
from policygraph.graph.neo4j_server import Neo4jServerConfig, Neo4jServerError, start, stop
from policygraph.graph.neo4j_store import ENV_PASSWORD, ENV_URI, ENV_USER

pytestmark = pytest.mark.neo4j
QUERY_PAGE = Path(__file__).resolve().parents[2] / "app" / "explorer" / "screens" / "query.py"
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def neo4j_home() -> Path:
    return installed_home()


@pytest.fixture
def no_neo4j_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (ENV_URI, ENV_USER, ENV_PASSWORD):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def local_build(tmp_path: Path, build_dir: Path, no_neo4j_env: None, neo4j_home: Path) -> Iterator[Path]:
    """A copy of the case build whose local server the test starts; stopped afterwards."""
    copy = tmp_path / "build"
    shutil.copytree(build_dir, copy, symlinks=True, ignore=shutil.ignore_patterns("neo4j"))
    yield copy
    stop(Neo4jServerConfig(data_dir=copy / "neo4j"))


def cli(build: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--build-dir", str(build), *args])


@contextlib.contextmanager
def watched_port(port: int) -> Iterator[list[str]]:
    """Listen on `port` (if it is free) and record every connection made to it."""
    seen: list[str] = []
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        try:
            listener.bind(("127.0.0.1", port))
        except OSError:
            yield seen  # taken (maybe by another user's server): the messages are checked instead
            return
        listener.listen(8)
        listener.settimeout(0.1)
        done = threading.Event()

        def accept() -> None:
            while not done.is_set():
                with contextlib.suppress(OSError):
                    conn, _ = listener.accept()
                    seen.append("connection")
                    conn.close()

        thread = threading.Thread(target=accept, daemon=True)
        thread.start()
        try:
            yield seen
        finally:
            done.set()
            thread.join(5)


def test_the_local_server_runs_with_a_password_that_is_never_printed(local_build: Path) -> None:
    port = free_port()
    started = cli(local_build, "neo4j", "start", "--port", str(port))
    assert started.exit_code == 0, started.output
    folder = local_build / "neo4j"
    password = (folder / PASSWORD_FILE).read_text(encoding="utf-8").strip()
    assert len(password) >= 24
    assert stat.S_IMODE((folder / PASSWORD_FILE).stat().st_mode) == 0o600
    assert stat.S_IMODE((folder / "data" / "dbms" / "auth.ini").stat().st_mode) == 0o600
    uri = f"bolt://127.0.0.1:{port}"
    for auth in (None, ("neo4j", "neo4j"), ("neo4j", "wrong")):  # no anonymous access, no default password
        with GraphDatabase.driver(uri, auth=auth) as driver, pytest.raises(AuthError):
            driver.verify_connectivity()
    outputs = [started.output]
    for args in (["load", "neo4j"], ["neo4j", "status"],
                 ["cypher", "MATCH (s:Service) RETURN count(s) AS n", "--format", "csv"],
                 ["query", "table2", "--engine", "cypher", "--param", "service=D", "--format", "csv"],
                 ["neo4j", "export", "--output", str(local_build / "export.nt")]):
        result = CliRunner().invoke(main, ["-vv", "--build-dir", str(local_build), *args])
        assert result.exit_code == 0, (args, result.output)
        outputs.append(result.output)
    assert "= the current build" in outputs[2]
    assert outputs[3].splitlines()[-2:] == ["n", "6"]
    assert all(password not in output for output in outputs)
    assert all(password not in path.read_text(encoding="utf-8", errors="replace")
               for path in (folder / "logs").iterdir() if path.is_file())


def test_the_explorer_cypher_tab_uses_the_folder_password(local_build: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli(local_build, "neo4j", "start", "--port", str(free_port())).exit_code == 0
    assert cli(local_build, "load", "neo4j").exit_code == 0
    monkeypatch.setenv("POLICYGRAPH_BUILD", str(local_build))
    app = AppTest.from_file(str(QUERY_PAGE), default_timeout=60).run()
    app.text_area(key="cypher-text").input("MATCH (s:Service) RETURN count(s) AS n").run()
    app.button(key="cypher-run").click().run()
    assert not app.error, [e.value for e in app.error]
    assert app.dataframe[0].value["n"].tolist() == ["6"]
    app.text_area(key="cypher-text").input("SHOW TRANSACTIONS").run()
    app.button(key="cypher-run").click().run()
    assert any("reads the server, not the graph" in e.value for e in app.error)


def test_after_stop_nothing_falls_back_to_another_server(local_build: Path) -> None:
    port = free_port()
    assert cli(local_build, "neo4j", "start", "--port", str(port)).exit_code == 0
    assert cli(local_build, "neo4j", "stop").output.strip() == "stopped"
    with watched_port(7687) as default_port, watched_port(port) as own_port:
        for args in (["neo4j", "status"], ["cypher", "RETURN 1 AS one"], ["load", "neo4j"],
                     ["query", "table2", "--engine", "cypher"], ["neo4j", "export", "-o", "/dev/null"]):
            result = cli(local_build, *args)
            assert result.exit_code == 1, (args, result.output)
            assert f"not running (it listens on bolt://127.0.0.1:{port} when started)" in result.output, args
            assert "7687" not in result.output, args
        status = cli(local_build, "neo4j", "status")
        assert f"local server: not running (last started on bolt://127.0.0.1:{port})" in status.output
    assert default_port == [] and own_port == []  # nothing was contacted
    restarted = cli(local_build, "neo4j", "start")  # no --port: the folder's port
    assert restarted.exit_code == 0, restarted.output
    assert f"bolt://127.0.0.1:{port}" in restarted.output
    assert cli(local_build, "cypher", "RETURN 1 AS one").exit_code == 0


def test_a_folder_that_never_ran_a_server_says_so(local_build: Path) -> None:
    with watched_port(7687) as default_port:
        result = cli(local_build, "cypher", "RETURN 1 AS one")
    assert result.exit_code == 1
    assert "no server was started" in result.output and "policygraph neo4j start" in result.output
    assert default_port == []


def test_a_store_from_before_auth_gets_its_password(tmp_path: Path, neo4j_home: Path) -> None:
    folder = tmp_path / "neo4j"
    old = Neo4jServerConfig(data_dir=folder, bolt_port=free_port(), home=neo4j_home, auth=False)
    start(old)
    stop(old)
    assert not (folder / PASSWORD_FILE).exists()
    config = Neo4jServerConfig(data_dir=folder, bolt_port=free_port(), home=neo4j_home)
    try:
        server = start(config)
        assert server.auth is not None
        with GraphDatabase.driver(server.uri, auth=server.auth) as driver:
            driver.verify_connectivity()
        with GraphDatabase.driver(server.uri, auth=("neo4j", "neo4j")) as driver, pytest.raises(AuthError):
            driver.verify_connectivity()
    finally:
        stop(config)


def test_a_password_the_store_refuses_is_a_clear_error(tmp_path: Path, neo4j_home: Path) -> None:
    folder = tmp_path / "neo4j"
    config = Neo4jServerConfig(data_dir=folder, bolt_port=free_port(), home=neo4j_home)
    start(config)
    stop(config)
    (folder / PASSWORD_FILE).write_text("not-the-stores-password\n", encoding="utf-8")
    (folder / PASSWORD_FILE).chmod(0o644)
    with pytest.raises(Neo4jServerError, match="refuses the password kept in"):
        start(config)
    assert stat.S_IMODE((folder / PASSWORD_FILE).stat().st_mode) == 0o600  # made owner-only when read
    assert not config.pid_file.exists()


@pytest.mark.parametrize(("total_gb", "graph_mb", "heap", "pagecache"), [
    (2, None, 512, 512),      # a small machine: the heap's floor; page cache default
    (8, 40, 2048, 128),       # the case: page cache at its floor
    (24, 900, 4096, 900),     # the national programme (3M triples) on this machine: heap at its ceiling
    (24, 20_000, 4096, 4096),  # a graph bigger than the page cache may be
    (4, 5_000, 1024, 1024),   # heap and page cache together at most half the memory
])
def test_memory_is_sized_from_the_machine_and_the_graph(total_gb: int, graph_mb: int | None, heap: int,
                                                        pagecache: int) -> None:
    graph_bytes = None if graph_mb is None else graph_mb * MIB
    assert memory_for(total_gb * 1024 * MIB, graph_bytes) == (heap, pagecache)


def test_the_server_runs_with_the_memory_it_was_sized_to(local_build: Path) -> None:
    started = cli(local_build, "neo4j", "start", "--port", str(free_port()))
    assert started.exit_code == 0, started.output
    settings = remembered(local_build / "neo4j")
    assert settings is not None
    graph_bytes = (local_build / "graph.nt").stat().st_size
    assert (settings.heap_mb, settings.pagecache_mb) == memory_for(neo4j_local.machine_memory_bytes(), graph_bytes)
    assert f"heap {settings.heap_mb} MB, page cache {settings.pagecache_mb} MB" in started.output
    pid = int(json.loads((local_build / "neo4j" / "neo4j-server.pid").read_text(encoding="utf-8"))["pid"])
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    assert f"-Xmx{settings.heap_mb}m".encode() in cmdline
    assert f"--pagecache={settings.pagecache_mb}m".encode() in cmdline
    assert cli(local_build, "neo4j", "stop").exit_code == 0
    chosen = cli(local_build, "neo4j", "start", "--heap", "768", "--pagecache", "64")
    assert chosen.exit_code == 0, chosen.output
    assert "heap 768 MB, page cache 64 MB" in chosen.output
    assert (local_build / "neo4j" / SETTINGS_FILE).exists()
