"""A lossless networkx projection of an RDF graph: resources are nodes, IRI-valued triples are
edges (keyed by predicate), literal-valued triples are node attributes, and provenance (the
evidence of a statement) is copied onto its node and onto its outgoing edges.

`to_networkx(g)` and `to_rdf(nx_graph)` are inverses up to blank-node renaming.
"""

from __future__ import annotations

import networkx as nx
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from policygraph.graph.model import local_name
from policygraph.ontology import PG

LiteralTuple = tuple[str, str | None, str | None]  # (lexical, datatype IRI, language)


def _key(term: Node) -> str:
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def _term(key: str) -> URIRef | BNode:
    return BNode(key[2:]) if key.startswith("_:") else URIRef(key)


def _ensure(nxg: nx.MultiDiGraph[str], key: str) -> dict[str, object]:
    if key not in nxg:
        nxg.add_node(key, types=[], label=None, literals={}, evidence=[])
    attrs: dict[str, object] = nxg.nodes[key]
    return attrs


def to_networkx(graph: Graph) -> nx.MultiDiGraph[str]:
    """Project `graph` onto a directed multigraph (see module doc)."""
    nxg: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for s, p, o in sorted(graph, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
        node = _ensure(nxg, _key(s))
        if isinstance(o, Literal):
            literals = node["literals"]
            assert isinstance(literals, dict)
            literals.setdefault(str(p), []).append(
                (str(o), None if o.datatype is None else str(o.datatype), o.language))
            if p == RDFS.label and node["label"] is None:
                node["label"] = str(o)
            continue
        _ensure(nxg, _key(o))
        if p == RDF.type:
            types = node["types"]
            assert isinstance(types, list)
            types.append(str(o))
        nxg.add_edge(_key(s), _key(o), key=str(p), relation=local_name(str(p)))
    _attach_provenance(nxg, graph)
    return nxg


def _attach_provenance(nxg: nx.MultiDiGraph[str], graph: Graph) -> None:
    for statement, evidence in graph.subject_objects(PG.evidence):
        source = graph.value(evidence, PG.source)
        sid = graph.value(source, PG.identifier) if source is not None else None
        citation = (str(sid), str(graph.value(evidence, PG.locator)))
        attrs = nxg.nodes[_key(statement)]
        if citation not in attrs["evidence"]:
            attrs["evidence"].append(citation)
    for s, o, data in nxg.edges(data=True):
        data["evidence"] = list(nxg.nodes[s]["evidence"])
        del o


def to_rdf(nxg: nx.MultiDiGraph[str]) -> Graph:
    """Rebuild the RDF graph from a projection made by `to_networkx`."""
    graph = Graph()
    for key, attrs in nxg.nodes(data=True):
        subject = _term(key)
        for predicate, values in attrs["literals"].items():
            for lexical, datatype, language in values:
                graph.add((subject, URIRef(predicate), Literal(
                    lexical, lang=language, datatype=None if datatype is None else URIRef(datatype))))
    for s, o, predicate in nxg.edges(keys=True):
        graph.add((_term(s), URIRef(predicate), _term(o)))
    return graph
