"""Every named query answers the same on both engines (SPARQL on Oxigraph, Cypher on Neo4j), same build."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from policygraph.app.read.queries import run_named
from policygraph.app.release import Release
from policygraph.graph.neo4j_store import ENV_URI, Neo4jSettings
from policygraph.graph.results import Cell
from policygraph.queries import all_queries

# The shared one-server-per-session helper lives with the integration tests.
sys.path.insert(0, str(Path(__file__).resolve().parent / "integration"))
from neo4j_fixture import acquire, ensure_loaded, release

pytestmark = pytest.mark.neo4j

# Parameter sets per query, beyond running each with no (optional) parameters at all.
PARAMS: dict[str, list[dict[str, str]]] = {
    "evidence": [{"node": "configuration/D/follow-up/targeting"}, {"node": "intent/target-disadvantaged-first"},
                 {"node": "service/A"}],
    "table2": [{"service": "D"}, {"service": "Z"}],
    "adaptations": [{"service": "B"}],
    "trace-paths": [{"intent": "target-disadvantaged-first"}, {"intent": "reach-hard-to-reach-in-community"},
                    {"service": "D"}, {"intent": "reach-hard-to-reach-in-community", "service": "B"}, {"service": "Z"}],
    "services-by-referral": [{"period": "follow-up"}],
    "drift": [{"service": "A"}],
    "frame-adaptations": [{"service": "D"}],
}


def _cases() -> list[tuple[str, dict[str, str]]]:
    out = []
    for name, query in sorted(all_queries().items()):
        required = [p for p in query.params if p.required]
        sets = PARAMS.get(name, [])
        if not required:
            sets = [{}, *sets]
        assert sets, f"query {name} needs parameters: add a PARAMS entry"
        out += [(name, params) for params in sets]
    return out


def normalise(rows: list[tuple[Cell, ...]]) -> list[tuple[str, ...]]:
    """Sorted rows of strings; NULL and a missing value both become ''. Cells aggregated with ' | '
    are sorted too: SPARQL's GROUP_CONCAT has no defined order."""
    return sorted(tuple("" if c is None else " | ".join(sorted(c.split(" | "))) for c in row) for row in rows)


@pytest.fixture(scope="session")
def neo4j_with_case(build_dir: Path) -> Iterator[Neo4jSettings]:
    settings = acquire()
    with pytest.MonkeyPatch.context() as env:
        env.setenv(ENV_URI, settings.uri)  # app.named reads the connection from the environment
        ensure_loaded(settings, build_dir)
        yield settings
    release()


def test_every_query_has_both_engines() -> None:
    missing = [name for name, q in all_queries().items() if set(q.texts) != {"sparql", "cypher"}]
    assert not missing, f"named queries without a .cypher or .rq: {missing}"


@pytest.mark.parametrize(("name", "params"), _cases(), ids=lambda v: v if isinstance(v, str) else
                         ",".join(f"{k}={x}" for k, x in v.items()) or "no-params")
def test_same_rows_on_both_engines(name: str, params: dict[str, str], build_dir: Path,
                                   neo4j_with_case: Neo4jSettings) -> None:
    sparql = run_named(Release.current(build_dir), name, params, engine="sparql")
    cypher = run_named(Release.current(build_dir), name, params, engine="cypher")
    assert sparql.columns == cypher.columns
    assert not cypher.notes, cypher.notes  # Neo4j holds the current build
    assert normalise(cypher.rows) == normalise(sparql.rows)
