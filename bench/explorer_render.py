"""Benchmark: the explorer in a real browser (Debian's Chromium through Playwright), warm.

    .venv/bin/python bench/explorer_render.py [--build-dir DIR] [--runs 5] [--markdown docs/benchmarks.md]

Builds the case with `policygraph build` (into a temporary folder unless --build-dir is given),
starts `policygraph explore` on a free port, loads the root URL and visits every page once to warm
up, then measures, --runs times each:

- first render of each page: from the click on its sidebar link to its main content visible (the
  title and the page's last table, chart or button; for the network pages, vis-network's canvas
  drawn inside the iframe);
- a typical interaction: changing the Service selectbox on Vision -> practice, from the click on
  the option to the iframe re-rendered for the new service (its heading names the service and
  vis-network has drawn it).

Prints the median, min and max of each and, with --markdown, writes them with the command and the
machine under the heading `## Explorer (real browser)` of that file (that section only).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))
from explorer_ui import (  # noqa: E402 - the browser tests' helpers, shared
    PAGES,
    TIMEOUT_MS,
    VIEWPORT,
    cli_build,
    launch,
    network_frame,
    open_app,
    running_explorer,
)

HEADING = "## Explorer (real browser)"
INTENT = "Reach hard-to-reach people in community settings"
SERVICES = ("D", "B")  # alternated, so every change is a real change
FIRST_RENDER_TARGET_S = 3.0
INTERACTION_TARGET_S = 1.0


def _frames(page: Page, n: int) -> None:
    expect(page.get_by_test_id("stMain").get_by_test_id("stDataFrame").nth(n - 1)).to_be_visible(timeout=TIMEOUT_MS)


def _button(page: Page, key: str) -> None:
    expect(page.locator(f".st-key-{key}").get_by_role("button")).to_be_visible(timeout=TIMEOUT_MS)


# Page -> what must be visible once its title is (the page's last content).
CONTENT: dict[str, Callable[[Page], object]] = {
    "Overview": lambda page: _frames(page, 5),
    "Vision → practice": lambda page: (network_frame(page, "Vision to practice"), _frames(page, 1)),
    "Services over time": lambda page: _frames(page, 3),
    "Network": lambda page: network_frame(page, "Neighbourhood of"),
    "Query": lambda page: _button(page, "query-run"),
    "Export": lambda page: _button(page, "export-download"),
}


def _idle(page: Page) -> None:
    """Wait until Streamlit's script run has finished (nothing measured overlaps the previous step)."""
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning",
                                                            timeout=TIMEOUT_MS)


def first_render(page: Page, link: str) -> float:
    t0 = time.perf_counter()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", name=PAGES[link], level=1)).to_be_visible(timeout=TIMEOUT_MS)
    CONTENT[link](page)
    seconds = time.perf_counter() - t0
    _idle(page)
    return seconds


def _open_options(page: Page, key: str) -> None:
    box = page.locator(f".st-key-{key}").get_by_role("combobox")
    box.scroll_into_view_if_needed()
    box.click()


def change_service(page: Page, service: str) -> float:
    _open_options(page, "vision-service")
    option = page.get_by_role("option", name=service, exact=True)
    expect(option).to_be_visible(timeout=TIMEOUT_MS)
    t0 = time.perf_counter()
    option.click()
    network_frame(page, f"case study {service}")
    seconds = time.perf_counter() - t0
    _idle(page)
    return seconds


def _select_intent(page: Page) -> None:
    _open_options(page, "vision-intent")
    page.get_by_role("option", name=INTENT, exact=True).click()
    network_frame(page, INTENT)
    _idle(page)


def measure(url: str, runs: int) -> tuple[dict[str, list[float]], list[float]]:
    pages: dict[str, list[float]] = {link: [] for link in PAGES}
    interactions: list[float] = []
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_context(viewport=VIEWPORT).new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        open_app(page, url)
        _idle(page)
        order = [*list(PAGES)[1:], "Overview"]  # starts on Overview: visit the others, then come back
        for link in order:  # warm-up: every page once (server caches, compiled scripts, browser chunks)
            first_render(page, link)
        for _ in range(runs):
            for link in order:
                pages[link].append(first_render(page, link))
        first_render(page, "Vision → practice")
        _select_intent(page)
        change_service(page, SERVICES[-1])  # warm-up
        for i in range(max(runs, 3) * 2):
            interactions.append(change_service(page, SERVICES[i % 2]))
        browser.close()
    if errors:
        raise SystemExit("the browser reported errors:\n" + "\n".join(errors))
    return pages, interactions


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown"
    found = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
    return found[1].strip() if found else "unknown"


def _row(name: str, values: list[float], target: float) -> str:
    median = statistics.median(values)
    verdict = "yes" if median <= target else "**no**"
    return (f"| {name} | {median:.2f} | {min(values):.2f} | {max(values):.2f} | {len(values)} | ≤ {target:g} s: "
            f"{verdict} |")


def report(pages: dict[str, list[float]], interactions: list[float], command: str, load: float) -> str:
    about = (
        "Time to first render of each page (click on the sidebar link → the page's main content visible; "
        "for the network pages, until vis-network has drawn inside the iframe) and of a typical interaction "
        f"(changing the Service selectbox on Vision → practice, intent “{INTENT}”, between "
        f"{' and '.join(SERVICES)}, from the click on the option until the iframe is re-rendered for the new "
        "service), in Debian's Chromium driven by Playwright, warm (every page visited once first), on the "
        "Health Trainers case. Most of an interaction is Streamlit's rerun round trip and the iframe reloading "
        "its page (vis-network inlined, ~0.5 MB, so it works offline); the view itself is computed in a few "
        "milliseconds."
    )
    lines = [
        HEADING,
        "",
        *textwrap.wrap(about, width=110),
        "",
        f"- Command: `{command}`",
        f"- Machine: {os.cpu_count()} CPUs (nproc), `{_cpu_model()}`; Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; load average {load:.1f} when the run started (other jobs "
        "shared the cores, so these are upper bounds).",
        "",
        "| Step | median (s) | min (s) | max (s) | runs | target |",
        "|---|---|---|---|---|---|",
        *(_row(f"First render: {link}", values, FIRST_RENDER_TARGET_S) for link, values in pages.items()),
        _row("Interaction: change service on Vision → practice", interactions, INTERACTION_TARGET_S),
        "",
    ]
    return "\n".join(lines)


def write_section(path: Path, section: str) -> None:
    """Replace this benchmark's section of `path` (or append it), leaving every other section alone."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", type=Path, help="an existing build (default: build the case in a temp dir)")
    parser.add_argument("--runs", type=int, default=5, help="measured runs per page (at least 3)")
    parser.add_argument("--markdown", type=Path, help="write the figures into this file's explorer section")
    args = parser.parse_args()
    runs = max(args.runs, 3)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="policygraph-bench-") as tmp:
        build_dir = args.build_dir or cli_build(Path(tmp) / "build")
        with running_explorer(build_dir, Path(tmp) / "explorer.log") as url:
            pages, interactions = measure(url, runs)
    command = f".venv/bin/python bench/explorer_render.py --runs {runs}" + (
        f" --markdown {args.markdown}" if args.markdown else "")
    section = report(pages, interactions, command, load)
    print(section)
    if args.markdown:
        write_section(args.markdown, section)


if __name__ == "__main__":
    main()
