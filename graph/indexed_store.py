"""A read-only in-memory rdflib store with plain dict indexes, filled by N-Triples lines.

Analytics (ProgrammeModel, traces, page views, exports) read a build through rdflib's Graph API. rdflib's own
parser and Memory store are too slow and too large for a national programme's million statements. Oxigraph
parses in Rust, and three dict indexes (s→p→[o], p→o→[s], o→[(s, p)]) answer every pattern the analytics ask;
terms are created once and shared.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.store import Store
from rdflib.term import Node

Triple = tuple[Node, Node, Node]
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class IndexedStore(Store):
    """Triples indexed three ways; add-only (the graph of a build never changes)."""

    def __init__(self) -> None:
        super().__init__()
        self._spo: dict[Node, dict[Node, list[Node]]] = {}
        self._pos: dict[Node, dict[Node, list[Node]]] = {}
        self._osp: dict[Node, list[tuple[Node, Node]]] = {}
        self._count = 0

    def add(self, triple: Triple, context: Any = None, quoted: bool = False) -> None:  # noqa: ARG002 - Store API
        s, p, o = triple
        objects = self._spo.setdefault(s, {}).setdefault(p, [])
        if o in objects:
            return
        objects.append(o)
        self._pos.setdefault(p, {}).setdefault(o, []).append(s)
        self._osp.setdefault(o, []).append((s, p))
        self._count += 1

    def triples(self, triple_pattern: Any, context: Any = None) -> Iterator[tuple[Triple, Iterator[Any]]]:  # noqa: ARG002
        s, p, o = triple_pattern
        for found in self._match(s, p, o):
            yield found, iter(())

    def _match(self, s: Node | None, p: Node | None, o: Node | None) -> Iterator[Triple]:
        if s is not None:
            return self._from_subject(s, p, o)
        if p is not None:
            return self._from_predicate(p, o)
        if o is not None:
            return ((subj, pred, o) for subj, pred in self._osp.get(o, []))
        return ((subj, pred, obj) for subj, by_predicate in self._spo.items()
                for pred, objects in by_predicate.items() for obj in objects)

    def _from_subject(self, s: Node, p: Node | None, o: Node | None) -> Iterator[Triple]:
        by_predicate = self._spo.get(s, {})
        for pred, objects in (by_predicate.items() if p is None else [(p, by_predicate.get(p, []))]):
            for obj in objects:
                if o is None or obj == o:
                    yield s, pred, obj

    def _from_predicate(self, p: Node, o: Node | None) -> Iterator[Triple]:
        by_object = self._pos.get(p, {})
        for obj, subjects in (by_object.items() if o is None else [(o, by_object.get(o, []))]):
            for subj in subjects:
                yield subj, p, obj

    def __len__(self, context: Any = None) -> int:
        return self._count

    def contexts(self, triple: Any = None) -> Generator[Graph, None, None]:  # noqa: ARG002 - Store API
        yield from ()


_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_CHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    return chr(int(code[1:], 16)) if code[0] in "uU" and len(code) > 1 else _CHARS[code]


class _Terms:
    """N-Triples terms (their text) as rdflib terms, each distinct term created once."""

    def __init__(self) -> None:
        self.seen: dict[str, Node] = {}

    def __call__(self, text: str) -> Node:
        found = self.seen.get(text)
        if found is None:
            found = self.seen[text] = self._convert(text)
        return found

    @staticmethod
    def _convert(text: str) -> Node:
        if text.startswith("<") and text.endswith(">"):
            return URIRef(text[1:-1])
        if text.startswith("_:"):
            return BNode(text[2:])
        end = text.rfind('"')
        if not text.startswith('"') or end < 1:
            raise ValueError(f"not an N-Triples term: {text[:80]!r}")
        body, suffix = text[1:end], text[end + 1:]
        if "\\" in body:
            body = _ESCAPE.sub(_unescape, body)
        if suffix.startswith("@"):
            return Literal(body, lang=suffix[1:])
        if suffix.startswith("^^<") and suffix.endswith(">"):
            datatype = suffix[3:-1]
            return Literal(body) if datatype == XSD_STRING else Literal(body, datatype=URIRef(datatype))
        if suffix:
            raise ValueError(f"not an N-Triples literal: {text[:80]!r}")
        return Literal(body)


def load_ntriples(path: Path) -> Graph:
    """An rdflib Graph (read it, don't change it) of an N-Triples file, on an IndexedStore.

    Lines as policygraph writes them (`s p o .`, one statement each) take a fast path: subject and
    predicate contain no space, so a line splits at its first two; any other line is parsed by Oxigraph."""
    graph = Graph(store=IndexedStore())
    store = graph.store
    term = _Terms()
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.split(" ", 2)
            if len(parts) == 3 and parts[2].endswith(" .\n"):
                try:
                    store.add((term(parts[0]), term(parts[1]), term(parts[2][:-3])), graph)
                    continue
                except ValueError:
                    pass
            if line.strip() and not line.lstrip().startswith("#"):
                for triple in ox.parse(input=line.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES):
                    store.add((term(str(triple.subject)), term(str(triple.predicate)), term(str(triple.object))),
                              graph)
    return graph
