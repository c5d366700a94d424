"""The RDF <-> property-graph mapping, without a server: names, clashes, literal encoding."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from policygraph.graph.neo4j_mapping import (
    RDF_TYPE,
    XSD_NS,
    Decoder,
    Lit,
    MappingError,
    Vocabulary,
    assign_names,
    decode_literals,
    encode_literals,
    from_rdflib,
    label_name,
    property_name,
    relationship_name,
    to_property_graph,
    to_rdflib,
)

PG = "https://w3id.org/policygraph/ontology#"
DCT = "http://purl.org/dc/terms/"


def test_names_follow_the_documented_conventions() -> None:
    assert relationship_name(PG + "configurationOf") == "CONFIGURATION_OF"
    assert relationship_name(PG + "hasValue") == "HAS_VALUE"
    assert relationship_name("http://www.w3.org/2000/01/rdf-schema#subClassOf") == "SUB_CLASS_OF"
    assert label_name(PG + "ServiceConfiguration") == "ServiceConfiguration"
    assert property_name(PG + "identifier") == "identifier"
    assert property_name("https://example.org/vocab/has-2-values") == "has_2_values"
    assert label_name("https://example.org/2004") == "_2004"


def test_clashes_resolve_by_namespace_order_whatever_the_input_order() -> None:
    iris = [DCT + "source", "https://example.org/x#source", PG + "source"]
    for ordering in (iris, iris[::-1], sorted(iris)):
        names = assign_names(ordering, relationship_name, frozenset(), upper=True)
        assert names[PG + "source"] == "SOURCE"  # the project's own term keeps the bare name
        assert names[DCT + "source"] == "DCT__SOURCE"
        assert names["https://example.org/x#source"].startswith("NS")
        assert names["https://example.org/x#source"].endswith("__SOURCE")


def test_same_namespace_near_duplicates_get_a_hash() -> None:
    names = assign_names(["https://e.org/a#has-value", "https://e.org/a#has_value", "https://e.org/a#hasValue"],
                         relationship_name, frozenset(), upper=True)
    assert len(set(names.values())) == 3
    assert sorted(names.values())[0] == "HAS_VALUE"


def test_reserved_names_are_never_given_out() -> None:
    vocab = Vocabulary.for_terms(["http://www.w3.org/2000/01/rdf-schema#Resource"], [],
                                 ["https://example.org/a#uri", "https://example.org/a#pg_load"])
    assert vocab.labels["http://www.w3.org/2000/01/rdf-schema#Resource"] == "rdfs__Resource"
    assert "uri" not in vocab.properties.values()
    assert "pg_load" not in vocab.properties.values()


@pytest.mark.parametrize("lits", [
    [Lit("Universal")],
    [Lit("Start-up", lang="en")],
    [Lit("2", XSD_NS + "integer")],
    [Lit("007", XSD_NS + "integer")],
    [Lit("99999999999999999999", XSD_NS + "integer")],
    [Lit("true", XSD_NS + "boolean"), Lit("false", XSD_NS + "boolean")],
    [Lit("1.0", XSD_NS + "decimal")],
    [Lit("x", XSD_NS + "string")],
    [Lit("a", lang="en"), Lit("a", lang="fr"), Lit("a"), Lit("1", XSD_NS + "integer")],
    [Lit("odd", "https://example.org/dt#odd")],
])
def test_literals_encode_and_decode_exactly(lits: list[Lit]) -> None:
    props = encode_literals("k", lits)
    assert set(decode_literals(dict(props), "k")) == set(lits)


def test_native_values_where_lossless() -> None:
    assert encode_literals("n", [Lit("2", XSD_NS + "integer")]) == {"n": 2, "n.type": "xsd:integer"}
    assert encode_literals("n", [Lit("007", XSD_NS + "integer")]) == {"n": "007", "n.type": "xsd:integer"}
    assert encode_literals("b", [Lit("true", XSD_NS + "boolean")])["b"] is True
    assert encode_literals("l", [Lit("Start-up", lang="en")]) == {"l": "Start-up", "l.type": "@en"}
    assert encode_literals("v", [Lit("b"), Lit("a")]) == {"v": ["a", "b"]}


def test_worked_example_from_the_case(case_graph: Graph) -> None:
    graph = to_property_graph(from_rdflib(case_graph))
    value = next(n for n in graph.nodes if n.uri.endswith("/configuration/D/follow-up/targeting"))
    assert value.labels == ["ConfigurationValue", "Resource"]
    assert value.props == {"label": "Case study D, follow-up, targeting", "label.type": "@en",
                           "verbatim": "Universal"}
    evidence = value.uri + "/evidence/1"
    assert (value.uri, evidence) in graph.relationships["EVIDENCE"]
    assert any(pair[0] == evidence for pair in graph.relationships["SOURCE"])
    assert graph.triples == len(case_graph)


def _decoded(source: Graph) -> Graph:
    """Encode `source` as a property graph, then decode it with the stored vocabulary alone."""
    graph = to_property_graph(from_rdflib(source))
    decoder = Decoder(Vocabulary.from_rows(graph.vocabulary.rows()))
    back = Graph()
    for node in graph.nodes:
        for triple in decoder.node_triples(node.uri, node.labels, dict(node.props)):
            back.add(to_rdflib(triple))
    for rel_type, pairs in graph.relationships.items():
        for s, o in pairs:
            back.add(to_rdflib((s, decoder.predicate(rel_type), o)))
    return back


def test_decoding_the_encoding_gives_the_graph_back(case_graph: Graph) -> None:
    assert isomorphic(_decoded(case_graph), case_graph)


def test_unknown_names_are_errors_not_silent_loss() -> None:
    decoder = Decoder(Vocabulary())
    with pytest.raises(MappingError, match="not in the stored vocabulary"):
        list(decoder.node_triples("https://e.org/s", ["Resource", "Stranger"], {}))
    with pytest.raises(MappingError):
        decoder.predicate("KNOWS")


def test_blank_nodes_and_rdf_type_edge_cases_round_trip() -> None:
    g = Graph()
    g.parse(data="""
        @prefix ex: <https://example.org/> .
        ex:s a ex:C , [ a ex:D ] ; ex:p "v" ; ex:q ( ex:a ex:b ) .
    """, format="turtle")
    g.add((URIRef("https://example.org/s"), URIRef(RDF_TYPE), Literal("a literal type")))
    assert isomorphic(_decoded(g), g)
