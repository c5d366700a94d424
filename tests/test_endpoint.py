"""`policygraph serve` over real HTTP: a standard client, content negotiation, refusals, limits, loopback only."""

from __future__ import annotations

import contextlib
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from endpoint_support import Server, request, running_server
from rdflib import Graph, Literal
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, URLENCODED, SPARQLWrapper

PG = "https://w3id.org/policygraph/ontology#"
LETTERS = f"SELECT DISTINCT ?c WHERE {{ ?s a <{PG}Service> ; <{PG}identifier> ?c }} ORDER BY ?c"
CASE_LETTERS = list("ABCDEF")
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
INSERT = "INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }"
INSERTED = "ASK { <urn:x:s> <urn:x:p> <urn:x:o> }"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TIMEOUT_S = 2
MAX_ROWS = 1000
SPARQL_RESULTS = "http://www.w3.org/2005/sparql-results#"


@pytest.fixture(scope="module")
def server(build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(build_dir, tmp_path_factory.mktemp("serve"), "--timeout", str(TIMEOUT_S),
                        "--max-rows", str(MAX_ROWS)) as running:
        yield running


def triple_count(server: Server) -> int:
    answer = request(server.url, query=COUNT, accept="text/csv")
    assert answer.status == 200, answer.text
    return int(answer.text.splitlines()[1])


def test_startup_line_gives_the_url(server: Server) -> None:
    assert server.url in server.stdout.read_text()


@pytest.mark.parametrize(("method", "request_method"), [("GET", URLENCODED), (POST, URLENCODED),
                                                         (POST, POSTDIRECTLY)])
def test_sparqlwrapper_select_json(server: Server, method: str, request_method: str) -> None:
    client = SPARQLWrapper(server.url)
    client.setQuery(LETTERS)
    client.setReturnFormat(JSON)
    client.setMethod(method)
    client.setRequestMethod(request_method)
    result = client.queryAndConvert()
    assert isinstance(result, dict)
    assert result["head"]["vars"] == ["c"]
    assert [row["c"]["value"] for row in result["results"]["bindings"]] == CASE_LETTERS


def test_select_as_csv(server: Server) -> None:
    answer = request(server.url, query=LETTERS, accept="text/csv")
    assert (answer.status, answer.content_type) == (200, "text/csv")
    assert answer.text.splitlines() == ["c", *CASE_LETTERS]


def test_select_as_xml_by_form_post(server: Server) -> None:
    form = urllib.parse.urlencode({"query": LETTERS}).encode()
    answer = request(server.url, data=form, content_type="application/x-www-form-urlencoded",
                     accept="application/sparql-results+xml")
    assert (answer.status, answer.content_type) == (200, "application/sparql-results+xml")
    root = ET.fromstring(answer.text)
    assert [lit.text for lit in root.iter(f"{{{SPARQL_RESULTS}}}literal")] == CASE_LETTERS


def test_select_as_tsv_and_client_preference(server: Server) -> None:
    answer = request(server.url, query=LETTERS, accept="text/csv;q=0.5, text/tab-separated-values")
    assert answer.content_type == "text/tab-separated-values"
    assert answer.text.splitlines() == ["?c", *(f'"{c}"' for c in CASE_LETTERS)]


def test_construct_as_turtle_parses_with_rdflib(server: Server) -> None:
    query = f"CONSTRUCT {{ ?s <{PG}identifier> ?c }} WHERE {{ ?s a <{PG}Service> ; <{PG}identifier> ?c }}"
    answer = request(server.url, data=query.encode(), content_type="application/sparql-query",
                     accept="text/turtle")
    assert (answer.status, answer.content_type) == (200, "text/turtle")
    graph = Graph().parse(data=answer.text, format="turtle")
    assert sorted({str(o) for o in graph.objects()}) == CASE_LETTERS


def test_describe_as_ntriples(server: Server) -> None:
    first = request(server.url, query=f"SELECT ?s WHERE {{ ?s a <{PG}Service> ; <{PG}identifier> 'A' }}",
                    accept="text/csv")
    site = first.text.splitlines()[1]
    answer = request(server.url, query=f"DESCRIBE <{site}>", accept="application/n-triples")
    assert (answer.status, answer.content_type) == (200, "application/n-triples")
    graph = Graph().parse(data=answer.text, format="nt")
    assert Literal("A") in set(graph.objects())


def test_ask(server: Server) -> None:
    yes = request(server.url, query=f"ASK {{ ?s a <{PG}Service> ; <{PG}identifier> 'D' }}",
                  accept="application/sparql-results+json")
    assert (yes.status, json.loads(yes.text)["boolean"]) == (200, True)
    assert json.loads(request(server.url, query=INSERTED).text)["boolean"] is False


def test_row_cap_is_announced(server: Server) -> None:
    answer = request(server.url, query="SELECT * WHERE { ?s ?p ?o }", accept="text/csv")
    assert answer.status == 200
    assert len(answer.text.splitlines()) == MAX_ROWS + 1
    assert answer.headers["X-Row-Limit-Reached"] == str(MAX_ROWS)


def test_unavailable_format_is_406(server: Server) -> None:
    answer = request(server.url, query=LETTERS, accept="image/png")
    assert answer.status == 406
    assert "application/sparql-results+json" in answer.text


def test_updates_are_refused_and_change_nothing(server: Server) -> None:
    before = triple_count(server)
    attempts = [
        request(server.url, data=INSERT.encode(), content_type="application/sparql-update"),
        request(server.url.replace("/query", "/update"), data=INSERT.encode(),
                content_type="application/sparql-update"),
        request(server.url.replace("/query", "/update"), data=urllib.parse.urlencode({"update": INSERT}).encode(),
                content_type="application/x-www-form-urlencoded"),
        request(server.url, query=INSERT),
    ]
    for answer in attempts:
        assert 400 <= answer.status < 500, answer
        assert "refused" in answer.text
    client = SPARQLWrapper(server.url.replace("/query", "/update"))  # a standard client's update path
    client.setQuery(INSERT)
    client.setMethod(POST)
    with pytest.raises(urllib.error.HTTPError) as refused:
        client.query()
    assert refused.value.code == 403
    assert triple_count(server) == before
    assert json.loads(request(server.url, query=INSERTED).text)["boolean"] is False


def test_service_is_refused_and_never_called(server: Server) -> None:
    with socket.socket() as listener:  # a local service the endpoint must not be made to call (SSRF)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        target = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
        answer = request(server.url, query=f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}")
        assert answer.status == 400
        assert "SERVICE" in answer.text
        with pytest.raises(BlockingIOError):
            listener.accept()


def test_runaway_query_is_stopped_and_the_server_goes_on(server: Server) -> None:
    started = time.monotonic()
    answer = request(server.url, query=CARTESIAN)
    elapsed = time.monotonic() - started
    assert answer.status == 503
    assert f"{TIMEOUT_S} s limit" in answer.text
    assert elapsed < TIMEOUT_S + 3  # the limit, plus process start-up and HTTP on a busy machine
    after = request(server.url, query=LETTERS, accept="text/csv")
    assert (after.status, after.text.splitlines()[1:]) == (200, CASE_LETTERS)


def test_other_hosts_are_refused(server: Server) -> None:
    answer = request(server.url, query=LETTERS, host=f"attacker.example:{server.port}")
    assert answer.status == 403
    assert request(server.url, query=LETTERS, host=f"localhost:{server.port}").status == 200


def _listening_addresses(port: int) -> list[str]:
    """Local addresses of the sockets listening on `port`, from the kernel's tables (Linux)."""
    found = []
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                found.append(address)
    return found


def _non_loopback_ipv4() -> set[str]:
    addresses: set[str] = set()
    with contextlib.suppress(OSError):
        addresses |= {str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp, contextlib.suppress(OSError):
        udp.connect(("192.0.2.1", 9))  # sends nothing; picks the outgoing interface's address
        addresses.add(udp.getsockname()[0])
    return {a for a in addresses if not a.startswith("127.")}


def test_listens_on_loopback_only(server: Server) -> None:
    if Path("/proc/net/tcp").exists():
        assert _listening_addresses(server.port) == ["0100007F"]  # 127.0.0.1, little-endian hex
    for address in _non_loopback_ipv4():
        with socket.socket() as client:
            client.settimeout(2)
            assert client.connect_ex((address, server.port)) != 0, f"the endpoint answers on {address}"
