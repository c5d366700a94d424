"""`policygraph serve`: the read-only SPARQL endpoint for other tools (YASGUI, SPARQLWrapper, R, Protégé)."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType

import click

from policygraph.app.cli.support import current_release
from policygraph.app.endpoint import HOST, MAX_CONCURRENT, close_endpoint, open_endpoint
from policygraph.app.release import Release
from policygraph.graph.sparql_guard import DEFAULT_MAX_ROWS, DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_S


def _stop(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)  # SIGTERM: leave through the finally clause, which stops running queries


@click.command()
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--timeout", type=click.FloatRange(0.1, 3600), default=DEFAULT_TIMEOUT_S, show_default=True,
              help="Stop each query after this many seconds.")
@click.option("--max-rows", type=click.IntRange(1, 1_000_000), default=DEFAULT_MAX_ROWS, show_default=True,
              help="Cut answers at this many rows (or triples); the header X-Row-Limit-Reached then says so.")
@click.option("--memory", type=click.IntRange(256, 1_000_000), default=DEFAULT_MEMORY_MB, show_default=True,
              metavar="MB", help="Stop each query when it needs more than this many MB.")
@click.option("--max-queries", type=click.IntRange(1, 64), default=MAX_CONCURRENT, show_default=True,
              help="Queries run at once; another waits 2 s for a slot, then gets 503 with Retry-After.")
@click.option("--cors", is_flag=True, help="Allow web pages of any origin (e.g. a hosted YASGUI) to query.")
@click.pass_obj
def serve(build_dir: Path, port: int, timeout: float, max_rows: int, memory: int, max_queries: int,
          cors: bool) -> None:
    """Serve the current build read-only as a SPARQL 1.1 Protocol endpoint on 127.0.0.1.

    Updates and SERVICE are refused. After a rebuild, new queries see the new build.

    Example: policygraph serve --port 7878, then query http://127.0.0.1:7878/query
    """
    current_release(build_dir)
    try:
        server = open_endpoint(lambda: Release.current(build_dir).store_dir, port, timeout, max_rows, cors=cors,
                               memory_mb=memory, max_concurrent=max_queries)
    except (FileNotFoundError, RuntimeError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:
        click.echo(f"error: cannot listen on {HOST}:{port} ({exc.strerror or exc})", err=True)
        sys.exit(1)
    signal.signal(signal.SIGTERM, _stop)
    click.echo(f"SPARQL endpoint (read-only): {server.url}  "
               f"(timeout {timeout:g} s, {memory} MB, max {max_rows} rows, {max_queries} at once; Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        close_endpoint(server)
