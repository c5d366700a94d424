"""How the explorer's server process gets ready (app/explorer/serve.py): Streamlit answers first, then one
background thread imports the pages' libraries in three steps and loads the default build between the
last two: OVERVIEW (what the Overview needs to show the tables stored for it: pandas, pyarrow), MODEL (what
loading and computing a build needs: rdflib, networkx, the analytics) and PAGES (the drawing libraries:
pyvis, matplotlib). Page runs wait for the step they need rather than import the same libraries at the
same time (a first visit during these imports made two threads import pandas at once, and one of them got
a half-initialised module: AttributeError on the page).

Between steps the thread lets the first page run alone (`settle`): it goes on once a page waits for the
next step, or GRACE_S after the first page run ended (the browser then fetches the table component's code
and draws the tables: with ~1 s of imports and a snapshot's load holding the GIL meanwhile, the Overview's
tables showed 0.5-1 s later), or IDLE_S after it asked if no page run has begun. Writing a snapshot waits
the same way.

Outside serve.py (AppTest, `streamlit run`) nothing prepares in the background, and nothing waits.
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)

OVERVIEW, MODEL, PAGES = "overview", "model", "pages"
STEPS = (OVERVIEW, MODEL, PAGES)
WAIT_S = 120.0  # then a page imports what it needs itself, and background work goes on
IDLE_S = 5.0
GRACE_S = 1.5
_READY = {step: threading.Event() for step in STEPS}
_CHANGED = threading.Condition()
_NEEDED: set[str] = set()  # steps a page run waits for
_BEGUN: list[bool] = []  # a page run has begun
_SHOWN: list[float] = []  # when the first page run ended (time.monotonic)
_PREPARER: list[threading.Thread] = []


def preparing(thread: threading.Thread) -> None:
    """`thread` will import the pages' libraries and call `ready` after each step (also if it fails)."""
    _PREPARER.append(thread)


def ready(step: str) -> None:
    """The pages' libraries up to `step` are imported."""
    for name in STEPS[: STEPS.index(step) + 1]:
        _READY[name].set()


def shown() -> None:
    """A page run has ended."""
    with _CHANGED:
        if not _SHOWN:
            _SHOWN.append(time.monotonic())
            _CHANGED.notify_all()


def settle(step: str | None = None, idle_s: float = IDLE_S) -> None:
    """For background work (the preparer's next `step`, or other work no page waits for): wait until a page
    run waits for `step` or a later one, or GRACE_S after the first page run ended, or `idle_s` if no page
    run has begun by then (at once outside serve.py)."""
    if not _PREPARER:
        return
    start = time.monotonic()
    with _CHANGED:
        while step is None or not any(STEPS.index(n) >= STEPS.index(step) for n in _NEEDED):
            end = _SHOWN[0] + GRACE_S if _SHOWN else start + (WAIT_S if _BEGUN else idle_s)
            if time.monotonic() >= end:
                return
            _CHANGED.wait(end - time.monotonic())


def wait(step: str, want: bool = True) -> None:
    """Wait until the background imports up to `step` are done (at once if there are none). `want`: a page
    run waits (a background load waits without hurrying them)."""
    if want and (not _BEGUN or (step != OVERVIEW and step not in _NEEDED)):
        with _CHANGED:
            _BEGUN.append(True)
            if step != OVERVIEW:
                _NEEDED.add(step)
            _CHANGED.notify_all()
    if not _PREPARER or threading.current_thread() is _PREPARER[0] or _READY[step].is_set():
        return
    if not _READY[step].wait(WAIT_S):
        log.warning("the pages' libraries were not imported after %.0f s: importing them in this page run", WAIT_S)
