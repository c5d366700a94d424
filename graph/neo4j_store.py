"""Neo4j over Bolt: connection settings from the environment, and the read-only query store.

Settings come from NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD (the password only from the
environment, never printed, logged or put in a message). Without NEO4J_URI the local server that
`policygraph neo4j start` runs is used (bolt://127.0.0.1:7687 unless it was started on another port),
without authentication.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import neo4j
from neo4j import Driver, GraphDatabase, ManagedTransaction
from neo4j.graph import Node, Relationship
from neo4j.graph import Path as GraphPath

from policygraph.graph.neo4j_mapping import LOAD_LABEL, RESERVED_KEYS, RESOURCE_LABEL, TYPE_SUFFIX, URI_KEY
from policygraph.graph.neo4j_server import PID_FILE_NAME
from policygraph.graph.results import Cell, QueryResult

log = logging.getLogger(__name__)

ENV_URI = "NEO4J_URI"
ENV_USER = "NEO4J_USER"
ENV_PASSWORD = "NEO4J_PASSWORD"  # noqa: S105 - the variable's name, not a password
ENV_DATABASE = "NEO4J_DATABASE"
DEFAULT_PORT = 7687
DEFAULT_DATABASE = "neo4j"
DEFAULT_TIMEOUT_S = 30.0
PARAM_IRI_PREFIX = "iri:"  # what app.named puts before IRI parameters (shared with Oxigraph)

T = TypeVar("T")


@dataclass(frozen=True)
class Neo4jSettings:
    """Where to connect. `password` is excluded from repr so it cannot leak into logs."""

    uri: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    database: str = DEFAULT_DATABASE

    @classmethod
    def from_env(cls, local_data_dir: Path | None = None,
                 environ: Mapping[str, str] | None = None) -> Neo4jSettings:
        env = os.environ if environ is None else environ
        uri = env.get(ENV_URI) or local_uri(local_data_dir)
        return cls(uri=uri, user=env.get(ENV_USER) or None, password=env.get(ENV_PASSWORD) or None,
                   database=env.get(ENV_DATABASE) or DEFAULT_DATABASE)

    @property
    def auth(self) -> tuple[str, str] | None:
        if self.user is None and self.password is None:
            return None
        return (self.user or "neo4j", self.password or "")

    def describe(self) -> str:
        """Where we connect, for messages (never the password)."""
        who = f" as {self.user}" if self.user else ""
        return f"{self.uri}{who} (database {self.database})"

    def driver(self) -> Driver:
        return GraphDatabase.driver(self.uri, auth=self.auth, connection_timeout=5.0,
                                    connection_acquisition_timeout=30.0,
                                    notifications_min_severity="OFF")


def local_uri(data_dir: Path | None) -> str:
    """The Bolt URI of the local server recorded under `data_dir`, else the default port."""
    port = DEFAULT_PORT
    if data_dir is not None:
        try:
            port = int(json.loads((data_dir / PID_FILE_NAME).read_text(encoding="utf-8"))["port"])
        except (OSError, ValueError, KeyError, TypeError):
            port = DEFAULT_PORT
    return f"bolt://127.0.0.1:{port}"


class Neo4jUnavailable(RuntimeError):
    """No Neo4j answered at the configured address."""


def cell(value: object) -> Cell:
    """A Cypher value as result text (same conventions as the SPARQL side)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return _graph_cell(value)


def _graph_cell(value: object) -> str:
    if isinstance(value, Node):
        uri = value.get(URI_KEY)
        return str(uri) if uri is not None else json.dumps(
            {"labels": sorted(value.labels), **dict(value.items())}, default=str, ensure_ascii=False)
    if isinstance(value, Relationship):
        return f"[:{value.type}]"
    if isinstance(value, GraphPath):
        return " -> ".join(_graph_cell(n) for n in value.nodes)
    if isinstance(value, list | dict):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)


def bind(params: Mapping[str, str | None] | None) -> dict[str, str | None]:
    """Driver parameters: IRIs travel as their plain string (that is what `uri` holds)."""
    return {k: None if v is None else v.removeprefix(PARAM_IRI_PREFIX) for k, v in (params or {}).items()}


class Neo4jStore:
    """A Neo4j database loaded from a build, queried with Cypher in read transactions."""

    engine = "cypher"

    def __init__(self, settings: Neo4jSettings, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.settings = settings
        self.timeout_s = timeout_s
        self._driver = settings.driver()

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._driver.close()

    @property
    def driver(self) -> Driver:
        return self._driver

    def check(self) -> None:
        """Raise Neo4jUnavailable (naming the address, never the password) if nothing answers."""
        try:
            self._driver.verify_connectivity()
        except (neo4j.exceptions.DriverError, neo4j.exceptions.Neo4jError, OSError) as exc:
            raise Neo4jUnavailable(f"no Neo4j at {self.settings.describe()}: {type(exc).__name__}; "
                                   "start one with `policygraph neo4j start` or set NEO4J_URI") from exc

    def read(self, work: Callable[[ManagedTransaction], T], *, timeout_s: float | None = None) -> T:
        """Run `work` in a managed read transaction with a server-side timeout."""
        unit = neo4j.unit_of_work(timeout=timeout_s or self.timeout_s)(work)
        with self._driver.session(database=self.settings.database) as session:
            return session.execute_read(unit)

    def run(self, query: str, params: Mapping[str, str | None] | None = None, *,
            max_rows: int = 10_000, timeout_s: float | None = None) -> QueryResult:
        bound: dict[str, Any] = bind(params)

        def work(tx: ManagedTransaction) -> QueryResult:
            result = tx.run(query, bound)
            columns = list(result.keys())
            rows: list[tuple[Cell, ...]] = []
            for record in result:
                if len(rows) >= max_rows:
                    return QueryResult(columns, rows, truncated=True)
                rows.append(tuple(cell(v) for v in record.values()))
            return QueryResult(columns, rows)

        return self.read(work, timeout_s=timeout_s)

    def triple_count(self) -> int:
        """How many RDF triples the stored graph stands for (types + literal values + links)."""
        def work(tx: ManagedTransaction) -> int:
            record = tx.run(
                # query-built: label and key names are this module's constants; Cypher takes no label or key parameters
                f"""MATCH (n:{RESOURCE_LABEL})
                    UNWIND [k IN keys(n) WHERE NOT k IN $reserved AND NOT k ENDS WITH $suffix] + [null] AS k
                    WITH n, k, CASE WHEN k IS NULL THEN 0
                                    WHEN valueType(n[k]) STARTS WITH 'LIST' THEN size(n[k])
                                    ELSE 1 END AS values
                    WITH n, sum(values) AS literals
                    RETURN sum(literals + size(labels(n)) - 1) AS node_triples""",
                reserved=sorted(RESERVED_KEYS), suffix=TYPE_SUFFIX).single()
            # query-built: label and key names are this module's constants; Cypher takes no label or key parameters
            links = tx.run(f"MATCH (:{RESOURCE_LABEL})-[r]->(:{RESOURCE_LABEL}) RETURN count(r) AS n").single()
            assert record is not None and links is not None
            return int(record["node_triples"]) + int(links["n"])

        return self.read(work, timeout_s=max(self.timeout_s, 300.0))

    def loaded_build(self) -> dict[str, Any] | None:
        """What the last load recorded (build sha, programme, complete?), or None if never loaded."""
        def work(tx: ManagedTransaction) -> dict[str, Any] | None:
            # query-built: label and key names are this module's constants; Cypher takes no label or key parameters
            record = tx.run(f"MATCH (l:{LOAD_LABEL}) RETURN properties(l) AS p LIMIT 1").single()
            return None if record is None else dict(record["p"])

        return self.read(work)
