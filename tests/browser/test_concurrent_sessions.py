"""Five people using one explorer at once: no errors, no selection (service or programme) leaking between
sessions, and the response times recorded.

`POLICYGRAPH_SOAK_SECONDS` sets how long the sessions run (default 20 s on CI; the documented soak uses 60).
The second test runs the five sessions on an explorer offering the case and a national programme, each
session on its own programme and service; the national programme is a small generated one unless
`POLICYGRAPH_NATIONAL_BUILD` names a build (the documented full-scale run:
`POLICYGRAPH_SOAK_SECONDS=60 POLICYGRAPH_NATIONAL_BUILD=/tmp/natbuild .venv/bin/pytest -s
tests/browser/test_concurrent_sessions.py`).
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from dataclasses import dataclass, field

import pytest
from explorer_ui import (
    PROGRAMMES,
    TIMEOUT_MS,
    Watch,
    choose,
    choose_programme,
    go,
    launch,
    network_frame,
    open_app,
)
from playwright.sync_api import Page, expect, sync_playwright

pytestmark = pytest.mark.browser
SOAK_SECONDS = float(os.environ.get("POLICYGRAPH_SOAK_SECONDS", "20"))
CASE, NATIONAL = "health-trainers", "national-synthetic"
WORD = {CASE: "case study", NATIONAL: "service"}  # each programme's word for a service (its vocabulary.yaml)


@dataclass(frozen=True)
class Plan:
    """What one session does: its programme (None: the explorer's only one) and its own service."""

    number: int
    service: str
    programme: str | None = None


@dataclass
class Record:
    timings: dict[str, list[float]] = field(default_factory=dict)  # programme -> seconds per interaction
    first_overview: dict[str, list[float]] = field(default_factory=dict)  # programme -> seconds, cold included
    failures: list[str] = field(default_factory=list)

    def add(self, into: dict[str, list[float]], programme: str, seconds: float) -> None:
        into.setdefault(programme, []).append(seconds)


def _check_own(page: Page, plan: Plan, failures: list[str]) -> None:
    """Another session's choice must never show up here: ours is still selected, server-side too."""
    if plan.programme is not None:
        box = page.locator(".st-key-programme").get_by_role("combobox")
        if box.input_value() != plan.programme:
            failures.append(f"session {plan.number} sees programme {box.input_value()!r}")
    box = page.locator(".st-key-vision-service").get_by_role("combobox")
    if box.input_value() not in (plan.service, "(all)"):
        failures.append(f"session {plan.number} sees service {box.input_value()!r}")


def _session(url: str, plan: Plan, soak_s: float, start: threading.Barrier, record: Record) -> None:
    programme = plan.programme or CASE
    try:
        with sync_playwright() as p:  # one Playwright (and Chromium) per thread: the sync API is per-thread
            browser = launch(p)
            watch = Watch(browser)
            page = watch.page
            open_app(page, url)
            if plan.programme is not None:
                started = time.perf_counter()
                choose_programme(page, plan.programme)  # a national build's first use parses it
                record.add(record.first_overview, programme, time.perf_counter() - started)
            go(page, "Vision → practice")
            start.wait()  # every session is ready: the soak runs them all at once
            deadline = time.monotonic() + soak_s
            rounds = 0
            while time.monotonic() < deadline or rounds == 0:
                for service in (plan.service, "(all)", plan.service):
                    started = time.perf_counter()
                    choose(page, "vision-service", service)
                    if service != plan.service:  # every service: the view's heading names none
                        heading = page.frame_locator("[data-testid=stIFrame]").first.locator("section.pg-network h2")
                        expect(heading).not_to_contain_text(f"{WORD[programme]} {plan.service}", timeout=TIMEOUT_MS)
                    network_frame(page, f"{WORD[programme]} {plan.service}" if service == plan.service else None)
                    record.add(record.timings, programme, time.perf_counter() - started)
                go(page, "Services over time")
                if plan.programme is not None:
                    go(page, "Overview", PROGRAMMES[programme])  # the server still shows our programme
                go(page, "Vision → practice")
                _check_own(page, plan, record.failures)
                choose(page, "vision-service", plan.service)
                rounds += 1
            watch.context.close()
            watch.check()
            browser.close()
    except Exception as exc:  # noqa: BLE001 - reported to the main thread, which fails the test
        start.abort()  # the others must not wait for this one
        record.failures.append(f"session {plan.number} ({programme} {plan.service}): {type(exc).__name__}: {exc}")


def _run(url: str, plans: list[Plan]) -> Record:
    record = Record()
    start = threading.Barrier(len(plans), timeout=900)
    threads = [threading.Thread(target=_session, args=(url, plan, SOAK_SECONDS, start, record)) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SOAK_SECONDS + 1200)
    return record


def _summary(label: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[round(0.95 * (len(ordered) - 1))]
    return (f"{label}: {len(ordered)} interactions, median {statistics.median(ordered):.2f} s, p95 {p95:.2f} s, "
            f"max {ordered[-1]:.2f} s")


def test_five_simultaneous_sessions(explorer: str) -> None:
    plans = [Plan(n, service) for n, service in enumerate("ABCDE")]
    record = _run(explorer, plans)
    assert not record.failures, "\n".join(record.failures)
    timings = record.timings[CASE]
    assert len(timings) >= 3 * len(plans)
    print(f"\n{len(plans)} sessions, {SOAK_SECONDS:g} s, load {os.getloadavg()[0]:.1f}: "
          + _summary("case", timings))


def test_five_sessions_on_the_case_and_a_national_programme(programmes_explorer: str) -> None:
    """Sessions 1, 3 on the case (B, D); 0, 2, 4 on the national programme (S002, S004, S006)."""
    plans = [Plan(0, "S002", NATIONAL), Plan(1, "B", CASE), Plan(2, "S004", NATIONAL), Plan(3, "D", CASE),
             Plan(4, "S006", NATIONAL)]
    record = _run(programmes_explorer, plans)
    assert not record.failures, "\n".join(record.failures)
    for programme, sessions in ((CASE, 2), (NATIONAL, 3)):
        assert len(record.timings[programme]) >= 3 * sessions
    lines = [_summary(programme, values) for programme, values in sorted(record.timings.items())]
    lines += [f"first Overview after choosing {programme} (parse included): "
              + ", ".join(f"{s:.1f} s" for s in sorted(values)) for programme, values in record.first_overview.items()]
    print(f"\n{len(plans)} sessions, {SOAK_SECONDS:g} s, load {os.getloadavg()[0]:.1f}:\n" + "\n".join(lines))
