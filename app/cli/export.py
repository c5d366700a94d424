"""`policygraph export`: a view for slides or other tools."""

from __future__ import annotations

from pathlib import Path

import click

from policygraph.app.cli.support import EXIT_BAD_INPUT, EXIT_FAILURE, current_release, die
from policygraph.app.exports import MEDIA_TYPES, SIZES, VIEWS, export, make_view
from policygraph.app.read.views import DEFAULT_MAX_NODES


@click.command(name="export")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(sorted(MEDIA_TYPES)))
@click.option("--view", type=click.Choice(VIEWS), default="vision", show_default=True)
@click.option("--intent", help="Intent or document id (vision view); default: all intents.")
@click.option("--service", help="Only this service (its identifier).")
@click.option("--period", help="Only this period id.")
@click.option("--node", help="Centre node IRI (neighbourhood view).")
@click.option("--hops", type=click.IntRange(1, 4), default=1, show_default=True)
@click.option("--max-nodes", type=click.IntRange(1, 5000), default=DEFAULT_MAX_NODES, show_default=True)
@click.option("--size", type=click.Choice(sorted(SIZES)), default="16:9", show_default=True,
              help="Slide shape of images and decks (1920 x 1080 or 1920 x 1440 px).")
@click.option("--scale", type=click.FloatRange(0.5, 8), default=2.0, show_default=True,
              help="PNG pixels per frame pixel (2: 3840 px wide, for high-DPI screens).")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="File to write.")
@click.pass_obj
def export_command(build_dir: Path, fmt: str, view: str, intent: str | None, service: str | None, period: str | None,
                   node: str | None, hops: int, max_nodes: int, size: str, scale: float, output: Path) -> None:
    """Export a view (default: the whole programme's vision-to-practice picture) for slides or other tools.

    FORMAT: html (offline page), svg, png, pdf (slide-grade images), pptx (a deck: the view, then one slide per
    intent), gexf (Gephi), graphml, cyjs (Cytoscape JSON), ttl, jsonld, csv (the claims shown with their
    citations).

    Example: policygraph export pptx --size 4:3 -o vision.pptx
    """
    release = current_release(build_dir)
    if view == "neighbourhood" and not node:
        raise click.UsageError("--view neighbourhood needs --node IRI")
    if not output.parent.is_dir():
        die(f"cannot write {output}: the folder {output.parent} does not exist (create it or choose another -o)",
            EXIT_BAD_INPUT)
    try:
        chosen = make_view(release, view, intent=intent, service=service, period=period, node=node, hops=hops,
                           max_nodes=max_nodes)
        data = export(release, chosen, fmt, size=size, scale=scale)
    except KeyError as exc:
        die(str(exc.args[0]), EXIT_BAD_INPUT)
    tmp = output.with_name(f".{output.name}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(output)  # never leave a half-written file under the requested name
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        die(f"cannot write {output}: {exc.strerror}", EXIT_FAILURE)
    click.echo(f"wrote {output} ({len(data)} bytes; {chosen.describe()})")
