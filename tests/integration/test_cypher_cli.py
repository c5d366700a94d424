"""`policygraph cypher`, `load neo4j`, `neo4j status|export` and `query --engine cypher` against a real server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from neo4j import Driver
from rdflib import Graph
from rdflib.compare import isomorphic

from policygraph.app.cli import main
from policygraph.app.release import Release
from policygraph.graph.neo4j_store import Neo4jSettings, Neo4jStore

pytestmark = pytest.mark.neo4j

WRITES = {
    "create": "CREATE (:Resource {uri: 'https://example.org/x'})",
    "merge": "MERGE (n:Resource {uri: 'https://example.org/x'}) RETURN n",
    "set": "MATCH (s:Service) SET s.identifier = 'Z' RETURN s",
    "delete": "MATCH (n:Evidence) DETACH DELETE n",
    "remove": "MATCH (s:Service) REMOVE s.identifier RETURN s",
    "remove label": "MATCH (s:Service) REMOVE s:Service RETURN s",
    "writing procedure": "CALL db.createLabel('Injected')",
    "load csv": "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "read then write": "MATCH (s:Service) WITH s LIMIT 1 CREATE (s)-[:OWNS]->(:Resource {uri: 'x'})",
    "schema": "CREATE INDEX injected IF NOT EXISTS FOR (n:Resource) ON (n.label)",
    "profile": "PROFILE MATCH (n) RETURN count(n)",
}


def cli(build_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--build-dir", str(build_dir), *args], catch_exceptions=False)


def _fingerprint(settings: Neo4jSettings, driver: Driver) -> tuple[int, int, list[str]]:
    with Neo4jStore(settings) as store:
        triples = store.triple_count()
    labels = driver.execute_query("CALL db.labels() YIELD label RETURN collect(label) AS l").records[0]["l"]
    nodes = driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"]
    return triples, int(nodes), sorted(labels)


@pytest.mark.parametrize("name", sorted(WRITES))
def test_writes_are_refused_and_change_nothing(name: str, build_dir: Path, case_in_neo4j: Neo4jSettings,
                                               neo4j_driver: Driver) -> None:
    before = _fingerprint(case_in_neo4j, neo4j_driver)
    result = CliRunner().invoke(main, ["--build-dir", str(build_dir), "cypher", WRITES[name]])
    assert result.exit_code == 2, result.output
    assert "refused" in result.output or "not accepted" in result.output
    assert _fingerprint(case_in_neo4j, neo4j_driver) == before


def test_read_query_with_params_and_formats(build_dir: Path, case_in_neo4j: Neo4jSettings) -> None:
    query = "MATCH (s:Service) WHERE s.identifier >= $from RETURN s.identifier AS service ORDER BY service"
    result = cli(build_dir, "cypher", query, "--param", "from=D", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [row["service"] for row in data["rows"]] == ["D", "E", "F"]
    csv_out = cli(build_dir, "cypher", query, "--param", "from=E", "--format", "csv")
    assert csv_out.output.splitlines() == ["service", "E", "F"]


def test_json_keeps_lists_and_maps_as_arrays_and_objects(build_dir: Path, case_in_neo4j: Neo4jSettings) -> None:
    query = ("MATCH (s:Service) WITH s ORDER BY s.identifier "
             "RETURN collect(s.identifier) AS services, {first: min(s.identifier), n: count(s)} AS summary, "
             "count(s) AS n, [[1, 2], []] AS nested")
    result = cli(build_dir, "cypher", query, "--format", "json")
    assert result.exit_code == 0, result.output
    row = json.loads(result.output)["rows"][0]
    assert row["services"] == ["A", "B", "C", "D", "E", "F"]
    assert row["summary"] == {"first": "A", "n": 6}
    assert row["nested"] == [[1, 2], []]
    assert row["n"] == "6"  # a top-level scalar is text, as on the SPARQL side
    table = cli(build_dir, "cypher", query).output  # the table and CSV keep one text cell per value
    assert '["A", "B", "C", "D", "E", "F"]' in table
    frame = Release.current(build_dir).cypher(query)
    assert frame.loc[0, "services"] == ["A", "B", "C", "D", "E", "F"]


def test_an_injection_attempt_in_a_param_is_just_a_value(build_dir: Path, case_in_neo4j: Neo4jSettings) -> None:
    attack = "A' WITH true AS x MATCH (n) DETACH DELETE n //"
    result = cli(build_dir, "cypher", "MATCH (s:Service {identifier: $c}) RETURN count(s) AS n",
                 "--param", f"c={attack}", "--format", "csv")
    assert result.output.splitlines() == ["n", "0"]


def test_query_file_row_cap_and_timeout(build_dir: Path, case_in_neo4j: Neo4jSettings, tmp_path: Path) -> None:
    query_file = tmp_path / "evidence.cypher"
    query_file.write_text("MATCH (e:Evidence) RETURN e.uri AS evidence ORDER BY evidence", encoding="utf-8")
    capped = CliRunner().invoke(main, ["--build-dir", str(build_dir), "cypher", str(query_file),
                                       "--limit", "5", "--format", "csv"])
    assert capped.exit_code == 0
    assert len(capped.stdout.splitlines()) == 6
    assert "5-row limit" in capped.stderr
    slow = "UNWIND range(1, 1000000000) AS x WITH x WHERE x % 1000000007 = 1000000006 RETURN count(x) AS n"
    timed_out = CliRunner().invoke(main, ["--build-dir", str(build_dir), "cypher", slow, "--timeout", "1"])
    assert timed_out.exit_code == 1
    assert "limit" in timed_out.stderr


def test_syntax_error_is_bad_input(build_dir: Path, case_in_neo4j: Neo4jSettings) -> None:
    result = CliRunner().invoke(main, ["--build-dir", str(build_dir), "cypher", "MATCH (n RETURN n"])
    assert result.exit_code == 2
    assert "not valid Cypher" in result.stderr


def test_load_status_export_and_query_commands(build_dir: Path, neo4j_settings: Neo4jSettings,
                                               empty_neo4j: Driver, tmp_path: Path) -> None:
    loaded = cli(build_dir, "load", "neo4j")
    assert loaded.exit_code == 0, loaded.output
    assert "loaded" in loaded.output
    status = cli(build_dir, "neo4j", "status")
    assert status.exit_code == 0
    assert "= the current build" in status.output
    out = tmp_path / "export.nt"
    assert cli(build_dir, "neo4j", "export", "--output", str(out)).exit_code == 0
    assert isomorphic(Graph().parse(out, format="nt"), Graph().parse(build_dir / "graph.nt", format="nt"))
    for engine in ("sparql", "cypher"):
        result = cli(build_dir, "query", "table2", "--engine", engine, "--param", "service=D", "--format", "csv")
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[0].startswith("service,description,period")
        assert len(result.output.splitlines()) == 3


def test_password_never_appears(build_dir: Path, neo4j_settings: Neo4jSettings,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "s3cret-Pa55word"
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")  # nothing listens there
    monkeypatch.setenv("NEO4J_USER", "researcher")
    monkeypatch.setenv("NEO4J_PASSWORD", secret)
    for args in (["neo4j", "status"], ["load", "neo4j"], ["cypher", "RETURN 1 AS one"],
                 ["query", "table2", "--engine", "cypher"]):
        result = CliRunner().invoke(main, ["-vv", "--build-dir", str(build_dir), *args])
        assert result.exit_code == 1, (args, result.output)
        assert secret not in result.output
        assert "bolt://127.0.0.1:1" in result.output
    settings = Neo4jSettings.from_env()
    assert secret not in repr(settings)
    assert secret not in settings.describe()


def test_local_server_commands_when_none_runs(tmp_path: Path, neo4j_settings: Neo4jSettings) -> None:
    assert cli(tmp_path, "neo4j", "stop").output.strip() == "not running"
    status = cli(tmp_path, "neo4j", "status")
    assert "local server: not running" in status.output
    assert neo4j_settings.uri in status.output  # NEO4J_URI wins over the local default
