"""Exports as a browser shows them (Debian's Chromium): every SVG of the case drawn 1920 px wide with no two
texts overlapping, none under 12 px and none outside the picture; the offline page's drill-down, offline, and
two views on one page each answering their own clicks."""

from __future__ import annotations

from pathlib import Path

import pytest
from explorer_ui import open_offline
from playwright.sync_api import Browser, Page, expect

from policygraph.app.exports import export, make_view, page_of
from policygraph.app.release import Release

SERVICE_D = "https://w3id.org/policygraph/id/health-trainers/service/D"
VIEWS = {
    "whole": {}, "peer-support": {"intent": "peer-support-from-next-door"},
    "hard-to-reach": {"intent": "reach-hard-to-reach-in-community"},
    "inequalities": {"intent": "reduce-health-inequalities"}, "first": {"intent": "target-disadvantaged-first"},
    **{f"service-{s}": {"service": s} for s in "ABCDEF"},
    "start-up": {"period": "start-up"}, "near-D": {"view": "neighbourhood", "node": SERVICE_D},
    "near-D-2": {"view": "neighbourhood", "node": SERVICE_D, "hops": 2},
}
MEASURE = """() => {
  const svg = document.documentElement, box = svg.viewBox.baseVal;
  svg.setAttribute("width", "1920px");
  svg.setAttribute("height", `${1920 * box.height / box.width}px`);
  const scale = 1920 / box.width, out = [];
  for (const t of svg.querySelectorAll("text")) {
    const r = t.getBoundingClientRect();
    out.push({text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * scale,
              x0: r.left, x1: r.right, y0: r.top, y1: r.bottom});
  }
  return {texts: out, width: svg.getBoundingClientRect().width, height: svg.getBoundingClientRect().height};
}"""


@pytest.fixture(scope="module")
def case(build_dir: Path) -> Release:
    return Release.current(build_dir)


def _overlaps(texts: list[dict[str, float | str]]) -> list[tuple[object, object]]:
    found = []
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            if (min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > 0.5  # type: ignore[operator]
                    and min(a["y1"], b["y1"]) - max(a["y0"], b["y0"]) > 0.5):  # type: ignore[operator]
                found.append((a["text"], b["text"]))
    return found


@pytest.mark.parametrize("size", ["16:9", "4:3"])
def test_every_svg_of_the_case_reads_at_1920_px(case: Release, browser: Browser, tmp_path: Path, size: str) -> None:
    for name, options in VIEWS.items():
        svg = tmp_path / f"{name}.svg"
        svg.write_bytes(export(case, make_view(case, **options), "svg", size=size))  # type: ignore[arg-type]
        page, left, errors = _offline(browser, svg)
        try:
            drawn = page.evaluate(MEASURE)
            assert (left, errors) == ([], [])
        finally:
            page.context.close()
        texts = drawn["texts"]
        assert len(texts) > 10, name
        assert drawn["width"] == 1920
        assert _overlaps(texts) == [], name
        assert [t["text"] for t in texts if t["px"] < 12 - 0.01] == [], name
        outside = [t["text"] for t in texts if t["x0"] < 0 or t["x1"] > drawn["width"] or t["y0"] < 0
                   or t["y1"] > drawn["height"]]
        assert outside == [], name
        words = " ".join(t["text"] for t in texts)
        assert "Sources: " in words
        assert f"policygraph {case.version}, build {case.sha256[:7]}" in words


def _offline(browser: Browser, html_file: Path) -> tuple[Page, list[str], list[str]]:
    return open_offline(browser, html_file, {"width": 1920, "height": 1440})


def test_the_offline_page_drills_down_to_the_evidence(case: Release, browser: Browser, tmp_path: Path) -> None:
    page_file = tmp_path / "vision.html"
    page_file.write_bytes(export(case, make_view(case), "html"))
    offline, left, errors = _offline(browser, page_file)
    try:
        picture = offline.locator("section.pg-picture")
        departed = picture.locator("button.pg-departed")
        expect(departed.first).to_be_visible()
        assert departed.count() == 15
        departed.first.click()
        panel = picture.locator(".pg-evidence")
        expect(panel).to_contain_text("status: departed")
        expect(panel).to_contain_text("S4: Table 2, row ")
        picture.locator(".pg-intent button").first.click()
        expect(panel).to_contain_text("Peer support from next door")
        network = offline.locator("section.pg-network")
        expect(network.locator(".pg-net canvas")).to_be_visible()
        assert offline.evaluate("Object.keys(window.policygraphNetworks).length") == 1
        assert left == [], f"requests left the offline page: {left}"
        assert errors == [], errors
        offline.screenshot(path=str(tmp_path / "vision.png"), full_page=True)
    finally:
        offline.context.close()


def test_two_views_on_one_page_answer_their_own_clicks(case: Release, browser: Browser, tmp_path: Path) -> None:
    page_file = tmp_path / "two.html"
    first, second = make_view(case, intent="peer-support-from-next-door"), make_view(case, service="D")
    page_file.write_text(page_of([first, second, first], "Three views"), encoding="utf-8")
    offline, left, errors = _offline(browser, page_file)
    try:
        pictures = offline.locator("section.pg-picture")
        assert pictures.count() == 3
        panels = [pictures.nth(i).locator(".pg-evidence") for i in range(3)]
        before = [p.text_content() for p in panels]
        pictures.nth(1).locator("button.pg-departed").first.click()
        expect(panels[1]).to_contain_text("Case study D")
        assert [panels[0].text_content(), panels[2].text_content()] == [before[0], before[2]]
        pictures.nth(2).locator("button.pg-mark").first.click()
        expect(panels[2]).to_contain_text("Case study A")
        assert panels[0].text_content() == before[0]
        assert offline.evaluate("Object.keys(window.policygraphNetworks).length") == 3
        assert left == []
        assert errors == [], errors
    finally:
        offline.context.close()
