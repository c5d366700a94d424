"""The endpoint under hostile or careless clients, over real sockets against a real `policygraph serve`:
malformed bodies, deep nesting, runaway and memory-hungry queries, full slots, idle connections, clients
that leave early. Each answer is a clean message with the right status; the server goes on serving."""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from endpoint_support import Answer, Server, body_of, raw_exchange, request, running_server, status_of
from hostile_queries import BIG_QUERIES, MEMORY_HUNGRY, NESTED

from policygraph.app.endpoint import IDLE_TIMEOUT_S, MAX_CONCURRENT, MAX_CONNECTIONS, SLOT_WAIT_S

TIMEOUT_S = 3
PATIENT_TIMEOUT_S = 120
MEMORY_MB = 256
ASK = "ASK { ?s ?p ?o }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
# Tracebacks, unhandled connection errors, and what native code prints as it fails under the memory bound.
TRACEBACK_MARKS = ("Traceback", "BrokenPipe", "ConnectionReset", "Exception occurred", "memory allocation",
                   "terminate called")


@pytest.fixture(scope="module")
def server(build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(build_dir, tmp_path_factory.mktemp("serve-hardening"), "--timeout", str(TIMEOUT_S),
                        "--memory", str(MEMORY_MB)) as running:
        yield running


@pytest.fixture(scope="module")
def patient_server(build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A time limit far past what the memory-hungry queries need to reach the memory bound."""
    with running_server(build_dir, tmp_path_factory.mktemp("serve-patient"), "--timeout", str(PATIENT_TIMEOUT_S),
                        "--memory", str(MEMORY_MB)) as running:
        yield running


def post_raw(headers: str, body: bytes) -> bytes:
    return (f"POST /query HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n").encode() + body


def assert_serving(server: Server) -> None:
    answer = request(server.url, query=ASK, timeout_s=30)
    assert answer.status == 200, answer.text


@pytest.fixture(autouse=True)
def no_traceback(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test: nothing it made its server write on stderr is a traceback or an unhandled error."""
    used = [request.getfixturevalue(name) for name in ("server", "patient_server") if name in request.fixturenames]
    since = {srv.pid: len(srv.stderr.read_bytes()) for srv in used}
    yield
    for srv in used:
        log = srv.stderr.read_bytes()[since[srv.pid]:].decode("utf-8", "replace")
        assert not [mark for mark in TRACEBACK_MARKS if mark in log], log[-3000:]


def timed(fn: object, *args: object, **kwargs: object) -> tuple[Answer, float]:
    started = time.monotonic()
    answer = fn(*args, **kwargs)  # type: ignore[operator]
    return answer, time.monotonic() - started


# --- request bodies ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("length", ["abc", "-1", "+6", "6.0", "0x6", "1e3", "6 6", "", "99999999999999999999"])
def test_a_content_length_that_is_not_a_count_is_400(server: Server, length: str) -> None:
    started = time.monotonic()
    raw = raw_exchange(server.port, post_raw(f"Content-Type: application/sparql-query\r\nContent-Length: {length}\r\n",
                                             b"ASK {}"))
    assert time.monotonic() - started < 5  # answered at once, not when the client gives up
    assert status_of(raw) == 400, raw
    assert "is not one byte count" in body_of(raw)


def test_two_different_content_lengths_are_400(server: Server) -> None:
    raw = raw_exchange(server.port, post_raw("Content-Type: application/sparql-query\r\nContent-Length: 6\r\n"
                                             "Content-Length: 60\r\n", b"ASK {}"))
    assert status_of(raw) == 400 and "is not one byte count" in body_of(raw)


@pytest.mark.parametrize("encoding", ["chunked", "Chunked", "gzip, chunked", "identity"])
@pytest.mark.parametrize(("media", "body"), [("application/sparql-query", b"ASK {}"),
                                             ("application/x-www-form-urlencoded", b"query=ASK%20%7B%7D"),
                                             ("application/sparql-query", b"")])
def test_a_chunked_body_is_411_never_taken_for_an_update(server: Server, encoding: str, media: str,
                                                         body: bytes) -> None:
    chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n" if body else b"0\r\n\r\n"
    raw = raw_exchange(server.port, post_raw(f"Content-Type: {media}\r\nTransfer-Encoding: {encoding}\r\n", chunked))
    assert status_of(raw) == 411, raw
    assert "Content-Length" in body_of(raw) and "update" not in body_of(raw)


def test_a_body_shorter_than_its_length_is_400(server: Server) -> None:
    raw = raw_exchange(server.port, post_raw("Content-Type: application/sparql-query\r\nContent-Length: 100\r\n",
                                             b"ASK {}"), close_write=True)
    assert status_of(raw) == 400 and "ended after 6 of the 100 bytes" in body_of(raw)


def test_an_oversized_body_is_413_and_the_answer_arrives(server: Server) -> None:
    raw = raw_exchange(server.port, post_raw("Content-Type: application/sparql-query\r\nContent-Length: 2000000\r\n",
                                             b"#" * 200_000))
    assert status_of(raw) == 413


@pytest.mark.parametrize(("route", "data", "media"), [
    ("?query=ASK%20%7B%7D%E9", None, None),
    ("", b"ASK { ?s ?p \"caf\xe9\" }", "application/sparql-query"),
    ("", b"query=ASK%20%7B%7D%FF", "application/x-www-form-urlencoded"),
])
def test_bytes_that_are_not_utf8_are_400(server: Server, route: str, data: bytes | None, media: str | None) -> None:
    answer = request(server.url + route, data=data, content_type=media)
    assert answer.status == 400 and "is not UTF-8" in answer.text


@pytest.mark.parametrize("query", ["", "   ", "# only a comment", "PREFIX ex: <http://example.org/>"])
def test_an_empty_query_is_400_not_an_update(server: Server, query: str) -> None:
    answer = request(server.url, data=query.encode(), content_type="application/sparql-query")
    assert answer.status == 400 and "the query is empty" in answer.text


# --- hostile queries --------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(NESTED))
def test_deep_nesting_is_400(server: Server, kind: str) -> None:
    answer = request(server.url, data=NESTED[kind].encode(), content_type="application/sparql-query")
    assert answer.status == 400, answer.text
    assert "nested too deeply" in answer.text
    assert_serving(server)


@pytest.mark.parametrize("kind", sorted(BIG_QUERIES))
def test_parsing_a_huge_query_is_inside_the_time_limit(server: Server, kind: str) -> None:
    answer, elapsed = timed(request, server.url, data=BIG_QUERIES[kind].encode(),
                            content_type="application/sparql-query")
    assert answer.status == 503, answer.text
    assert f"{TIMEOUT_S} s limit" in answer.text
    assert elapsed < TIMEOUT_S + 3  # the limit plus a process start on a busy machine
    assert_serving(server)


@pytest.mark.parametrize("kind", sorted(MEMORY_HUNGRY))
def test_a_query_past_the_memory_bound_is_stopped_cleanly(patient_server: Server, kind: str) -> None:
    answer, elapsed = timed(request, patient_server.url, query=MEMORY_HUNGRY[kind], timeout_s=PATIENT_TIMEOUT_S)
    assert answer.status == 503, answer.text
    assert f"more than {MEMORY_MB} MB" in answer.text and "--memory" in answer.text
    assert elapsed < PATIENT_TIMEOUT_S / 4  # the memory bound stopped it (under 3 s on an idle machine)
    assert_serving(patient_server)


# --- slots and connections --------------------------------------------------------------------------------

def test_full_slots_answer_503_with_retry_after_quickly(server: Server) -> None:
    runaways = [threading.Thread(target=request, args=(server.url,), kwargs={"query": RUNAWAY})
                for _ in range(MAX_CONCURRENT)]
    for thread in runaways:
        thread.start()
    time.sleep(0.5)  # the runaways take every slot
    answer, elapsed = timed(request, server.url, query=ASK)
    for thread in runaways:
        thread.join()
    assert answer.status == 503, answer.text
    assert "every query slot is taken" in answer.text
    assert elapsed < SLOT_WAIT_S + 1.5  # not the whole time limit
    assert 1 <= int(answer.headers["Retry-After"]) <= TIMEOUT_S
    assert_serving(server)  # the runaways were stopped at the limit: slots free again


def _idle_connections(port: int, count: int) -> list[socket.socket]:
    """`count` connections that send nothing, half a request line, or unfinished headers, in turn."""
    partial = [b"", b"GET /query?query=ASK", b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"]
    sockets = []
    for i in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.sendall(partial[i % len(partial)])
        sockets.append(sock)
    return sockets


def _wait_for_threads(server: Server, at_most: int, within_s: float) -> float:
    started = time.monotonic()
    while server.threads() > at_most:
        if time.monotonic() - started > within_s:
            pytest.fail(f"{server.threads()} threads still held after {within_s} s")
        time.sleep(0.2)
    return time.monotonic() - started


def test_idle_connections_are_timed_out_and_do_not_block_queries(server: Server) -> None:
    baseline = server.threads()
    sockets = _idle_connections(server.port, 200)
    try:
        time.sleep(1)
        assert server.threads() > baseline + 150  # each held its thread for now
        answer, elapsed = timed(request, server.url, query=ASK)
        assert (answer.status, elapsed < 5) == (200, True)
        _wait_for_threads(server, baseline, IDLE_TIMEOUT_S + 10)
        for sock in sockets:  # the server closed each one (no answer to an unfinished request)
            sock.settimeout(5)
            assert sock.recv(100) == b""
    finally:
        for sock in sockets:
            sock.close()


def test_connections_past_the_cap_get_503_and_threads_stay_bounded(server: Server) -> None:
    baseline = server.threads()
    sockets = _idle_connections(server.port, MAX_CONNECTIONS + 40)
    try:
        time.sleep(1)
        assert server.threads() <= baseline + MAX_CONNECTIONS
        refused = 0
        for sock in sockets[MAX_CONNECTIONS:]:
            sock.settimeout(5)
            refused += sock.recv(100).startswith(b"HTTP/1.0 503")
        assert refused >= 30  # the connections past the cap (a few may be accepted as others time out)
    finally:
        for sock in sockets:
            sock.close()
    _wait_for_threads(server, baseline, IDLE_TIMEOUT_S + 10)
    assert_serving(server)


# --- clients that leave early -----------------------------------------------------------------------------

def _leave(port: int, how: str) -> None:
    body = b"SELECT * WHERE { ?s ?p ?o }" if how != "during a runaway" else RUNAWAY.encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(post_raw(f"Accept: text/csv\r\nContent-Type: application/sparql-query\r\n"
                          f"Content-Length: {len(body)}\r\n", body))
    if how == "mid-answer":
        sock.recv(200)  # the answer started; the rest is never read
    if how in ("with a reset", "mid-answer", "during a runaway"):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close sends RST
    sock.close()


@pytest.mark.parametrize("how", ["after asking", "with a reset", "mid-answer", "during a runaway"])
def test_clients_that_leave_early_leave_no_traceback(server: Server, how: str) -> None:
    for _ in range(5):
        _leave(server.port, how)
    time.sleep(TIMEOUT_S + 1.5 if how == "during a runaway" else 2)  # the server has written to the gone clients
    assert_serving(server)
