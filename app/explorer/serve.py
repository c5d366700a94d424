"""`python -m app.explorer.serve run ENTRY [streamlit options]`: Streamlit's own command line, in a process
that prepares the pages in the background once the server answers: it imports their libraries (what the
Overview needs first) and loads the models of the explorer's builds, so that the first visitor after a start
waits for as little as it can.
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
from pathlib import Path

from streamlit import runtime
from streamlit.web import cli

from policygraph.app.explorer import startup
from policygraph.app.read.overview import read_overview
from policygraph.app.release import NoBuild, Release

log = logging.getLogger(__name__)
SERVER_WAIT_S = 60.0
# The three steps of app/explorer/startup.py: what the Overview imports when its tables are stored (pyarrow:
# for st.dataframe), what loading and computing a build imports, and what drawing imports (pandas' Styler:
# the Services page; the Query page's own modules are left to its first visit).
OVERVIEW_MODULES = ("policygraph.app.explorer.common", "pyarrow")
MODEL_MODULES = ("policygraph.app.read.tables", "policygraph.app.read.views")
PAGE_MODULES = ("policygraph.app.exports", "pandas.io.formats.style")


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


def _stored_overview(path: Path) -> tuple[bool, bool]:
    """(a build is there, it stored its Overview)."""
    try:
        release = Release.current(path)
    except NoBuild:
        return False, False
    return True, read_overview(release.overview_file) is not None


def prepare() -> None:
    """Once the server is up: import the pages' libraries in three steps (after the first, when wanted), load
    the default build before the last, then the other builds."""
    try:
        if not _server_started():
            log.warning("the Streamlit server was not up after %.0f s: preparing the pages anyway", SERVER_WAIT_S)
        _import(OVERVIEW_MODULES)
        startup.ready(startup.OVERVIEW)
        from policygraph.app.explorer.common import configured_builds, prewarm, warm  # noqa: PLC0415 - imported just above

        try:
            builds = [path for _, path in configured_builds() if _stored_overview(path)[0]]
        except ValueError:
            builds = []  # the pages report a malformed POLICYGRAPH_BUILDS
        if builds and _stored_overview(builds[0])[1]:
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
