"""`policygraph build` and `policygraph validate`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from policygraph.app.build import STAGES, WorkerDied, build, check_folder
from policygraph.app.cli.support import EXIT_BAD_INPUT, EXIT_FAILURE, die, stage_progress
from policygraph.ingest.activity import aggregate_activity
from policygraph.ingest.errors import IngestError, Problem
from policygraph.ingest.folder_contents import unread_files
from policygraph.ingest.formatting import non_canonical_files
from policygraph.ingest.period_warnings import ambiguous_periods
from policygraph.ingest.programme import ProgrammeFolder

DEFAULT_DATA = Path("data/health-trainers")

data_option = click.option("--data", "data_dir", type=click.Path(path_type=Path), default=DEFAULT_DATA,
                           show_default=True, help="Programme folder of curated YAML/CSV files.")


@click.command("build")
@data_option
@click.option("--strict", is_flag=True, help="Fail on any bad row of the activity extract (default: skip and report).")
@click.pass_obj
def build_command(build_dir: Path, data_dir: Path, strict: bool) -> None:
    """Validate the curated data and build the graph files and the embedded store.

    Example: policygraph build --data data/health-trainers
    """
    try:
        with stage_progress("build", STAGES) as stage:
            summary = build(data_dir, build_dir, strict=strict, stage=stage)
    except IngestError as exc:
        die(exc.render() + "\nnothing was changed under " + str(build_dir), EXIT_BAD_INPUT)
    except OSError as exc:
        die(f"could not write the build ({exc}); the previous build is intact", EXIT_FAILURE)
    except WorkerDied as exc:
        die(f"{exc}; the previous build is intact", EXIT_FAILURE)
    click.echo(f"built {summary.programme}: {summary.triples} triples in {summary.seconds:.2f} s "
               f"-> {build_dir}/graph.ttl, graph.nt, store/")
    for cls, count in sorted(summary.counts.items()):
        click.echo(f"  {cls:<22} {count:>5}")
    if summary.activity is not None:
        click.echo(summary.activity.render())


@click.command()
@data_option
@click.option("--strict", is_flag=True, help="Fail on any bad row of the activity extract, as `build --strict` does.")
def validate(data_dir: Path, strict: bool) -> None:
    """Check the curated data (records, references, SHACL, the activity extract) without touching the build.

    The activity extract programme.yaml declares is read with the checks `build` makes: what `build` refuses,
    `validate` refuses; a bad row `build` would skip is a warning (an error with --strict).
    Warns (on stderr; the exit code stays 0) about files the folder holds but policygraph does not read, and
    about files not in the canonical form (`policygraph format` fixes them), and about a period written like a
    financial year but read as a month (`2010-11` is November 2010; FY2010-11 is the financial year).
    Example: policygraph validate --data data/health-trainers
    """
    try:
        prepared = check_folder(data_dir)
        skipped = _check_activity(prepared.folder, strict)
    except IngestError as exc:
        _warn(unread_files(data_dir))  # a misspelt file name is often why a file is missing
        die(exc.render(), EXIT_BAD_INPUT)
    _warn([*unread_files(data_dir), *non_canonical_files(prepared.folder), *ambiguous_periods(data_dir), *skipped])
    scope = prepared.scope
    sampled = "" if scope.complete else (f"; SHACL on {scope.validated} of them, sampling "
                                         f"{', '.join(scope.sampled_services)}")
    click.echo(f"{prepared.folder.id}: valid ({len(prepared.lines)} triples{sampled})")


def _check_activity(folder: ProgrammeFolder, strict: bool) -> list[Problem]:
    """The activity extract read as `build` reads it (IngestError: `build` would refuse it); the rows it would skip."""
    extract = folder.activity
    if extract is None:
        return []
    agg = aggregate_activity(folder.folder / extract.file, {s.id for s in folder.services.services}, strict=strict)
    return [replace(p, message=f"{p.message} (build skips this row; --strict refuses it)") for p in agg.problems]


def _warn(warnings: list[Problem]) -> None:
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
