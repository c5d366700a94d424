"""The Neo4j loader and exporter on a real server: lossless, idempotent, convergent, and equal to the build."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from neo4j import Driver
from neo4j_fixture import clear
from rdflib import BNode, Graph, Literal, URIRef
from support import assert_isomorphic

from policygraph.app.release import Release
from policygraph.graph import neo4j_batches
from policygraph.graph.neo4j_batches import MIN_SHAPE
from policygraph.graph.neo4j_export import export_graph
from policygraph.graph.neo4j_load import LoadReport, push
from policygraph.graph.neo4j_mapping import from_rdflib, to_property_graph
from policygraph.graph.neo4j_store import Neo4jSettings, Neo4jStore

pytestmark = pytest.mark.neo4j

_XSD = "http://www.w3.org/2001/XMLSchema#"  # not rdflib's XSD: pytest probes module globals and it warns


class XSD:
    integer = URIRef(_XSD + "integer")
    boolean = URIRef(_XSD + "boolean")
    decimal = URIRef(_XSD + "decimal")
    string = URIRef(_XSD + "string")


def _counts(driver: Driver) -> tuple[int, int, int]:
    nodes = driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"]
    rels = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS n").records[0]["n"]
    props = driver.execute_query("MATCH (n:Resource) RETURN sum(size(keys(n))) AS n").records[0]["n"]
    return int(nodes), int(rels), int(props)


def _load(driver: Driver, graph: Graph, **options: object) -> LoadReport:
    return push(driver, to_property_graph(from_rdflib(graph)), **options)  # type: ignore[arg-type]



def test_case_round_trip_is_isomorphic(neo4j_settings: Neo4jSettings, empty_neo4j: Driver,
                                       build_dir: Path) -> None:
    report = Release.current(build_dir).load_neo4j(neo4j_settings)
    built = Graph().parse(build_dir / "graph.nt", format="nt")
    assert report.triples == len(built)
    assert_isomorphic(export_graph(empty_neo4j), built)
    with Neo4jStore(neo4j_settings) as store:
        assert store.triple_count() == len(built)


def test_loading_twice_changes_nothing(neo4j_settings: Neo4jSettings, empty_neo4j: Driver,
                                       build_dir: Path) -> None:
    Release.current(build_dir).load_neo4j(neo4j_settings)
    first = _counts(empty_neo4j)
    again = Release.current(build_dir).load_neo4j(neo4j_settings)
    assert _counts(empty_neo4j) == first
    assert (again.removed_nodes, again.removed_relationships) == (0, 0)


class _Interrupted(Exception):
    pass


def test_a_load_killed_half_way_converges_on_rerun(neo4j_settings: Neo4jSettings, empty_neo4j: Driver,
                                                    build_dir: Path, case_graph: Graph) -> None:
    # An older, different graph is in the store; then a load of the case dies after a few batches.
    # Each batch is its own committed transaction, so this is what a killed process leaves behind.
    older = Graph()
    older.add((URIRef("https://example.org/stale"), URIRef("https://example.org/p"), Literal("gone")))
    older += list(case_graph)[:500]
    _load(empty_neo4j, older)

    def die_after_three_batches(done: int, total: int) -> None:
        if done >= 3 * 50:
            raise _Interrupted

    graph = to_property_graph(from_rdflib(case_graph))
    with pytest.raises(_Interrupted):
        push(empty_neo4j, graph, progress=die_after_three_batches, node_batch=50, relationship_batch=50)
    with Neo4jStore(neo4j_settings) as store:
        assert store.loaded_build() is not None
        assert store.loaded_build()["complete"] is False  # type: ignore[index]

    Release.current(build_dir).load_neo4j(neo4j_settings)
    assert_isomorphic(export_graph(empty_neo4j), case_graph)
    once = _counts(empty_neo4j)
    clear(empty_neo4j)
    Release.current(build_dir).load_neo4j(neo4j_settings)
    assert _counts(empty_neo4j) == once  # exactly what a load into an empty database gives


def test_statements_removed_from_the_source_disappear(empty_neo4j: Driver, case_graph: Graph) -> None:
    _load(empty_neo4j, case_graph)
    smaller = Graph()
    triples = sorted(case_graph)
    smaller += triples[::2]  # half the statements, and whole nodes, links and labels drop out
    smaller.add((URIRef("https://example.org/new"), URIRef("https://example.org/p"), Literal("new", lang="en")))
    report = _load(empty_neo4j, smaller)
    assert report.removed_nodes > 0
    assert report.removed_relationships > 0
    assert_isomorphic(export_graph(empty_neo4j), smaller)


def test_clashing_local_names_round_trip(empty_neo4j: Driver) -> None:
    a, b = "https://example.org/a#", "https://example.org/b#"
    graph = Graph()
    s, o = URIRef("https://example.org/s"), URIRef("https://example.org/o")
    for ns in (a, b, "http://purl.org/dc/terms/", "https://w3id.org/policygraph/ontology#"):
        graph.add((s, URIRef(ns + "source"), o))
        graph.add((s, URIRef(ns + "title"), Literal(ns)))
        graph.add((s, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(ns + "Thing")))
    graph.add((s, URIRef(a + "Resource"), Literal("reserved label name as a property is fine")))
    graph.add((s, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
               URIRef("http://www.w3.org/2000/01/rdf-schema#Resource")))
    graph.add((s, URIRef(a + "uri"), Literal("not the node's uri")))
    _load(empty_neo4j, graph)
    assert_isomorphic(export_graph(empty_neo4j), graph)


# --- property-based: random graphs ------------------------------------------------------------

_IRIS = st.builds(lambda ns, local: URIRef(f"https://example.org/{ns}#{local}"),
                  st.sampled_from(["a", "b", "c/d"]), st.text(string.ascii_letters + "-_0123456789", min_size=1,
                                                               max_size=12))
_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40) | st.sampled_from(
    ['say "hi"', "two\nlines", "tab\tand \\ backslash", "é ü 中文 🙂", "x" * 5000, ""])
_LITERALS = st.one_of(
    st.builds(Literal, _TEXT),
    st.builds(lambda t, lang: Literal(t, lang=lang), _TEXT, st.sampled_from(["en", "fr", "en-gb", "de-ch-1996"])),
    st.builds(lambda i: Literal(i, datatype=XSD.integer), st.integers(-(2**70), 2**70)),
    st.builds(lambda t: Literal(t, datatype=XSD.integer), st.sampled_from(["007", "+5", "not a number"])),
    st.builds(lambda b: Literal(b, datatype=XSD.boolean), st.booleans()),
    st.builds(lambda t: Literal(t, datatype=XSD.boolean), st.sampled_from(["1", "0", "TRUE"])),
    st.builds(lambda t: Literal(t, datatype=XSD.decimal), st.sampled_from(["1.0", "0.125", "-3.50"])),
    st.builds(lambda t: Literal(t, datatype=XSD.string), _TEXT),
    st.builds(lambda t, dt: Literal(t, datatype=dt), _TEXT, _IRIS),
)
_SUBJECTS = _IRIS | st.builds(lambda i: BNode(f"b{i}"), st.integers(0, 5))
_OBJECTS = _LITERALS | _SUBJECTS
_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_TRIPLES = st.lists(st.tuples(_SUBJECTS, _IRIS | st.just(_TYPE), _OBJECTS), max_size=40)
_MANY_VALUES = st.lists(_LITERALS, min_size=2, max_size=25)


@pytest.mark.parametrize("min_shape", [MIN_SHAPE, 1], ids=["generic-and-shaped", "all-shaped"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(triples=_TRIPLES, many=_MANY_VALUES)
def test_random_graphs_round_trip(neo4j_driver: Driver, monkeypatch: pytest.MonkeyPatch, min_shape: int,
                                  triples: list[tuple[URIRef, URIRef, object]], many: list[Literal]) -> None:
    # With min_shape 1 every node shape of the create path goes through its own statement (labels and
    # keys in the query text, values as parallel lists); by default small shapes use the generic one.
    monkeypatch.setattr(neo4j_batches, "MIN_SHAPE", min_shape)
    graph = Graph()
    for s, p, o in triples:
        graph.add((s, p, o))  # type: ignore[arg-type]
    subject = URIRef("https://example.org/many")
    for value in many:
        graph.add((subject, URIRef("https://example.org/a#value"), value))
    clear(neo4j_driver)
    _load(neo4j_driver, graph)
    assert_isomorphic(export_graph(neo4j_driver), graph)
