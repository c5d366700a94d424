"""Choosing the programme in a real browser (issue 6): the sidebar's chooser switches every page between
the case and a national programme, and another person's session keeps its own programme."""

from __future__ import annotations

import pytest
from explorer_ui import (
    PROGRAMMES,
    TIMEOUT_MS,
    Watch,
    choose,
    choose_programme,
    go,
    grid,
    grid_rows,
    network_frame,
    open_app,
)
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

CASE, NATIONAL = "health-trainers", "national-synthetic"


def _programme(page: Page) -> str:
    return page.locator(".st-key-programme").get_by_role("combobox").input_value()


def test_switching_programmes_changes_every_page(page: Page, browser: Browser, programmes_explorer: str) -> None:
    open_app(page, programmes_explorer)
    expect(page.get_by_role("heading", name=PROGRAMMES[CASE], level=1)).to_be_visible(timeout=TIMEOUT_MS)
    assert _programme(page) == CASE  # the first build is the default

    choose_programme(page, NATIONAL)
    main = page.get_by_test_id("stMain")
    # The rerun replaces the tables when it ends: wait for the national programme's rows before reading them.
    expect(grid(main, 2)).to_contain_text("S001", timeout=TIMEOUT_MS)
    services = [row[0] for row in grid_rows(grid(main, 2))]
    assert services[:2] == ["S001", "S002"]

    go(page, "Services over time")
    expect(grid(main, 0)).to_contain_text("S001", timeout=TIMEOUT_MS)

    go(page, "Vision → practice")
    choose(page, "vision-service", "S003")
    frame = network_frame(page, "service S003")  # the national programme's own word
    assert frame.evaluate("window.policygraphNetwork.body.data.nodes.length") > 3

    go(page, "Network")
    centre = page.locator(".st-key-network-centre").get_by_role("combobox")
    expect(centre).to_have_value("Synthetic service S001 (Service)")
    network_frame(page, "Neighbourhood of Synthetic service S001")

    # Meanwhile another person opens the explorer: they get the default programme, not ours.
    other = Watch(browser)
    try:
        open_app(other.page, programmes_explorer)
        expect(other.page.get_by_role("heading", name=PROGRAMMES[CASE], level=1)).to_be_visible(timeout=TIMEOUT_MS)
        assert _programme(other.page) == CASE
        go(other.page, "Network")
        centre = other.page.locator(".st-key-network-centre").get_by_role("combobox")
        expect(centre).to_have_value("Case study A (Service)")
        other.check()
    finally:
        other.context.close()

    assert _programme(page) == NATIONAL
    choose_programme(page, CASE)  # and back, from the Overview
    go(page, "Network")
    expect(page.locator(".st-key-network-centre").get_by_role("combobox")).to_have_value("Case study A (Service)")
    go(page, "Services over time")
    expect(grid(main, 0)).to_have_attribute("aria-rowcount", "13", timeout=TIMEOUT_MS)  # the case's Table 2
