"""A walk through every explorer page in Chromium on the made-up second programme
(tests/programmes/community-pantries), built and served with the real commands: each page shows the
programme's own words, no page a word of the first programme, and the browser reports no error."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from explorer_ui import (
    PAGES,
    TIMEOUT_MS,
    choose,
    cli_build,
    go,
    grid,
    grid_rows,
    network_frame,
    open_app,
    running_explorer,
)
from playwright.sync_api import Page, expect
from second_programme import PANTRIES, SERVICES, TITLE, first_programme_words

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pantries_explorer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("pantries-browser")
    build = cli_build(root / "build", PANTRIES)
    with running_explorer(build, root / "explorer.log") as url:
        yield url


def _no_first_programme_word(page: Page) -> None:
    text = page.get_by_test_id("stMain").inner_text() + page.get_by_test_id("stSidebar").inner_text()
    assert first_programme_words(text) == []


def test_walk_through_every_page(page: Page, pantries_explorer: str) -> None:
    open_app(page, pantries_explorer)
    main = page.get_by_test_id("stMain")
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible(timeout=TIMEOUT_MS)
    expect(grid(main, 2)).to_contain_text("P4", timeout=TIMEOUT_MS)
    assert [row[0] for row in grid_rows(grid(main, 2))] == SERVICES
    _no_first_programme_word(page)

    go(page, "Services over time")
    expect(grid(main, 0)).to_contain_text("Council voucher (first in line)", timeout=TIMEOUT_MS)
    expect(grid(main, 0)).to_have_attribute("aria-rowcount", "13", timeout=TIMEOUT_MS)  # 4 pantries x 3 + header
    expect(main).to_contain_text("statutorisation")
    _no_first_programme_word(page)

    go(page, "Vision → practice")
    choose(page, "vision-service", "P1")
    frame = network_frame(page, "pantry P1")  # the programme's own word for a service
    assert frame.evaluate("window.policygraphNetwork.body.data.nodes.length") > 3
    _no_first_programme_word(page)

    go(page, "Network")
    centre = page.locator(".st-key-network-centre").get_by_role("combobox")
    expect(centre).to_have_value("Riverside pantry (Service)")
    network_frame(page, "Neighbourhood of Riverside pantry")
    _no_first_programme_word(page)

    for link in ("Path between nodes", "Query", "Export"):
        go(page, link, PAGES[link])
        _no_first_programme_word(page)
    preview = page.frame_locator("[data-testid=stIFrame]").first.locator("p.pg-sub")  # the offline page itself
    expect(preview).to_have_text(f"{TITLE} · 4 pantries \u00d7 3 periods", timeout=TIMEOUT_MS)
