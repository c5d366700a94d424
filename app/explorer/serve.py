"""`python -m app.explorer.serve run ENTRY [streamlit options]`: Streamlit's own command line, in a process
that prepares the pages in the background once the server answers: it imports their libraries (what the
Overview needs first) and loads the explorer's builds (from their analytics snapshots when they have one,
app/snapshot.py), so that the first visitor after a start waits for as little as it can.
`policygraph explore` runs this.

Everything waits for the server: these steps hold the GIL, which Streamlit's own start needs first, and
the browser loads Streamlit's page meanwhile (on the other core). Page runs wait for the imports they
need rather than import the same modules at the same time (app/explorer/startup.py)."""

from __future__ import annotations

import importlib
import logging
import sys
import threading
import time

from streamlit import runtime
from streamlit.web import cli

from app.explorer import startup
from app.release_cache import stored_overview

log = logging.getLogger(__name__)
SERVER_WAIT_S = 60.0
# The three steps of app/explorer/startup.py: what the Overview imports when its tables are stored (pyarrow:
# for st.dataframe), what loading and computing a build imports, and what drawing imports (pandas' Styler:
# the Services page; the Query page's own modules are left to its first visit).
OVERVIEW_MODULES = ("app.explorer.common", "pyarrow")
MODEL_MODULES = ("app.snapshot", "app.page_data")
PAGE_MODULES = ("app.netview", "app.exports", "pandas.io.formats.style")


def _server_started(timeout_s: float = SERVER_WAIT_S) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if runtime.exists() and runtime.get_instance().state != runtime.RuntimeState.INITIAL:
            return True
        time.sleep(0.02)  # poll interval: Streamlit offers no hook for "the server is up"
    return False


def _import(modules: tuple[str, ...]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # the page that needs it reports the problem
            log.exception("could not import %s", name)


def prepare() -> None:
    """Once the server is up: import the pages' libraries in three steps (after the first, when wanted), load
    the default build before the last, then the other builds."""
    try:
        if not _server_started():
            log.warning("the Streamlit server was not up after %.0f s: preparing the pages anyway", SERVER_WAIT_S)
        _import(OVERVIEW_MODULES)
        startup.ready(startup.OVERVIEW)
        from app.explorer.common import configured_builds, prewarm, warm  # noqa: PLC0415 - imported just above

        try:
            builds = [path for _, path in configured_builds() if (path / "manifest.json").exists()]
        except ValueError:
            builds = []  # the pages report a malformed POLICYGRAPH_BUILDS
        if builds and stored_overview(builds[0]) is not None:
            startup.settle(startup.MODEL)  # the Overview needs nothing more: let its first run go first
        _import(MODEL_MODULES)
        startup.ready(startup.MODEL)
        if builds:
            warm(builds[0])  # the first start's Overview waits for it
        startup.settle(startup.PAGES)
        _import(PAGE_MODULES)
    except Exception:
        log.exception("could not prepare the pages: each imports and loads what it needs itself")
        return
    finally:
        startup.ready(startup.PAGES)
    prewarm(builds)


def main() -> None:
    thread = threading.Thread(target=prepare, name="policygraph-prepare", daemon=True)
    startup.preparing(thread)
    thread.start()
    sys.argv = ["streamlit", *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
