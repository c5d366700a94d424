"""Ad-hoc SPARQL made safe: refuse anything but a query, refuse SERVICE, bound time and rows."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from policygraph.graph.child import ChildDied, ChildTimeout, run_killable
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


def _answer(store_dir: str, text: str, params: dict[str, str], max_rows: int) -> QueryResult:
    """Check and run one query (in the killable child: parsing a hostile query is part of its cost)."""
    from policygraph.graph.oxigraph_store import OxigraphStore  # noqa: PLC0415 - in the child

    check_read_only(text)
    try:
        return OxigraphStore(Path(store_dir)).run(text, params, max_rows=max_rows)
    except (SyntaxError, ValueError, OSError, RuntimeError) as exc:
        raise QueryFailed(f"{type(exc).__name__}: {exc}") from None


def run_bounded(store_dir: Path, text: str, params: Mapping[str, str] | None = None, *,
                timeout_s: float = DEFAULT_TIMEOUT_S, max_rows: int = DEFAULT_MAX_ROWS) -> QueryResult:
    """Check that `text` is a read-only query and run it, both in a child process killed after `timeout_s`."""
    try:
        result = run_killable(_answer, str(store_dir), text, dict(params or {}), max_rows, timeout_s=timeout_s)
    except ChildTimeout as exc:
        raise QueryTimeout(f"the query ran past the {timeout_s:g} s limit and was stopped; "
                           "narrow it (LIMIT, more specific patterns) or raise --timeout") from exc
    except ChildDied as exc:
        raise QueryFailed(str(exc)) from exc
    if result.truncated:
        result.notes.append(f"stopped at the {max_rows}-row limit; more rows exist (raise --limit)")
    return result
