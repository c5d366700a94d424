"""Ad-hoc SPARQL made safe: refuse anything but a query, refuse SERVICE, bound time, memory and rows.

The check and the run both happen in one killable child (policygraph.graph.child): parsing a hostile query
(megabytes of FILTER terms, deep nesting) is part of its cost, so it is inside the time and memory limits too.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from policygraph.graph.child import ChildDied, ChildTimeout, run_killable
from policygraph.graph.results import QueryResult

T = TypeVar("T")

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_MEMORY_MB = 1024  # per query: heap and private mappings of its child (RLIMIT_DATA)
MB = 2**20
NARROW = "narrow it (LIMIT, more specific patterns; ORDER BY and DISTINCT hold every row)"
TOO_DEEP = ("the query is nested too deeply for the SPARQL parser (braces, parentheses or brackets inside one "
            "another, a few dozen levels at most); write it with fewer levels")


class RefusedQuery(ValueError):
    """The text is not a read-only, local SPARQL query."""


class QueryTimeout(RuntimeError):
    """The query ran past its time limit and was stopped."""


class QueryFailed(RuntimeError):
    """The engine reported an error (e.g. a type error in the query), or its process died."""


class QueryOutOfMemory(QueryFailed):
    """The query needed more memory than its bound and was stopped."""


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
        parsed = _parse(text)
    except RecursionError:
        raise RefusedQuery(TOO_DEEP) from None
    if _contains(parsed, "ServiceGraphPattern"):
        raise RefusedQuery("SERVICE (federated queries) is refused: queries run on the local store only")


def _parse(text: str) -> Any:
    try:
        return parseQuery(text)
    except ParseException as query_error:
        try:
            update = parseUpdate(text)
        except ParseException:
            raise RefusedQuery(f"not valid SPARQL: {query_error.msg} (line {query_error.lineno}, "
                               f"column {query_error.col})") from query_error
        if "request" not in update:  # blank, comments or PREFIX lines only: an empty update, but no update
            raise RefusedQuery("the query is empty: give a SELECT, ASK, CONSTRUCT or DESCRIBE query") from None
        raise RefusedQuery("updates (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP...) are refused: "
                           "the store is read-only here; change the curated data and rebuild") from None


def run_guarded(fn: Callable[..., T], *args: Any, timeout_s: float, memory_mb: int | None,
                hint: str = "raise {option}") -> T:
    """`fn(*args)` in a killable child bounded to `timeout_s` and `memory_mb`; every way it can fail becomes
    RefusedQuery, QueryTimeout, QueryOutOfMemory or QueryFailed with a message (`hint`: how to raise a limit,
    `{option}` standing for --timeout or --memory)."""
    memory_bytes = memory_mb * MB if memory_mb else None
    try:
        return run_killable(fn, *args, timeout_s=timeout_s, memory_bytes=memory_bytes)
    except ChildTimeout as exc:
        raise QueryTimeout(f"the query ran past the {timeout_s:g} s limit and was stopped; {NARROW} "
                           f"or {hint.format(option='--timeout')}") from exc
    except MemoryError as exc:  # Python code in the child (the parser, building rows) ran out
        raise QueryOutOfMemory(_out_of_memory(memory_mb, hint)) from exc
    except RecursionError as exc:
        raise RefusedQuery(TOO_DEEP) from exc
    except OSError as exc:  # no process or no temporary file to be had (too many processes, a full disk)
        raise QueryFailed(f"the query could not run: {exc}") from exc
    except ChildDied as exc:
        if exc.exitcode == -signal.SIGABRT and memory_mb:  # native code (Oxigraph) aborts when malloc fails
            raise QueryOutOfMemory(_out_of_memory(memory_mb, hint)) from exc
        said = f"; it said: {exc.said[-1]}" if exc.said else ""
        if exc.exitcode == -signal.SIGSEGV:  # the engine's stack: a chain of thousands of UNIONs, say
            raise QueryFailed(f"the query engine crashed on this query (SIGSEGV{said}); the usual cause is a query "
                              "nested or chained too deeply (thousands of UNION or OPTIONAL); split it") from exc
        raise QueryFailed(f"{exc}{said}") from exc


def _out_of_memory(memory_mb: int | None, hint: str) -> str:
    if not memory_mb:
        return f"the query ran out of memory and was stopped; {NARROW}"
    return f"the query used more than {memory_mb} MB and was stopped; {NARROW} or {hint.format(option='--memory')}"


def _answer(store_dir: str, text: str, params: dict[str, str], max_rows: int,
            prefixes: dict[str, str] | None = None) -> QueryResult:
    """Check and run one query (in the killable child)."""
    from policygraph.graph.oxigraph_store import OxigraphStore  # noqa: PLC0415 - in the child

    check_read_only(text)
    try:
        return OxigraphStore(Path(store_dir)).run(text, params, max_rows=max_rows, prefixes=prefixes)
    except SyntaxError as exc:  # what the read-only check's parser lets through: an undeclared prefix
        raise RefusedQuery(_engine_syntax_error(str(exc), text)) from None
    except (ValueError, OSError, RuntimeError) as exc:
        raise QueryFailed(f"{type(exc).__name__}: {exc}") from None


def _engine_syntax_error(message: str, text: str) -> str:
    where = re.match(r"error at (\d+):(\d+)", message)
    at = f" (line {where.group(1)}, column {where.group(2)})" if where else ""
    if "Prefix not found" in message:
        lines = text.splitlines()
        line, column = (int(where.group(1)), int(where.group(2))) if where else (0, 0)
        before = lines[line - 1][:column].rstrip() if 0 < line <= len(lines) else ""
        name = re.search(r"([A-Za-z][\w.-]*)?:[^\s:]*$", before)
        prefix = f"`{name.group(1) or ''}:` " if name else ""
        return (f"not valid SPARQL{at}: the prefix {prefix}is not declared; add `PREFIX name: <namespace>` or use "
                "one the console declares (ontology/REFERENCE.md, Prefixes)")
    return f"not valid SPARQL{at}: {message.split(': expected', 1)[0][:200]}"


def run_bounded(store_dir: Path, text: str, params: Mapping[str, str] | None = None, *,
                timeout_s: float = DEFAULT_TIMEOUT_S, max_rows: int = DEFAULT_MAX_ROWS,
                memory_mb: int | None = DEFAULT_MEMORY_MB, hint: str = "raise {option}",
                prefixes: Mapping[str, str] | None = None) -> QueryResult:
    """Check that `text` is a read-only query and run it (with default `prefixes`), both in a child process
    killed after `timeout_s` and limited to `memory_mb` (None: no memory bound)."""
    result = run_guarded(_answer, str(store_dir), text, dict(params or {}), max_rows, dict(prefixes or {}),
                         timeout_s=timeout_s, memory_mb=memory_mb, hint=hint)
    if result.truncated:
        result.notes.append(f"stopped at the {max_rows}-row limit; more rows exist (raise --limit)")
    return result
