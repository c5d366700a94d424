"""The RDF <-> property-graph mapping used for Neo4j (lossless; see docs/neo4j-mapping.md).

- every IRI (or blank node) that is a subject or an object of a triple is a node with the label
  ``Resource`` and its IRI in ``uri`` (blank nodes as ``_:<id>``);
- ``rdf:type`` with an IRI object is a label (the class's local name);
- a triple with an IRI/blank-node object is a relationship whose type is the predicate's local name
  in UPPER_SNAKE;
- a triple with a literal object is a node property named by the predicate's local name; one value is
  a scalar, several are a list; the literal's language or datatype goes in ``<key>.type``.

Names are only unique per graph, so the name -> IRI table (the *vocabulary*) is stored in Neo4j too
(``PolicygraphTerm`` nodes) and is what the exporter reads to rebuild the exact IRIs.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from policygraph.graph.neo4j_literals import (
    TYPE_SUFFIX,
    XSD_NS,
    XSD_STRING,
    Lit,
    MappingError,
    Obj,
    PropertyValue,
    Triple,
    decode_literals,
    encode_literals,
)

__all__ = [  # the literal codec lives in graph.neo4j_literals and is part of this module's interface
    "BLANK_PREFIX", "KIND_LABEL", "KIND_PROPERTY", "KIND_RELATIONSHIP", "KNOWN_NAMESPACES", "LOAD_KEY",
    "LOAD_LABEL", "RDF_NS", "RDF_TYPE", "RESERVED_KEYS", "RESERVED_LABELS", "RESERVED_TYPES", "RESOURCE_LABEL",
    "TERM_LABEL", "TYPE_SUFFIX", "URI_KEY", "XSD_NS", "XSD_STRING", "Decoder", "Lit", "MappingError",
    "NodeRecord", "Obj", "PropertyGraph", "PropertyValue", "Triple", "Vocabulary", "assign_names",
    "decode_literals", "encode_literals", "from_rdflib", "label_name", "namespace_prefix", "property_name",
    "relationship_name", "split_iri", "to_property_graph", "to_rdflib",
]

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = RDF_NS + "type"

RESOURCE_LABEL = "Resource"
TERM_LABEL = "PolicygraphTerm"  # one node per (kind, name) -> IRI
LOAD_LABEL = "PolicygraphLoad"  # one node describing the last load
URI_KEY = "uri"
LOAD_KEY = "pg_load"  # the build sha a node/relationship was last written by
BLANK_PREFIX = "_:"

RESERVED_LABELS = frozenset({RESOURCE_LABEL, TERM_LABEL, LOAD_LABEL})
RESERVED_KEYS = frozenset({URI_KEY, LOAD_KEY})
RESERVED_TYPES: frozenset[str] = frozenset()

KIND_LABEL = "label"
KIND_RELATIONSHIP = "relationship"
KIND_PROPERTY = "property"

# Fixed order: when two namespaces give the same name, the earlier one keeps the bare name, so the
# project's own terms never get renamed by a vocabulary that is added later.
KNOWN_NAMESPACES: tuple[tuple[str, str], ...] = (
    ("pg", "https://w3id.org/policygraph/ontology#"),
    ("rdf", RDF_NS),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("xsd", XSD_NS),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("dct", "http://purl.org/dc/terms/"),
    ("dc", "http://purl.org/dc/elements/1.1/"),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("org", "http://www.w3.org/ns/org#"),
    ("time", "http://www.w3.org/2006/time#"),
    ("qb", "http://purl.org/linked-data/cube#"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("schema", "https://schema.org/"),
    ("sh", "http://www.w3.org/ns/shacl#"),
)
_PREFIX_BY_NS = {ns: prefix for prefix, ns in KNOWN_NAMESPACES}
_RANK_BY_NS = {ns: rank for rank, (_, ns) in enumerate(KNOWN_NAMESPACES)}

def split_iri(iri: str) -> tuple[str, str]:
    """(namespace, local name): split after the last '#', else '/', else ':'."""
    for sep in ("#", "/", ":"):
        cut = iri.rfind(sep)
        if cut != -1 and cut < len(iri) - 1:
            return iri[: cut + 1], iri[cut + 1 :]
    return iri, ""


def _short_hash(text: str, size: int = 6) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:size]


def namespace_prefix(namespace: str) -> str:
    """A known prefix, or 'ns' + a short hash of the namespace (stable across graphs)."""
    return _PREFIX_BY_NS.get(namespace) or f"ns{_short_hash(namespace)}"


def _clean(local: str) -> str:
    # Runs of anything but letters/digits become one '_' so a bare name never contains '__',
    # which is reserved for the prefix separator of qualified names.
    name = re.sub(r"[^0-9A-Za-z]+", "_", local).strip("_")
    if not name:
        return "resource"
    return f"_{name}" if name[0].isdigit() else name


def label_name(iri: str) -> str:
    return _clean(split_iri(iri)[1])


def property_name(iri: str) -> str:
    return _clean(split_iri(iri)[1])


def relationship_name(iri: str) -> str:
    local = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", split_iri(iri)[1])
    return _clean(local).upper()


def _rank(iri: str) -> tuple[int, str]:
    return _RANK_BY_NS.get(split_iri(iri)[0], len(KNOWN_NAMESPACES)), iri


def assign_names(iris: Iterable[str], bare: Callable[[str], str], reserved: frozenset[str],
                 *, upper: bool = False) -> dict[str, str]:
    """IRI -> name, unique: the first IRI in namespace order keeps the bare name, the others get
    '<prefix>__<name>', and '__<hash>' is added if even that is taken."""
    groups: dict[str, list[str]] = defaultdict(list)
    for iri in set(iris):
        groups[bare(iri)].append(iri)
    names: dict[str, str] = {}
    losers: list[tuple[str, str]] = []
    for name, group in groups.items():
        group.sort(key=_rank)
        keeps_bare = name not in reserved
        if keeps_bare:
            names[group[0]] = name
        losers += [(name, iri) for iri in group[1 if keeps_bare else 0 :]]
    taken = set(names.values()) | reserved
    for name, iri in sorted(losers, key=lambda pair: _rank(pair[1])):
        prefix = namespace_prefix(split_iri(iri)[0])
        qualified = f"{prefix.upper() if upper else prefix}__{name}"
        if qualified in taken:
            qualified = f"{qualified}__{_short_hash(iri, 8)}"
        names[iri] = qualified
        taken.add(qualified)
    return names


@dataclass
class Vocabulary:
    """Which label, relationship type and property key stands for which IRI."""

    labels: dict[str, str] = field(default_factory=dict)  # IRI -> label
    relationships: dict[str, str] = field(default_factory=dict)  # IRI -> relationship type
    properties: dict[str, str] = field(default_factory=dict)  # IRI -> property key

    @classmethod
    def for_terms(cls, classes: Iterable[str], object_predicates: Iterable[str],
                  literal_predicates: Iterable[str]) -> Vocabulary:
        return cls(assign_names(classes, label_name, RESERVED_LABELS),
                   assign_names(object_predicates, relationship_name, RESERVED_TYPES, upper=True),
                   assign_names(literal_predicates, property_name, RESERVED_KEYS))

    def rows(self) -> list[dict[str, str]]:
        """One row per term, in a stable order (what is stored as PolicygraphTerm nodes)."""
        out = []
        for kind, table in ((KIND_LABEL, self.labels), (KIND_RELATIONSHIP, self.relationships),
                            (KIND_PROPERTY, self.properties)):
            out += [{"kind": kind, "name": name, "iri": iri} for iri, name in sorted(table.items())]
        return out

    @classmethod
    def from_rows(cls, rows: Iterable[dict[str, str]]) -> Vocabulary:
        vocab = cls()
        tables = {KIND_LABEL: vocab.labels, KIND_RELATIONSHIP: vocab.relationships,
                  KIND_PROPERTY: vocab.properties}
        for row in rows:
            if row["kind"] not in tables:
                raise MappingError(f"unknown term kind {row['kind']!r} for {row['iri']}")
            tables[row["kind"]][row["iri"]] = row["name"]
        return vocab

    def inverse(self, kind: str) -> dict[str, str]:
        table = {KIND_LABEL: self.labels, KIND_RELATIONSHIP: self.relationships,
                 KIND_PROPERTY: self.properties}[kind]
        return {name: iri for iri, name in table.items()}


# --- triples -> property graph ----------------------------------------------------------------

@dataclass(slots=True)
class NodeRecord:
    uri: str
    labels: list[str]
    props: dict[str, PropertyValue]  # without `uri`, which the loader adds
    links: list[tuple[str, str]] = field(default_factory=list)  # outgoing: (relationship type, end uri)


@dataclass
class PropertyGraph:
    nodes: list[NodeRecord]
    vocabulary: Vocabulary
    triples: int

    @cached_property
    def relationships(self) -> dict[str, list[tuple[str, str]]]:
        """Relationship type -> (from uri, to uri), in node order."""
        by_type: dict[str, list[tuple[str, str]]] = {}
        for node in self.nodes:
            for rel_type, end in node.links:
                by_type.setdefault(rel_type, []).append((node.uri, end))
        return by_type

    @cached_property
    def relationship_count(self) -> int:
        return sum(len(node.links) for node in self.nodes)


class _Parts(NamedTuple):
    resources: dict[str, None]  # every subject and object, in first-seen order (an ordered set)
    types: dict[str, set[str]]  # resource -> class IRIs
    literals: dict[str, dict[str, set[Lit]]]  # resource -> predicate -> literals
    links: dict[str, dict[tuple[str, str], None]]  # resource -> ordered set of (predicate, object)


def _split(triples: Iterable[Triple]) -> _Parts:
    """One pass over the triples, written flat (no call per triple): builds have millions."""
    parts = _Parts({}, {}, {}, {})
    resources, types, literals, links = parts
    for s, p, o in triples:
        resources[s] = None
        if isinstance(o, Lit):
            by_p = literals.get(s)
            if by_p is None:
                literals[s] = {p: {o}}
            elif p in by_p:
                by_p[p].add(o)
            else:
                by_p[p] = {o}
        elif p == RDF_TYPE and not o.startswith(BLANK_PREFIX):
            if s in types:
                types[s].add(o)
            else:
                types[s] = {o}
        else:
            resources[o] = None
            if s in links:
                links[s][p, o] = None
            else:
                links[s] = {(p, o): None}
    return parts


def to_property_graph(triples: Iterable[Triple]) -> PropertyGraph:
    """Map a set of triples (duplicates ignored) to nodes with their properties and outgoing links, and
    a vocabulary. Nodes and links come in first-seen order: deterministic for a given input, no sort."""
    resources, types, literals, links = _split(triples)
    vocab = Vocabulary.for_terms({c for cs in types.values() for c in cs},
                                 {p for pairs in links.values() for p, _ in pairs},
                                 {p for by_p in literals.values() for p in by_p})
    key, label, rel = vocab.properties, vocab.labels, vocab.relationships
    type_key = {p: name + TYPE_SUFFIX for p, name in key.items()}
    count = sum(len(cs) for cs in types.values()) + sum(len(pairs) for pairs in links.values())
    one_class = {c: sorted({RESOURCE_LABEL, name}) for c, name in label.items()}  # the usual label sets
    nodes = []
    for uri in resources:
        classes = types.get(uri)
        if not classes:
            labels = [RESOURCE_LABEL]
        elif len(classes) == 1:
            labels = one_class[next(iter(classes))].copy()
        else:
            labels = sorted({RESOURCE_LABEL, *(label[c] for c in classes)})
        props: dict[str, PropertyValue] = {}
        by_p = literals.get(uri)
        if by_p:
            for p in sorted(by_p):
                lits = by_p[p]
                count += len(lits)
                if len(lits) == 1:
                    lit = next(iter(lits))
                    if lit.datatype is None:  # the common case: one plain or language-tagged string
                        props[key[p]] = lit.lexical
                        if lit.lang is not None:
                            props[type_key[p]] = "@" + lit.lang
                        continue
                props.update(encode_literals(key[p], lits))
        out = links.get(uri)
        nodes.append(NodeRecord(uri, labels, props, [(rel[p], o) for p, o in out] if out else []))
    return PropertyGraph(nodes, vocab, count)


# --- property graph -> triples ----------------------------------------------------------------

class Decoder:
    """Turns stored nodes and relationships back into triples, using the stored vocabulary."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.class_by_label = vocab.inverse(KIND_LABEL)
        self.predicate_by_type = vocab.inverse(KIND_RELATIONSHIP)
        self.predicate_by_key = vocab.inverse(KIND_PROPERTY)

    def node_triples(self, uri: str, labels: Iterable[str], props: dict[str, object]) -> Iterator[Triple]:
        """The triples one stored node stands for (its types and literal values)."""
        for label in labels:
            if label == RESOURCE_LABEL:
                continue
            if label not in self.class_by_label:
                raise MappingError(f"label {label!r} on {uri} is not in the stored vocabulary")
            yield uri, RDF_TYPE, self.class_by_label[label]
        for key in props:
            if key in RESERVED_KEYS or key.endswith(TYPE_SUFFIX):
                continue
            if key not in self.predicate_by_key:
                raise MappingError(f"property {key!r} on {uri} is not in the stored vocabulary")
            predicate = self.predicate_by_key[key]
            for lit in decode_literals(props, key):
                yield uri, predicate, lit

    def predicate(self, rel_type: str) -> str:
        if rel_type not in self.predicate_by_type:
            raise MappingError(f"relationship type {rel_type!r} is not in the stored vocabulary")
        return self.predicate_by_type[rel_type]


# --- rdflib terms -------------------------------------------------------------------------------

def from_rdflib(graph: Iterable[tuple[Node, Node, Node]]) -> Iterator[Triple]:
    """rdflib triples as mapping triples (blank nodes become '_:<id>')."""
    for s, p, o in graph:
        yield _rdflib_resource(s), str(p), _rdflib_object(o)


def _rdflib_resource(term: Node) -> str:
    if isinstance(term, BNode):
        return BLANK_PREFIX + str(term)
    if isinstance(term, URIRef):
        return str(term)
    raise MappingError(f"{term!r} cannot be a subject")


def _rdflib_object(term: Node) -> Obj:
    if isinstance(term, Literal):
        datatype = None if term.datatype is None else str(term.datatype)
        return Lit(str(term), datatype, term.language)
    return _rdflib_resource(term)


def to_rdflib(triple: Triple) -> tuple[URIRef | BNode, URIRef, URIRef | BNode | Literal]:
    s, p, o = triple
    if isinstance(o, Lit):
        obj: URIRef | BNode | Literal = Literal(o.lexical, lang=o.lang,
                                                datatype=None if o.datatype is None else URIRef(o.datatype))
    else:
        obj = _rdflib_term(o)
    return _rdflib_term(s), URIRef(p), obj


def _rdflib_term(key: str) -> URIRef | BNode:
    return BNode(key[len(BLANK_PREFIX):]) if key.startswith(BLANK_PREFIX) else URIRef(key)
