"""The explorer in a real browser (Debian's Chromium through Playwright): every page through the
sidebar, the vision-to-practice interactions, the query page, every export, and the XSS fixture.

Every test fails on any browser console error, uncaught page error or dialog (see conftest.py).
Set POLICYGRAPH_SCREENSHOTS=1 to refresh the screenshots in docs/img/.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest
from explorer_ui import (
    PAGES,
    REPO,
    TIMEOUT_MS,
    Watch,
    choose,
    click_node,
    go,
    grid,
    grid_rows,
    hover_node,
    network_frame,
    open_app,
    open_offline,
)
from playwright.sync_api import Browser, Error, Page, expect
from rdflib import Graph, Literal
from xss_fixture import IMG, MARKDOWN, TAGS

pytestmark = pytest.mark.browser

SCREENSHOTS = REPO / "docs" / "img"
INTENT = "Reach hard-to-reach people in community settings"
D_FOLLOW_UP_REFERRALS = "Case study D, follow-up, primary-referral-sources: GP referrals"
DEPARTED = "#c62828"
EXPORTS = {"html": "Offline HTML page", "svg": "SVG (slides)", "png": "PNG (slides)", "gexf": "GEXF (Gephi)",
           "graphml": "GraphML", "cyjs": "Cytoscape JSON", "ttl": "Turtle (RDF)", "jsonld": "JSON-LD (RDF)",
           "csv": "CSV of the claims with citations"}
CSV_HEADER = ["item", "label", "relation", "status", "source", "locator"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _screenshot(page: Page, name: str) -> None:
    if os.environ.get("POLICYGRAPH_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name}.png")


def _network_nodes(frame_page: Page) -> int:
    count: int = network_frame(frame_page).evaluate("window.policygraphNetwork.body.data.nodes.length")
    return count


# --- every page -------------------------------------------------------------------------------------


def test_every_page_renders_the_case_from_the_sidebar(page: Page, explorer: str) -> None:
    open_app(page, explorer)
    expect(page.get_by_role("heading", name=PAGES["Overview"], level=1)).to_be_visible(timeout=TIMEOUT_MS)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Services (case studies)", exact=True)).to_be_visible()  # its own word
    services = grid_rows(grid(main, 2))
    assert [row[0] for row in services] == list("ABCDEF")
    assert services[3][1] == "City-based service beginning in early 2007"
    coverage = {row[0]: row[1:] for row in grid_rows(grid(main, 3))}
    assert coverage["D"][0] == "16"
    assert coverage["F"][2] == "0%"
    _screenshot(page, "overview")

    go(page, "Vision → practice")
    assert _network_nodes(page) > 0
    expect(main.get_by_text("Each mark: a service's value in one period")).to_be_visible()
    marks = page.frame_locator("[data-testid=stIFrame]").first.locator("section.pg-picture button.pg-mark")
    expect(marks.first).to_be_visible(timeout=TIMEOUT_MS)  # the picture above the network

    go(page, "Services over time")
    matrix = grid(main, 0)
    expect(matrix).to_have_attribute("aria-rowcount", "13", timeout=TIMEOUT_MS)  # header + 6 services x 2 periods
    columns = matrix.locator("th").all_text_contents()
    rows = {(row[0], row[1]): dict(zip(columns, row, strict=True)) for row in grid_rows(matrix)}
    d_follow_up = rows[("D", "Follow-up")]
    assert d_follow_up["Primary Referral Source/s"] == "GP referrals"
    assert d_follow_up["Geographical/Population Service Targeting?"] == "Universal"
    assert rows[("D", "Start-up")]["Primary Referral Source/s"] == "Self/community^d"
    expect(main.get_by_role("heading", name="Adaptations between start-up and follow-up")).to_be_visible()
    expect(grid(main, 1)).to_contain_text("primary-referral-sources", timeout=TIMEOUT_MS)
    expect(grid(main, 2)).to_contain_text("insufficient data", timeout=TIMEOUT_MS)
    _screenshot(page, "services")

    go(page, "Network")
    # The model's first service.
    expect(page.locator(".st-key-network-centre").get_by_role("combobox")).to_have_value("Case study A (Service)")
    assert _network_nodes(page) > 1
    expect(main.get_by_test_id("stCaptionContainer").first).to_contain_text("nodes")
    _screenshot(page, "network")

    go(page, "Query")
    expect(page.get_by_role("tab", name="Named queries")).to_be_visible()
    expect(page.get_by_role("tab", name="SPARQL")).to_be_visible()
    expect(page.locator(".st-key-query-name").get_by_role("combobox")).to_have_value(re.compile(r"^\w"))

    go(page, "Export")
    expect(page.locator(".st-key-export-download").get_by_role("button")).to_have_text(
        f"Download {EXPORTS['html']}")
    _screenshot(page, "export")

    go(page, "Overview")  # and back: the sidebar keeps working


# --- vision to practice -----------------------------------------------------------------------------


def test_vision_intent_service_evidence_and_canvas_click(page: Page, explorer: str) -> None:
    open_app(page, explorer)
    go(page, "Vision → practice")
    choose(page, "vision-intent", INTENT)
    network_frame(page, f"Vision to practice: {INTENT}")
    choose(page, "vision-service", "D")
    frame = network_frame(page, "case study D")
    # document, intent, expectation, D's two referral-source values, their two pathways, the adaptation
    assert frame.evaluate("window.policygraphNetwork.body.data.nodes.length") == 8
    colours = frame.evaluate("window.policygraphNetwork.body.data.edges.get().map(e => e.color)")
    assert DEPARTED in colours
    labels: dict[str, str] = frame.evaluate(
        "Object.fromEntries(window.policygraphNetwork.body.data.nodes.get().map(n => [n.label, n.id]))")
    assert D_FOLLOW_UP_REFERRALS in labels

    main = page.get_by_test_id("stMain")
    choose(page, "vision-node", D_FOLLOW_UP_REFERRALS)
    evidence = grid(main, 0)
    expect(evidence).to_contain_text("Table 2, row D follow-up, column 'Primary Referral Source/s'",
                                     timeout=TIMEOUT_MS)
    assert grid_rows(evidence) == [["S4", "Table 2, row D follow-up, column 'Primary Referral Source/s'"]]
    expect(grid(main, 1)).to_contain_text("departed", timeout=TIMEOUT_MS)

    panel = frame.locator("section.pg-network .pg-evidence")
    before = panel.text_content()
    start_up = "Case study D, start-up, primary-referral-sources: Self/community^d"
    click_node(frame, labels[start_up])
    expect(panel).not_to_have_text(before or "", timeout=TIMEOUT_MS)
    expect(panel).to_contain_text(start_up)
    expect(panel).to_contain_text("S4: Table 2, row D start-up")
    click_node(frame, labels[D_FOLLOW_UP_REFERRALS])
    expect(panel).to_contain_text("status: departed", timeout=TIMEOUT_MS)
    page.get_by_role("heading", level=1).scroll_into_view_if_needed()
    _screenshot(page, "vision")


# --- network ----------------------------------------------------------------------------------------


def test_network_hops_and_cap_show_the_truncated_notice(page: Page, explorer: str) -> None:
    open_app(page, explorer)
    go(page, "Network")
    network_frame(page)
    expect(page.get_by_test_id("stAlert")).to_have_count(0)
    page.locator(".st-key-network-hops").get_by_role("slider").press("End")
    page.locator(".st-key-network-cap").get_by_role("slider").press("Home")
    notice = re.compile(r"truncated: showing 10 of (at least )?\d+ nodes")
    expect(page.get_by_test_id("stAlert")).to_contain_text(notice, timeout=TIMEOUT_MS)
    frame = network_frame(page, "3 hops")
    assert frame.evaluate("window.policygraphNetwork.body.data.nodes.length") == 10


# --- query ------------------------------------------------------------------------------------------


def test_query_named_adhoc_refusal_and_csv(page: Page, explorer: str) -> None:
    open_app(page, explorer)
    go(page, "Query")
    named = page.get_by_role("tabpanel", name="Named queries")
    choose(page, "query-name", "table2: Table 2 regenerated from the graph")
    named.get_by_role("button", name="Run", exact=True).click()
    expect(grid(named, 0)).to_have_attribute("aria-rowcount", "13", timeout=TIMEOUT_MS)  # header + 12 rows
    with page.expect_download(timeout=TIMEOUT_MS) as download:
        named.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename == "table2.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert len(rows) == 12
    assert {(r["service"], r["period"], r["primary_referral_sources"]) for r in rows} >= {
        ("D", "Follow-up", "GP referrals")}
    _screenshot(page, "query")

    page.get_by_role("tab", name="SPARQL").click()
    adhoc = page.get_by_role("tabpanel", name="SPARQL")
    adhoc.locator(".st-key-sparql-text textarea").fill("DELETE WHERE { ?s ?p ?o }")
    adhoc.get_by_role("button", name="Run SPARQL").click()
    expect(adhoc.get_by_test_id("stAlert")).to_contain_text("updates (INSERT, DELETE", timeout=TIMEOUT_MS)
    expect(adhoc.get_by_test_id("stAlert")).to_contain_text("read-only")


# --- exports ----------------------------------------------------------------------------------------


def _check_preview(page: Page, fmt: str, file: Path) -> None:
    """The Export page's preview shows the downloaded file: the page itself, the image, or its first lines."""
    main = page.get_by_test_id("stMain")
    if fmt == "html":
        frame = network_frame(page)
        assert frame.evaluate("window.policygraphNetwork.body.data.nodes.length") > 0
        expect(main.get_by_test_id("stImage")).to_have_count(0)
    elif fmt in ("png", "svg"):
        expect(main.get_by_test_id("stImage")).to_have_count(1, timeout=TIMEOUT_MS)
        image = main.get_by_test_id("stImage").locator("img")
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth") > 0  # the browser decoded it
        expect(main.get_by_test_id("stIFrame")).to_have_count(0)
    else:
        first = file.read_text(encoding="utf-8").splitlines()[0]
        expect(main.get_by_test_id("stCode")).to_contain_text(first[:60], timeout=TIMEOUT_MS)


def _download_all(page: Page, folder: Path) -> dict[str, Path]:
    """Every export format through the Export page's radio and download button, and its preview."""
    files: dict[str, Path] = {}
    button = page.locator(".st-key-export-download").get_by_role("button")
    for fmt, label in EXPORTS.items():
        page.locator(".st-key-export-format").get_by_text(label, exact=True).click()
        expect(button).to_have_text(f"Download {label}", timeout=TIMEOUT_MS)
        with page.expect_download(timeout=TIMEOUT_MS) as download:
            button.click()
        assert download.value.suggested_filename == f"policygraph-vision.{fmt}"
        files[fmt] = folder / f"export.{fmt}"
        download.value.save_as(files[fmt])
        _check_preview(page, fmt, files[fmt])
    return files


class _Tags(HTMLParser):
    """Start tags of a page; a script's content is data to the parser, so the inlined vis-network
    library and the JSON of labels are not looked into."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _start_tags(text: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Tags()
    parser.feed(text)
    parser.close()
    return parser.tags


def _open_offline(browser: Browser, html_file: Path) -> tuple[Page, list[str], list[str]]:
    """The offline page (explorer_ui.open_offline) once its network is drawn."""
    offline, left, errors = open_offline(browser, html_file)
    offline.wait_for_function("() => window.policygraphNetwork && document.querySelector('.pg-net canvas')"
                              " && window.policygraphNetwork.body.data.nodes.length > 0", timeout=TIMEOUT_MS)
    return offline, left, errors


def test_export_every_format_and_the_offline_page(page: Page, explorer: str, browser: Browser,
                                                  tmp_path: Path) -> None:
    open_app(page, explorer)
    go(page, "Export")
    caption = page.get_by_test_id("stMain").get_by_test_id("stCaptionContainer").first
    expect(caption).to_contain_text("Vision to practice")
    found = re.search(r"(\d+) nodes, (\d+) links", caption.text_content() or "")
    assert found, caption.text_content()
    nodes, links = int(found[1]), int(found[2])
    files = _download_all(page, tmp_path)

    gexf = nx.read_gexf(files["gexf"])
    assert (gexf.number_of_nodes(), gexf.number_of_edges()) == (nodes, links)
    graphml = nx.read_graphml(files["graphml"])
    assert (graphml.number_of_nodes(), graphml.number_of_edges()) == (nodes, links)
    assert any(a.get("status") == "departed" for _, _, a in graphml.edges(data=True))
    svg = ET.parse(files["svg"]).getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert files["png"].read_bytes().startswith(PNG_SIGNATURE)
    turtle = Graph().parse(files["ttl"], format="turtle")
    jsonld = Graph().parse(files["jsonld"], format="json-ld")
    assert len(turtle) > 0
    assert len(jsonld) == len(turtle)
    with files["csv"].open(encoding="utf-8", newline="") as handle:
        claims = list(csv.reader(handle))
    assert claims[0] == CSV_HEADER
    assert any(row[4] == "S4" and row[5].startswith("Table 2, row D") for row in claims[1:])
    cyjs = json.loads(files["cyjs"].read_text(encoding="utf-8"))
    assert len(cyjs["elements"]["nodes"]) == nodes
    assert len(cyjs["elements"]["edges"]) == links

    html_text = files["html"].read_text(encoding="utf-8")
    assert not [attrs for tag, attrs in _start_tags(html_text) if tag in ("script", "link", "img")
                and any(name in ("src", "href") for name, _ in attrs)], "the offline page loads something"
    offline, left, errors = _open_offline(browser, files["html"])
    try:
        assert offline.evaluate("window.policygraphNetwork.body.data.nodes.length") == nodes
        expect(offline.locator(".pg-net canvas")).to_be_visible()
        assert left == [], f"requests left the offline page: {left}"
        assert errors == [], errors
    finally:
        offline.context.close()


# --- XSS ----------------------------------------------------------------------------------------------


_LIVE = """() => [...document.querySelectorAll('img, b')]
    .filter(e => e.getAttribute('src') === 'x' || e.textContent === 'tags')
    .map(e => e.outerHTML)"""


def _no_live_markup(page: Page) -> None:
    """No element made from a label, in the page or any of its frames (looked at again when a rerun replaced a
    frame's document meanwhile: an iframe is re-rendered on every change)."""
    for _ in range(5):
        try:
            for frame in page.frames:
                live = frame.evaluate(_LIVE)
                assert live == [], f"live markup in {frame.url}: {live}"
            return
        except Error as exc:
            if "Execution context was destroyed" not in exc.message:
                raise
            page.wait_for_load_state()
    raise AssertionError("the page's frames kept changing while they were looked at")


HOSTILE_VALUE = f"Case study D, follow-up, primary-referral-sources: {TAGS}"


def test_xss_labels_render_as_text_everywhere(watch: Watch, xss_explorer: str, browser: Browser,
                                              tmp_path: Path) -> None:
    page = watch.page
    open_app(page, xss_explorer)
    _xss_overview(page)
    _xss_vision(page)
    _xss_services_network_query(page)
    files = _xss_export(page, tmp_path)
    watch.check()  # no dialog so far, no console error
    _check_hostile_exports(files)
    _xss_offline_page(browser, files["html"])


def _xss_overview(page: Page) -> None:
    main = page.get_by_test_id("stMain")
    # In markdown (the programme's description) and in tables (intents, services).
    expect(main.get_by_text(f"Fixture programme: {IMG} and {TAGS}; {MARKDOWN}", exact=True)).to_be_visible(
        timeout=TIMEOUT_MS)
    expect(grid(main, 1)).to_contain_text(IMG, timeout=TIMEOUT_MS)
    expect(grid(main, 2)).to_contain_text(f"{IMG} {TAGS}", timeout=TIMEOUT_MS)
    _no_live_markup(page)


def _xss_vision(page: Page) -> None:
    go(page, "Vision → practice")
    choose(page, "vision-intent", IMG)  # the intent's label, as the option and the value shown
    choose(page, "vision-service", "D")
    frame = network_frame(page, "case study D")
    expect(frame.locator("section.pg-network h2")).to_have_text(f"Vision to practice: {IMG}, case study D")
    labels: dict[str, str] = frame.evaluate(
        "Object.fromEntries(window.policygraphNetwork.body.data.nodes.get().map(n => [n.label, n.id]))")
    assert IMG in labels
    assert HOSTILE_VALUE in labels
    click_node(frame, labels[HOSTILE_VALUE])
    expect(frame.locator("section.pg-network .pg-evidence")).to_contain_text(HOSTILE_VALUE, timeout=TIMEOUT_MS)
    click_node(frame, labels[IMG])
    expect(frame.locator("section.pg-network .pg-evidence")).to_contain_text(IMG, timeout=TIMEOUT_MS)
    # Hover it too: vis-network's tooltip must show the title as text.
    hover_node(frame, labels[IMG])
    expect(frame.locator(".vis-tooltip")).to_contain_text(IMG, timeout=TIMEOUT_MS)
    choose(page, "vision-node", HOSTILE_VALUE)
    expect(grid(page.get_by_test_id("stMain"), 0)).to_contain_text("Table 2, row D follow-up", timeout=TIMEOUT_MS)
    _no_live_markup(page)


def _xss_services_network_query(page: Page) -> None:
    go(page, "Services over time")
    expect(grid(page.get_by_test_id("stMain"), 0)).to_contain_text(TAGS, timeout=TIMEOUT_MS)
    _no_live_markup(page)

    go(page, "Network")
    choose(page, "network-centre", f"{IMG} (PolicyIntent)")
    frame = network_frame(page, "Neighbourhood of")
    expect(frame.locator("section.pg-network h2")).to_contain_text(f"Neighbourhood of {IMG}")
    _no_live_markup(page)

    go(page, "Path between nodes")  # from the node focused on: the intent with markup in its label
    frame = network_frame(page, f"Path from {IMG} to")
    expect(grid(page.get_by_test_id("stMain"), 0)).to_contain_text(IMG, timeout=TIMEOUT_MS)
    _no_live_markup(page)

    go(page, "Query")
    named = page.get_by_role("tabpanel", name="Named queries")
    # The generic query (the fixture's build carries none of the programme's own, such as table2).
    choose(page, "query-name", "configuration-table: Configuration table: every service's value on each of the "
                               "programme's dimensions, period by period")
    named.locator(".st-key-param-configuration-table-service input").fill("D")  # the hostile cell is D's
    named.locator(".st-key-param-configuration-table-service input").press("Enter")
    named.get_by_role("button", name="Run", exact=True).click()
    expect(grid(named, 0)).to_contain_text(TAGS, timeout=TIMEOUT_MS)
    _no_live_markup(page)


def _xss_export(page: Page, folder: Path) -> dict[str, Path]:
    go(page, "Export")
    caption = page.get_by_test_id("stMain").get_by_test_id("stCaptionContainer").first
    choose(page, "export-intent", MARKDOWN)
    expect(caption).to_contain_text(f"Vision to practice: {MARKDOWN}")
    choose(page, "export-intent", IMG)
    expect(caption).to_contain_text(f"Vision to practice: {IMG}")
    _no_live_markup(page)
    return _download_all(page, folder)


def _xss_offline_page(browser: Browser, html_file: Path) -> None:
    offline, left, errors = _open_offline(browser, html_file)
    try:
        expect(offline.locator("section.pg-network h2")).to_have_text(f"Vision to practice: {IMG}")
        expect(offline.locator("section.pg-picture h2")).to_have_text(
            f"From policy vision to delivered practice: {IMG}")
        nodes = offline.evaluate("Object.fromEntries(window.policygraphNetwork.body.data.nodes.get()"
                                 ".map(n => [n.label, n.id]))")
        position = offline.evaluate("id => window.policygraphNetwork.canvasToDOM("
                                    "window.policygraphNetwork.getPosition(id))", nodes[HOSTILE_VALUE])
        offline.locator(".pg-net canvas").click(position=position)
        expect(offline.locator("section.pg-network .pg-evidence")).to_contain_text(HOSTILE_VALUE)
        _no_live_markup(offline)
        assert left == []
        assert errors == [], errors
    finally:
        offline.context.close()


def _check_hostile_exports(files: dict[str, Path]) -> None:
    html_text = files["html"].read_text(encoding="utf-8")
    assert not [t for t, _ in _start_tags(html_text) if t in ("img", "b")], "markup from a label in the HTML"
    assert "<img src=x" not in html_text
    assert "<b>tags" not in html_text
    svg = ET.parse(files["svg"]).getroot()
    assert not [e.tag for e in svg.iter() if e.tag.rsplit("}", 1)[-1] in ("img", "image", "b", "script")]
    svg_text = files["svg"].read_text(encoding="utf-8")
    assert "<img" not in svg_text
    assert "<b>" not in svg_text
    assert files["png"].read_bytes().startswith(PNG_SIGNATURE)
    # The strings survive exactly where they are data.
    for graph in (nx.read_gexf(files["gexf"]), nx.read_graphml(files["graphml"])):
        labels = {a["label"] for _, a in graph.nodes(data=True)}
        assert IMG in labels
        assert HOSTILE_VALUE in labels
    cyjs = json.loads(files["cyjs"].read_text(encoding="utf-8"))
    assert IMG in {n["data"]["label"] for n in cyjs["elements"]["nodes"]}
    for fmt, syntax in (("ttl", "turtle"), ("jsonld", "json-ld")):
        rdf = Graph().parse(files[fmt], format=syntax)
        assert (None, None, Literal(IMG)) in rdf
        assert (None, None, Literal(TAGS)) in rdf
    with files["csv"].open(encoding="utf-8", newline="") as handle:
        cells = {cell for row in csv.reader(handle) for cell in row}
    assert IMG in cells
