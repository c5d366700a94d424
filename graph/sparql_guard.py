"""Ad-hoc SPARQL made safe: refuse anything but a query, refuse SERVICE, bound time and rows."""

from __future__ import annotations

import multiprocessing as mp
import queue
from collections.abc import Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from policygraph.graph.results import QueryResult

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MAX_ROWS = 10_000


class RefusedQuery(ValueError):
    """The text is not a read-only, local SPARQL query."""


class QueryTimeout(RuntimeError):
    """The query ran past its time limit and was stopped."""


class QueryFailed(RuntimeError):
    """The engine reported an error (e.g. a type error in the query)."""


def _contains(node: Any, name: str) -> bool:
    if isinstance(node, CompValue):
        if node.name == name:
            return True
        return any(_contains(v, name) for v in node.values())
    if isinstance(node, list | tuple | ParseResults):
        return any(_contains(v, name) for v in node)
    return False


def check_read_only(text: str) -> None:
    """Raise RefusedQuery unless `text` is a SELECT/ASK/CONSTRUCT/DESCRIBE without SERVICE."""
    try:
        parsed = parseQuery(text)
    except ParseException as query_error:
        try:
            parseUpdate(text)
        except ParseException:
            raise RefusedQuery(f"not valid SPARQL: {query_error.msg} (line {query_error.lineno}, "
                               f"column {query_error.col})") from query_error
        raise RefusedQuery("updates (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP...) are refused: "
                           "the store is read-only here; change the curated data and rebuild") from None
    if _contains(parsed, "ServiceGraphPattern"):
        raise RefusedQuery("SERVICE (federated queries) is refused: queries run on the local store only")


def _worker(store_dir: str, text: str, params: dict[str, str], max_rows: int, conn: Connection) -> None:
    # Runs in a child process so that a runaway query can be stopped by killing it.
    from policygraph.graph.oxigraph_store import open_store  # noqa: PLC0415

    try:
        # The same open-store cache as named queries (a spawned child answers one query, so it opens once).
        result = open_store(Path(store_dir)).run(text, params, max_rows=max_rows)
        conn.send(("ok", result))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def run_bounded(store_dir: Path, text: str, params: Mapping[str, str] | None = None, *,
                timeout_s: float = DEFAULT_TIMEOUT_S, max_rows: int = DEFAULT_MAX_ROWS) -> QueryResult:
    """Check `text` is read-only, then run it in a child process stopped after `timeout_s`."""
    check_read_only(text)
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(str(store_dir), text, dict(params or {}), max_rows, child),
                       daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout_s):
            raise QueryTimeout(f"the query ran past the {timeout_s:g} s limit and was stopped; "
                               "narrow it (LIMIT, more specific patterns) or raise --timeout")
        status, payload = parent.recv()
    except (EOFError, queue.Empty) as exc:
        raise QueryFailed("the query process ended without an answer") from exc
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()
    if status != "ok":
        raise QueryFailed(str(payload))
    assert isinstance(payload, QueryResult)
    if payload.truncated:
        payload.notes.append(f"stopped at the {max_rows}-row limit; more rows exist (raise --limit)")
    return payload
