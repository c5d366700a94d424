"""A read-only SPARQL 1.1 Protocol endpoint over the embedded store, on 127.0.0.1 only.

Each query runs in a killable child process (policygraph.graph.child) that checks it is a local, read-only
query, runs it on a read-only view of the current build's store, caps the rows and serializes the answer in
the negotiated format; the child is killed at the time limit. Why not Oxigraph's own server:
docs/decisions/0005-sparql-endpoint.md.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import islice
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from policygraph.graph.child import ChildDied, ChildTimeout, kill_running, run_killable
from policygraph.graph.sparql_guard import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT_S, RefusedQuery, check_read_only

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
MAX_BODY_BYTES = 1_000_000
MAX_CONCURRENT = 4
TEXT = "text/plain; charset=utf-8"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
READ_ONLY = "updates are refused: this endpoint is read-only; change the curated data and run `policygraph build`"
NO_QUERY = "give one query: GET /query?query=..., or POST a form or application/sparql-query to /query"

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


@dataclass(frozen=True)
class Job:
    store: str
    text: str
    accept: str
    max_rows: int
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = TEXT
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, message: str) -> Reply:
    return Reply(status, (message + "\n").encode("utf-8"))


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


def _serialize(answer: Any, accept: str, max_rows: int) -> Reply:
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


def answer(job: Job) -> Reply:
    """Check, run and serialize one query (in the bounded child process)."""
    try:
        check_read_only(job.text)
    except RefusedQuery as exc:
        return error(400, str(exc))
    try:
        store = ox.Store.read_only(job.store)
        result = store.query(job.text, default_graph=[ox.NamedNode(g) for g in job.default_graphs] or None,
                             named_graphs=[ox.NamedNode(g) for g in job.named_graphs] or None)
        return _serialize(result, job.accept, job.max_rows)
    except (SyntaxError, ValueError, RuntimeError) as exc:
        return error(400, f"query failed: {exc}")


class Endpoint:
    """Runs queries in child processes, at most `max_concurrent` at once, each killed after `timeout_s`."""

    def __init__(self, locate: Callable[[], Path], timeout_s: float = DEFAULT_TIMEOUT_S,
                 max_rows: int = DEFAULT_MAX_ROWS, max_concurrent: int = MAX_CONCURRENT) -> None:
        self.locate, self.timeout_s, self.max_rows = locate, timeout_s, max_rows
        self._slots = threading.BoundedSemaphore(max_concurrent)

    def query(self, text: str, accept: str, default_graphs: tuple[str, ...] = (),
              named_graphs: tuple[str, ...] = (), timeout_s: float | None = None) -> Reply:
        try:
            store = str(self.locate())  # resolved per query: a rebuild is picked up by the next query
        except FileNotFoundError as exc:
            return error(503, str(exc))
        if not self._slots.acquire(timeout=self.timeout_s):
            return error(503, "too many queries are running; try again shortly")
        try:
            job = Job(store, text, accept, self.max_rows, default_graphs, named_graphs)
            return self._run(job, timeout_s or self.timeout_s)
        finally:
            self._slots.release()

    def _run(self, job: Job, timeout_s: float) -> Reply:
        try:
            reply = run_killable(answer, job, timeout_s=timeout_s)
        except ChildTimeout:
            log.warning("query stopped at the %g s limit", timeout_s)
            return error(503, f"the query ran past the {timeout_s:g} s limit and was stopped; narrow it "
                              "(LIMIT, more specific patterns) or restart the server with a larger --timeout")
        except ChildDied:
            return error(500, "the query process ended without an answer")
        except Exception as exc:  # noqa: BLE001 - anything the child raised: a clean 500, never a traceback
            return error(500, f"{type(exc).__name__}: {exc}")
        if "X-Row-Limit-Reached" in reply.headers:
            log.warning("answer cut at the %d-row limit", job.max_rows)
        return reply

    def stop_all(self) -> None:
        kill_running()


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True
    endpoint: Endpoint
    cors: bool
    hosts: frozenset[str]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_port}/query"


class _Handler(BaseHTTPRequestHandler):
    server_version = "policygraph-sparql"

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        headers = {"Content-Type": reply.content_type, "Content-Length": str(len(reply.body)), "Vary": "Accept",
                   "X-Content-Type-Options": "nosniff", **reply.headers}
        if cast(SparqlServer, self.server).cors:
            headers |= {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "Content-Type, Accept",
                        "Access-Control-Expose-Headers": "X-Row-Limit-Reached",
                        "Access-Control-Allow-Private-Network": "true"}  # Chromium's check for local servers
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    def _route(self, body: bytes) -> Reply:
        srv = cast(SparqlServer, self.server)
        host = (self.headers.get("Host") or HOST).lower()
        if host not in srv.hosts:  # a DNS-rebinding page in the user's browser names its own host
            return error(403, f"Host {host!r} is not served here; use {srv.url}")
        url = urlsplit(self.path)
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if url.path == "/update" or media == "application/sparql-update":
            return error(403, READ_ONLY)
        if url.path == "/" and self.command == "GET":
            return Reply(200, f"policygraph read-only SPARQL 1.1 endpoint: {srv.url}\n".encode())
        if url.path != "/query":
            return error(404, f"not found; the SPARQL endpoint is {srv.url}")
        return self._query(srv, parse_qs(url.query, keep_blank_values=True), media, body)

    def _query(self, srv: SparqlServer, fields: dict[str, list[str]], media: str, body: bytes) -> Reply:
        if self.command == "POST" and media == "application/x-www-form-urlencoded":
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            fields = {k: fields.get(k, []) + form.get(k, []) for k in {*fields, *form}}
        elif self.command == "POST" and media == "application/sparql-query":
            fields["query"] = [*fields.get("query", []), body.decode("utf-8", "replace")]
        elif self.command == "POST":
            return error(415, "POST a form (application/x-www-form-urlencoded) or application/sparql-query")
        if "update" in fields:
            return error(403, READ_ONLY)
        if len(fields.get("query", [])) != 1:
            return error(400, NO_QUERY)
        return srv.endpoint.query(fields["query"][0], self.headers.get("Accept", "*/*"),
                                  tuple(fields.get("default-graph-uri", [])), tuple(fields.get("named-graph-uri", [])))

    def do_GET(self) -> None:
        self._send(self._route(b""))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            self._send(error(413, f"request bodies are limited to {MAX_BODY_BYTES} bytes"))
            return
        self._send(self._route(self.rfile.read(length)))  # drained first, so no reset eats the reply

    def do_OPTIONS(self) -> None:  # CORS preflight
        allowed = "GET, POST, OPTIONS"
        self._send(Reply(204, b"", headers={"Allow": allowed, "Access-Control-Allow-Methods": allowed}))


def open_endpoint(locate: Callable[[], Path], port: int, timeout_s: float = DEFAULT_TIMEOUT_S,
                  max_rows: int = DEFAULT_MAX_ROWS, *, cors: bool = False) -> SparqlServer:
    """Listen on 127.0.0.1:`port` (0: any free port) once the store has answered a first query.

    Then call `serve_forever()` on the result, and `close_endpoint()` when done.
    """
    server = SparqlServer((HOST, port), _Handler)
    server.endpoint = Endpoint(locate, timeout_s, max_rows)
    server.cors = cors
    server.hosts = frozenset(f"{name}{suffix}" for name in (HOST, "localhost")
                             for suffix in ("", f":{server.server_port}"))
    probe = server.endpoint.query("ASK { ?s ?p ?o }", "*/*", timeout_s=max(timeout_s, 60))  # starts the fork server
    if probe.status != 200:
        server.server_close()
        raise RuntimeError(f"the store does not answer: {probe.body.decode().strip()}")
    log.info("SPARQL endpoint on %s (timeout %g s, %d rows)", server.url, timeout_s, max_rows)
    return server


def close_endpoint(server: SparqlServer) -> None:
    """Stop the queries still running and release the port."""
    server.endpoint.stop_all()
    server.server_close()
