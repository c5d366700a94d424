"""The Cypher console runs the user's own reads of the graph only, within its limits, on a real Neo4j 5.26.

Each class of the adversarial pass with variants it did not name: server commands and procedures (an
allow-list, each refusal with its reason), queries the server's parser cannot bound (refused before they are
sent), the time limit covering the EXPLAIN step and a server that never answers, and credentials in NEO4J_URI.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from neo4j import Driver

from policygraph.app.cli import main
from policygraph.graph.cypher_guard import MAX_NESTING, MAX_QUERY_CHARS, nesting
from policygraph.graph.neo4j_store import Neo4jSettings

pytestmark = pytest.mark.neo4j

COMMANDS = "reads the server, not the graph"
REFUSED = {
    "SHOW TRANSACTIONS": COMMANDS,
    "SHOW TRANSACTIONS YIELD currentQuery RETURN currentQuery": COMMANDS,
    "SHOW SETTINGS": COMMANDS,
    "SHOW SETTINGS YIELD name, value WHERE name CONTAINS 'directories' RETURN name, value": COMMANDS,
    "SHOW PROCEDURES": COMMANDS,
    "SHOW FUNCTIONS": COMMANDS,
    "SHOW INDEXES": COMMANDS,
    "SHOW CONSTRAINTS": COMMANDS,
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'": "stops other users' work",
    "SHOW USERS": "administration commands",
    "SHOW DATABASES": "administration commands",
    "USE system SHOW PROCEDURES": "administration commands",
    "USE system CALL db.labels()": "reads the graph's database only",
    "CALL dbms.listConfig()": "procedure dbms.listConfig is not one the console calls",
    "CALL dbms.listConfig() YIELD name RETURN name": "procedure dbms.listConfig is not one the console calls",
    "CALL dbms.components()": "procedure dbms.components is not one",
    "CALL dbms.listConnections()": "procedure dbms.listConnections is not one",
    "CALL dbms.info()": "procedure dbms.info is not one",
    "CALL db.stats.retrieve('GRAPH COUNTS')": "procedure db.stats.retrieve is not one",
    "CALL db.createLabel('Injected')": "procedure db.createLabel is not one",
    "MATCH (n) CALL (n) { CALL dbms.listConfig() YIELD name RETURN name } RETURN name":
        "procedure dbms.listConfig is not one",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line": "LOAD CSV reads files and URLs",
    "MATCH (n) DETACH DELETE n": "this query writes",
    "CREATE INDEX injected IF NOT EXISTS FOR (n:Resource) ON (n.label)": "changes the schema",
}
# Reads of every shape the console must still run (the operator allow-list must not be narrower than Cypher).
READS = [
    "MATCH (s:Service) RETURN s.identifier AS id ORDER BY id",
    "MATCH (s:Service)-[r]->() RETURN type(r) AS t, count(*) AS n ORDER BY n DESC LIMIT 5",
    "MATCH p = (:Service)-[*1..2]->() RETURN count(p) AS n",
    "MATCH p = shortestPath((:Service)-[*..4]-(:Source)) RETURN length(p) AS n LIMIT 1",
    "MATCH p = ANY SHORTEST (:Service)-->+(:Source) RETURN count(p) AS n",
    "MATCH p = (:Service)(()-->()){1,2}() RETURN count(p) AS n",
    "MATCH (n:Resource {uri: 'https://example.org/none'}) RETURN n",
    "MATCH (n:Resource) WHERE n.uri STARTS WITH 'https://' RETURN count(n) AS n",
    "MATCH (n) RETURN count(n) AS n",
    "MATCH ()-[r]->() RETURN count(r) AS n",
    "MATCH (s:Service) OPTIONAL MATCH (s)-[:NOPE]->(x) RETURN s.identifier AS id, count(x) AS n",
    "MATCH (s:Service) WHERE NOT EXISTS { (s)-->(:Evidence) } RETURN count(s) AS n",
    "MATCH (s:Service) RETURN s.identifier AS id, COUNT { (s)-->() } AS degree, [(s)-->(x) | x.uri][..2] AS out",
    "MATCH (s:Service) CALL (s) { MATCH (s)-->(x) RETURN count(x) AS c } RETURN s.identifier AS id, c",
    "MATCH (s:Service) RETURN s.identifier AS x UNION MATCH (e:Evidence) RETURN e.uri AS x",
    "UNWIND range(1, 10) AS i WITH i WHERE i % 2 = 0 RETURN collect(i) AS even",
    "MATCH (a:Service), (b:Service) WHERE a <> b RETURN count(*) AS pairs",
    "MATCH (a:Service)-->(b)-->(c) WHERE (a)-->(c) RETURN count(*) AS n",
    "MATCH (a:Service|Evidence) RETURN count(a) AS n",
    "MATCH (a)-[r]->(b) WITH type(r) AS t, count(*) AS n RETURN t, n ORDER BY n DESC SKIP 1 LIMIT 3",
    "CALL db.labels() YIELD label RETURN label ORDER BY label",
    "CALL db.relationshipTypes()",
    "CALL db.propertyKeys()",
    "CALL db.schema.visualization()",
    "RETURN date('2020-01-01') AS d, reduce(s = 0, x IN [1, 2, 3] | s + x) AS total",
    "RETURN '((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((' AS brackets_in_text",
]


def cli(build_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--build-dir", str(build_dir), "cypher", *args])


def _fingerprint(driver: Driver) -> tuple[int, int, list[str]]:
    nodes = driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"]
    links = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS n").records[0]["n"]
    labels = driver.execute_query("CALL db.labels() YIELD label RETURN collect(label) AS l").records[0]["l"]
    return int(nodes), int(links), sorted(labels)


@pytest.mark.parametrize("query", sorted(REFUSED))
def test_only_reads_of_the_graph_run_each_refusal_names_its_reason(query: str, build_dir: Path,
                                                                   case_in_neo4j: Neo4jSettings,
                                                                   neo4j_driver: Driver) -> None:
    before = _fingerprint(neo4j_driver)
    result = cli(build_dir, query)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert REFUSED[query] in result.stderr, result.stderr
    assert "because it changes the schema" not in result.stderr
    assert _fingerprint(neo4j_driver) == before


@pytest.mark.parametrize("query", READS)
def test_reads_of_every_shape_still_run(query: str, build_dir: Path, case_in_neo4j: Neo4jSettings) -> None:
    result = cli(build_dir, query, "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stdout.lstrip().startswith("{")


def test_terminate_cannot_stop_another_users_query(build_dir: Path, case_in_neo4j: Neo4jSettings,
                                                  neo4j_driver: Driver) -> None:
    marker = "policygraph-test-victim"
    outcome: dict[str, object] = {}

    def victim() -> None:  # another user's long query: a slow scan with a marker in its text
        try:
            with neo4j_driver.session(database="neo4j") as session:
                record = session.run(f"UNWIND range(1, 300000000) AS x WITH x WHERE x = -1 "
                                     f"RETURN count(x) AS n, '{marker}' AS who").single()
            outcome["n"] = None if record is None else record["n"]
        except Exception as exc:  # noqa: BLE001 - what stopped it is the test's finding
            outcome["error"] = exc

    thread = threading.Thread(target=victim, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    ids: list[str] = []
    while not ids and time.monotonic() < deadline:
        ids = [r["id"] for r in neo4j_driver.execute_query(
            "SHOW TRANSACTIONS YIELD transactionId AS id, currentQuery WHERE currentQuery CONTAINS $m "
            "AND NOT currentQuery CONTAINS 'SHOW' RETURN id", m=marker).records]
        time.sleep(0.1)
    assert ids, "the victim query never started"
    try:
        result = cli(build_dir, f"TERMINATE TRANSACTIONS '{ids[0]}'")
        assert result.exit_code == 2
        assert "stops other users' work" in result.stderr
        time.sleep(1)
        still = neo4j_driver.execute_query("SHOW TRANSACTIONS YIELD transactionId AS id WHERE id = $id RETURN id",
                                           id=ids[0]).records
        assert still and "error" not in outcome, outcome
    finally:
        neo4j_driver.execute_query("TERMINATE TRANSACTIONS $ids", ids=ids)
        thread.join(30)


HOSTILE = {
    "10 KB of nested parentheses (the adversarial example)": "RETURN " + "(" * 5000 + "1" + ")" * 5000,
    "nested lists": "RETURN " + "[" * 500 + "1" + "]" * 500,
    "nested maps": "RETURN " + "{a: " * 300 + "1" + "}" * 300,
    "mixed, just past the limit": "RETURN " + "([" * (MAX_NESTING // 2) + "{a: 1}" + "])" * (MAX_NESTING // 2),
    "a long flat expression": "RETURN 1" + " + 1" * (MAX_QUERY_CHARS // 4),
    "a long comment": "// " + "x" * MAX_QUERY_CHARS + "\nRETURN 1",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_queries_the_parser_cannot_bound_are_refused_before_they_are_sent(name: str, build_dir: Path,
                                                                          case_in_neo4j: Neo4jSettings,
                                                                          tmp_path: Path) -> None:
    query_file = tmp_path / "hostile.cypher"
    query_file.write_text(HOSTILE[name], encoding="utf-8")
    for given in (HOSTILE[name], str(query_file)):  # as text (longer than a file name may be) and as a file
        began = time.monotonic()
        result = cli(build_dir, given)
        assert result.exit_code == 2, result.output
        assert "at most" in result.stderr and "Traceback" not in result.output
        assert time.monotonic() - began < 2


@pytest.mark.parametrize(("name", "content", "says"), [
    ("latin-1.cypher", "RETURN 'café' AS x".encode("latin-1"), "{file}:1: byte 0xe9 at column 12 is not UTF-8"),
    ("huge.cypher", b"RETURN 1 AS x //" + b"x" * (5 * MAX_QUERY_CHARS), "the console accepts at most 5,000"),
])
def test_a_query_file_that_cannot_be_a_query_is_a_clean_error(name: str, content: bytes, says: str,
                                                               build_dir: Path, tmp_path: Path) -> None:
    query_file = tmp_path / name
    query_file.write_bytes(content)
    result = cli(build_dir, str(query_file))
    assert result.exit_code == 2, result.output
    assert says.format(file=query_file) in result.stderr and "Traceback" not in result.output


def test_nesting_counts_brackets_outside_strings_and_comments() -> None:
    assert nesting("RETURN [(1), {a: [2]}]") == 3
    assert nesting("RETURN '((((' AS a, \"[[[[\" AS b, `{{{{` AS c // ((((\n/* [[[[ */") == 0
    assert nesting("RETURN 'it\\'s (' AS a, (1)") == 1


def test_the_time_limit_covers_the_explain_step(build_dir: Path, case_in_neo4j: Neo4jSettings) -> None:
    # The slowest query found that passes the size check: the server takes several seconds only to parse it.
    slow_to_parse = "RETURN 1" + "+1" * ((MAX_QUERY_CHARS - 20) // 2) + " AS n"
    began = time.monotonic()
    result = cli(build_dir, slow_to_parse, "--timeout", "1")
    elapsed = time.monotonic() - began
    assert result.exit_code == 1, result.output
    assert "ran past the 1 s limit" in result.stderr
    assert elapsed < 3, elapsed


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """A TCP listener that accepts connections and never answers (a server that hangs)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        held: list[socket.socket] = []
        stop = threading.Event()

        def accept() -> None:
            listener.settimeout(0.2)
            while not stop.is_set():
                with contextlib.suppress(OSError):
                    held.append(listener.accept()[0])

        thread = threading.Thread(target=accept, daemon=True)
        thread.start()
        try:
            yield listener.getsockname()[1]
        finally:
            stop.set()
            thread.join(5)
            for conn in held:
                conn.close()


@pytest.mark.parametrize("timeout", ["1", "2.5"])
def test_a_server_that_never_answers_is_cut_at_the_limit(timeout: str, build_dir: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    with silent_server() as port:
        monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{port}")
        began = time.monotonic()
        result = cli(build_dir, "MATCH (n) RETURN count(n) AS n", "--timeout", timeout)
        elapsed = time.monotonic() - began
    assert result.exit_code == 1, result.output
    assert f"ran past the {timeout} s limit" in result.stderr
    assert elapsed < float(timeout) + 2, elapsed


SECRET = "s3cret-in-the-URI"
URIS = {
    "user and password": f"bolt://researcher:{SECRET}@127.0.0.1:1",
    "routing scheme": f"neo4j://researcher:{SECRET}@127.0.0.1:1?policy=x",
    "password only": f"bolt://:{SECRET}@127.0.0.1:1",
    "percent-encoded": f"bolt://researcher:{SECRET}%40x@127.0.0.1:1",
    "unsupported scheme": f"http://researcher:{SECRET}@127.0.0.1:1",
    "no port": f"bolt://researcher:{SECRET}@127.0.0.1:notaport",
}


@pytest.mark.parametrize("name", sorted(URIS))
def test_credentials_in_the_uri_are_never_echoed(name: str, build_dir: Path, neo4j_settings: Neo4jSettings,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", URIS[name])
    monkeypatch.delenv("NEO4J_USER", raising=False)
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    for args in (["cypher", "RETURN 1 AS one"], ["neo4j", "status"], ["load", "neo4j"],
                 ["query", "table2", "--engine", "cypher"]):
        result = CliRunner().invoke(main, ["-vv", "--build-dir", str(build_dir), *args])
        assert result.exit_code == 1, (args, result.output)
        assert SECRET not in result.output, (args, result.output)
        assert "Traceback" not in result.output
        assert "127.0.0.1" in result.output or "not shown" in result.output


def test_credentials_in_the_uri_are_used_not_shown(build_dir: Path, case_in_neo4j: Neo4jSettings,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    assert case_in_neo4j.password, "the test server runs with authentication on"
    host = case_in_neo4j.uri.removeprefix("bolt://")
    monkeypatch.setenv("NEO4J_URI", f"bolt://neo4j:{case_in_neo4j.password}@{host}")
    monkeypatch.delenv("NEO4J_USER", raising=False)
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    result = CliRunner().invoke(main, ["-vv", "--build-dir", str(build_dir), "cypher",
                                       "MATCH (s:Service) RETURN count(s) AS n", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["n", "6"]
    assert case_in_neo4j.password not in result.output
    status = CliRunner().invoke(main, ["--build-dir", str(build_dir), "neo4j", "status"])
    assert f"connection:   bolt://{host} as neo4j" in status.output
    assert case_in_neo4j.password not in status.output


@pytest.mark.parametrize("password", ["wrong-password", ""])
def test_a_wrong_password_is_a_clean_error(password: str, build_dir: Path, neo4j_settings: Neo4jSettings,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_USER", "neo4j")
    monkeypatch.setenv("NEO4J_PASSWORD", password)
    for args in (["cypher", "RETURN 1 AS one"], ["neo4j", "status"], ["load", "neo4j"]):
        result = CliRunner().invoke(main, ["--build-dir", str(build_dir), *args])
        assert result.exit_code == 1, (args, result.output)
        assert "Traceback" not in result.output
        assert "AuthError" in result.output or "credentials" in result.output or "unauthorized" in result.output
        if password:
            assert password not in result.output
