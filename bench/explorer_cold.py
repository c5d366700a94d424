"""The explorer's cold start for bench/explorer_render.py: from starting `policygraph explore` to the Overview's
content visible, first after a build and on later starts, against a bare Streamlit app showing the same
tables (Streamlit's own floor), all in one running browser, each start in a new context (empty cache)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from playwright.sync_api import Browser, Page, expect, sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests" / "browser"), str(REPO / "tests")]
from explorer_ui import (  # noqa: E402 - the browser tests' helpers, shared
    PROGRAMMES,
    TIMEOUT_MS,
    VIEWPORT,
    launch,
    open_app,
    running_explorer,
    serve,
)
from support import free_port  # noqa: E402 - the tests' helpers, shared

from policygraph.app.release import Release  # noqa: E402

COLD_TIMEOUT_MS = 900_000  # a national programme's first parse, on a busy machine


def frames(page: Page, n: int) -> None:
    """The page's n-th table (st.dataframe) is visible."""
    expect(page.get_by_test_id("stMain").get_by_test_id("stDataFrame").nth(n - 1)).to_be_visible(timeout=TIMEOUT_MS)


def overview_shown(page: Page) -> None:
    """The Overview's last content, its fifth table, is visible."""
    frames(page, 5)


def cold_start(browser: Browser, build_dir: Path, log: Path, programme: str) -> float:
    """From starting `policygraph explore` to the Overview's content visible (the root URL opened as soon as
    the server answers: the explorer prepares its pages in the background from its start, so timing from
    the first request alone would depend on when it came), in a new context (empty cache) of a running
    browser."""
    overview = Release.current(build_dir).overview_file
    if not overview.exists():
        raise SystemExit(f"{overview} is missing: rebuild {build_dir} with this code (the build stores it)")
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    t0 = time.perf_counter()
    with running_explorer(build_dir, log) as url:
        open_app(page, url)
        expect(page.get_by_role("heading", name=PROGRAMMES[programme], level=1)).to_be_visible(
            timeout=COLD_TIMEOUT_MS)
        overview_shown(page)
        seconds = time.perf_counter() - t0
    context.close()
    return seconds


FLOOR_APP = """import json

import pandas as pd
import streamlit as st

data = json.loads(open({path!r}, encoding="utf-8").read())
st.title("Floor")
for name, t in data["tables"].items():
    st.subheader(name)
    st.dataframe(pd.DataFrame(t["rows"], columns=t["columns"]), hide_index=True)
st.write("The end.")
"""


def streamlit_floor(browser: Browser, folder: Path, overview: Path) -> float:
    """The same measure on a bare Streamlit app (`streamlit run`, same options) showing the same five tables
    (the Overview the build stored) and nothing else: what Streamlit and the browser take on this machine
    for this content, before any code of ours runs."""
    app = folder / "floor_app.py"
    app.write_text(FLOOR_APP.format(path=str(overview)), encoding="utf-8")
    port = free_port()
    command = [str(REPO / ".venv" / "bin" / "streamlit"), "run", str(app), "--server.port", str(port),
               "--server.headless", "true", "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer",
               "--server.address", "127.0.0.1"]
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    t0 = time.perf_counter()
    with serve(command, port, folder / "floor.log") as url:
        page.goto(url)
        expect(page.get_by_role("heading", name="Floor", level=1)).to_be_visible(timeout=TIMEOUT_MS)
        overview_shown(page)
        seconds = time.perf_counter() - t0
    context.close()
    return seconds


def cold_starts(build_dir: Path, folder: Path, programme: str, runs: int) -> tuple[list[float], list[float]]:
    """(explorer starts, the bare app's), `runs` each, alternating, in one running browser (warmed by one
    untimed start of the bare app: the browser's own start is not the explorer's)."""
    starts, floor = [], []
    overview = Release.current(build_dir).overview_file
    with sync_playwright() as p:
        browser = launch(p)
        streamlit_floor(browser, folder, overview)
        for n in range(runs):
            floor.append(streamlit_floor(browser, folder, overview))
            starts.append(cold_start(browser, build_dir, folder / f"explorer-{n}.log", programme))
        browser.close()
    return starts, floor
