"""Driving the explorer in Chromium: start it through the real CLI, and the few Streamlit widgets the
tests and the benchmark touch (sidebar links, comboboxes, dataframes, the network iframe).

Streamlit's dataframes draw on a canvas; their text is read from the accessibility table that the
grid keeps inside the canvas (visible rows and columns only, so the viewport is wide).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Dialog,
    Error,
    Frame,
    Locator,
    Page,
    Playwright,
    Request,
    Route,
    ViewportSize,
    expect,
)
from support import free_port

CHROMIUM = Path("/usr/bin/chromium")
# No network but localhost: without these Chromium logs failed background connections.
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-quic"]
VIEWPORT: ViewportSize = {"width": 1600, "height": 1000}
SLIDE_VIEWPORT: ViewportSize = {"width": 1500, "height": 1100}  # the screenshots a presenter looks at
REPO = Path(__file__).resolve().parents[2]
CASE = REPO / "data" / "health-trainers"
POLICYGRAPH = Path(sys.executable).with_name("policygraph")
TIMEOUT_MS = 20_000
# Where the explorer's pages may fetch from (srcdoc iframes, downloads, blobs are local too).
LOCAL = ("http://127.0.0.1:", "http://localhost:", "about:", "data:", "blob:")

# Programme (as the sidebar's chooser names it) -> the Overview's title.
PROGRAMMES = {"health-trainers": "National Health Trainers Service (England)",
              "national-synthetic": "SYNTHETIC national health trainer programme"}
# Set to an existing national build (e.g. /tmp/natbuild, 150 services) to use it instead of a small one.
NATIONAL_ENV = "POLICYGRAPH_NATIONAL_BUILD"

# Sidebar link -> the page's title once its main content is there.
PAGES = {
    "Overview": "National Health Trainers Service (England)",
    "Vision → practice": "From policy vision to delivered practice",
    "Services over time": "Services over time",
    "Network": "Network",
    "Path between nodes": "Path between nodes",
    "Query": "Query",
    "Export": "Export",
}


def launch(p: Playwright) -> Browser:
    return p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)


def cli_build(build_dir: Path, data: Path | None = None) -> Path:
    """Build the case (or the programme in `data`) with the real command, as the README does."""
    extra = [] if data is None else ["--data", str(data)]
    subprocess.run([str(POLICYGRAPH), "--build-dir", str(build_dir), "build", *extra], cwd=REPO, check=True,
                   capture_output=True, timeout=600)
    return build_dir


def national_build(root: Path, services: int = 6, clients: int = 2000) -> Path:
    """$POLICYGRAPH_NATIONAL_BUILD if set; else a small synthetic national programme, generated and built
    with the documented commands (bench/generate_national.py, then `policygraph build --data`)."""
    given = os.environ.get(NATIONAL_ENV)
    if given:
        return Path(given)
    subprocess.run([sys.executable, str(REPO / "bench" / "generate_national.py"), "--out", str(root / "national"),
                    "--services", str(services), "--clients", str(clients)], cwd=REPO, check=True,
                   capture_output=True, timeout=300)
    return cli_build(root / "national-build", root / "national")



def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the explorer exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)  # poll interval, not a wait for readiness
    raise RuntimeError(f"the explorer was not healthy after {timeout_s} s:\n{log.read_text(errors='replace')}")


@contextlib.contextmanager
def readme_explorer(build_dir: Path, log: Path) -> Iterator[str]:
    """The README's main command, `make run` (set up, build the case, start the explorer), with the build
    folder and port moved; yields its base URL once healthy; stops the whole group afterwards."""
    port = free_port()
    yield from _serve(["make", "-s", "run", f"BUILD={build_dir}", f"PORT={port}"], port, log, timeout_s=300)


@contextlib.contextmanager
def running_explorer(build_dir: Path, log: Path, programmes: Sequence[Path] = ()) -> Iterator[str]:
    """`policygraph --build-dir DIR explore [--programme OTHER ...] --server.port PORT --server.headless true`
    in its own process group; yields its base URL once healthy; stops the whole group afterwards."""
    port = free_port()
    extra = [arg for path in programmes for arg in ("--programme", str(path))]
    yield from _serve([str(POLICYGRAPH), "--build-dir", str(build_dir), "explore", *extra, "--server.port",
                       str(port), "--server.headless", "true"], port, log)


@contextlib.contextmanager
def serve(command: list[str], port: int, log: Path, timeout_s: float = 90) -> Iterator[str]:
    """A Streamlit server `command` (listening on `port`) in its own process group; yields its base URL
    once healthy; stops the whole group afterwards."""
    yield from _serve(command, port, log, timeout_s)


def _serve(command: list[str], port: int, log: Path, timeout_s: float = 90) -> Iterator[str]:
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ})
        try:
            _wait_healthy(url, proc, log, timeout_s)
            yield url
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def open_app(page: Page, url: str) -> None:
    """Load the root URL (deep links make Streamlit probe /<page>/_stcore/... and log 404s)."""
    page.goto(url)
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible(timeout=60_000)


def go(page: Page, link: str, title: str | None = None, timeout_ms: int = TIMEOUT_MS) -> None:
    """Click a sidebar link and wait for the page's title."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", name=title or PAGES[link], level=1)).to_be_visible(timeout=timeout_ms)


def choose(page: Page, key: str, option: str, timeout_ms: int = TIMEOUT_MS) -> None:
    """Pick `option` in the selectbox with widget key `key` (typing it when the list is long: only the
    options scrolled into view are in the page)."""
    box = page.locator(f".st-key-{key}").get_by_role("combobox")
    # Scroll first: the list closes when the page scrolls under it (as a click's own scrolling does).
    box.scroll_into_view_if_needed()
    box.click()
    wanted = page.get_by_role("option", name=option, exact=True)
    expect(page.get_by_role("option").first).to_be_visible(timeout=TIMEOUT_MS)
    if not wanted.count():
        page.keyboard.type(option)
    wanted.click()
    expect(box).to_have_value(option, timeout=timeout_ms)


def choose_programme(page: Page, programme: str, timeout_ms: int = 600_000) -> None:
    """Pick a programme in the sidebar and wait for its Overview (the first use of a national build parses
    it: minutes at full scale)."""
    choose(page, "programme", programme)
    go(page, "Overview", PROGRAMMES[programme], timeout_ms)


def grid(scope: Page | Locator, n: int = 0) -> Locator:
    """The accessibility table of the n-th dataframe in `scope`."""
    return scope.get_by_test_id("stDataFrame").nth(n).locator("table[role=grid]")


def grid_rows(table: Locator) -> list[list[str]]:
    expect(table.locator("tbody tr").first).to_be_attached(timeout=TIMEOUT_MS)
    return [row.locator("td").all_text_contents() for row in table.locator("tbody tr").all()]


def network_frame(page: Page, title_part: str | None = None) -> Frame:
    """The frame of the page's network iframe once vis-network has drawn it (and, if given, once
    its heading contains `title_part`: the iframe is re-rendered on every change)."""
    frame_element = page.get_by_test_id("stIFrame").first
    expect(frame_element).to_be_attached(timeout=TIMEOUT_MS)
    if title_part is not None:
        expect(page.frame_locator("[data-testid=stIFrame]").first.locator("section.pg-network h2")).to_contain_text(
            title_part, timeout=TIMEOUT_MS)
    frame = _content_frame(page)
    frame.wait_for_function("() => window.policygraphNetwork && document.querySelector('.pg-net canvas')"
                            " && window.policygraphNetwork.body.data.nodes.length > 0", timeout=TIMEOUT_MS)
    return frame


def _content_frame(page: Page) -> Frame:
    """The iframe's document; Streamlit replaces the iframe on every rerun, so a handle taken during a
    rerun may already be detached: take a fresh one until it has a frame."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        with contextlib.suppress(Error):
            frame = page.get_by_test_id("stIFrame").first.element_handle(timeout=TIMEOUT_MS).content_frame()
            if frame is not None:
                return frame
        if time.monotonic() > deadline:
            raise AssertionError("the network iframe has no frame")
        time.sleep(0.05)  # poll interval while the rerun replaces the iframe


def node_positions(frame: Frame) -> dict[str, dict[str, float]]:
    """Screen position (relative to the network's container) of every node."""
    positions: dict[str, dict[str, float]] = frame.evaluate(
        """() => { const net = window.policygraphNetwork, out = {};
                   for (const id of net.body.data.nodes.getIds()) out[id] = net.canvasToDOM(net.getPosition(id));
                   return out; }""")
    return positions


def click_node(frame: Frame, node: str) -> None:
    position = node_positions(frame)[node]
    frame.locator(".pg-net canvas").click(position={"x": position["x"], "y": position["y"]})


def hover_node(frame: Frame, node: str) -> None:
    position = node_positions(frame)[node]
    frame.locator(".pg-net canvas").hover(position={"x": position["x"], "y": position["y"]})


# Opening a page's own URL (/network), Streamlit's front end first looks for its server under that path and
# the browser logs the two 404s; then it finds the server at the root. Nothing else may fail.
_PROBE = re.compile(r"/(?P<page>[\w-]+)/_stcore/(health|host-config)$")
_NOT_FOUND = "Failed to load resource: the server responded with a status of 404 (Not Found)"


class Watch:
    """A fresh context and page, and what the page reported that a test must never see: console
    errors, uncaught page errors, dialogs, requests off the machine."""

    def __init__(self, browser: Browser, viewport: ViewportSize = VIEWPORT) -> None:
        self.context = browser.new_context(viewport=viewport, accept_downloads=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.probed: set[str] = set()  # pages whose own URL is opened: their server probes are expected
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        self.page.on("dialog", self._dialog)
        self.page.on("request", self._request)

    def open_page_url(self, url: str) -> None:
        """Open a page's own URL (e.g. .../network?node=...): Streamlit's probe of that path is expected."""
        self.probed.add(urlsplit(url).path.strip("/"))
        self.page.goto(url)

    def _console(self, message: ConsoleMessage) -> None:
        where = message.location.get("url", "")
        probe = _PROBE.search(urlsplit(where).path)
        if message.type == "error" and not (message.text == _NOT_FOUND and probe and probe["page"] in self.probed):
            self.errors.append(f"console error: {message.text} ({where})")

    def _request(self, request: Request) -> None:
        if not request.url.startswith(LOCAL):
            self.errors.append(f"request off the machine: {request.url}")

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        with contextlib.suppress(Error):
            dialog.dismiss()

    def check(self) -> None:
        assert not self.dialogs, f"dialogs fired: {self.dialogs}"
        assert not self.errors, "the browser reported errors:\n" + "\n".join(self.errors)


def open_offline(browser: Browser, html_file: Path,
                 viewport: ViewportSize = VIEWPORT) -> tuple[Page, list[str], list[str]]:
    """Open a page from file:// with the network off: (the page, every non-file request, aborted, and the
    console errors, page errors and dialogs)."""
    context = browser.new_context(viewport=viewport, offline=True)
    left: list[str] = []
    errors: list[str] = []

    def block(route: Route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort()

    context.route("**/*", block)
    offline = context.new_page()
    offline.on("request", lambda request: None if request.url.startswith("file://") else left.append(request.url))
    offline.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    offline.on("pageerror", lambda exc: errors.append(str(exc)))
    offline.on("dialog", lambda d: errors.append(f"dialog: {d.message}"))
    offline.goto(html_file.as_uri())
    return offline, left, errors
