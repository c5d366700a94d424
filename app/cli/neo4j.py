"""The Neo4j commands of `policygraph`: `neo4j start|stop|status|export`, `load neo4j`, `cypher`.

Connection: NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD (the password only from the environment);
without NEO4J_URI, the local server of `policygraph neo4j start` (data, port and password under
<build-dir>/neo4j; while it is stopped nothing is contacted).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import click
from neo4j.exceptions import DriverError, Neo4jError

from policygraph.app.cli.query_source import BadQueryFile, query_text
from policygraph.app.cli.support import (
    EXIT_BAD_INPUT,
    EXIT_FAILURE,
    current_release,
    die,
    emit,
    format_option,
    parse_params,
)
from policygraph.app.release import NEO4J_DIR, NoBuild, Release
from policygraph.graph import neo4j_server
from policygraph.graph.cypher_guard import (
    DEFAULT_MAX_ROWS,
    DEFAULT_TIMEOUT_S,
    CypherFailed,
    CypherTimeout,
    RefusedCypher,
    run_read_only,
)
from policygraph.graph.neo4j_export import export_ntriples
from policygraph.graph.neo4j_local import DEFAULT_PORT, PASSWORD_FILE, remembered
from policygraph.graph.neo4j_store import Neo4jSettings, Neo4jStore, Neo4jUnavailable

PROGRESS_BAR_FROM = 20_000  # items; smaller loads finish before a bar is worth drawing


def server_config(build_dir: Path, port: int | None = None, heap_mb: int | None = None,
                  pagecache_mb: int | None = None) -> neo4j_server.Neo4jServerConfig:
    """The local server of `build_dir`: on `port`, else the port it last ran on, else 7687; memory sized
    from the machine and the current build's graph unless given."""
    data_dir = build_dir / NEO4J_DIR
    last = remembered(data_dir)
    try:
        graph_bytes: int | None = Release.current(build_dir).graph_nt.stat().st_size
    except (NoBuild, OSError):
        graph_bytes = None
    return neo4j_server.Neo4jServerConfig(
        data_dir=data_dir, bolt_port=port or (last.port if last is not None else DEFAULT_PORT),
        heap_mb=heap_mb, pagecache_mb=pagecache_mb, graph_bytes=graph_bytes)


def settings_for(build_dir: Path) -> Neo4jSettings:
    return Neo4jSettings.from_env(local_data_dir=build_dir / NEO4J_DIR)


def _connection_error(settings: Neo4jSettings, exc: Exception) -> NoReturn:
    # The driver's own messages never contain the password; we add only the address.
    die(f"Neo4j at {settings.describe()} failed: {type(exc).__name__}: "
         f"{getattr(exc, 'message', None) or exc}", EXIT_FAILURE)


@click.group("neo4j")
def neo4j_group() -> None:
    """Run a local Neo4j 5.26 server (Bolt on 127.0.0.1, data under <build-dir>/neo4j)."""


@neo4j_group.command("start")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="Bolt port  [default: the port of the last start, else 7687]")
@click.option("--heap", "heap_mb", type=click.IntRange(256, 1_048_576), default=None, metavar="MB",
              help="JVM heap  [default: a quarter of the memory, 512-4096 MB]")
@click.option("--pagecache", "pagecache_mb", type=click.IntRange(16, 1_048_576), default=None, metavar="MB",
              help="Page cache  [default: the size of the build's graph.nt, 128-4096 MB]")
@click.pass_obj
def start(build_dir: Path, port: int | None, heap_mb: int | None, pagecache_mb: int | None) -> None:
    """Provision (first time, from Maven Central) and start the local server (authentication on; the
    password is kept in the build folder's neo4j/password, readable by you only).

    Example: policygraph neo4j start && policygraph load neo4j
    """
    try:
        server = neo4j_server.start(server_config(build_dir, port, heap_mb, pagecache_mb))
    except neo4j_server.Neo4jServerError as exc:
        die(str(exc), EXIT_FAILURE)
    click.echo(f"Neo4j running on {server.uri} (pid {server.pid}, data {server.config.data_dir}, heap "
               f"{server.settings.heap_mb} MB, page cache {server.settings.pagecache_mb} MB; user neo4j, "
               f"password in {server.config.data_dir / PASSWORD_FILE})")


@neo4j_group.command("stop")
@click.pass_obj
def stop(build_dir: Path) -> None:
    """Stop the local server (no-op if it is not running)."""
    try:
        stopped = neo4j_server.stop(server_config(build_dir))
    except neo4j_server.Neo4jServerError as exc:
        die(str(exc), EXIT_FAILURE)
    click.echo("stopped" if stopped else "not running")


@neo4j_group.command("status")
@click.pass_obj
def status(build_dir: Path) -> None:
    """Say whether the local server runs, where we connect, and which build Neo4j holds."""
    data_dir = build_dir / NEO4J_DIR
    local = neo4j_server.status(server_config(build_dir))  # reads the port from the pid file
    last = remembered(data_dir)
    stopped = f"not running (last started on bolt://127.0.0.1:{last.port})" if last else "not running"
    click.echo(f"local server: {local or stopped}")
    settings = settings_for(build_dir)
    click.echo(f"connection:   {settings.describe()}")
    try:
        with Neo4jStore(settings) as store:
            store.check()
            loaded = store.loaded_build()
    except (Neo4jUnavailable, DriverError, Neo4jError) as exc:
        die(str(exc) if isinstance(exc, Neo4jUnavailable) else f"{type(exc).__name__}", EXIT_FAILURE)
    click.echo(f"loaded:       {describe_load(loaded, build_dir)}")


def describe_load(loaded: dict[str, Any] | None, build_dir: Path) -> str:
    if loaded is None:
        return "nothing (run `policygraph load neo4j`)"
    text = (f"build {str(loaded.get('build', '?'))[:12]} ({loaded.get('programme', '?')}, "
            f"{loaded.get('triples', '?')} triples)")
    if not loaded.get("complete"):
        return text + " - INCOMPLETE: the last load did not finish; run `policygraph load neo4j` again"
    try:
        current = Release.current(build_dir).sha256
    except NoBuild:
        return text
    return text + (" = the current build" if current == loaded.get("build")
                   else " - differs from the current build; run `policygraph load neo4j`")


@neo4j_group.command("export")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="N-Triples file to write.")
@click.pass_obj
def export(build_dir: Path, output: Path) -> None:
    """Export the Neo4j graph back to RDF (N-Triples), isomorphic to the build it was loaded from."""
    settings = settings_for(build_dir)
    try:
        with settings.driver() as driver:
            count = export_ntriples(driver, output, settings.database)
    except Neo4jUnavailable as exc:
        die(str(exc), EXIT_FAILURE)
    except (DriverError, Neo4jError, OSError) as exc:
        _connection_error(settings, exc)
    click.echo(f"exported {count} triples -> {output}")


@click.group("load")
def load_group() -> None:
    """Load the current build into another store."""


@load_group.command("neo4j")
@click.pass_obj
def load_neo4j(build_dir: Path) -> None:
    """Push the current build into Neo4j; afterwards Neo4j holds exactly this build.

    Re-running is safe: it converges to the same graph, even after an interrupted load.

    Example: policygraph load neo4j
    """
    release = current_release(build_dir)
    settings = release.neo4j_settings()
    bar: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if total < PROGRESS_BAR_FROM:
            return
        if bar is None:
            bar = click.progressbar(length=total, label="loading Neo4j", file=sys.stderr).__enter__()
        bar.update(done - bar.pos)

    try:
        report = release.load_neo4j(settings, progress=progress)
    except Neo4jUnavailable as exc:
        die(str(exc), EXIT_FAILURE)
    except (DriverError, Neo4jError, OSError) as exc:
        _connection_error(settings, exc)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    click.echo(f"loaded {report.triples} triples into {settings.shown_uri}: {report.nodes} nodes, "
               f"{report.relationships} relationships in {report.seconds:.1f} s "
               f"(removed {report.removed_nodes} stale nodes, {report.removed_relationships} stale "
               "relationships)")


@click.command("cypher")
@click.argument("query")
@format_option
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="Query parameter (repeatable), used as $KEY. Bound by the driver, never pasted in.")
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=DEFAULT_MAX_ROWS, show_default=True,
              help="Stop after this many rows.")
@click.option("--timeout", type=click.FloatRange(0.1, 3600), default=DEFAULT_TIMEOUT_S,
              show_default=True, help="Stop the query after this many seconds (server-side).")
@click.pass_obj
def cypher(build_dir: Path, query: str, fmt: str, params: tuple[str, ...], limit: int,
           timeout: float) -> None:
    """Run a read-only Cypher query (text, or a file path) on Neo4j.

    Only reads of the graph run: writes, schema and server commands (SHOW, TERMINATE, ...), LOAD CSV and
    procedures other than db.labels, db.relationshipTypes, db.propertyKeys and db.schema.* are refused.

    Example: policygraph cypher 'MATCH (s:Service) RETURN s.identifier AS service ORDER BY service'
    """
    try:
        text = query_text(query)
    except BadQueryFile as exc:
        die(str(exc), EXIT_BAD_INPUT)
    settings = settings_for(build_dir)
    try:
        result = run_read_only(settings, text, parse_params(params), timeout_s=timeout, max_rows=limit)
    except RefusedCypher as exc:
        die(str(exc), EXIT_BAD_INPUT)
    except CypherTimeout as exc:
        die(str(exc), EXIT_FAILURE)
    except CypherFailed as exc:
        die(str(exc), EXIT_BAD_INPUT)
    except Neo4jUnavailable as exc:
        die(str(exc), EXIT_FAILURE)
    except (DriverError, Neo4jError, OSError) as exc:
        _connection_error(settings, exc)
    emit(result, fmt)
