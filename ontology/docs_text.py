"""Text helpers for ``ontology/REFERENCE.md`` (see ``ontology.docs``): the display prefixes, Markdown
escaping and code spans, sorted reads of literals and IRIs from an rdflib graph, term links, and
``ReferenceWriter``, the base of the reference's section writers that collects its lines and links terms to
their anchors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDFS, SH, SKOS
from rdflib.term import Node

from policygraph.ontology import PREFIXES, VOCAB

SHAPES_NS = "https://w3id.org/policygraph/shapes#"

#: Prefixes used to abbreviate IRIs in the reference (the ontology's own plus a few for the schemes).
DISPLAY_PREFIXES: dict[str, str] = {
    **PREFIXES,
    "dc": "http://purl.org/dc/elements/1.1/",
    "sh": str(SH),
    "pgs": SHAPES_NS,
    "kind": VOCAB + "actor-kind/",
    "frame": VOCAB + "frame/",
    "atun": VOCAB + "atun/",
    "vocab": VOCAB,
}

_LOCAL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


# ---------------------------------------------------------------------------------------------
# Small helpers over the graph
# ---------------------------------------------------------------------------------------------


def curie(iri: Node) -> str:
    """A prefixed name for `iri` when one of DISPLAY_PREFIXES fits, else the IRI in angle brackets."""
    text = str(iri)
    best = ""
    best_prefix = ""
    for prefix, namespace in DISPLAY_PREFIXES.items():
        if text.startswith(namespace) and len(namespace) > len(best):
            local = text[len(namespace):]
            if _LOCAL_NAME.fullmatch(local):
                best, best_prefix = namespace, prefix
    if best:
        return f"{best_prefix}:{text[len(best):]}"
    return f"<{text}>"


def anchor(kind: str, iri: Node) -> str:
    """A stable HTML anchor id for a term: its kind, then its prefixed name (letters, digits, dashes)."""
    return kind + "-" + re.sub(r"[^A-Za-z0-9]+", "-", curie(iri)).strip("-").lower()


def md(text: str) -> str:
    """Escape text for Markdown (also inside table cells); newlines become spaces."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def code(text: str) -> str:
    """A Markdown code span that survives backticks and table pipes inside `text`."""
    text = " ".join(text.split()).replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def texts(graph: Graph, subject: Node, predicate: URIRef) -> list[str]:
    """The literal values of `predicate`, English (or untagged) preferred, sorted."""
    values = [o for o in graph.objects(subject, predicate) if isinstance(o, Literal)]
    for wanted in ("en", None):
        chosen = sorted(str(v) for v in values if v.language == wanted)
        if chosen:
            return chosen
    return sorted(str(v) for v in values)


def text(graph: Graph, subject: Node, predicate: URIRef, default: str = "") -> str:
    found = texts(graph, subject, predicate)
    return "; ".join(found) if found else default


def iris(graph: Graph, subject: Node, predicate: URIRef) -> list[URIRef]:
    return sorted(o for o in graph.objects(subject, predicate) if isinstance(o, URIRef))


def subjects_iris(graph: Graph, predicate: URIRef, obj: Node) -> list[URIRef]:
    return sorted(s for s in graph.subjects(predicate, obj) if isinstance(s, URIRef))


def label(graph: Graph, term: Node) -> str:
    """rdfs:label, else skos:prefLabel, else the prefixed name."""
    return text(graph, term, RDFS.label) or text(graph, term, SKOS.prefLabel) or curie(term)


def local_key(iri: Node) -> tuple[str, str]:
    """Sort key: the IRI's local name, case-insensitively, then the whole IRI."""
    raw = str(iri)
    local = re.split(r"[#/]", raw)[-1]
    return local.lower(), raw


def ref(iri: Node, anchors: dict[URIRef, str]) -> str:
    """A term as a code span, linked to its own section when the reference has one."""
    shown = code(curie(iri))
    if isinstance(iri, URIRef) and iri in anchors:
        return f"[{shown}](#{anchors[iri]})"
    return shown


def refs(items: Iterable[Node], anchors: dict[URIRef, str], empty: str = "—") -> str:
    rendered = [ref(i, anchors) for i in sorted(items, key=local_key)]
    return ", ".join(rendered) if rendered else empty


def notation_key(value: str) -> tuple[int, int, str]:
    """Numbers in numeric order first (FRAME components 1..8), then text alphabetically."""
    return (0, int(value), "") if value.isdigit() else (1, 0, value.lower())


def rdf_list(graph: Graph, head: Node) -> list[Node]:
    return list(Collection(graph, head)) if isinstance(head, BNode | URIRef) else []


# ---------------------------------------------------------------------------------------------
# Writing the reference
# ---------------------------------------------------------------------------------------------


class ReferenceWriter:
    """The lines written so far and the anchors of the terms that have a section of their own."""

    lines: list[str]
    anchors: dict[URIRef, str]

    # -- output helpers --------------------------------------------------------------------

    def out(self, *lines: str) -> None:
        self.lines.extend(lines)

    def heading(self, level: int, title: str, term: Node | None = None) -> None:
        if self.lines and self.lines[-1] != "":
            self.out("")
        if isinstance(term, URIRef):
            self.out(f'<a id="{self.anchors[term]}"></a>', "")
        self.out(f"{'#' * level} {title}", "")

    def field(self, name: str, value: str) -> None:
        self.out(f"- **{name}:** {value}")

    def r(self, term: Node) -> str:
        return ref(term, self.anchors)

    def rs(self, items: Iterable[Node], empty: str = "—") -> str:
        return refs(items, self.anchors, empty)
