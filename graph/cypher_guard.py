"""Ad-hoc Cypher made safe: the user's own read queries of the graph only, bounded in size, time and rows.

1. Before anything is sent: at most MAX_QUERY_CHARS characters and MAX_NESTING levels of brackets. Neo4j's
   parser is outside the transaction's time limit: about 450 nested parentheses overflow its stack and it
   never answers; parsing grows faster than the text (an 8,000-character flat expression: 5-9 s, 66 s on a
   loaded machine; 5,000 characters: 3-5 s). The client stops waiting at the limit, the server's parse
   does not (docs/reliability.md).
2. The server's EXPLAIN plan is checked against allow-lists (graph.cypher_plan): query type "r", operators
   that read the graph, schema-reading procedures; commands (SHOW, TERMINATE, administration) and LOAD CSV
   are refused with their reason.
3. EXPLAIN and the query run in one explicit read transaction (never retried by the driver) whose
   server-side timeout is what is left of the time limit, in a child process (graph.cypher_child) killed at
   that same limit: the whole query, check included, ends within it even when the server does not answer.
   A fresh interpreter, not a fork: the explorer runs threads, and a fork server's children re-run the
   page script that is Streamlit's __main__.
The driver's read mode alone only routes ("not for enforcing access control"); a server-side read-only
role is the real boundary where one is available.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import time
from collections.abc import Mapping
from typing import Any

import neo4j
from neo4j.exceptions import AuthError, ClientError, DriverError, Neo4jError

from policygraph.graph.cypher_plan import RefusedCypher, check_plan
from policygraph.graph.neo4j_store import Neo4jSettings, Neo4jStore, Neo4jUnavailable, bind, collect
from policygraph.graph.results import QueryResult

__all__ = ["CypherFailed", "CypherTimeout", "RefusedCypher", "check_bounds", "run_read_only"]
log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MAX_ROWS = 10_000
MAX_QUERY_CHARS = 5_000  # 1.5x the longest named query (3.2 KB); see docs/reliability.md for its parse time
MAX_NESTING = 64  # brackets inside brackets; the server's parser overflows its stack at about 450
_LEADING_KEYWORD = re.compile(r"^\s*(?://[^\n]*\n\s*|/\*.*?\*/\s*)*([A-Za-z]+)", re.DOTALL)
# What the nesting count skips: strings, quoted names and comments.
_OPAQUE = re.compile(r"'(?:[^'\\]|\\.)*'?|\"(?:[^\"\\]|\\.)*\"?|`[^`]*`?|//[^\n]*|/\*.*?(?:\*/|$)", re.DOTALL)
_OPEN, _CLOSE = "([{", ")]}"


class CypherTimeout(RuntimeError):
    """The query ran past its time limit and was stopped."""


class CypherFailed(RuntimeError):
    """The server rejected or failed the query (syntax, types, ...)."""


def nesting(text: str) -> int:
    """The deepest nesting of (), [] and {} in `text`, outside strings, quoted names and comments."""
    deepest = depth = 0
    for char in _OPAQUE.sub(" ", text):
        if char in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif char in _CLOSE:
            depth = max(0, depth - 1)
    return deepest


def check_bounds(text: str) -> None:
    """Raise RefusedCypher for what is refused before the server sees it."""
    if not text.strip():
        raise RefusedCypher("the query is empty")
    if len(text) > MAX_QUERY_CHARS:
        raise RefusedCypher(f"the query is {len(text):,} characters long; the console accepts at most "
                            f"{MAX_QUERY_CHARS:,} (the server's parser is not bounded by the time limit)")
    depth = nesting(text)
    if depth > MAX_NESTING:
        raise RefusedCypher(f"the query nests brackets {depth} deep; the console accepts at most {MAX_NESTING} "
                            "levels (deeper nesting overflows the server's parser, which then never answers)")
    leading = _LEADING_KEYWORD.match(text)
    if leading and leading.group(1).upper() in {"EXPLAIN", "PROFILE"}:
        raise RefusedCypher(f"{leading.group(1).upper()} is not accepted here; give the query itself")


def _first_line(exc: Neo4jError) -> str:
    message = exc.message or str(exc)
    return message.strip().splitlines()[0] if message.strip() else type(exc).__name__


def _timed_out(exc: Neo4jError) -> bool:
    code = exc.code or ""
    return "TransactionTimedOut" in code or "Terminated" in code or "terminated" in (exc.message or "").lower()


def _timeout_message(timeout_s: float) -> str:
    return (f"the query ran past the {timeout_s:g} s limit and was stopped; narrow it (LIMIT, more specific "
            "patterns) or raise --timeout")


def _rows(result: neo4j.Result, max_rows: int) -> QueryResult:
    return collect(result, list(result.keys()), max_rows)


def answer(settings: Neo4jSettings, text: str, params: Mapping[str, str], deadline: float, timeout_s: float,
           max_rows: int) -> QueryResult:
    """Plan, check and run `text` in one read transaction ending by `deadline` (time.monotonic(); runs in the
    child process)."""
    bound: dict[str, Any] = bind(params)
    explain = "EXPLAIN " + text
    try:
        with (settings.driver() as driver,
              driver.session(database=settings.database, default_access_mode=neo4j.READ_ACCESS) as session):
            remaining = max(0.001, deadline - time.monotonic())
            with session.begin_transaction(timeout=remaining, metadata={"app": "policygraph cypher"}) as tx:
                try:
                    summary = tx.run(explain, bound).consume()
                except ClientError as exc:
                    if _timed_out(exc):
                        raise
                    raise RefusedCypher(f"not valid Cypher: {_first_line(exc)}") from None
                check_plan(summary.query_type, summary.plan)
                return _rows(tx.run(text, bound), max_rows)  # leaving the block rolls the read back
    except RefusedCypher:
        raise  # a ValueError too, but the check's own answer
    except AuthError as exc:
        raise Neo4jUnavailable(f"Neo4j at {settings.describe()} refused the credentials ({_first_line(exc)}); "
                               "check NEO4J_USER and NEO4J_PASSWORD") from None
    except Neo4jError as exc:
        if _timed_out(exc):
            raise CypherTimeout(_timeout_message(timeout_s)) from None
        raise CypherFailed(_first_line(exc)) from None
    except (DriverError, OSError, ValueError) as exc:  # ValueError: an address the driver cannot resolve
        raise Neo4jUnavailable(f"no Neo4j at {settings.describe()}: {type(exc).__name__}; start one with "
                               "`policygraph neo4j start` or set NEO4J_URI") from None


ERRORS: dict[str, type[Exception]] = {cls.__name__: cls for cls in (RefusedCypher, CypherFailed, CypherTimeout,
                                                                      Neo4jUnavailable)}


def _in_child(settings: Neo4jSettings, text: str, params: Mapping[str, str], timeout_s: float,
              max_rows: int) -> QueryResult:
    """`answer` in a child process killed at `timeout_s` (the request, password included, goes over a pipe)."""
    deadline = time.monotonic() + timeout_s
    request = {"settings": settings.to_json(), "text": text, "params": dict(params), "deadline": deadline,
               "timeout_s": timeout_s, "max_rows": max_rows}
    proc = subprocess.Popen([sys.executable, "-m", "policygraph.graph.cypher_child"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(json.dumps(request).encode("utf-8"), timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise CypherTimeout(_timeout_message(timeout_s)) from None
    if err.strip():
        log.debug("cypher child stderr:\n%s", err.decode("utf-8", "replace").rstrip())
    try:
        reply = json.loads(out)
    except ValueError:
        raise CypherFailed(f"the query process ended without an answer (exit code {proc.returncode})") from None
    if "error" in reply:
        raise ERRORS.get(reply["error"], CypherFailed)(reply["message"])
    values = reply.get("values")
    return QueryResult(reply["columns"], [tuple(row) for row in reply["rows"]], truncated=reply["truncated"],
                       values=None if values is None else [tuple(row) for row in values])


def run_read_only(target: Neo4jStore | Neo4jSettings, text: str, params: Mapping[str, str] | None = None, *,
                  timeout_s: float = DEFAULT_TIMEOUT_S, max_rows: int = DEFAULT_MAX_ROWS) -> QueryResult:
    """Check `text`, then run it as a read of the graph, stopped after `timeout_s` (check included), at most
    `max_rows` rows."""
    settings = target.settings if isinstance(target, Neo4jStore) else target
    check_bounds(text)
    settings.ensure_running()  # the local server stopped: say so here, nothing contacted
    result = _in_child(settings, text, dict(params or {}), timeout_s, max_rows)
    if result.truncated:
        result.notes.append(f"stopped at the {max_rows}-row limit; more rows exist (raise --limit)")
    return result
