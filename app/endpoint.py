"""A read-only SPARQL 1.1 Protocol endpoint over the embedded store, on 127.0.0.1 only.

Each query runs in a killable child process (policygraph.graph.sparql_guard.run_guarded) that checks it is
a local, read-only query, runs it on a read-only view of the current build's store, caps the rows and
serializes the answer in the negotiated format; the child is killed at the time limit and cannot grow past
the memory bound. Why not Oxigraph's own server: docs/decisions/0005-sparql-endpoint.md. What each bound
refuses, and its figure: docs/reliability.md.
"""

from __future__ import annotations

import logging
import math
import re
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from policygraph.app.endpoint_formats import Reply, error, serialize
from policygraph.graph.child import kill_running
from policygraph.graph.sparql_guard import (
    DEFAULT_MAX_ROWS,
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT_S,
    QueryFailed,
    QueryOutOfMemory,
    QueryTimeout,
    RefusedQuery,
    check_read_only,
    run_guarded,
)

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
MAX_BODY_BYTES = 1_000_000
MAX_CONCURRENT = 4
SLOT_WAIT_S = 2.0  # a query waits this long for a free slot, then gets 503 and Retry-After
IDLE_TIMEOUT_S = 10.0  # a connection that sends nothing for this long is closed (socket timeout per read)
MAX_CONNECTIONS = 256  # connections open at once (one thread each); more get 503 at once
READ_ONLY = "updates are refused: this endpoint is read-only; change the curated data and run `policygraph build`"
NO_QUERY = "give one query: GET /query?query=..., or POST a form or application/sparql-query to /query"
RAISE_LIMIT = "restart the server with a larger {option}"


@dataclass(frozen=True)
class Job:
    store: str
    text: str
    accept: str
    max_rows: int
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


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
        return serialize(result, job.accept, job.max_rows)
    except (SyntaxError, ValueError, RuntimeError) as exc:
        return error(400, f"query failed: {exc}")


class Endpoint:
    """Runs queries in child processes, at most `max_concurrent` at once, each killed after `timeout_s` and
    bounded to `memory_mb`. A query that finds every slot taken waits `slot_wait_s` at most, then is told
    when to retry: never queued behind runaways for their whole time limit."""

    def __init__(self, locate: Callable[[], Path], timeout_s: float = DEFAULT_TIMEOUT_S,
                 max_rows: int = DEFAULT_MAX_ROWS, max_concurrent: int = MAX_CONCURRENT,
                 memory_mb: int | None = DEFAULT_MEMORY_MB, slot_wait_s: float = SLOT_WAIT_S) -> None:
        self.locate, self.timeout_s, self.max_rows = locate, timeout_s, max_rows
        self.memory_mb, self.slot_wait_s = memory_mb, slot_wait_s
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self._deadlines: dict[int, float] = {}  # running query -> when its time limit ends (monotonic)
        self._deadlines_lock = threading.Lock()

    def query(self, text: str, accept: str, default_graphs: tuple[str, ...] = (),
              named_graphs: tuple[str, ...] = (), timeout_s: float | None = None) -> Reply:
        try:
            store = str(self.locate())  # resolved per query: a rebuild is picked up by the next query
        except FileNotFoundError as exc:
            return error(503, str(exc))
        if not self._slots.acquire(timeout=self.slot_wait_s):
            retry = self._retry_after()
            log.warning("every query slot is taken; answered 503, retry after %d s", retry)
            return error(503, f"every query slot is taken by running queries; retry in {retry} s",
                         {"Retry-After": str(retry)})
        limit = timeout_s or self.timeout_s
        key = threading.get_ident()
        with self._deadlines_lock:
            self._deadlines[key] = time.monotonic() + limit
        try:
            return self._run(Job(store, text, accept, self.max_rows, default_graphs, named_graphs), limit)
        finally:
            with self._deadlines_lock:
                del self._deadlines[key]
            self._slots.release()

    def _retry_after(self) -> int:
        """Seconds until the first running query reaches its limit (a slot is free by then at the latest)."""
        with self._deadlines_lock:
            first = min(self._deadlines.values(), default=time.monotonic())
        return max(1, math.ceil(first - time.monotonic()))

    def _run(self, job: Job, timeout_s: float) -> Reply:
        try:
            reply = run_guarded(answer, job, timeout_s=timeout_s, memory_mb=self.memory_mb, hint=RAISE_LIMIT)
        except RefusedQuery as exc:  # nested too deeply for the parser's recursion
            return error(400, str(exc))
        except QueryTimeout as exc:
            log.warning("query stopped at the %g s limit", timeout_s)
            return error(503, str(exc))
        except QueryOutOfMemory as exc:
            log.warning("query stopped at the %s MB memory bound", self.memory_mb)
            return error(503, str(exc))
        except QueryFailed as exc:
            return error(500, str(exc))
        except Exception as exc:  # noqa: BLE001 - anything the child raised: a clean 500, never a traceback
            return error(500, f"{type(exc).__name__}: {exc}")
        if "X-Row-Limit-Reached" in reply.headers:
            log.warning("answer cut at the %d-row limit", job.max_rows)
        return reply

    def stop_all(self) -> None:
        kill_running()


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the listen backlog: socketserver's 5 drops a burst's connections (1 s retries)
    endpoint: Endpoint
    cors: bool
    hosts: frozenset[str]

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self.max_connections = MAX_CONNECTIONS
        self._connections = 0
        self._connections_lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_port}/query"

    @property
    def connections(self) -> int:
        """Connections being handled now (each holds a thread)."""
        return self._connections

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            full = self._connections >= self.max_connections
            if not full:
                self._connections += 1
        if full:  # answered on the accepting thread: a few bytes into a fresh socket's buffer never block
            log.warning("%d connections open; refused %s", self.max_connections, client_address[0])
            _refuse(request, f"{self.max_connections} connections are open; retry shortly")
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._connections_lock:
                self._connections -= 1

    def handle_error(self, request: Any, client_address: Any) -> None:  # noqa: ARG002 - socketserver's signature
        """A client that left early (reset, broken pipe, timed out) is routine: one debug line, no traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            log.debug("client %s left early: %s", client_address[0], exc)
        else:
            log.error("request from %s failed", client_address[0], exc_info=exc)


def _refuse(request: socket.socket, message: str) -> None:
    body = (message + "\n").encode()
    head = (f"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 1\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    try:
        request.settimeout(0.5)
        request.sendall(head + body)
    except OSError:
        pass  # the client is gone already


class _Handler(BaseHTTPRequestHandler):
    server_version = "policygraph-sparql"
    timeout = IDLE_TIMEOUT_S  # every read: a silent client is dropped, its thread freed

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

    def _refuse_body(self, reply: Reply) -> None:
        """Answer a request whose body is not read, then let the client finish sending before closing: closing
        with unread bytes would reset the connection and the client would never see the answer."""
        self.close_connection = True
        self._send(reply)
        self.wfile.flush()
        deadline, drained = time.monotonic() + 2.0, 0
        try:
            self.connection.shutdown(socket.SHUT_WR)
            while drained <= MAX_BODY_BYTES and (left := deadline - time.monotonic()) > 0:
                self.connection.settimeout(left)
                chunk = self.connection.recv(65536)
                if not chunk:
                    break
                drained += len(chunk)
        except OSError:
            pass  # the client closed first, or kept sending past the deadline: nothing more to do

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
        try:
            return self._query(srv, _fields(url.query), media, body)
        except UnicodeDecodeError as exc:
            where = "URL's query string" if self.command == "GET" else "body (or the URL's query string)"
            return error(400, f"the {where} is not UTF-8 (byte 0x{exc.object[exc.start]:02x}); "
                              "send the query as UTF-8")

    def _query(self, srv: SparqlServer, fields: dict[str, list[str]], media: str, body: bytes) -> Reply:
        if self.command == "POST" and media == "application/x-www-form-urlencoded":
            form = _fields(body.decode("utf-8"))
            fields = {k: fields.get(k, []) + form.get(k, []) for k in {*fields, *form}}
        elif self.command == "POST" and media == "application/sparql-query":
            fields["query"] = [*fields.get("query", []), body.decode("utf-8")]
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
        length = self._body_length()
        if isinstance(length, Reply):
            self._refuse_body(length)
            return
        body = self.rfile.read(length)  # drained first, so no reset eats the reply
        if len(body) < length:
            self._send(error(400, f"the body ended after {len(body)} of the {length} bytes its Content-Length "
                                  "announced"))
            return
        self._send(self._route(body))

    def _body_length(self) -> int | Reply:
        """The body's length from Content-Length, or the refusal: a chunked body (not read here, so it cannot
        be taken for an empty query), a length that is not one decimal count, a body over the limit."""
        if self.headers.get("Transfer-Encoding") is not None:
            return error(411, "send the body with a Content-Length header (chunked transfer encoding is not "
                              "read here)")
        lengths = {value.strip() for value in self.headers.get_all("Content-Length") or []}
        if not lengths:
            return 0
        if len(lengths) > 1 or not re.fullmatch(r"[0-9]{1,18}", next(iter(lengths))):
            shown = ", ".join(sorted(lengths))[:80]
            return error(400, f"Content-Length {shown!r} is not one byte count; send the body's length in bytes")
        length = int(lengths.pop())
        if length > MAX_BODY_BYTES:
            return error(413, f"request bodies are limited to {MAX_BODY_BYTES} bytes")
        return length

    def do_OPTIONS(self) -> None:  # CORS preflight
        allowed = "GET, POST, OPTIONS"
        self._send(Reply(204, b"", headers={"Allow": allowed, "Access-Control-Allow-Methods": allowed}))


def _fields(text: str) -> dict[str, list[str]]:
    """Form or URL query fields; a percent-encoded byte that is not UTF-8 raises UnicodeDecodeError."""
    return parse_qs(text, keep_blank_values=True, errors="strict")


def open_endpoint(locate: Callable[[], Path], port: int, timeout_s: float = DEFAULT_TIMEOUT_S,
                  max_rows: int = DEFAULT_MAX_ROWS, *, cors: bool = False,
                  memory_mb: int | None = DEFAULT_MEMORY_MB, max_concurrent: int = MAX_CONCURRENT) -> SparqlServer:
    """Listen on 127.0.0.1:`port` (0: any free port) once the store has answered a first query.

    Then call `serve_forever()` on the result, and `close_endpoint()` when done.
    """
    server = SparqlServer((HOST, port), _Handler)
    server.endpoint = Endpoint(locate, timeout_s, max_rows, max_concurrent, memory_mb)
    server.cors = cors
    server.hosts = frozenset(f"{name}{suffix}" for name in (HOST, "localhost")
                             for suffix in ("", f":{server.server_port}"))
    probe = server.endpoint.query("ASK { ?s ?p ?o }", "*/*", timeout_s=max(timeout_s, 60))  # starts the fork server
    if probe.status != 200:
        server.server_close()
        raise RuntimeError(f"the store does not answer: {probe.body.decode().strip()}")
    log.info("SPARQL endpoint on %s (timeout %g s, %s MB, %d rows, %d at once)", server.url, timeout_s,
             memory_mb, max_rows, max_concurrent)
    return server


def close_endpoint(server: SparqlServer) -> None:
    """Stop the queries still running and release the port."""
    server.endpoint.stop_all()
    server.server_close()
