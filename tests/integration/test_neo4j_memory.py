"""Emptying a graph with hub nodes on a small server: bounded by graph.neo4j_load.empty_database.

The server is the old default (512 MB heap), where `DETACH DELETE` in transactions of 10,000 nodes raised
MemoryPoolOutOfMemoryError: all of a hub's relationships fall into the one transaction that deletes the hub
(a hub of 300,000 took the JVM itself down). empty_database deletes relationships 10,000 at a time first.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import Driver, GraphDatabase
from neo4j.exceptions import Neo4jError
from neo4j_fixture import installed_home
from support import free_port

from policygraph.graph.neo4j_load import empty_database
from policygraph.graph.neo4j_server import Neo4jServerConfig, start, status, stop

pytestmark = pytest.mark.neo4j
SMALL_HEAP_MB = 512
NAIVE = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"


@pytest.fixture(scope="module")
def small_server() -> Iterator[tuple[Neo4jServerConfig, Driver]]:
    with tempfile.TemporaryDirectory(prefix="policygraph-neo4j-small-") as folder:
        config = Neo4jServerConfig(data_dir=Path(folder), bolt_port=free_port(), home=installed_home(),
                                   heap_mb=SMALL_HEAP_MB, pagecache_mb=64)
        server = start(config)
        try:
            with GraphDatabase.driver(server.uri, auth=server.auth) as driver:
                yield config, driver
        finally:
            stop(config)


def _hubs(driver: Driver, hubs: int, relationships: int) -> None:
    """`hubs` nodes sharing `relationships` incoming links from as many leaves."""
    with driver.session(database="neo4j") as session:
        session.run("UNWIND range(0, $n - 1) AS i CREATE (:Hub {id: i})", n=hubs).consume()
        for first in range(0, relationships, 50_000):
            session.run("MATCH (h:Hub) WITH collect(h) AS hubs UNWIND range($a, $b) AS i "
                        "WITH hubs[i % size(hubs)] AS hub, i "
                        "CREATE (:Leaf {i: i, note: 'a leaf of a hub'})-[:IN]->(hub)",
                        a=first, b=min(relationships, first + 50_000) - 1).consume()


def _counts(driver: Driver) -> tuple[int, int]:
    nodes = driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"]
    links = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS n").records[0]["n"]
    return int(nodes), int(links)


def test_deleting_nodes_in_batches_exceeds_the_small_server(small_server: tuple[Neo4jServerConfig, Driver]) -> None:
    """The failure the bounded delete avoids, on the same server (so the hubs below are big enough)."""
    config, driver = small_server
    _hubs(driver, 1, 150_000)
    with pytest.raises(Neo4jError, match="memory pool"), driver.session(database="neo4j") as session:
        session.run(NAIVE).consume()
    assert status(config) is not None  # the failed transaction was rolled back; the server answers
    empty_database(driver)
    assert _counts(driver) == (0, 0)


@pytest.mark.parametrize(("hubs", "relationships"), [(1, 300_000), (4, 200_000)])
def test_bounded_delete_empties_hubs_on_the_small_server(hubs: int, relationships: int,
                                                         small_server: tuple[Neo4jServerConfig, Driver]) -> None:
    config, driver = small_server
    _hubs(driver, hubs, relationships)
    assert _counts(driver) == (hubs + relationships, relationships)
    empty_database(driver)
    assert _counts(driver) == (0, 0)
    assert status(config) is not None
