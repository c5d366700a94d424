"""`policygraph trace` and `policygraph drift`.

Both read the build's analytics snapshot when the explorer has written one (signed with this user's key,
app/snapshot.py: ~1 s on the national programme instead of a ~6.5 s parse) and parse the build otherwise;
they never write one."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from app.analysis import drift_table, run_trace, trace_table
from app.cli_support import die
from app.snapshot import explorer_build
from graph.results import render
from graph.traces import DEFAULT_HOP_CAP, DEFAULT_RESULT_CAP


@click.command()
@click.option("--intent", "ident", required=True, help="Intent or policy document id (see `query intents`).")
@click.option("--site", help="Only this service (case letter).")
@click.option("--period", help="Only this period id (start-up, follow-up).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--max-hops", type=click.IntRange(1, 20), default=DEFAULT_HOP_CAP, show_default=True)
@click.option("--max-paths", type=click.IntRange(1, 100_000), default=DEFAULT_RESULT_CAP, show_default=True)
@click.pass_obj
def trace(build_dir: Path, ident: str, site: str | None, period: str | None, fmt: str, max_hops: int,
          max_paths: int) -> None:
    """Trace an intent (or document) to delivered practice, hop by hop, with status and evidence.

    Example: policygraph trace --intent reach-hard-to-reach-in-community --site D
    """
    try:
        explorer_build(build_dir)  # loaded once, from the snapshot if usable: run_trace then finds it loaded
        result = run_trace(build_dir, ident, service=site, period=period, hop_cap=max_hops, result_cap=max_paths)
    except KeyError as exc:
        die(str(exc.args[0]), 2)
    except FileNotFoundError as exc:
        die(str(exc), 1)
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
@click.option("--site", help="Only this service (case letter).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.pass_obj
def drift(build_dir: Path, site: str | None, fmt: str) -> None:
    """Fidelity and medicalisation per service and period, with coverage and the cells that drove the change.

    Example: policygraph drift --site D
    """
    try:
        explorer_build(build_dir)
        table = drift_table(build_dir, site)
    except FileNotFoundError as exc:
        die(str(exc), 1)
    click.echo(render(table, fmt), nl=False)
    for note in table.notes:
        click.echo(f"note: {note}", err=True)
