"""app/read/navigate.py on the case: the node index and search, the shortest paths with each hop's evidence
(checked against networkx on the same links and against the build's own statements), the defaults a view
opens on, and the refusals."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from rdflib import RDF, URIRef

from policygraph.app.read.navigate import (
    MAX_PATHS,
    NOT_WALKED,
    Links,
    default_ends,
    default_node,
    links,
    path_table,
    path_view,
    shortest_paths,
)
from policygraph.app.release import Release
from policygraph.ontology import ID_BASE, PG

BASE = f"{ID_BASE}health-trainers/"
SERVICE_D = f"{BASE}service/D"


@pytest.fixture(scope="module")
def release(build_dir: Path) -> Release:
    return Release.current(build_dir)


@pytest.fixture(scope="module")
def found(release: Release) -> Links:
    return links(release)


def test_index_holds_every_resource_of_the_programme_but_evidence_records(release: Release, found: Links) -> None:
    g = release.model().graph
    evidence = {str(s) for s in g.subjects(RDF.type, PG.Evidence)}
    assert evidence, "the case has evidence records"
    assert not evidence & set(found.nodes)
    kinds = found.kinds()
    assert kinds["Service"] == 6
    assert kinds["ConfigurationValue"] == 96
    assert kinds["Source"] == 46  # every source of sources.yaml
    assert kinds["Finding"] == 53 and kinds["TimeInterval"] > 20
    assert kinds["Programme"] == 1
    assert "Class" not in kinds  # no ontology term
    assert all(n.startswith((ID_BASE, "https://w3id.org/policygraph/vocab/")) for n in found.nodes)


def test_search_by_label_identifier_or_short_name_best_first(found: Links) -> None:
    by_identifier, _ = found.search("D")
    assert by_identifier[0].iri == SERVICE_D  # its identifier, exactly
    by_short, _ = found.search("service/D")
    assert [n.iri for n in by_short] == [SERVICE_D]
    by_label, total = found.search("gp referrals")
    assert by_label[0].label == "GP referrals"  # exact label first, then labels that start with it
    assert by_label[1].label.startswith("GP referrals")
    assert total == len(by_label)
    services, total = found.search("", "Service")
    assert [n.identifier for n in services] == list("ABCDEF")
    assert total == 6
    limited, total = found.search("", limit=5)
    assert len(limited) == 5
    assert total == len(found.nodes)
    assert found.search("no such label anywhere") == ([], 0)


def test_a_link_names_a_node_by_short_name_or_iri(found: Links) -> None:
    assert found.named("service/D").iri == SERVICE_D
    assert found.named(SERVICE_D).short == "service/D"
    with pytest.raises(KeyError, match="no node 'service/Z' in this programme"):
        found.named("service/Z")


def test_defaults_come_from_the_model(release: Release, found: Links) -> None:
    model = release.model()
    assert default_node(release, found).iri == str(model.services[0])
    start, end = default_ends(release, found)
    intents = {str(e.intent) for e in model.expectations}
    assert start.iri in intents
    assert start.label == min(found.nodes[i].label for i in intents)
    assert end.iri == str(model.services[0])


def test_links_walked_are_the_build_statements_but_the_hubs(release: Release, found: Links) -> None:
    g = release.model().graph
    for a, b in found.graph.edges:
        stated = set(g.predicates(URIRef(a), URIRef(b))) | set(g.predicates(URIRef(b), URIRef(a)))
        assert stated - NOT_WALKED, (a, b)
    programme = f"{ID_BASE}health-trainers"
    assert found.graph.degree(programme) < 10  # partOfProgramme is not walked: the programme is no hub


def test_shortest_paths_between_two_services_with_evidence(release: Release, found: Links) -> None:
    paths = shortest_paths(release, found, "service/A", "service/B", max_paths=MAX_PATHS)
    expected = list(nx.all_shortest_paths(found.graph, f"{BASE}service/A", f"{BASE}service/B"))
    assert paths.length == len(expected[0]) - 1
    assert len(paths.hops) == min(len(expected), MAX_PATHS)
    assert paths.more == (len(expected) > MAX_PATHS)
    g = release.model().graph
    for path in paths.hops:
        assert path[0].source == f"{BASE}service/A"
        assert path[-1].target == f"{BASE}service/B"
        for hop in path:
            for predicate, forward in hop.relations:
                s, o = (hop.source, hop.target) if forward else (hop.target, hop.source)
                assert (URIRef(s), URIRef(predicate), URIRef(o)) in g
    table = path_table(paths)
    assert table.columns == ["path", "hop", "from", "relation", "direction", "to", "evidence"]
    assert len(table.rows) == sum(len(p) for p in paths.hops)
    assert table.rows[0][2] == "Case study A"
    assert any("S4 (Table 2, row A" in str(row[6]) for row in table.rows)


def test_path_from_an_intent_to_a_service_follows_its_expectation(release: Release, found: Links) -> None:
    paths = shortest_paths(release, found, "intent/peer-support-from-next-door", "service/A", 3)
    rows = path_table(paths).rows
    assert rows[0][2:6] == ("Peer support from next door", "hasExpectation", "→",
                            "Peer support from next door: expectation on interaction")
    assert rows[-1][5] == "Case study A"
    view = path_view(release, found, paths)
    assert view.title == "Path from Peer support from next door to Case study A (4 hops)"
    layers = {view.graph.nodes[n]["label"]: view.graph.nodes[n]["layer"] for n in view.graph}
    assert layers["Peer support from next door"] == 0
    assert layers["Case study A"] == 4
    assert all(view.graph.edges[e]["evidence"] for e in view.graph.edges)


def test_no_path_says_so(release: Release, found: Links) -> None:
    # A source is cited through evidence records, which are not walked: no link reaches it.
    source = next(n for n in found.nodes.values() if n.kind == "Source")
    assert found.graph.degree(source.iri) == 0
    paths = shortest_paths(release, found, "service/A", source.iri)
    assert paths.hops == []
    table = path_table(paths)
    assert table.rows == []
    assert table.notes == [f"no path links Case study A and {source.label} (classes, the programme, status codes, "
                           "provenance and evidence records are not walked)"]
    view = path_view(release, found, paths)
    assert set(view.graph) == {f"{BASE}service/A", source.iri}
    assert view.notes == table.notes


def test_more_paths_than_asked_says_so(release: Release, found: Links) -> None:
    paths = shortest_paths(release, found, "service/A", "service/B", max_paths=1)
    assert len(paths.hops) == 1
    assert paths.more
    assert path_table(paths).notes == ["more shortest paths exist than the 1 shown: ask for more paths"]


@pytest.mark.parametrize("count", [0, MAX_PATHS + 1])
def test_refuses_a_number_of_paths_out_of_range(release: Release, found: Links, count: int) -> None:
    with pytest.raises(ValueError, match=f"ask for 1 to {MAX_PATHS} paths"):
        shortest_paths(release, found, "service/A", "service/B", count)


def test_refuses_an_unknown_end(release: Release, found: Links) -> None:
    with pytest.raises(KeyError, match="no node 'service/Z'"):
        shortest_paths(release, found, "service/A", "service/Z")
