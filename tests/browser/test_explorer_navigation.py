"""Finding one's way in the explorer, in a real browser (Debian's Chromium through Playwright): search a node,
focus on it, the path between two nodes, copy the link to the view and open it in a new browser session to
see the same view; every page's own URL opened directly (no "Page not found").

Every test fails on any browser console error, uncaught page error or dialog (see conftest.py). The screenshots
are taken at 1500 x 1100 into the test's folder (and into docs/img/ with POLICYGRAPH_SCREENSHOTS=1).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from explorer_ui import (
    PAGES,
    REPO,
    SLIDE_VIEWPORT,
    TIMEOUT_MS,
    Watch,
    go,
    grid,
    grid_rows,
    network_frame,
    node_positions,
    open_app,
)
from playwright.sync_api import Browser, Frame, Page, expect

from policygraph.app.explorer.permalink import PAGES as URL_PATHS

pytestmark = pytest.mark.browser

BASE = "https://w3id.org/policygraph/id/health-trainers/"
SERVICE_D = f"{BASE}service/D"
INTENT = f"{BASE}intent/peer-support-from-next-door"


@pytest.fixture
def slide(browser: Browser) -> Iterator[Watch]:
    """A fresh session at slide size whose page may write to and read the clipboard."""
    watched = Watch(browser, SLIDE_VIEWPORT)
    watched.context.grant_permissions(["clipboard-read", "clipboard-write"])
    yield watched
    watched.context.close()
    watched.check()


def _screenshot(page: Page, folder: Path, name: str) -> Path:
    page.get_by_test_id("stIFrame").first.scroll_into_view_if_needed()
    shot = folder / f"{name}.png"
    page.screenshot(path=shot)
    if os.environ.get("POLICYGRAPH_SCREENSHOTS") == "1":
        (REPO / "docs" / "img").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=REPO / "docs" / "img" / f"{name}.png")
    return shot


def _combobox(page: Page, key: str) -> str:
    return page.locator(f".st-key-{key}").get_by_role("combobox").input_value()


def _search(page: Page, key: str, text: str, expected: str) -> None:
    """Type into the picker `key`'s search box and press Enter: the choice moves to the best match."""
    box = page.locator(f".st-key-{key}-search input")
    box.fill(text)
    box.press("Enter")
    expect(page.locator(f".st-key-{key}").get_by_role("combobox")).to_have_value(expected, timeout=TIMEOUT_MS)


def _readable(frame: Frame, node: str) -> None:
    """The network opens on `node`, inside its canvas, at no less than the labels' own size."""
    scale: float = frame.evaluate("window.policygraphNetwork.getScale()")
    assert scale >= 1.0
    width, height = frame.evaluate("[document.querySelector('.pg-net canvas').clientWidth,"
                                   " document.querySelector('.pg-net canvas').clientHeight]")
    at = node_positions(frame)[node]
    assert 0 < at["x"] < width / 2
    assert 0 < at["y"] < height


def _view(page: Page, title: str) -> tuple[list[str], list[dict[str, str]]]:
    """The drawn network's node ids and the hops table (as its CSV download: the grid shows only the columns
    in view), once the network shows `title`."""
    frame = network_frame(page, title)
    nodes: list[str] = sorted(frame.evaluate("window.policygraphNetwork.body.data.nodes.getIds()"))
    main = page.get_by_test_id("stMain")
    shown = grid_rows(grid(main, 0))
    with page.expect_download(timeout=TIMEOUT_MS) as download:
        main.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename == "path.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert [[r["path"], r["hop"], r["from"]] for r in rows] == [row[:3] for row in shown]
    return nodes, rows


def _copied_link(page: Page) -> str:
    """Copy the sidebar's link to the view with its copy button; what the clipboard holds."""
    share = page.locator(".st-key-share")
    shown = share.get_by_test_id("stCode").inner_text().replace("\n", "")
    share.get_by_test_id("stCode").hover()
    share.get_by_role("button").click()
    copied: str = page.evaluate("navigator.clipboard.readText()")
    assert copied == shown
    return copied


def test_search_focus_path_and_the_copied_link_reopen_the_same_view(slide: Watch, browser: Browser, explorer: str,
                                                                     tmp_path: Path) -> None:
    page = slide.page
    open_app(page, explorer)
    go(page, "Network")
    _search(page, "network-centre", "Case study D", "Case study D (Service)")
    page.locator(".st-key-network-hops").get_by_role("slider").press("ArrowRight")  # depth 2
    frame = network_frame(page, "Neighbourhood of Case study D (2 hops)")
    _readable(frame, SERVICE_D)
    _screenshot(page, tmp_path, "network")

    go(page, "Path between nodes")
    expect(page.locator(".st-key-path-from").get_by_role("combobox")).to_have_value("Case study D (Service)")
    _search(page, "path-to", "peer support", "Peer support from next door (PolicyIntent)")
    title = "Path from Case study D to Peer support from next door"
    nodes, hops = _view(page, title)
    assert {SERVICE_D, INTENT} <= set(nodes)
    assert hops[0]["from"] == "Case study D"
    assert hops[-1]["to"] == "Peer support from next door"
    assert all(row["evidence"] for row in hops)  # each hop's evidence, or "none recorded"
    assert any(re.search(r"S\d+ \(", row["evidence"]) for row in hops)
    _readable(network_frame(page, title), SERVICE_D)
    _screenshot(page, tmp_path, "path")

    link = _copied_link(page)
    assert link.startswith(f"{explorer}/?page=path&from=service%2FD&to=intent%2Fpeer-support-from-next-door")
    for url, opened_by in ((link, "the copied link"), (page.url, "the address bar")):
        other = Watch(browser, SLIDE_VIEWPORT)  # a new browser session
        try:
            if opened_by == "the copied link":
                other.page.goto(url)
            else:
                other.open_page_url(url)
            expect(other.page.get_by_role("heading", name="Path between nodes", level=1)).to_be_visible(
                timeout=60_000)
            assert _combobox(other.page, "path-from") == "Case study D (Service)", opened_by
            assert _combobox(other.page, "path-to") == "Peer support from next door (PolicyIntent)", opened_by
            assert _view(other.page, title) == (nodes, hops), opened_by
        finally:
            other.context.close()
        other.check()


def test_a_link_to_the_network_reopens_its_centre_and_depth(slide: Watch, browser: Browser, explorer: str) -> None:
    page = slide.page
    open_app(page, explorer)
    go(page, "Network")
    _search(page, "network-centre", "primary-referral-sources", "Primary Referral Source/s (Dimension)")
    page.locator(".st-key-network-hops").get_by_role("slider").press("End")
    frame = network_frame(page, "Neighbourhood of Primary Referral Source/s (3 hops)")
    ids = sorted(frame.evaluate("window.policygraphNetwork.body.data.nodes.getIds()"))
    link = _copied_link(page)
    other = Watch(browser, SLIDE_VIEWPORT)
    try:
        other.page.goto(link)
        again = network_frame(other.page, "Neighbourhood of Primary Referral Source/s (3 hops)")
        assert sorted(again.evaluate("window.policygraphNetwork.body.data.nodes.getIds()")) == ids
        assert _combobox(other.page, "network-centre") == "Primary Referral Source/s (Dimension)"
    finally:
        other.context.close()
    other.check()


@pytest.mark.parametrize("url_path", list(URL_PATHS))
def test_every_pages_own_url_opens_it(watch: Watch, explorer: str, url_path: str) -> None:
    watch.open_page_url(f"{explorer}/{url_path}")
    title = PAGES[URL_PATHS[url_path]]
    expect(watch.page.get_by_role("heading", name=title, level=1)).to_be_visible(timeout=60_000)
    # Streamlit says "Page not found" before it runs the page it falls back on: by now it would show.
    expect(watch.page.get_by_text("Page not found")).to_have_count(0)
    expect(watch.page.get_by_role("dialog")).to_have_count(0)
