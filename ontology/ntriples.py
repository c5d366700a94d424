"""N-Triples term spelling, shared by every writer that streams lines instead of building an rdflib graph.

A term is its N-Triples text (`<iri>`, `"text"@en`, `"5"^^<...#integer>`); a statement is one line
`s p o .\n`. Builds write hundreds of thousands of statements, and formatting strings costs a small
fraction of creating rdflib terms, so the build pipeline
spells terms here and only parses small parts (context, SHACL sample) back into rdflib.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from urllib.parse import quote

from rdflib import Graph

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
TRUE, FALSE = f'"true"^^<{XSD}boolean>', f'"false"^^<{XSD}boolean>'
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_DATE_TYPES = {4: "gYear", 7: "gYearMonth", 10: "date"}


def segment(ident: str) -> str:
    """One id as an IRI path segment."""
    return quote(ident, safe="-_")


def iri(value: str) -> str:
    return f"<{value}>"


def literal(text: str, lang: str | None = None) -> str:
    body = '"' + text.translate(_ESCAPES) + '"'
    return body + "@" + lang if lang else body


def typed(text: str, datatype: str) -> str:
    return '"' + text.translate(_ESCAPES) + '"^^<' + datatype + ">"


def integer(value: int) -> str:
    return f'"{value}"^^<{XSD}integer>'


def boolean(value: bool) -> str:
    return TRUE if value else FALSE


def decimal(value: Decimal) -> str:
    """The XSD canonical lexical form of a decimal (always a point: 69 -> '69.0'), stable across writers."""
    text = format(value.normalize(), "f")
    return f'"{text if "." in text else text + ".0"}"^^<{XSD}decimal>'


def date(value: str) -> str:
    """A curated date at its own precision: xsd:gYear, xsd:gYearMonth or xsd:date."""
    return typed(value, XSD + _DATE_TYPES[len(value)])


def to_graph(lines: Iterable[str]) -> Graph:
    """An rdflib graph of N-Triples lines (for the small parts that rdflib code reads)."""
    return Graph().parse(data="".join(lines), format="nt")


def graph_lines(graph: Graph) -> list[str]:
    """An rdflib graph as N-Triples lines."""
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    return [line + "\n" for line in text.splitlines() if line.strip()]
