"""The policygraph vocabulary: namespaces, the OWL ontology, SHACL shapes and SKOS schemes."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import Graph, Namespace, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF, SKOS

HERE = Path(__file__).resolve().parent
ONTOLOGY_FILE = HERE / "policygraph.ttl"
ANALYTICS_FILE = HERE / "analytics.ttl"
ACTIVITY_FILE = HERE / "activity.ttl"
SHAPES_FILE = HERE / "shapes.ttl"
VOCAB_DIR = HERE / "vocab"

PG = Namespace("https://w3id.org/policygraph/ontology#")
VOCAB = "https://w3id.org/policygraph/vocab/"
FRAME = Namespace(VOCAB + "frame/")
ACTOR_KIND = Namespace(VOCAB + "actor-kind/")
ID_BASE = "https://w3id.org/policygraph/id/"
PROV = Namespace("http://www.w3.org/ns/prov#")
ORG = Namespace("http://www.w3.org/ns/org#")
QB = Namespace("http://purl.org/linked-data/cube#")
TIME = Namespace("http://www.w3.org/2006/time#")

PREFIXES: dict[str, str] = {
    "pg": str(PG),
    "frame": str(FRAME),
    "skos": str(SKOS),
    "rdf": str(RDF),
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "prov": str(PROV),
    "org": str(ORG),
    "dct": "http://purl.org/dc/terms/",
    "time": str(TIME),
    "qb": str(QB),
    "owl": "http://www.w3.org/2002/07/owl#",
}


# The kinds of a programme's own nodes (`id/<programme>/<kind>/...`): each is a prefix in the query consoles.
ID_KINDS = ("adaptation", "commissioning", "concept", "configuration", "derivation", "dimension", "document", "event",
            "evidence", "finding", "intent", "interval", "measure", "observation", "organisation", "orientation",
            "period", "referral", "role", "scheme", "service", "source")


def query_prefixes(programme: str | None = None) -> dict[str, str]:
    """The prefixes the SPARQL consoles declare for every query: the vocabularies' and, for `programme`, one
    per kind of its nodes (`service:D`, `intent:peer-support-from-next-door`; a slash in a local name is
    escaped: `configuration:D\\/follow-up`). A query's own PREFIX lines take precedence."""
    prefixes = {**PREFIXES, "vocab": VOCAB, "kind": VOCAB + "actor-kind/", "atun": VOCAB + "atun/",
                "qualifier": VOCAB + "value-qualifier/", "finding-kind": VOCAB + "finding-kind/"}
    if programme is not None:
        prefixes |= {kind: f"{ID_BASE}{programme}/{kind}/" for kind in ID_KINDS}
    return prefixes


def vocabulary_files() -> list[Path]:
    """The ontology and every concept scheme, in a stable order."""
    return [ONTOLOGY_FILE, ANALYTICS_FILE, ACTIVITY_FILE, *sorted(VOCAB_DIR.glob("*.ttl"))]


@cache
def vocabulary_graph() -> Graph:
    """Ontology + SKOS schemes as one rdflib graph (cached; treat as read-only)."""
    parsed = Graph()
    for path in vocabulary_files():
        parsed.parse(path, format="turtle")
    # Blank nodes (OWL lists) get labels from a hash of their content, not the parser's random ids,
    # so every process builds byte-identical files.
    graph = Graph()
    for triple in to_canonical_graph(parsed):
        graph.add(triple)
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def scheme_iri(scheme_id: str) -> URIRef:
    return URIRef(VOCAB + scheme_id)


def concept_iri(scheme_id: str, code: str) -> URIRef:
    return URIRef(f"{VOCAB}{scheme_id}/{code}")


@cache
def concept_codes(scheme_id: str) -> frozenset[str]:
    """Codes of the concepts in one of the vocabulary's own schemes (e.g. actor-kind)."""
    graph = vocabulary_graph()
    prefix = f"{VOCAB}{scheme_id}/"
    return frozenset(
        str(c).removeprefix(prefix)
        for c in graph.subjects(SKOS.inScheme, scheme_iri(scheme_id))
        if str(c).startswith(prefix)
    )
