"""`policygraph trace` and `policygraph drift`."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from policygraph.app.cli.support import current_release, die
from policygraph.app.read.tables import drift_table, run_trace, trace_table
from policygraph.graph.results import render
from policygraph.graph.traces import DEFAULT_HOP_CAP, DEFAULT_RESULT_CAP


@click.command()
@click.option("--intent", "ident", required=True, help="Intent or policy document id (see `query intents`).")
@click.option("--service", help="Only this service (its identifier).")
@click.option("--period", help="Only this period (its id in the programme's programme.yaml).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--max-hops", type=click.IntRange(1, 20), default=DEFAULT_HOP_CAP, show_default=True)
@click.option("--max-paths", type=click.IntRange(1, 100_000), default=DEFAULT_RESULT_CAP, show_default=True)
@click.pass_obj
def trace(build_dir: Path, ident: str, service: str | None, period: str | None, fmt: str, max_hops: int,
          max_paths: int) -> None:
    """Trace an intent (or document) to delivered practice, hop by hop, with status and evidence.

    Example: policygraph trace --intent reach-hard-to-reach-in-community --service D
    """
    release = current_release(build_dir)
    try:
        result = run_trace(release, ident, service=service, period=period, hop_cap=max_hops, result_cap=max_paths)
    except KeyError as exc:
        die(str(exc.args[0]), 2)
    if fmt == "json":
        payload = {"start": result.start, "truncated": result.truncated, "labels": result.labels,
                   "paths": [[asdict(h) for h in p.hops] for p in result.paths]}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    table = trace_table(result)
    click.echo(render(table, fmt), nl=False)
    for note in table.notes:
        click.echo(f"note: {note}", err=True)


@click.command()
@click.option("--service", help="Only this service (its identifier).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.pass_obj
def drift(build_dir: Path, service: str | None, fmt: str) -> None:
    """Fidelity and drift (the programme's drift measure) per service and period, with coverage and the cells
    that drove each change.

    Example: policygraph drift --service D
    """
    table = drift_table(current_release(build_dir), service)
    click.echo(render(table, fmt), nl=False)
    for note in table.notes:
        click.echo(f"note: {note}", err=True)
