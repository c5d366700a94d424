"""What every command module shares: how a failure is reported."""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import NoReturn

import click

from policygraph.app.release import NoBuild, Release
from policygraph.graph.results import FORMATS, QueryResult, render

log = logging.getLogger(__name__)

EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2


def die(message: str, code: int) -> NoReturn:
    """Print `error: message` on stderr and exit with `code` (1 failure, 2 bad usage or input)."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def current_release(build_dir: Path) -> Release:
    """The build folder's current release, or exit 1 saying there is none."""
    try:
        return Release.current(build_dir)
    except NoBuild as exc:
        die(str(exc), EXIT_FAILURE)


format_option = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
param_option = click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
                            help="Query parameter (repeatable). Values are bound, never pasted into the query.")


def parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    """--param KEY=VALUE pairs as a dict."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not key=value", param_hint="--param")
        out[key] = value
    return out


def emit(result: QueryResult, fmt: str) -> None:
    """A result on stdout in `fmt`, its notes on stderr."""
    click.echo(render(result, fmt), nl=False)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)


@contextlib.contextmanager
def stage_progress(label: str, stages: Sequence[str]) -> Iterator[Callable[[str], None]]:
    """A progress bar over a job's stages on stderr (drawn on a terminal; with -v a log line per stage).
    Yields the function to call with each stage's name as it starts."""
    started = time.perf_counter()

    def note(name: str) -> None:
        log.info("%s: %s (%.1f s)", label, name, time.perf_counter() - started)

    if not sys.stderr.isatty():  # a log or a pipe gets no bar: the stages are logged (shown with -v)
        yield note
        return
    with click.progressbar(length=len(stages), label=label, file=sys.stderr, show_pos=True) as bar:
        done = 0

        def stage(name: str) -> None:
            nonlocal done
            position = stages.index(name) if name in stages else done
            bar.label = f"{label}: {name} ({time.perf_counter() - started:.1f} s)"
            bar.update(position - done)
            done = position
            note(name)

        yield stage
        bar.update(len(stages) - done)
