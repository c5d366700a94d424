"""The `policygraph` command: each subcommand parses its arguments and calls one library function."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from app import build as pipeline
from app import cli_analytics, cli_explore, cli_serve
from app.cli_neo4j import cypher_command, load_group, neo4j_group
from app.cli_support import EXIT_BAD_INPUT, EXIT_FAILURE, die, stage_progress
from app.named import list_queries, run_named
from graph.neo4j_store import Neo4jUnavailable
from graph.results import FORMATS, QueryResult, render
from graph.sparql_guard import (
    DEFAULT_MAX_ROWS,
    DEFAULT_TIMEOUT_S,
    QueryFailed,
    QueryTimeout,
    RefusedQuery,
    run_bounded,
)
from ingest.errors import IngestError
from queries import BadParameters, QueryNotFound

DEFAULT_DATA = Path("data/health-trainers")

log = logging.getLogger("policygraph")


def _params(pairs: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not key=value", param_hint="--param")
        out[key] = value
    return out


def _emit(result: QueryResult, fmt: str) -> None:
    click.echo(render(result, fmt), nl=False)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)


data_option = click.option("--data", "data_dir", type=click.Path(path_type=Path), default=DEFAULT_DATA,
                           show_default=True, help="Programme folder of curated YAML/CSV files.")
format_option = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
param_option = click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
                            help="Query parameter (repeatable). Values are bound, never pasted into the query.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--build-dir", type=click.Path(path_type=Path), default=Path("build"), show_default=True,
              envvar="POLICYGRAPH_BUILD", help="Where builds and stores live.")
@click.option("-v", "--verbose", count=True, help="More logging on stderr (-vv for debug).")
@click.pass_context
def main(ctx: click.Context, build_dir: Path, verbose: int) -> None:
    """policygraph: trace how a policy vision became delivered practice, with evidence."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    ctx.obj = build_dir


@main.command()
@data_option
@click.option("--strict", is_flag=True, help="Fail on any bad row of the activity extract (default: skip and report).")
@click.pass_obj
def build(build_dir: Path, data_dir: Path, strict: bool) -> None:
    """Validate the curated data and build the graph files and the embedded store.

    Example: policygraph build --data data/health-trainers
    """
    try:
        with stage_progress("build", pipeline.STAGES) as stage:
            summary = pipeline.build(data_dir, build_dir, strict=strict, stage=stage)
    except IngestError as exc:
        die(exc.render() + "\nnothing was changed under " + str(build_dir), EXIT_BAD_INPUT)
    except OSError as exc:
        die(f"could not write the build ({exc}); the previous build is intact", EXIT_FAILURE)
    click.echo(f"built {summary.programme}: {summary.triples} triples in {summary.seconds:.2f} s "
               f"-> {build_dir}/graph.ttl, graph.nt, store/")
    for cls, count in sorted(summary.counts.items()):
        click.echo(f"  {cls:<22} {count:>5}")
    if summary.activity is not None:
        click.echo(summary.activity.render())


@main.command()
@data_option
def validate(data_dir: Path) -> None:
    """Check the curated data (records, references, SHACL) without touching the build.

    Example: policygraph validate --data data/health-trainers
    """
    try:
        prepared = pipeline.check_folder(data_dir)
    except IngestError as exc:
        die(exc.render(), EXIT_BAD_INPUT)
    scope = prepared.scope
    sampled = "" if scope.complete else (f"; SHACL on {scope.validated} of them, sampling "
                                         f"{', '.join(scope.sampled_services)}")
    click.echo(f"{prepared.prog.id}: valid ({len(prepared.lines)} triples{sampled})")


@main.command()
@click.argument("query")
@format_option
@param_option
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=DEFAULT_MAX_ROWS, show_default=True,
              help="Stop after this many rows.")
@click.option("--timeout", type=click.FloatRange(0.1, 3600), default=DEFAULT_TIMEOUT_S, show_default=True,
              help="Stop the query after this many seconds.")
@click.pass_obj
def sparql(build_dir: Path, query: str, fmt: str, params: tuple[str, ...], limit: int, timeout: float) -> None:
    """Run a read-only SPARQL query (text, or a file path) on the embedded store.

    Example: policygraph sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
    """
    text = Path(query).read_text(encoding="utf-8") if Path(query).is_file() else query
    try:
        result = run_bounded(pipeline.store_dir(build_dir), text, _params(params), timeout_s=timeout,
                             max_rows=limit)
    except RefusedQuery as exc:
        die(str(exc), EXIT_BAD_INPUT)
    except FileNotFoundError as exc:
        die(str(exc), EXIT_FAILURE)
    except (QueryTimeout, QueryFailed) as exc:
        die(str(exc), EXIT_FAILURE)
    _emit(result, fmt)


@main.command()
@click.argument("name", required=False)
@click.option("--list", "show_list", is_flag=True, help="List the named queries and their parameters.")
@format_option
@param_option
@click.option("--engine", type=click.Choice(["sparql", "cypher"]), default="sparql", show_default=True,
              help="sparql: the embedded store; cypher: Neo4j (after `policygraph load neo4j`).")
@click.pass_obj
def query(build_dir: Path, name: str | None, show_list: bool, fmt: str, params: tuple[str, ...],
          engine: str) -> None:
    """Run a named query (see --list) with bound parameters.

    Example: policygraph query table2 --format csv
    """
    if show_list or name is None:
        _emit(list_queries(), fmt)
        return
    try:
        result = run_named(build_dir, name, _params(params), engine=engine)
    except (QueryNotFound, BadParameters) as exc:
        die(str(exc.args[0]), EXIT_BAD_INPUT)
    except (FileNotFoundError, Neo4jUnavailable) as exc:
        die(str(exc), EXIT_FAILURE)
    _emit(result, fmt)


main.add_command(cli_analytics.trace)
main.add_command(cli_analytics.drift)
main.add_command(cli_explore.export_command)
main.add_command(cli_explore.explore)
main.add_command(cli_serve.serve)


main.add_command(neo4j_group)
main.add_command(load_group)
main.add_command(cypher_command(_params))


if __name__ == "__main__":
    main()
