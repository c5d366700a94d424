"""The built case against the shapes and the OWL-RL closure.

(b) the case passes SHACL and deliberately broken copies fail with the right message; (c) the OWL-RL
closure of ontology + vocabulary + case finishes quickly and is consistent, and a mix-up is reported as
an inconsistency. (The vocabulary itself is checked in test_ontology.py.)
"""

from __future__ import annotations

import time
from collections.abc import Callable

import owlrl
import pytest
from owlrl.Namespaces import ERRNS
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from policygraph.ingest.shacl import shacl_violations
from policygraph.ontology import (
    ID_BASE,
    ONTOLOGY_FILE,
    PG,
    SHAPES_FILE,
    vocabulary_graph,
)

CASE_NS = ID_BASE + "health-trainers/"


def _copy(graph: Graph) -> Graph:
    copy = Graph()
    copy += graph
    return copy



# ---------------------------------------------------------------------------------------------
# (b) SHACL
# ---------------------------------------------------------------------------------------------

A_VALUE = URIRef(CASE_NS + "configuration/D/follow-up/targeting")
UNKNOWN_VALUE = URIRef(CASE_NS + "configuration/F/start-up/providers")
UNIVERSAL = URIRef(CASE_NS + "concept/targeting/universal")
TARGETING_SCHEME = URIRef(CASE_NS + "scheme/targeting")


def _drop_evidence(g: Graph) -> URIRef:
    g.remove((A_VALUE, PG.evidence, None))
    return A_VALUE


def _known_without_verbatim(g: Graph) -> URIRef:
    new = URIRef(f"{A_VALUE}-copy")
    for p, o in list(g.predicate_objects(A_VALUE)):
        if p != PG.verbatim:
            g.add((new, p, o))
    return new


def _unknown_with_a_guess(g: Graph) -> URIRef:
    g.add((UNKNOWN_VALUE, PG.verbatim, Literal("PCT")))
    return UNKNOWN_VALUE


def _concept_without_orientation(g: Graph) -> URIRef:
    g.remove((UNIVERSAL, PG.orientation, None))
    return UNIVERSAL


def _scheme_without_citation(g: Graph) -> URIRef:
    g.remove((TARGETING_SCHEME, PG.evidence, None))
    return TARGETING_SCHEME


def _evidence_without_locator(g: Graph) -> URIRef:
    evidence = g.value(A_VALUE, PG.evidence)
    assert isinstance(evidence, URIRef)
    g.remove((evidence, PG.locator, None))
    return evidence


BREAKAGES: dict[str, tuple[Callable[[Graph], URIRef], str, str]] = {
    "value-without-evidence": (_drop_evidence, "evidence", "needs at least one pg:evidence"),
    "known-value-without-verbatim": (_known_without_verbatim, "", "a known configuration value needs"),
    "unknown-value-with-a-guess": (_unknown_with_a_guess, "", "never guess"),
    "coded-concept-without-orientation": (_concept_without_orientation, "orientation", "exactly one pg:orientation"),
    "scheme-without-citation": (_scheme_without_citation, "", "must cite its source"),
    "evidence-without-locator": (_evidence_without_locator, "locator", "Less than 1 values"),
}


def test_case_conforms_to_the_shapes(case_graph: Graph) -> None:
    assert shacl_violations(case_graph) == []


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_broken_copy_fails_shacl_with_the_expected_message(case_graph: Graph, breakage: str) -> None:
    damage, path, message = BREAKAGES[breakage]
    broken = _copy(case_graph)
    focus = damage(broken)
    violations = shacl_violations(broken)
    assert len(violations) == 1, violations
    (violation,) = violations
    assert (violation.focus, violation.path) == (str(focus), path)
    assert message in violation.message


def test_shapes_use_shacl_core_only() -> None:
    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    sh = "http://www.w3.org/ns/shacl#"
    sparql_based = {sh + "sparql", sh + "select", sh + "ask", sh + "SPARQLConstraint", sh + "rule"}
    used = {str(t) for triple in shapes for t in triple if isinstance(t, URIRef)}
    assert not used & sparql_based


# ---------------------------------------------------------------------------------------------
# (c) OWL-RL
# ---------------------------------------------------------------------------------------------


def _closure(graph: Graph) -> tuple[Graph, float]:
    closed = _copy(graph)
    started = time.perf_counter()
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closed)
    return closed, time.perf_counter() - started


def _inconsistencies(closed: Graph) -> list[str]:
    """owlrl reports an inconsistency as `[] a err:ErrorMessage ; err:error "..."` (Closure.py)."""
    messages = [str(m) for m in closed.objects(None, ERRNS.error)]
    messages += [f"{s} is an owl:Nothing" for s in closed.subjects(RDF.type, OWL.Nothing)]
    return sorted(messages)


@pytest.fixture(scope="module")
def closed_case(case_graph: Graph) -> tuple[Graph, float]:
    return _closure(case_graph)


def test_owl_rl_closure_of_the_whole_case_is_fast_and_consistent(case_graph: Graph,
                                                                 closed_case: tuple[Graph, float]) -> None:
    closed, seconds = closed_case
    assert seconds < 30, f"OWL-RL closure took {seconds:.1f} s"
    assert len(closed) > len(case_graph)  # it did infer something
    assert list(closed.subjects(RDF.type, ERRNS.ErrorMessage)) == []
    assert _inconsistencies(closed) == []


def test_owl_rl_infers_only_what_the_class_hierarchy_allows(case_graph: Graph,
                                                            closed_case: tuple[Graph, float]) -> None:
    """No domain/range declaration turns a node into a kind of thing it is not (e.g. evidence into a
    service): every pg: class inferred for a node is a superclass of one it was given."""
    closed, _ = closed_case
    vocab = vocabulary_graph()

    def superclasses(cls: Node) -> set[Node]:
        return {cls, *(c for c in vocab.transitive_objects(cls, RDFS.subClassOf) if c is not None)}

    wrong: list[str] = []
    for node in {s for s in closed.subjects(RDF.type, None) if isinstance(s, URIRef)}:
        inferred = {c for c in closed.objects(node, RDF.type) if str(c).startswith(str(PG))}
        allowed = set().union(*(superclasses(c) for c in case_graph.objects(node, RDF.type)))
        wrong += [f"{node} inferred a {c}" for c in inferred - allowed]
    assert sorted(wrong) == []
    # And the inferences that should happen do: inverse properties, superclasses.
    assert (PG.PolicyIntent, RDFS.subClassOf, URIRef("http://www.w3.org/ns/prov#Plan")) in closed
    for intent in case_graph.subjects(RDF.type, PG.PolicyIntent):
        for document in case_graph.objects(intent, PG.statedIn):
            assert (document, PG.statesIntent, intent) in closed


def _slice(case_graph: Graph, value: URIRef) -> Graph:
    """The core ontology + one configuration value, its configuration and their citations."""
    part = Graph().parse(ONTOLOGY_FILE, format="turtle")
    configuration = case_graph.value(None, PG.hasValue, value)
    for node in (value, configuration):
        for p, o in case_graph.predicate_objects(node):
            part.add((node, p, o))  # type: ignore[arg-type]
            if p == PG.evidence:
                part += case_graph.triples((o, None, None))
    return part


@pytest.fixture(scope="module")
def consistent_slice(case_graph: Graph) -> Graph:
    part = _slice(case_graph, A_VALUE)
    assert _inconsistencies(_closure(part)[0]) == []  # the slice itself is consistent
    return part


@pytest.mark.parametrize(
    ("mix_up", "expected"),
    [
        ("evidence-typed-as-service", "Disjoint classes"),
        ("value-used-as-configuration", "Disjoint classes"),
        ("known-and-unknown", "differentFrom"),
    ],
)
def test_owl_rl_reports_a_mix_up_as_an_inconsistency(consistent_slice: Graph, mix_up: str, expected: str) -> None:
    part = _copy(consistent_slice)
    evidence = part.value(A_VALUE, PG.evidence)
    if mix_up == "evidence-typed-as-service":
        part.add((evidence, RDF.type, PG.Service))  # type: ignore[arg-type]
    elif mix_up == "value-used-as-configuration":
        part.add((A_VALUE, PG.duringPeriod, URIRef(CASE_NS + "period/start-up")))
        part.add((A_VALUE, PG.configurationOf, URIRef(CASE_NS + "service/D")))
    else:
        part.add((A_VALUE, PG.status, PG.unknown))  # pg:status is functional; known != unknown
    problems = _inconsistencies(_closure(part)[0])
    assert any(expected in p for p in problems), problems


