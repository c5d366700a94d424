"""`python -m app.explorer.serve run ENTRY [streamlit options]`: Streamlit's own command line, in a process
that has already started loading the explorer's builds in the background (so the first visitor after a
start does not wait for a national programme's parse from zero). `policygraph explore` runs this."""

from __future__ import annotations

import sys

from streamlit.web import cli

import app.page_data  # noqa: F401 - the pages' libraries (pandas, networkx, matplotlib, pyvis) imported before the first visitor
from app.explorer.common import configured_builds, prewarm


def main() -> None:
    try:
        builds = [path for _, path in configured_builds() if (path / "manifest.json").exists()]
    except ValueError:
        builds = []  # the pages report a malformed POLICYGRAPH_BUILDS
    prewarm(builds)
    sys.argv = ["streamlit", *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
