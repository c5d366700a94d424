"""`policygraph explore`: hands over to Streamlit (so this module imports nothing of the pages')."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from policygraph.app.cli.support import die
from policygraph.app.release import MANIFEST

EXPLORER_ENTRY = Path(__file__).resolve().parents[1] / "explorer" / "main.py"


def _programme(spec: str) -> tuple[str | None, Path]:
    """NAME=BUILD_DIR or BUILD_DIR (labelled with its manifest's programme); the build must be there."""
    name, sep, folder = spec.partition("=")
    label, path = (name.strip() or None, Path(folder)) if sep else (None, Path(spec))
    if not (path / MANIFEST).exists():
        die(f"--programme {spec}: no build in {path}; build it first with "
            f"`policygraph --build-dir {path} build --data DIR`", 2)
    return label, path.resolve()


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.option("--programme", "programme_specs", multiple=True, metavar="[NAME=]BUILD_DIR",
              help="Another built programme to offer in the sidebar's Programme chooser (repeatable); NAME "
                   "defaults to the programme named in the build's manifest.")
@click.pass_context
def explore(ctx: click.Context, programme_specs: tuple[str, ...]) -> None:
    """Start the Streamlit explorer on the current build (and any --programme builds: each browser
    session chooses its programme in the sidebar); extra options go to Streamlit.

    Examples: policygraph explore --server.port 8601 --server.headless true;
    policygraph explore --programme /tmp/natbuild (the case and the national programme)
    """
    build_dir: Path = ctx.obj
    builds = [_programme(spec) for spec in programme_specs]
    current = build_dir.resolve()
    if not builds or (current / MANIFEST).exists():
        builds.insert(0, (None, current))  # the current build first (the default), as without --programme
    else:
        click.echo(f"no build in {build_dir}: offering the --programme builds only", err=True)
    env = {**os.environ, "POLICYGRAPH_BUILD": str(builds[0][1]),
           "POLICYGRAPH_BUILDS": json.dumps([[label, str(path)] for label, path in builds])}
    # Streamlit's own command line. -P: the working directory is not put first on the import path (a user's
    # own `queries/` folder must not shadow anything the explorer imports).
    args = [sys.executable, "-P", "-m", "streamlit", "run", str(EXPLORER_ENTRY), "--browser.gatherUsageStats",
            "false", "--client.toolbarMode", "viewer", "--server.address", "127.0.0.1", *ctx.args]
    os.execve(sys.executable, args, env)  # noqa: S606 - replace this process with the Streamlit server
