"""Asking for a class's members, subclasses included, the way ontology/REFERENCE.md says, on both engines:
every class of the ontology that the case instantiates (directly or through a subclass) returns the same
members from SPARQL and from Cypher."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef

from policygraph.app.read.queries import run_cypher, run_sparql
from policygraph.app.release import Release
from policygraph.graph.neo4j_store import Neo4jSettings
from policygraph.ontology import PG
from policygraph.ontology.docs import CLASS_MEMBERS_CYPHER, CLASS_MEMBERS_SPARQL

pytestmark = pytest.mark.neo4j


def _ontology_classes(graph: Graph) -> list[URIRef]:
    return sorted(c for c in graph.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef) and c.startswith(str(PG)))


def _expected(graph: Graph, cls: URIRef) -> set[str]:
    classes = set(graph.transitive_subjects(RDFS.subClassOf, cls))
    return {str(s) for c in classes for s in graph.subjects(RDF.type, c) if isinstance(s, URIRef)}


def test_members_of_every_class_subclasses_included_on_both_engines(build_dir: Path, case_graph: Graph,
                                                                    case_in_neo4j: Neo4jSettings) -> None:
    release = Release.current(build_dir)
    checked = 0
    for cls in _ontology_classes(case_graph):
        expected = _expected(case_graph, cls)
        if not expected:
            continue
        sparql = run_sparql(release, CLASS_MEMBERS_SPARQL, {"class": str(cls)}, max_rows=100_000)
        cypher = run_cypher(release, CLASS_MEMBERS_CYPHER, {"class": str(cls)}, max_rows=100_000)
        assert {r[0] for r in sparql.rows} == expected, cls
        assert {r[0] for r in cypher.rows} == expected, cls
        checked += 1
    assert checked >= 15  # SourcedStatement, Actor, Configuration, ... each with members
    # A superclass no record is typed with: all its members come through its subclasses.
    assert (None, RDF.type, PG.SourcedStatement) not in case_graph
    assert len(_expected(case_graph, PG.SourcedStatement)) > 150
