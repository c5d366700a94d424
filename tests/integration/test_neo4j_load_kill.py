"""`policygraph load neo4j` SIGKILLed through the CLI: while it creates the schema, writes nodes, writes
relationships or sweeps stale items, on a first load and on a re-load over a previous complete load.

Every time: the server keeps answering, Neo4j says the last load is incomplete, a re-run exits 0, and Neo4j then
holds exactly the build (the export is isomorphic to graph.nt, the counts are those of a clean load, the
statements of the previous build are gone). The kill is triggered by a line the CLI prints on stderr at that
point (`-v`: a progress line after each committed batch; `-vv`: the driver's log of each statement sent), never
by a timer, and what the killed load left behind is checked to be that point's.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from neo4j import Driver
from neo4j_fixture import clear, ensure_loaded
from rdflib import BNode, Graph
from support import REPO, assert_isomorphic, run_cli

from policygraph.app.cli.neo4j import describe_load
from policygraph.app.release import Release
from policygraph.graph.neo4j_export import export_graph
from policygraph.graph.neo4j_load import (
    DELETE_BATCH,
    NODE_BATCH,
    SCHEMA,
    SWEEP_RELATIONSHIPS,
    read_ntriples,
)
from policygraph.graph.neo4j_mapping import to_property_graph
from policygraph.graph.neo4j_store import Neo4jSettings, Neo4jStore

pytestmark = pytest.mark.neo4j

# ~5,900 nodes and ~17,800 links: 2 node batches (NODE_BATCH = 5,000) and 61 relationship types (a batch or more
# each); ~24,000 items, so the CLI also draws its progress bar.
SERVICES = 5
CONSTRAINTS = {"policygraph_resource_uri", "policygraph_term"}
NODES_LINE = re.compile(r"nodes: (\d+)/(\d+) items written")
RELATIONSHIPS_LINE = re.compile(r"relationships \S+: (\d+)/(\d+) items written")


@dataclass(frozen=True)
class Built:
    path: Path
    graph: Graph
    sha: str
    counts: dict[str, int]  # what a load into an empty database leaves
    links: frozenset[tuple[str, str, str]]  # (type, from, to) of every Neo4j relationship


# --- kill points: (verbosity, trigger(line, earlier lines)) ----------------------------------------
# -v prints the loader's progress lines (after each committed batch); -vv adds the driver's log of every
# statement sent ("C: RUN '<query>' ...").

def _sent(query: str) -> str:
    return "C: RUN " + repr(query)[:40]


def _schema(line: str, earlier: list[str]) -> bool:
    return _sent(SCHEMA[0]) in line  # the first schema statement sent, on a database without the constraints


def _nodes(line: str, earlier: list[str]) -> bool:
    return NODES_LINE.search(line) is not None  # the first node batch committed, the next one in flight


def _relationships(line: str, earlier: list[str]) -> bool:
    found = RELATIONSHIPS_LINE.search(line)  # half the items written, relationship batches in flight
    return found is not None and 2 * int(found[1]) >= int(found[2])


def _sweep(line: str, earlier: list[str]) -> bool:
    # The second delete batch sent: the first one (DELETE_BATCH stale links) is committed.
    return _sent(SWEEP_RELATIONSHIPS) in line and any(_sent(SWEEP_RELATIONSHIPS) in e for e in earlier)


POINTS: dict[str, tuple[str, Callable[[str, list[str]], bool]]] = {
    "schema": ("-vv", _schema),
    "nodes": ("-v", _nodes),
    "relationships": ("-v", _relationships),
    "sweep": ("-vv", _sweep),
}


def _kill(proc: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def _load_killed_at(build: Path, point: str, timeout: float = 180) -> list[str]:
    """Run `policygraph load neo4j`, read its stderr, SIGKILL its process group on the point's line."""
    verbosity, trigger = POINTS[point]
    env = {**os.environ, "POLICYGRAPH_BUILD": str(build)}
    proc = subprocess.Popen([sys.executable, "-m", "policygraph.app.cli", verbosity, "load", "neo4j"],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    assert proc.stderr is not None
    watchdog = threading.Timer(timeout, _kill, (proc,))
    watchdog.start()
    seen: list[str] = []
    killed = False
    try:
        for line in proc.stderr:
            if trigger(line, seen):
                _kill(proc)
                killed = True
                break
            seen.append(line[:300])
    finally:
        watchdog.cancel()
        proc.stderr.close()
        proc.wait()
    if not killed or proc.returncode != -signal.SIGKILL:
        pytest.fail(f"the load ended (exit {proc.returncode}) before the {point} line; last lines:\n"
                    + "".join(seen[-5:]))
    return seen


# --- what the database holds ----------------------------------------------------------------------

def _counts(driver: Driver) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in driver.execute_query("MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n").records:
        counts[f"label {record['label']}"] = record["n"]
    for record in driver.execute_query("MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n").records:
        counts[f"type {record['type']}"] = record["n"]
    for key, query in {
        "nodes": "MATCH (n) RETURN count(n) AS n",
        "relationships": "MATCH ()-[r]->() RETURN count(r) AS n",
        "resource properties": "MATCH (n:Resource) RETURN sum(size(keys(n))) AS n",
    }.items():
        counts[key] = driver.execute_query(query).records[0]["n"]
    return counts


def _loaded(settings: Neo4jSettings) -> dict[str, object] | None:
    with Neo4jStore(settings) as store:
        return store.loaded_build()



def _left_behind(driver: Driver, load_id: object, *, fresh: bool) -> dict[str, int]:
    """Resource nodes and links written by the killed load, and those it had not yet swept. Into an empty
    database everything there was written by it (the loader may then skip stamping links with the load id)."""
    out: dict[str, int] = {}
    for kind, match in (("nodes", "MATCH (x:Resource)"), ("relationships", "MATCH (:Resource)-[x]->(:Resource)")):
        record = driver.execute_query(
            match + " RETURN count(CASE WHEN x.pg_load = $load OR $fresh THEN 1 END) AS written, "
            "count(CASE WHEN NOT $fresh AND (x.pg_load IS NULL OR x.pg_load <> $load) THEN 1 END) AS stale",
            load=load_id, fresh=fresh).records[0]
        out[f"{kind} written"], out[f"stale {kind}"] = record["written"], record["stale"]
    return out


def _assert_killed_during(point: str, left: dict[str, int], target: Built, previous: Built | None) -> None:
    nodes, relationships = target.counts["label Resource"], target.counts["relationships"]
    if point == "schema":
        assert left["nodes written"] == 0, left
    elif point == "nodes":
        assert nodes > NODE_BATCH  # killed between node batches
        assert left["nodes written"] >= NODE_BATCH, left
        assert left["relationships written"] < relationships, left
    elif point == "relationships":
        assert left["nodes written"] == nodes, left
        assert 0 < left["relationships written"] < relationships, left
    else:  # sweep: everything written, the first batch of stale links deleted, the stale nodes not yet
        assert previous is not None
        stale = len(previous.links - target.links)
        assert (left["nodes written"], left["relationships written"]) == (nodes, relationships), left
        assert left["stale relationships"] <= stale - DELETE_BATCH, (stale, left)
        assert left["stale nodes"] > 0, left


def _drop_schema(driver: Driver) -> None:
    for name in sorted(CONSTRAINTS):
        driver.execute_query("DROP CONSTRAINT $name IF EXISTS", name=name)
def _constraints(driver: Driver) -> set[str]:
    return {r["name"] for r in driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN name").records}


# --- the builds: the case and a small synthetic national programme ---------------------------------

@pytest.fixture(scope="module")
def national_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("national-data")
    build = tmp_path_factory.mktemp("national-build")
    subprocess.run([sys.executable, "bench/generate_national.py", "--out", str(data), "--services", str(SERVICES),
                    "--clients", "0"], cwd=REPO, check=True, capture_output=True, timeout=120)
    result = run_cli("build", "--data", str(data), build_dir=build)
    assert result.returncode == 0, result.stderr
    return build


@pytest.fixture(scope="module")
def builds(neo4j_settings: Neo4jSettings, neo4j_driver: Driver, build_dir: Path,
           national_dir: Path) -> dict[str, Built]:
    """Each build with its graph and the counts of a clean load (the last one, national, stays loaded)."""
    out = {}
    for name, path in (("case", build_dir), ("national", national_dir)):
        clear(neo4j_driver)
        Release.current(path).load_neo4j(neo4j_settings)
        sha = json.loads((path / "manifest.json").read_text(encoding="utf-8"))["graph_nt_sha256"]
        links = frozenset((kind, a, b) for kind, pairs in to_property_graph(read_ntriples(path / "graph.nt"))
                          .relationships.items() for a, b in pairs)
        out[name] = Built(path, Graph().parse(path / "graph.nt", format="nt"), sha, _counts(neo4j_driver), links)
    return out


def _killed_then_rerun(settings: Neo4jSettings, driver: Driver, target: Built, point: str,
                       previous: Built | None = None) -> Graph:
    """Kill a load of `target` (over `previous`) at `point`, check what is left, re-run it; the exported graph."""
    _load_killed_at(target.path, point)
    # The server still answers, and says the last load did not finish.
    driver.verify_connectivity()
    assert driver.execute_query("RETURN 1 AS ok").records[0]["ok"] == 1
    loaded = _loaded(settings)
    assert loaded is None or loaded["complete"] is False, loaded  # None: killed before the load was recorded
    if loaded is not None:  # what `policygraph neo4j status` prints
        assert "INCOMPLETE" in describe_load(loaded, target.path)
    left = _left_behind(driver, None if loaded is None else loaded["load"], fresh=previous is None)
    _assert_killed_during(point, left, target, previous)
    # A re-run converges to exactly the build: the same graph, the counts of a clean load.
    rerun = run_cli("load", "neo4j", build_dir=target.path)
    assert rerun.returncode == 0, rerun.stderr
    assert f"loaded {len(target.graph)} triples" in rerun.stdout
    loaded = _loaded(settings)
    assert loaded is not None
    assert (loaded["complete"], loaded["build"]) == (True, target.sha)
    exported = export_graph(driver)
    assert_isomorphic(exported, target.graph)
    assert _counts(driver) == target.counts
    assert _constraints(driver) >= CONSTRAINTS
    return exported


@pytest.mark.parametrize(("point", "target"), [("schema", "case"), ("nodes", "national"),
                                               ("relationships", "national")])
def test_killed_first_load_converges_on_rerun(neo4j_settings: Neo4jSettings, neo4j_driver: Driver,
                                              builds: dict[str, Built], point: str, target: str) -> None:
    clear(neo4j_driver)
    if point == "schema":
        _drop_schema(neo4j_driver)  # as on a new server: the constraints are created by this load
    _killed_then_rerun(neo4j_settings, neo4j_driver, builds[target], point)


def test_a_constraint_left_half_built_is_rebuilt(neo4j_settings: Neo4jSettings, neo4j_driver: Driver,
                                                builds: dict[str, Built]) -> None:
    # What a load killed while Neo4j built the uri constraint can leave: the constraint's index, no constraint.
    clear(neo4j_driver)
    _drop_schema(neo4j_driver)
    neo4j_driver.execute_query("CREATE INDEX policygraph_resource_uri FOR (n:Resource) ON (n.uri)")
    assert "policygraph_resource_uri" not in _constraints(neo4j_driver)
    result = run_cli("load", "neo4j", build_dir=builds["case"].path)
    assert result.returncode == 0, result.stderr
    assert "its constraint was never completed" in result.stderr
    assert _constraints(neo4j_driver) >= CONSTRAINTS
    assert_isomorphic(export_graph(neo4j_driver), builds["case"].graph)


# Chained: each re-load starts from where the previous test left Neo4j (ensure_loaded is then a no-op).
@pytest.mark.parametrize(("point", "previous", "target"), [("sweep", "national", "case"),
                                                           ("nodes", "case", "national")])
def test_killed_reload_converges_and_drops_removed_statements(
        neo4j_settings: Neo4jSettings, neo4j_driver: Driver, builds: dict[str, Built], point: str, previous: str,
        target: str) -> None:
    ensure_loaded(neo4j_settings, builds[previous].path)
    removed = {t for t in builds[previous].graph - builds[target].graph if not any(isinstance(x, BNode) for x in t)}
    assert removed
    exported = _killed_then_rerun(neo4j_settings, neo4j_driver, builds[target], point, builds[previous])
    assert not [t for t in removed if t in exported]
