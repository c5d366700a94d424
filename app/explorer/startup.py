"""The explorer prepares its pages in the background once the first page has been shown: one thread imports
the model's libraries (rdflib, networkx, the analytics), loads the default build's model, imports the drawing
libraries (pyvis, matplotlib) and then loads the other builds' models, so that the next pages a visitor opens
need not wait for them. It starts GRACE_S after the first page run ended: the browser draws that page
meanwhile, before the imports take the GIL.

Page runs that need a step wait for it rather than import the same modules at the same time (two threads
importing pandas at once once gave one of them a half-initialised module: an AttributeError on the page).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

MODEL, PAGES = "model", "pages"
STEPS = (MODEL, PAGES)
GRACE_S = 1.5
WAIT_S = 120.0  # then a page imports what it needs itself
_READY = {step: threading.Event() for step in STEPS}
_PREPARER: list[threading.Thread] = []
_LOCK = threading.Lock()


def begin(prepare: Callable[[], None]) -> None:
    """Start preparing the pages (`prepare`, which calls `ready` after each step), once per process."""
    with _LOCK:
        if _PREPARER:
            return
        thread = threading.Thread(target=_run, args=(prepare,), name="policygraph-prepare", daemon=True)
        _PREPARER.append(thread)
    thread.start()


def _run(prepare: Callable[[], None]) -> None:
    time.sleep(GRACE_S)
    try:
        prepare()
    except Exception:  # each page imports and loads what it needs itself
        log.exception("could not prepare the pages")
    finally:
        ready(PAGES)


def ready(step: str) -> None:
    """The pages' libraries up to `step` are imported."""
    for name in STEPS[: STEPS.index(step) + 1]:
        _READY[name].set()


def wait(step: str) -> None:
    """Wait until the background preparation has passed `step` (at once if none runs, or in the preparer)."""
    if not _PREPARER or threading.current_thread() is _PREPARER[0] or _READY[step].is_set():
        return
    if not _READY[step].wait(WAIT_S):
        log.warning("the pages' libraries were not imported after %.0f s: importing them in this page run", WAIT_S)
