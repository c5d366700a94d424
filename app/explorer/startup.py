"""How the explorer's server process gets ready (app/explorer/serve.py): Streamlit answers first, then one
background thread imports the pages' libraries in two steps, OVERVIEW (what the first page, the Overview
shown from its stored tables, needs: pandas, pyarrow) and then PAGES (everything the other pages and the
build's model need: rdflib, networkx, matplotlib, pyvis), and then loads the builds.

A page run waits for the step it needs rather than import the same libraries at the same time (a first
visit during these imports made two threads import pandas at once, and one of them got a half-initialised
module: AttributeError on the page). The second step waits until a page needs it, or GRACE_S after the
first page run (the browser then fetches the table component's code and draws the tables: with ~1 s of
imports and a snapshot's load holding the GIL meanwhile, the Overview's tables showed 0.5-1 s later), or
IDLE_S after the first step if no page ran.

Outside serve.py (AppTest, `streamlit run`) nothing prepares in the background, and nothing waits.
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)

OVERVIEW, PAGES = "overview", "pages"
WAIT_S = 120.0  # then the page imports what it needs itself
IDLE_S = 5.0
GRACE_S = 1.5
_READY = {OVERVIEW: threading.Event(), PAGES: threading.Event()}
_CHANGED = threading.Condition()
_NEEDED: list[bool] = []  # a page waits for PAGES
_SHOWN: list[float] = []  # when the first page run ended (time.monotonic)
_PREPARER: list[threading.Thread] = []


def preparing(thread: threading.Thread) -> None:
    """`thread` will import the pages' libraries and call `ready` after each step (also if it fails)."""
    _PREPARER.append(thread)


def ready(step: str) -> None:
    """The pages' libraries up to `step` are imported."""
    for name in (OVERVIEW, PAGES)[: (OVERVIEW, PAGES).index(step) + 1]:
        _READY[name].set()


def shown() -> None:
    """A page run has ended."""
    with _CHANGED:
        if not _SHOWN:
            _SHOWN.append(time.monotonic())
            _CHANGED.notify_all()


def wanted() -> None:
    """For the preparer: wait until the second step is wanted (see above)."""
    deadline = time.monotonic() + IDLE_S
    with _CHANGED:
        while not _NEEDED:
            end = min(deadline, _SHOWN[0] + GRACE_S) if _SHOWN else deadline
            if not _CHANGED.wait(end - time.monotonic()) and time.monotonic() >= end:
                return


def wait(step: str, want: bool = True) -> None:
    """Wait until the background imports up to `step` are done (at once if there are none); `want`: a page
    needs them now (a background load waits without hurrying them)."""
    if step == PAGES and want and not _NEEDED:
        with _CHANGED:
            _NEEDED.append(True)
            _CHANGED.notify_all()
    if not _PREPARER or threading.current_thread() is _PREPARER[0] or _READY[step].is_set():
        return
    if not _READY[step].wait(WAIT_S):
        log.warning("the pages' libraries were not imported after %.0f s: importing them in this page run", WAIT_S)
