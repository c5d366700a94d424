"""`policygraph init` (start a programme folder) and `policygraph format` (put one in the canonical form)."""

from __future__ import annotations

from pathlib import Path

import click

from policygraph.app.build import check_folder
from policygraph.app.cli.support import EXIT_BAD_INPUT, EXIT_FAILURE, die
from policygraph.ingest.errors import IngestError
from policygraph.ingest.formatting import format_programme, non_canonical_files
from policygraph.ingest.scaffold import write_new_programme


@click.command()
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path))
@click.option("--id", "programme_id", metavar="ID", help="The programme's id (default: the folder's name).")
def init(folder: Path, programme_id: str | None) -> None:
    """Start a new programme folder: every file the reader reads, each with one commented example record,
    valid as it is.

    DIR must not exist or be empty (exit 2 otherwise). Example: policygraph init data/my-programme
    """
    try:
        written = write_new_programme(folder, programme_id)
    except IngestError as exc:
        die("\n".join(str(problem) for problem in exc.problems), EXIT_BAD_INPUT)
    except OSError as exc:
        die(f"could not write {folder}: {exc.strerror}", EXIT_FAILURE)
    click.echo(f"created {folder}: {', '.join(p.name for p in written)}")
    click.echo(f"next: replace the examples (data/README.md), then `policygraph validate --data {folder}`")


@click.command("format")
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Only report the files not in the canonical form (exit 1 if any).")
def format_command(folder: Path, check: bool) -> None:
    """Rewrite a programme folder's files in the canonical form (key order, layout, row order); the data
    itself never changes.

    The folder must validate first (exit 2 otherwise, nothing written). Comments on a line of their own move
    with the key that follows them and end-of-line comments stay; any other comment (e.g. inside a list
    spanning lines) moves to the next key. --check writes nothing and exits 1 if a file would change.
    Example: policygraph format data/my-programme --check
    """
    try:
        programme = check_folder(folder).folder
    except IngestError as exc:
        die(exc.render() + "\nthe folder must validate before it is formatted; nothing was written", EXIT_BAD_INPUT)
    if check:
        problems = non_canonical_files(programme)
        for problem in problems:
            click.echo(str(problem))
        if problems:
            click.echo(f"{len(problems)} file(s) not in the canonical form", err=True)
            raise SystemExit(EXIT_FAILURE)
        click.echo(f"{folder}: every file is in the canonical form")
        return
    try:
        rewritten = format_programme(programme)
    except IngestError as exc:
        die(exc.render() + "\nno file was changed", EXIT_BAD_INPUT)
    except OSError as exc:
        die(f"could not rewrite a file of {folder} ({exc}); no file was changed", EXIT_FAILURE)
    for path in rewritten:
        click.echo(f"rewrote {path}")
    click.echo(f"{folder}: {len(rewritten)} file(s) rewritten" if rewritten else
               f"{folder}: every file was already in the canonical form")
