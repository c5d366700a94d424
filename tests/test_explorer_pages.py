"""Every explorer page under Streamlit's AppTest, asserting what it shows for the case."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from streamlit.testing.v1 import AppTest

from policygraph.app.release import Release

SCREENS = Path(__file__).resolve().parents[1] / "app" / "explorer" / "screens"
BASE = "https://w3id.org/policygraph/id/health-trainers/"


@pytest.fixture(autouse=True)
def _build_env(build_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYGRAPH_BUILD", str(build_dir))


def _page(name: str) -> AppTest:
    app = AppTest.from_file(str(SCREENS / f"{name}.py"), default_timeout=60).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _iframe_html(app: AppTest) -> str:
    frames = list(app.get("iframe"))
    assert frames, "the page shows no network iframe"
    proto = frames[0].proto
    return str(getattr(proto, "srcdoc", "") or getattr(proto, "src", ""))


def _iframe_title(app: AppTest) -> str:
    match = re.search(r"<section class=\"pg-view pg-network\"[^>]*><h2>(.*?)</h2>", _iframe_html(app))
    assert match, "the network page has no heading"
    return match.group(1)


def _vis_nodes(html: str) -> list[dict[str, object]]:
    match = re.search(r'<section class="pg-view pg-network" id="(pg-[^"]+)">.*?'
                      r'<script type="application/json" id="\1-data">(.*?)</script>', html, re.S)
    assert match, "no node data in the network page"
    nodes: list[dict[str, object]] = json.loads(match.group(2))["nodes"]
    return nodes


def test_overview_shows_programme_services_and_coverage() -> None:
    app = _page("overview")
    assert app.title[0].value == "National Health Trainers Service (England)"
    # AppTest does not expose dataframe keys: tables come in page order.
    documents, _intents, services, coverage_frame, timeline = (df.value for df in app.dataframe)
    assert list(services["service"]) == list("ABCDEF")
    assert services.iloc[5]["description (verbatim)"] == "unknown"
    coverage = coverage_frame.set_index("service")
    assert coverage.loc["D", "known cells"] == "16"
    assert coverage.loc["E", "known cells"] == "1"
    assert coverage.loc["F", "known share"] == "0%"
    assert len(documents) == 4
    assert len(timeline) == 19  # the events of timeline.yaml
    # The headline first, in the programme's words (the figures are those docs/measures.md works out).
    headline = app.markdown[1].value.replace("\\", "")  # as shown: Markdown escapes removed
    assert "Medicalisation: 4 of 4 case studies with enough known data moved towards the" in headline
    assert "(mean +42.7 points); 4 became less faithful" in headline
    assert "Coverage: 65 of 96 configuration cells known (68%); 1 of 6 case studies with no known cell." in headline
    assert "Departed most in Follow-up: Health Trainer / Service User Interaction, where 4 of 4" in headline


def test_vision_colours_d_departures_and_shows_evidence() -> None:
    app = _page("vision")
    app.selectbox(key="vision-intent").select("Reach hard-to-reach people in community settings").run()
    app.selectbox(key="vision-service").select("D").run()
    assert not app.exception
    nodes = _vis_nodes(_iframe_html(app))
    labels = {n["label"]: n for n in nodes}
    departed = labels["Case study D, follow-up, primary-referral-sources: GP referrals"]
    kept = labels["Case study D, start-up, primary-referral-sources: Self/community^d"]
    assert departed["color"] == "#c62828"
    assert kept["color"] == "#2e7d32"
    value = "https://w3id.org/policygraph/id/health-trainers/configuration/D/follow-up/primary-referral-sources"
    app.selectbox(key="vision-node").select(value).run()
    evidence, edges = (df.value for df in app.dataframe)
    assert list(evidence["source"]) == ["S4"]
    assert evidence.iloc[0]["locator"] == "Table 2, row D follow-up, column 'Primary Referral Source/s'"
    assert list(edges["status"]) == ["departed"]


def test_services_matrix_reproduces_table2_with_orientation_colours() -> None:
    app = _page("services")
    matrix, adaptations, measures, _findings = (df.value for df in app.dataframe)
    frame = matrix.data if hasattr(matrix, "data") else matrix
    d_follow = frame[(frame["service"] == "D") & (frame["period"] == "Follow-up")].iloc[0]
    assert d_follow["Geographical/Population Service Targeting?"] == "Universal"
    assert d_follow["Primary Referral Source/s"] == "GP referrals"
    assert (frame[frame["service"] == "F"].iloc[:, 2:] == "unknown").all().all()
    assert len(adaptations) == 21
    measures = measures.set_index(["service", "period"])
    assert measures.loc[("D", "follow-up"), "medicalisation"] == "75.0%"
    assert measures.loc[("E", "start-up"), "medicalisation"] == "insufficient data"


def test_services_page_says_what_the_sources_say_about_the_service() -> None:
    app = _page("services")
    findings = app.dataframe[3].value
    assert app.subheader[-1].value == "What the sources say"
    conclusions = findings[findings["kind"] == "conclusion"]
    assert list(conclusions["finding"]) == [
        "A different model is needed, yet sustainability needs alignment with the NHS"]
    assert "S1: Abstract, Conclusions" in conclusions.iloc[0]["sources"]
    app.selectbox(key="services-service").set_value("D").run()
    assert not app.exception
    assert app.subheader[-1].value == "What the sources say about D"
    d = app.dataframe[3].value
    assert list(d["kind"]) == ["finding", "finding", "method"]  # findings first, then how the study was done
    assert "re-provided" in " ".join(d["finding"]) and set(d["about"]) == {"D"}
    assert any("S4: Table 2, row D" in cited for cited in d["sources"])


def test_services_cells_coloured_by_orientation() -> None:
    from policygraph.app.explorer.common import build_dir
    from policygraph.app.read.tables import orientation_legend, services_matrix

    release = Release.current(build_dir())
    matrix = services_matrix(release)
    d_follow = matrix.orientations[7]
    assert d_follow[5] == "nhs-medical"  # targeting: Universal
    assert matrix.orientations[6][5] == "community"  # Resident of 20% most deprived local area
    legend = orientation_legend(release.model())
    # The drift pole is red, the other pole green, whatever the programme calls them.
    assert legend.colours["nhs-medical"] != legend.colours["community"]
    assert "red = NHS-or-medical-oriented" in legend.caption() and "green = community-oriented" in legend.caption()


def _one_hop(build_dir: Path, node: str) -> int:
    """The node and every resource one link away from it in the build's graph, either direction."""
    graph = Release.current(build_dir).model().graph
    term = URIRef(node)
    linked = {o for o in graph.objects(term) if not isinstance(o, Literal)} | set(graph.subjects(None, term))
    return len(linked | {term})


def test_network_opens_on_the_first_service_and_caps_and_says_so(build_dir: Path) -> None:
    app = _page("network")
    assert app.selectbox(key="network-centre").value.endswith("/service/A")  # the model's first service
    shown = len(_vis_nodes(_iframe_html(app)))
    assert shown == _one_hop(build_dir, f"{BASE}service/A") >= 18  # case study A and its neighbours
    app.slider(key="network-hops").set_value(2).run()
    app.slider(key="network-cap").set_value(10).run()
    assert not app.exception
    assert len(_vis_nodes(_iframe_html(app))) == 10
    assert any("truncated" in w.value for w in app.warning)


def test_network_search_by_label_or_identifier_focuses_on_the_best_match(build_dir: Path) -> None:
    app = _page("network")
    app.text_input(key="network-centre-search").input("Case study D").run()
    assert not app.exception
    centre = app.selectbox(key="network-centre")
    assert centre.value == f"{BASE}service/D"
    assert len(_vis_nodes(_iframe_html(app))) == _one_hop(build_dir, f"{BASE}service/D") >= 17  # D and its neighbours
    assert _iframe_title(app) == "Neighbourhood of Case study D (1 hop)"
    app.text_input(key="network-centre-search").input("primary-referral-sources").run()  # an identifier
    assert app.selectbox(key="network-centre").value == f"{BASE}dimension/primary-referral-sources"
    app.selectbox(key="network-centre-kind").select("Concept").run()  # any kind: the best match of that kind
    chosen = app.selectbox(key="network-centre")
    assert chosen.value.startswith(f"{BASE}concept/primary-referral-sources/")
    assert all(o.endswith("(Concept)") for o in chosen.options)
    app.text_input(key="network-centre-search").input("no such label").run()
    assert not app.exception
    assert app.info[0].value == "No node of kind Concept has 'no such label' in its label or identifier."
    assert app.selectbox(key="network-centre").value == chosen.value  # the view stays on its node


def test_path_page_draws_the_shortest_paths_with_each_hops_evidence() -> None:
    app = _page("path")
    # Opens from the first intent (by label) to the first service.
    assert app.selectbox(key="path-from").value == f"{BASE}intent/peer-support-from-next-door"
    assert app.selectbox(key="path-to").value == f"{BASE}service/A"
    assert _iframe_title(app) == "Path from Peer support from next door to Case study A (4 hops)"
    hops = app.dataframe[0].value
    assert list(hops.columns) == ["path", "hop", "from", "relation", "direction", "to", "evidence"]
    assert hops.iloc[0]["from"] == "Peer support from next door"
    assert list(hops["to"])[-1] == "Case study A"
    assert "S1 (Abstract, Context)" in hops.iloc[0]["evidence"]
    app.text_input(key="path-to-search").input("B").run()
    assert app.selectbox(key="path-to").value == f"{BASE}service/B"
    app.text_input(key="path-from-search").input("A").run()
    app.slider(key="path-max").set_value(1).run()
    assert not app.exception
    assert set(app.dataframe[0].value["path"]) == {"1"}
    assert any("more shortest paths exist than the 1 shown" in w.value for w in app.warning)
    app.text_input(key="path-to-search").input("A").run()  # the same node at both ends
    assert app.info[0].value == "Choose two different nodes to see the paths between them."
    assert not app.get("iframe")


def test_path_page_starts_from_the_node_last_focused_on() -> None:
    app = AppTest.from_file(str(SCREENS / "path.py"), default_timeout=60)
    app.session_state["focused-node"] = f"{BASE}service/C"
    app.run()
    assert app.selectbox(key="path-from").value == f"{BASE}service/C"


def test_query_page_runs_named_queries_and_refuses_writes() -> None:
    app = _page("query")
    app.selectbox(key="query-name").select("table2").run()
    app.button(key="query-run").click().run()
    result = app.dataframe[0].value
    assert len(result) == 12
    app.text_area(key="sparql-text").input("DELETE WHERE { ?s ?p ?o }").run()
    app.button(key="sparql-run").click().run()
    assert any("refused" in e.value for e in app.error)


def test_export_page_offers_every_format() -> None:
    app = _page("export")
    formats = app.radio(key="export-format").options
    assert formats == ["Offline HTML page", "SVG (slides)", "PNG (slides)", "PDF (slides)", "PowerPoint deck",
                       "GEXF (Gephi)", "GraphML",
                       "Cytoscape JSON", "Turtle (RDF)", "JSON-LD (RDF)", "CSV of the claims with citations"]
    assert "89 nodes" in app.caption[0].value  # with the 4 unknown referral pathways of E and F


def test_export_page_previews_exactly_what_is_downloaded() -> None:
    from policygraph.app.explorer.common import build_dir
    from policygraph.app.exports import export_view

    release = Release.current(build_dir())
    app = _page("export")
    assert _iframe_html(app) == export_view(release, "html").decode("utf-8")  # the offline page itself
    for fmt in ("png", "svg"):
        app.radio(key="export-format").set_value(fmt).run()
        assert not app.exception
        assert len(app.get("image")) == 1
        assert not app.get("iframe")
    app.selectbox(key="export-service").select("D").run()
    app.radio(key="export-format").set_value("csv").run()
    shown = app.main.code[0].value
    claims = export_view(release, "csv", service="D").decode("utf-8").splitlines()
    assert shown.splitlines() == claims[:40]
    assert app.main.caption[-1].value == f"The first 40 of {len(claims):,} lines."


def test_preview_of_a_binary_format_says_what_it_holds() -> None:
    def page() -> None:
        from policygraph.app.explorer.preview import preview

        preview("pptx", b"PK\x03\x04\xff\xfe binary")

    app = AppTest.from_function(page).run()
    assert not app.exception
    assert app.caption[0].value == "No preview for pptx\\: 13 bytes to download."  # ':' escaped for Markdown


def test_pages_stop_cleanly_without_a_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYGRAPH_BUILD", str(tmp_path / "none"))
    app = AppTest.from_file(str(SCREENS / "overview.py"), default_timeout=30).run()
    assert not app.exception
    assert "Run `policygraph build` first" in app.error[0].value
