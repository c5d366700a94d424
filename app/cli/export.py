"""`policygraph export`: a view for slides or other tools."""

from __future__ import annotations

from pathlib import Path

import click

from policygraph.app.cli.support import current_release, die
from policygraph.app.exports import MEDIA_TYPES, VIEWS, export, make_view
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
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="File to write.")
@click.pass_obj
def export_command(build_dir: Path, fmt: str, view: str, intent: str | None, service: str | None, period: str | None,
                   node: str | None, hops: int, max_nodes: int, output: Path) -> None:
    """Export a view (default: the whole programme's vision-to-practice graph) for slides or other tools.

    FORMAT: html (offline page), svg, png, gexf (Gephi), graphml, cyjs (Cytoscape JSON), ttl, jsonld, csv
    (the claims shown with their citations).

    Example: policygraph export html --intent reach-hard-to-reach-in-community -o vision.html
    """
    release = current_release(build_dir)
    if view == "neighbourhood" and not node:
        raise click.UsageError("--view neighbourhood needs --node IRI")
    try:
        chosen = make_view(release, view, intent=intent, service=service, period=period, node=node, hops=hops,
                           max_nodes=max_nodes)
        data = export(release, chosen, fmt)
    except KeyError as exc:
        die(str(exc.args[0]), 2)
    tmp = output.with_name(f".{output.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(output)  # never leave a half-written file under the requested name
    click.echo(f"wrote {output} ({len(data)} bytes, {chosen.graph.number_of_nodes()} nodes"
               f"{', truncated' if chosen.truncated else ''})")
