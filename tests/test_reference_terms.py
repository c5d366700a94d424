"""What a researcher reads in the reference: every predicate of a build documented (ours in REFERENCE.md, other
vocabularies' in ontology/external-terms.yaml), every concept with a notation, every source the glossary cites
a curated one."""

from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from policygraph.ontology import PG
from policygraph.ontology.docs import REFERENCE_FILE, external_terms
from policygraph.ontology.docs_text import curie

REPO = REFERENCE_FILE.parents[1]
GLOSSARY = REPO / "ontology" / "GLOSSARY.md"


def _concepts(g: Graph) -> list[URIRef]:
    return sorted(c for c in g.subjects(RDF.type, SKOS.Concept) if isinstance(c, URIRef))


def _glossary() -> str:
    return GLOSSARY.read_text(encoding="utf-8")


def _unlisted(graph: Graph) -> tuple[list[str], list[str]]:
    """(pg: predicates REFERENCE.md does not document, other predicates external-terms.yaml does not list)."""
    reference = REFERENCE_FILE.read_text(encoding="utf-8")
    external = {term for term, _ in external_terms()}
    predicates = {curie(p) for p in graph.predicates() if isinstance(p, URIRef)}
    ours = {p for p in predicates if p.startswith("pg:")}
    assert len(ours) > 50
    return sorted(p for p in ours if f"`{p}`" not in reference), sorted(predicates - ours - external)


def test_every_predicate_of_a_build_is_in_the_reference(case_graph: Graph) -> None:
    assert _unlisted(case_graph) == ([], []), "document them (ontology/external-terms.yaml), regenerate REFERENCE"
    reference = REFERENCE_FILE.read_text(encoding="utf-8")
    assert all(f"| `{term}` |" in reference for term, _ in external_terms())


def test_a_predicate_nobody_documented_is_reported(case_graph: Graph) -> None:
    planted = Graph()
    planted += case_graph
    planted.add((URIRef("https://example.org/x"), URIRef("http://xmlns.com/foaf/0.1/name"), Literal("x")))
    planted.add((URIRef("https://example.org/x"), PG.notDeclared, Literal("x")))
    assert _unlisted(planted) == (["pg:notDeclared"], ["<http://xmlns.com/foaf/0.1/name>"])


def test_every_source_the_glossary_cites_is_a_curated_source() -> None:
    sources = set(re.findall(r"^  - id: (\S+)$", (REPO / "data" / "health-trainers" / "sources.yaml")
                             .read_text(encoding="utf-8"), flags=re.MULTILINE))
    assert len(sources) > 20
    cited = set(re.findall(r"\bS\d+\b", _glossary()))
    assert cited and cited <= sources, sorted(cited - sources)


def test_every_concept_has_a_notation_unique_within_its_scheme(case_graph: Graph) -> None:
    # A code may repeat across schemes (`yes` in two dimensions): it is asked for with its scheme.
    seen: dict[tuple[Node, str], URIRef] = {}
    for concept in _concepts(case_graph):
        notations = list(case_graph.objects(concept, SKOS.notation))
        assert len(notations) == 1, f"{concept}: {len(notations)} notations"
        key = (case_graph.value(concept, SKOS.inScheme), str(notations[0]))
        assert key not in seen, f"{concept} and {seen[key]} share the notation {key[1]!r} in one scheme"
        seen[key] = concept
    assert len(seen) > 60
