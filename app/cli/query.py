"""`policygraph sparql` and `policygraph query`."""

from __future__ import annotations

from pathlib import Path

import click

from policygraph.app.cli.query_source import BadQueryFile, query_text
from policygraph.app.cli.support import (
    EXIT_BAD_INPUT,
    EXIT_FAILURE,
    current_release,
    die,
    emit,
    format_option,
    param_option,
    parse_params,
)
from policygraph.app.read.queries import list_queries, run_named, run_sparql
from policygraph.app.release import NoBuild, Release
from policygraph.graph.neo4j_store import Neo4jUnavailable
from policygraph.graph.sparql_guard import (
    DEFAULT_MAX_ROWS,
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT_S,
    QueryFailed,
    QueryTimeout,
    RefusedQuery,
)
from policygraph.queries import BadParameters, QueryNotFound, all_queries


@click.command()
@click.argument("query")
@format_option
@param_option
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=DEFAULT_MAX_ROWS, show_default=True,
              help="Stop after this many rows.")
@click.option("--timeout", type=click.FloatRange(0.1, 3600), default=DEFAULT_TIMEOUT_S, show_default=True,
              help="Stop the query (parse, check and run) after this many seconds.")
@click.option("--memory", type=click.IntRange(256, 1_000_000), default=DEFAULT_MEMORY_MB, show_default=True,
              metavar="MB", help="Stop the query when it needs more than this many MB.")
@click.pass_obj
def sparql(build_dir: Path, query: str, fmt: str, params: tuple[str, ...], limit: int, timeout: float,
           memory: int) -> None:
    """Run a read-only SPARQL query (text, or a file path) on the embedded store.

    Example: policygraph sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
    """
    try:
        text = query_text(query)
    except BadQueryFile as exc:
        die(str(exc), EXIT_BAD_INPUT)
    try:
        result = run_sparql(current_release(build_dir), text, parse_params(params), timeout_s=timeout,
                            max_rows=limit, memory_mb=memory)
    except RefusedQuery as exc:
        die(str(exc), EXIT_BAD_INPUT)
    except (FileNotFoundError, QueryTimeout, QueryFailed) as exc:
        die(str(exc), EXIT_FAILURE)
    emit(result, fmt)


@click.command()
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

    Example: policygraph query configuration-table --param service=D --format csv
    """
    if show_list or name is None:
        # Without a build, the shipped queries (a programme's own come with its build).
        try:
            queries = Release.current(build_dir).queries()
        except NoBuild:
            queries = all_queries()
        emit(list_queries(queries), fmt)
        return
    try:
        result = run_named(current_release(build_dir), name, parse_params(params), engine=engine)
    except (QueryNotFound, BadParameters) as exc:
        die(str(exc.args[0]), EXIT_BAD_INPUT)
    except (FileNotFoundError, Neo4jUnavailable) as exc:
        die(str(exc), EXIT_FAILURE)
    emit(result, fmt)
