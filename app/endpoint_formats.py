"""SPARQL answers in the format a client asks for: content negotiation and serialization of capped answers
(the endpoint's child process calls `serialize`)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, cast

import pyoxigraph as ox

TEXT = "text/plain; charset=utf-8"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = TEXT
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, message: str, headers: Mapping[str, str] | None = None) -> Reply:
    return Reply(status, (message + "\n").encode("utf-8"), headers=dict(headers or {}))


# Offered media types -> serializer; the first is the default (no Accept header, or */*).
RESULT_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


def negotiate(accept: str, offered: Mapping[str, object]) -> str | None:
    """The offered media type `accept` prefers: highest q, then the client's order, then ours."""
    ranges = []
    for item in (accept or "*/*").split(","):
        media, _, params = item.partition(";")
        q = re.search(r"(?:^|;)\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*(?:;|$)", params)
        ranges.append((media.strip().lower(), float(q.group(1)) if q else 1.0))
    scored = []
    for rank, media in enumerate(offered):
        for pattern in (media, media.split("/")[0] + "/*", "*/*"):  # the most specific range decides
            hits = [(q, -pos, -rank) for pos, (m, q) in enumerate(ranges) if m == pattern]
            if hits:
                scored.append((max(hits), media))
                break
    best = max(scored, default=None)
    return best[1] if best and best[0][0] > 0 else None


def _term(term: Any) -> dict[str, Any]:
    """A term in the SPARQL 1.1 (1.2 for triple terms) JSON results format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    triple = cast(ox.Triple, term)
    return {"type": "triple", "value": {"subject": _term(triple.subject), "predicate": _term(triple.predicate),
                                        "object": _term(triple.object)}}


def _capped(data: bytes | None, media: str, count: int, max_rows: int) -> Reply:
    cut = {"X-Row-Limit-Reached": str(max_rows)} if count > max_rows else {}
    return Reply(200, data or b"", media, cut)


def serialize(answer: Any, accept: str, max_rows: int) -> Reply:
    offered: Mapping[str, object] = GRAPH_TYPES if isinstance(answer, ox.QueryTriples) else RESULT_TYPES
    media = negotiate(accept, offered)
    if media is None:
        return error(406, "none of the types in the Accept header is available; offered: " + ", ".join(offered))
    if isinstance(answer, ox.QueryBoolean):
        return _capped(answer.serialize(format=RESULT_TYPES[media]), media, 1, max_rows)
    if isinstance(answer, ox.QueryTriples):
        triples = list(islice(answer, max_rows + 1))
        return _capped(ox.serialize(triples[:max_rows], format=GRAPH_TYPES[media]), media, len(triples), max_rows)
    names = [v.value for v in cast(ox.QuerySolutions, answer).variables]
    rows = [{n: _term(row[n]) for n in names if row[n] is not None} for row in islice(answer, max_rows + 1)]
    data = json.dumps({"head": {"vars": names}, "results": {"bindings": rows[:max_rows]}}).encode("utf-8")
    if RESULT_TYPES[media] != ox.QueryResultsFormat.JSON:  # Oxigraph's own serializers, over the capped rows
        data = ox.parse_query_results(data, ox.QueryResultsFormat.JSON).serialize(format=RESULT_TYPES[media]) or b""
    return _capped(data, media, len(rows), max_rows)
