"""Ad-hoc Cypher made safe: only read-only plans, run in a read transaction, bounded in time and rows.

Three layers, because each alone has a hole (docs/neo4j-mapping.md, "Read-only Cypher"):
1. `EXPLAIN` first: the server classifies the plan; anything but query type 'r' (read) is refused,
   and so is LOAD CSV (a read that can fetch local files or URLs).
2. The query then runs in a managed *read* transaction (`execute_read`).
3. A server-side transaction timeout and a row cap bound its cost.
The driver's read mode alone only routes ("not for enforcing access control"); a server-side
read-only role is the real boundary where one is available.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, LiteralString

import neo4j
from neo4j import ManagedTransaction
from neo4j.exceptions import ClientError, Neo4jError

from policygraph.graph.neo4j_store import Neo4jStore, bind
from policygraph.graph.results import QueryResult

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MAX_ROWS = 10_000
READ_ONLY = "r"
REFUSED_OPERATORS = {"LoadCSV": "LOAD CSV (it reads files and URLs from the server)"}
_LEADING_KEYWORD = re.compile(r"^\s*(?://[^\n]*\n\s*|/\*.*?\*/\s*)*([A-Za-z]+)", re.DOTALL)
_QUERY_TYPES = {"w": "writes", "rw": "reads and writes", "s": "changes the schema",
                "dbms": "administers the server"}


class RefusedCypher(ValueError):
    """The text is not a read-only Cypher query."""


class CypherTimeout(RuntimeError):
    """The query ran past its time limit and the server stopped it."""


class CypherFailed(RuntimeError):
    """The server rejected or failed the query (syntax, types, ...)."""


def _operators(plan: Mapping[str, Any] | None) -> Iterator[str]:
    if not plan:
        return
    yield str(plan.get("operatorType", "")).split("@", 1)[0]
    for child in plan.get("children", []) or []:
        yield from _operators(child)


def check_read_only(store: Neo4jStore, text: str, params: Mapping[str, str] | None = None) -> None:
    """Raise RefusedCypher unless the server plans `text` as a read-only query without LOAD CSV."""
    leading = _LEADING_KEYWORD.match(text)
    if leading and leading.group(1).upper() in {"EXPLAIN", "PROFILE"}:
        raise RefusedCypher(f"{leading.group(1).upper()} is not accepted here; give the query itself")
    explain: LiteralString = "EXPLAIN " + text
    bound = bind(params)

    def work(tx: ManagedTransaction) -> neo4j.ResultSummary:
        return tx.run(explain, bound).consume()

    try:
        summary = store.read(work)
    except ClientError as exc:
        raise RefusedCypher(f"not valid Cypher: {_first_line(exc)}") from exc
    if summary.query_type != READ_ONLY:
        what = _QUERY_TYPES.get(str(summary.query_type), f"is of type {summary.query_type!r}")
        raise RefusedCypher(f"refused: this query {what}; the Cypher console is read-only "
                            "(change the curated data, rebuild and run `policygraph load neo4j`)")
    for operator in _operators(summary.plan):
        if operator in REFUSED_OPERATORS:
            raise RefusedCypher(f"refused: {REFUSED_OPERATORS[operator]} is not allowed here")


def _first_line(exc: Neo4jError) -> str:
    message = exc.message or str(exc)
    return message.strip().splitlines()[0] if message.strip() else type(exc).__name__


def run_read_only(store: Neo4jStore, text: str, params: Mapping[str, str] | None = None, *,
                  timeout_s: float = DEFAULT_TIMEOUT_S, max_rows: int = DEFAULT_MAX_ROWS) -> QueryResult:
    """Check `text`, then run it in a read transaction stopped after `timeout_s`, at most `max_rows`."""
    store.check()  # fail fast: managed transactions would retry an unreachable server for 30 s
    check_read_only(store, text, params)
    try:
        result = store.run(text, params, max_rows=max_rows, timeout_s=timeout_s)
    except ClientError as exc:
        if "TransactionTimedOut" in (exc.code or "") or "terminated" in (exc.message or "").lower():
            raise CypherTimeout(f"the query ran past the {timeout_s:g} s limit and was stopped; narrow it "
                                "(LIMIT, more specific patterns) or raise --timeout") from exc
        raise CypherFailed(_first_line(exc)) from exc
    except Neo4jError as exc:
        raise CypherFailed(_first_line(exc)) from exc
    if result.truncated:
        result.notes.append(f"stopped at the {max_rows}-row limit; more rows exist (raise --limit)")
    return result
