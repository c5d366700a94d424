"""The embedded default store: a persistent Oxigraph (RocksDB) database under build/."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from policygraph.graph.results import Cell, QueryResult

log = logging.getLogger(__name__)

PARAM_IRI_PREFIX = "iri:"


def bulk_load(store_dir: Path, *ntriples: Path) -> int:
    """Create a new store at `store_dir` from N-Triples files; return its triple count."""
    return bulk_load_each(store_dir, ntriples)


def bulk_load_each(store_dir: Path, ntriples: Iterable[Path]) -> int:
    """`bulk_load`, reading each file as the iterable yields it (so a caller can start on the first file
    while it is still writing the next). The files go through one bulk load, as one stream: Oxigraph sorts
    and writes its batches of a million triples on two threads, so one load of every part is as fast as a
    load of their concatenation, where a load per part is up to 20% slower (a part under a batch gets
    one thread) and loads in parallel need a loader's memory each."""
    store = ox.Store(str(store_dir))
    stream = _Files(ntriples)
    store.bulk_load(input=io.BufferedReader(stream, 1 << 20), format=ox.RdfFormat.N_TRIPLES)
    if stream.error is not None:  # the iterable failed: what was read so far loaded, and the caller discards it
        raise stream.error
    store.flush()
    count = len(store)
    del store  # releases the RocksDB lock
    log.info("loaded %d triples into %s", count, store_dir)
    return count


class _Files(io.RawIOBase):
    """The files an iterable yields, read one after the other as one stream (N-Triples files end with a
    line break, so their concatenation is N-Triples). An error of the iterable ends the stream and is kept
    in `error`: an exception raised inside a read would reach the caller as Oxigraph's I/O error, without
    its type or problems."""

    def __init__(self, files: Iterable[Path]) -> None:
        super().__init__()
        self._files = iter(files)
        self._current: io.FileIO | None = None
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while True:
            if self._current is None:
                try:
                    path = next(self._files, None)
                except BaseException as exc:  # noqa: BLE001 - kept, and raised by bulk_load_each
                    self.error = exc
                    return 0
                if path is None:
                    return 0
                self._current = io.FileIO(path, "r")
                log.info("bulk-loading %s", path.name)
            read = self._current.readinto(buffer)
            if read:
                return read
            self._current.close()
            self._current = None

    def close(self) -> None:
        if self._current is not None:
            self._current.close()
        super().close()


def write_turtle(ntriples: Path, turtle: Path, prefixes: Mapping[str, str]) -> None:
    """Turtle from N-Triples, streamed by Oxigraph's serializer (fast, and in the input's order)."""
    triples = ox.parse(path=str(ntriples), format=ox.RdfFormat.N_TRIPLES)
    ox.serialize(triples, output=str(turtle), format=ox.RdfFormat.TURTLE, prefixes=dict(prefixes))


def term_text(term: object) -> Cell:
    """A result term as text: IRIs and literals by their lexical value."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


def to_term(value: str) -> ox.NamedNode | ox.Literal:
    """A parameter value: 'iri:<...>' or an http(s) IRI becomes a NamedNode, anything else a string."""
    if value.startswith(PARAM_IRI_PREFIX):
        return ox.NamedNode(value.removeprefix(PARAM_IRI_PREFIX))
    if value.startswith(("http://", "https://")):
        return ox.NamedNode(value)
    return ox.Literal(value)


def run_query(store: ox.Store, query: str, params: Mapping[str, str] | None = None,
              *, max_rows: int = 10_000, prefixes: Mapping[str, str] | None = None) -> QueryResult:
    """Run a SPARQL query with SEP-0007 substitutions (never string-built) and default `prefixes`."""
    substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(k): to_term(v) for k, v in (params or {}).items()
    }
    answer = store.query(query, substitutions=substitutions or None, prefixes=dict(prefixes) if prefixes else None)
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(["result"], [("true" if bool(answer) else "false",)])
    if isinstance(answer, ox.QueryTriples):
        rows: list[tuple[Cell, ...]] = []
        truncated = False
        for triple in answer:
            if len(rows) >= max_rows:
                truncated = True
                break
            rows.append((term_text(triple.subject), term_text(triple.predicate), term_text(triple.object)))
        return QueryResult(["subject", "predicate", "object"], rows, truncated)
    columns = [v.value for v in answer.variables]
    rows = []
    truncated = False
    for solution in answer:
        if len(rows) >= max_rows:
            truncated = True
            break
        rows.append(tuple(term_text(solution[c]) for c in columns))
    return QueryResult(columns, rows, truncated)


class OxigraphStore:
    """Read-only access to a built store (several processes may read at once)."""

    engine = "sparql"

    def __init__(self, store_dir: Path) -> None:
        if not (store_dir / "CURRENT").exists():
            raise FileNotFoundError(f"no Oxigraph store at {store_dir}; run `policygraph build` first")
        self.path = store_dir
        self._store = ox.Store.read_only(str(store_dir))

    def run(self, query: str, params: Mapping[str, str] | None = None, *, max_rows: int = 10_000,
            prefixes: Mapping[str, str] | None = None) -> QueryResult:
        return run_query(self._store, query, params, max_rows=max_rows, prefixes=prefixes)

    def triple_count(self) -> int:
        return len(self._store)
