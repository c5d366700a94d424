"""The made-up second programme (tests/programmes/community-pantries) in Neo4j: loaded with the real
`policygraph load neo4j`, read back with `policygraph cypher` and `query --engine cypher`, and every generic
named query answering the same rows on both engines (SPARQL on Oxigraph, Cypher on Neo4j)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from second_programme import SERVICES, UNKNOWN_SERVICE, build_pantries, first_programme_words
from support import run_cli

from policygraph.app.read.queries import run_named
from policygraph.app.release import Release
from policygraph.graph.neo4j_store import Neo4jSettings
from policygraph.queries import all_queries

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_query_parity import normalise

pytestmark = pytest.mark.neo4j

# Beyond running each query with no (optional) parameters: this programme's own ids.
PARAMS: dict[str, list[dict[str, str]]] = {
    "evidence": [{"node": "configuration/P1/year-three/eligibility"}, {"node": "intent/open-door"},
                 {"node": f"service/{UNKNOWN_SERVICE}"}],
    "adaptations": [{"service": "P3"}],
    "trace-paths": [{"intent": "open-door"}, {"intent": "run-by-members", "service": "P1"},
                    {"service": UNKNOWN_SERVICE}],
    "services-by-referral": [{"period": "year-three"}],
    "drift": [{"service": "P1"}],
    "frame-adaptations": [{"service": "P3"}],
    "configuration-table": [{"service": UNKNOWN_SERVICE}],
}
GENERIC = sorted(all_queries())  # the shipped queries only: the programme has none of its own


def _cases() -> list[tuple[str, dict[str, str]]]:
    out: list[tuple[str, dict[str, str]]] = []
    for name in GENERIC:
        required = [p for p in all_queries()[name].params if p.required]
        out += [(name, params) for params in ([] if required else [{}]) + PARAMS.get(name, [])]
    return out


@pytest.fixture(scope="module")
def pantries_in_neo4j(neo4j_settings: Neo4jSettings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    build = build_pantries(tmp_path_factory.mktemp("pantries-neo4j") / "build")
    done = run_cli("load", "neo4j", build_dir=build)  # the server's address and password from the environment
    assert done.returncode == 0, done.stderr
    triples = json.loads((build / "manifest.json").read_text(encoding="utf-8"))["triples"]
    assert done.stdout.startswith(f"loaded {triples} triples into ")
    return build


def test_cypher_and_query_on_neo4j(pantries_in_neo4j: Path) -> None:
    done = run_cli("cypher", "MATCH (s:Service) RETURN s.identifier AS service ORDER BY service", "--format", "json",
                   build_dir=pantries_in_neo4j)
    assert done.returncode == 0, done.stderr
    assert [r["service"] for r in json.loads(done.stdout)["rows"]] == SERVICES
    done = run_cli("query", "drift", "--engine", "cypher", "--param", "service=P1", "--format", "json",
                   build_dir=pantries_in_neo4j)
    assert done.returncode == 0, done.stderr
    assert [r["drift"] for r in json.loads(done.stdout)["rows"]] == ["0", "0.1429", "1"]
    assert first_programme_words(done.stdout) == []


def test_the_cases_cover_every_generic_query() -> None:
    assert {name for name, _ in _cases()} == set(GENERIC)
    assert "table2" not in GENERIC


@pytest.mark.parametrize(("name", "params"), _cases(), ids=lambda v: v if isinstance(v, str) else
                         ",".join(f"{k}={x}" for k, x in v.items()) or "no-params")
def test_same_rows_on_both_engines(name: str, params: dict[str, str], pantries_in_neo4j: Path) -> None:
    release = Release.current(pantries_in_neo4j)
    sparql = run_named(release, name, params, engine="sparql")
    cypher = run_named(release, name, params, engine="cypher")
    assert sparql.columns == cypher.columns
    assert not cypher.notes, cypher.notes  # Neo4j holds this build
    assert normalise(cypher.rows) == normalise(sparql.rows)
    if name != "unsourced":
        assert sparql.rows, "an empty answer on both engines proves nothing"
