"""`policygraph export` and `policygraph explore`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from app.cli_support import die
from app.exports import MEDIA_TYPES, export
from app.views import DEFAULT_MAX_NODES, View, neighbourhood_view, vision_view

EXPLORER_ENTRY = Path(__file__).resolve().parent / "explorer" / "main.py"


def make_view(build_dir: Path, view: str, intent: str | None, site: str | None, period: str | None,
              node: str | None, hops: int, max_nodes: int) -> View:
    if view == "neighbourhood":
        if not node:
            raise click.UsageError("--view neighbourhood needs --node IRI")
        return neighbourhood_view(build_dir, node, hops, max_nodes)
    return vision_view(build_dir, intent, site, period, max_nodes)


@click.command(name="export")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(sorted(MEDIA_TYPES)))
@click.option("--view", type=click.Choice(["vision", "neighbourhood"]), default="vision", show_default=True)
@click.option("--intent", help="Intent or document id (vision view); default: all intents.")
@click.option("--site", help="Only this service (case letter).")
@click.option("--period", help="Only this period id.")
@click.option("--node", help="Centre node IRI (neighbourhood view).")
@click.option("--hops", type=click.IntRange(1, 4), default=1, show_default=True)
@click.option("--max-nodes", type=click.IntRange(1, 5000), default=DEFAULT_MAX_NODES, show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="File to write.")
@click.pass_obj
def export_command(build_dir: Path, fmt: str, view: str, intent: str | None, site: str | None, period: str | None,
                   node: str | None, hops: int, max_nodes: int, output: Path) -> None:
    """Export a view (default: the whole case's vision-to-practice graph) for slides or other tools.

    FORMAT: html (offline page), svg, png, gexf (Gephi), graphml, cyjs (Cytoscape JSON), ttl, jsonld, csv
    (the claims shown with their citations).

    Example: policygraph export html --intent reach-hard-to-reach-in-community -o vision.html
    """
    try:
        chosen = make_view(build_dir, view, intent, site, period, node, hops, max_nodes)
        data = export(build_dir, chosen, fmt)
    except KeyError as exc:
        die(str(exc.args[0]), 2)
    except FileNotFoundError as exc:
        die(str(exc), 1)
    tmp = output.with_name(f".{output.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(output)  # never leave a half-written file under the requested name
    click.echo(f"wrote {output} ({len(data)} bytes, {chosen.graph.number_of_nodes()} nodes"
               f"{', truncated' if chosen.truncated else ''})")


def _programme(spec: str) -> tuple[str | None, Path]:
    """NAME=BUILD_DIR or BUILD_DIR (labelled with its manifest's programme); the build must be there."""
    name, sep, folder = spec.partition("=")
    label, path = (name.strip() or None, Path(folder)) if sep else (None, Path(spec))
    if not (path / "manifest.json").exists():
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
    if not builds or (current / "manifest.json").exists():
        builds.insert(0, (None, current))  # the current build first (the default), as without --programme
    else:
        click.echo(f"no build in {build_dir}: offering the --programme builds only", err=True)
    env = {**os.environ, "POLICYGRAPH_BUILD": str(builds[0][1]),
           "POLICYGRAPH_BUILDS": json.dumps([[label, str(path)] for label, path in builds])}
    # Streamlit's command line, in a process that starts loading the builds first (app/explorer/serve.py).
    args = [sys.executable, "-m", "app.explorer.serve", "run", str(EXPLORER_ENTRY), "--browser.gatherUsageStats",
            "false", "--client.toolbarMode", "viewer", "--server.address", "127.0.0.1", *ctx.args]
    os.execve(sys.executable, args, env)  # noqa: S606 - replace this process with the Streamlit server
