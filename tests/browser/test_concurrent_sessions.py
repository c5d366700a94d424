"""Five people using one explorer at once: no errors, no selection leaking between sessions, and the
response times recorded (`POLICYGRAPH_SOAK_SECONDS`, default 20 s on CI; the documented soak uses 60)."""

from __future__ import annotations

import os
import statistics
import threading
import time

import pytest
from explorer_ui import Watch, choose, go, launch, network_frame, open_app
from playwright.sync_api import sync_playwright

pytestmark = pytest.mark.browser
SESSIONS = {0: "A", 1: "B", 2: "C", 3: "D", 4: "E"}
SOAK_SECONDS = float(os.environ.get("POLICYGRAPH_SOAK_SECONDS", "20"))


def _session(url: str, number: int, deadline: float, timings: list[float], failures: list[str]) -> None:
    mine = SESSIONS[number]
    try:
        with sync_playwright() as p:  # one Playwright (and Chromium) per thread: the sync API is per-thread
            browser = launch(p)
            watch = Watch(browser)
            page = watch.page
            open_app(page, url)
            go(page, "Vision → practice")
            rounds = 0
            while time.monotonic() < deadline or rounds == 0:
                for service in (mine, "(all)", mine):
                    started = time.perf_counter()
                    choose(page, "vision-service", service)
                    network_frame(page, f"case study {mine}" if service == mine else None)
                    timings.append(time.perf_counter() - started)
                go(page, "Services over time")
                go(page, "Vision → practice")
                # Another session's choice must never show up here: ours is still selected.
                box = page.locator(".st-key-vision-service").get_by_role("combobox")
                if box.input_value() not in (mine, "(all)"):
                    failures.append(f"session {number} sees service {box.input_value()!r}")
                choose(page, "vision-service", mine)
                rounds += 1
            watch.context.close()
            watch.check()
            browser.close()
    except Exception as exc:  # noqa: BLE001 - reported to the main thread, which fails the test
        failures.append(f"session {number}: {type(exc).__name__}: {exc}")


def test_five_simultaneous_sessions(explorer: str) -> None:
    deadline = time.monotonic() + SOAK_SECONDS
    timings: list[float] = []
    failures: list[str] = []
    threads = [threading.Thread(target=_session, args=(explorer, n, deadline, timings, failures)) for n in SESSIONS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SOAK_SECONDS + 300)
    assert not failures, "\n".join(failures)
    assert len(timings) >= 3 * len(SESSIONS)
    timings.sort()
    p95 = timings[round(0.95 * (len(timings) - 1))]
    print(f"\n{len(SESSIONS)} sessions, {SOAK_SECONDS:g} s: {len(timings)} interactions, "
          f"median {statistics.median(timings):.2f} s, p95 {p95:.2f} s, max {timings[-1]:.2f} s")
