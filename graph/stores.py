"""The store interface every backend implements (embedded Oxigraph now, Neo4j next)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from graph.results import QueryResult


class GraphStore(Protocol):
    """A queryable copy of one build."""

    engine: str

    def run(self, query: str, params: Mapping[str, str] | None = None, *, max_rows: int = 10_000) -> QueryResult:
        """Run a read-only query with bound parameters; at most `max_rows` rows."""
        ...

    def triple_count(self) -> int:
        ...
