"""The loader's two paths: CREATE into a database with no policygraph data, MERGE + sweep otherwise.

A create load, and a create load interrupted half-way (during the nodes or during the relationships)
and then re-run, must end exactly where a merge load ends: the same graph, the same counts. The batches
(by shape, whole nodes' links) are also checked without a server.
"""

from __future__ import annotations

import pytest
from neo4j import Driver
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from policygraph.graph import neo4j_batches
from policygraph.graph.neo4j_batches import (
    ALL_TYPES,
    CREATE_NODES,
    common_prefix,
    create_shape_query,
    node_jobs,
    relationship_jobs,
)
from policygraph.graph.neo4j_export import export_graph
from policygraph.graph.neo4j_load import CREATE_PATH, MERGE_PATH, push
from policygraph.graph.neo4j_mapping import PropertyGraph, from_rdflib, to_property_graph

pytestmark = pytest.mark.neo4j


class _Interrupted(Exception):
    pass


def _counts(driver: Driver) -> dict[str, int]:
    queries = {
        "nodes": "MATCH (n) RETURN count(n) AS n",
        "relationships": "MATCH ()-[r]->() RETURN count(r) AS n",
        "distinct links": "MATCH (a)-[r]->(b) WITH DISTINCT a, type(r) AS t, b RETURN count(*) AS n",
        "resource properties": "MATCH (n:Resource) RETURN sum(size(keys(n))) AS n",
        "labels": "MATCH (n) RETURN sum(size(labels(n))) AS n",
    }
    return {key: int(driver.execute_query(q).records[0]["n"]) for key, q in queries.items()}


def _graph(case_graph: Graph) -> PropertyGraph:
    return to_property_graph(from_rdflib(case_graph))


def _complete(driver: Driver) -> object:
    record = driver.execute_query("MATCH (l:PolicygraphLoad) RETURN l.complete AS c").records
    return record[0]["c"] if record else None


def test_first_load_creates_and_the_next_one_merges_to_the_same_state(empty_neo4j: Driver,
                                                                        case_graph: Graph) -> None:
    empty_neo4j.execute_query("CREATE (:Other {note: 'not policygraph data'})")
    graph = _graph(case_graph)
    first = push(empty_neo4j, graph)
    assert first.mode == CREATE_PATH  # only foreign data: still the create path
    assert (first.removed_nodes, first.removed_relationships) == (0, 0)
    assert isomorphic(export_graph(empty_neo4j), case_graph)
    created = _counts(empty_neo4j)
    assert created["relationships"] == created["distinct links"] == graph.relationship_count
    again = push(empty_neo4j, graph)
    assert again.mode == MERGE_PATH
    assert (again.removed_nodes, again.removed_relationships) == (0, 0)
    assert _counts(empty_neo4j) == created
    assert isomorphic(export_graph(empty_neo4j), case_graph)
    assert empty_neo4j.execute_query("MATCH (o:Other) RETURN o.note AS n").records[0]["n"] == "not policygraph data"


@pytest.mark.parametrize("phase", ["nodes", "relationships"])
def test_a_create_load_interrupted_half_way_converges_on_rerun(empty_neo4j: Driver, case_graph: Graph,
                                                               phase: str) -> None:
    graph = _graph(case_graph)
    nodes = len(graph.nodes)
    stop_at = 120 if phase == "nodes" else nodes + graph.relationship_count // 2

    def interrupt(done: int, total: int) -> None:
        if done >= stop_at:
            raise _Interrupted

    with pytest.raises(_Interrupted):
        push(empty_neo4j, graph, progress=interrupt, node_batch=50, relationship_batch=200)
    assert _complete(empty_neo4j) is False
    left = _counts(empty_neo4j)
    if phase == "nodes":
        assert 0 < left["nodes"] - 1 - len(graph.vocabulary.rows()) < nodes  # the load node and the terms
        assert left["relationships"] == 0
    else:
        assert 0 < left["relationships"] < graph.relationship_count

    rerun = push(empty_neo4j, graph)
    assert rerun.mode == MERGE_PATH  # the interrupted load left data: the re-run merges and sweeps
    assert _complete(empty_neo4j) is True
    assert isomorphic(export_graph(empty_neo4j), case_graph)
    converged = _counts(empty_neo4j)
    assert converged["relationships"] == converged["distinct links"] == graph.relationship_count  # no duplicate
    empty_neo4j.execute_query("MATCH (n) DETACH DELETE n")
    assert push(empty_neo4j, graph).mode == CREATE_PATH
    assert _counts(empty_neo4j) == converged  # exactly what a load into an empty database gives


def test_every_node_shape_through_its_own_statement(empty_neo4j: Driver, monkeypatch: pytest.MonkeyPatch) -> None:
    """Shaped statements for every group (not only groups of MIN_SHAPE or more): lists, numbers,
    booleans, datatypes, language tags and values with quotes and newlines survive them."""
    monkeypatch.setattr(neo4j_batches, "MIN_SHAPE", 1)
    ex = "https://example.org/"
    graph = Graph()
    for i in range(30):
        s = URIRef(f"{ex}thing/{i}")
        graph.add((s, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(f"{ex}Kind{i % 3}")))
        graph.add((s, URIRef(f"{ex}label"), Literal(f'thing "{i}"\nsecond line', lang="en")))
        graph.add((s, URIRef(f"{ex}order"), Literal(i)))
        graph.add((s, URIRef(f"{ex}flag"), Literal(i % 2 == 0)))
        graph.add((s, URIRef(f"{ex}amount"), Literal(f"{i}.50", datatype=URIRef(f"{ex}money"))))
        for j in range(i % 4):
            graph.add((s, URIRef(f"{ex}tag"), Literal(f"t{j}")))
        graph.add((s, URIRef(f"{ex}next"), URIRef(f"{ex}thing/{(i + 1) % 30}")))
    assert push(empty_neo4j, to_property_graph(from_rdflib(graph))).mode == CREATE_PATH
    assert isomorphic(export_graph(empty_neo4j), graph)


# --- the batches, without a server ------------------------------------------------------------

def test_node_batches_hold_each_node_once_and_are_full_but_the_last(case_graph: Graph) -> None:
    graph = _graph(case_graph)
    jobs = list(node_jobs(graph.nodes, create=True, load_id="x", size=70))
    sizes = [sum(len(part) for part in parts) for _, parts in jobs]
    assert all(size == 70 for size in sizes[:-1]) and 0 < sizes[-1] <= 70
    written = [node.uri for _, parts in jobs for part in parts for node in part]
    assert sorted(written) == sorted(node.uri for node in graph.nodes)
    queries = {query for statements, _ in jobs for query, _ in statements}
    assert CREATE_NODES in queries and len(queries) > 1  # the shapes of MIN_SHAPE nodes or more, and the rest


def test_relationship_batches_keep_a_node_s_links_together(case_graph: Graph) -> None:
    graph = _graph(case_graph)
    ids = {node.uri: f"4:db:{i}" for i, node in enumerate(graph.nodes)}
    jobs = list(relationship_jobs(graph, ids, create=True, load_id="x", size=100))
    assert {tag for _, (tag, _) in jobs} == {ALL_TYPES}
    sent = []
    starts_per_batch = []
    for [(_, params)], (_, count) in jobs:
        assert params["p"] == "4:db:" and len(params["starts"]) == len(params["ends"]) == count
        sent += [(params["p"] + a, params["types"][k], params["p"] + b)
                 for a, k, b in zip(params["starts"], params["kinds"], params["ends"], strict=True)]
        starts_per_batch.append(set(params["starts"]))
    assert sum(map(len, starts_per_batch)) == len(set().union(*starts_per_batch))  # no node split across batches
    expected = [(ids[a], t, ids[b]) for t, pairs in graph.relationships.items() for a, b in pairs]
    assert sorted(sent) == sorted(expected)


def test_common_prefix_and_shape_query_checks() -> None:
    assert common_prefix(["4:abc:10", "4:abc:2", "4:abc:300"]) == "4:abc:"
    assert common_prefix(["x"]) == "x"
    assert common_prefix([]) == ""
    assert common_prefix(["ab", "abc"]) == "ab"
    assert "`label.type`: $values[1][i]" in create_shape_query(["Resource", "Period"], ["label", "label.type"])
    for labels, keys in ((["Resource`) DETACH DELETE (m"], []), (["Resource"], ["x`: 1})//"]), (["Resource"], ["uri"])):
        with pytest.raises(ValueError, match="unsafe or reserved"):
            create_shape_query(labels, keys)
