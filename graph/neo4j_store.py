"""Neo4j over Bolt: connection settings from the environment, and the read-only query store.

Settings come from NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD (the password only from the
environment, never printed, logged or put in a message; a user and password written into NEO4J_URI
are taken out of it, so the address shown anywhere never holds them). Without NEO4J_URI the local
server of the build folder (`policygraph neo4j start`) is used: its port and password are kept in
its folder (graph.neo4j_local), and while it is not running nothing is contacted, so a stopped
build's commands never reach whatever else listens on 127.0.0.1:7687.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import unquote

import neo4j
from neo4j import Driver, GraphDatabase, ManagedTransaction
from neo4j.graph import Node, Relationship
from neo4j.graph import Path as GraphPath

from policygraph.graph.neo4j_local import LOCAL_USER, read_password, remembered
from policygraph.graph.neo4j_mapping import LOAD_LABEL, RESERVED_KEYS, RESOURCE_LABEL, TYPE_SUFFIX, URI_KEY
from policygraph.graph.neo4j_server import running_port
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


_USERINFO = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/?#@]*)@(?P<rest>.*)$", re.DOTALL)
_SHOWN = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)")
# What the console connects with: Bolt, direct or routed (the driver's HTTP preview is not used).
_BOLT_URI = re.compile(r"^(?:bolt|neo4j)(?:\+s|\+ssc)?://(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)"
                       r"(?::(?P<port>[0-9]{1,5}))?/?(?:\?[^#]*)?$")


def split_credentials(uri: str) -> tuple[str, str | None, str | None]:
    """(uri without `user:password@`, user, password) of a URI that may hold credentials."""
    found = _USERINFO.match(uri.strip())
    if found is None:
        return uri.strip(), None, None
    user, _, password = found["userinfo"].partition(":")
    return found["scheme"] + found["rest"], unquote(user) or None, unquote(password) or None


class Neo4jUnavailable(RuntimeError):
    """No Neo4j answered at the configured address (or none is configured)."""


@dataclass(frozen=True)
class Neo4jSettings:
    """Where to connect. `password` is excluded from repr so it cannot leak into logs."""

    uri: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    database: str = DEFAULT_DATABASE
    local_dir: Path | None = None  # the local server's folder (no NEO4J_URI): contacted only while it runs

    @classmethod
    def from_env(cls, local_data_dir: Path | None = None,
                 environ: Mapping[str, str] | None = None) -> Neo4jSettings:
        env = os.environ if environ is None else environ
        database = env.get(ENV_DATABASE) or DEFAULT_DATABASE
        if env.get(ENV_URI):
            uri, user, password = split_credentials(env[ENV_URI])
            return cls(uri=uri, user=env.get(ENV_USER) or user, password=env.get(ENV_PASSWORD) or password,
                       database=database)
        if local_data_dir is None:
            raise Neo4jUnavailable(f"no Neo4j configured: set {ENV_URI} (and {ENV_USER}, {ENV_PASSWORD})")
        return cls.local(local_data_dir, database)

    @classmethod
    def local(cls, data_dir: Path, database: str = DEFAULT_DATABASE) -> Neo4jSettings:
        """The local server of `data_dir`: the port it runs on, else the one it last ran on."""
        last = remembered(data_dir)
        port = running_port(data_dir) or (last.port if last is not None else DEFAULT_PORT)
        password = read_password(data_dir)
        return cls(uri=f"bolt://127.0.0.1:{port}", user=LOCAL_USER if password else None, password=password,
                   database=database, local_dir=data_dir)

    def to_json(self) -> dict[str, str | None]:
        """For the query's child process (over a pipe: the password never goes into argv or a file)."""
        return {"uri": self.uri, "user": self.user, "password": self.password, "database": self.database,
                "local_dir": None if self.local_dir is None else str(self.local_dir)}

    @classmethod
    def from_json(cls, data: Mapping[str, str | None]) -> Neo4jSettings:
        local_dir = data.get("local_dir")
        return cls(uri=str(data["uri"]), user=data.get("user"), password=data.get("password"),
                   database=str(data.get("database") or DEFAULT_DATABASE),
                   local_dir=None if local_dir is None else Path(local_dir))

    @property
    def auth(self) -> tuple[str, str] | None:
        if self.user is None and self.password is None:
            return None
        return (self.user or "neo4j", self.password or "")

    @property
    def shown_uri(self) -> str:
        """The address for messages: scheme, host and port only (never credentials or query options)."""
        found = _SHOWN.match(split_credentials(self.uri)[0])
        return found[1] if found else "NEO4J_URI (not shown: it is not a URI)"

    def describe(self) -> str:
        """Where we connect, for messages (never the password)."""
        who = f" as {self.user}" if self.user else ""
        where = f", the local server of {self.local_dir}" if self.local_dir is not None else ""
        return f"{self.shown_uri}{who} (database {self.database}{where})"

    def ensure_running(self) -> None:
        """For the local server: raise Neo4jUnavailable, contacting nothing, unless it runs on our port."""
        if self.local_dir is None:
            return
        port = running_port(self.local_dir)
        if port is not None and self.uri == f"bolt://127.0.0.1:{port}":
            return
        last = remembered(self.local_dir)
        if port is not None:
            raise Neo4jUnavailable(f"the local server of {self.local_dir} now runs on bolt://127.0.0.1:{port}, "
                                   f"not {self.shown_uri}; run the command again")
        if last is None:
            raise Neo4jUnavailable(f"no Neo4j for this build: no server was started in {self.local_dir}; run "
                                   f"`policygraph neo4j start` (then `policygraph load neo4j`), or set {ENV_URI}")
        raise Neo4jUnavailable(f"the local server of {self.local_dir} is not running (it listens on "
                               f"bolt://127.0.0.1:{last.port} when started); run `policygraph neo4j start`, "
                               f"or set {ENV_URI}")

    def driver(self) -> Driver:
        self.ensure_running()
        well_formed = _BOLT_URI.match(self.uri)
        if well_formed is None or not 0 < int(well_formed["port"] or DEFAULT_PORT) < 65536:
            raise Neo4jUnavailable(f"{ENV_URI} is not a Bolt address ({self.shown_uri}); use bolt://host:port "
                                   "or neo4j://host:port (+s or +ssc for TLS)")
        try:
            return GraphDatabase.driver(self.uri, auth=self.auth, connection_timeout=5.0,
                                        connection_acquisition_timeout=30.0,
                                        notifications_min_severity="OFF")
        except (neo4j.exceptions.ConfigurationError, ValueError) as exc:
            # The driver's message may quote the URI; ours never holds credentials, but say it our way.
            raise Neo4jUnavailable(f"{ENV_URI} is not usable ({self.shown_uri}): {type(exc).__name__}; "
                                   "use bolt://host:port or neo4j://host:port") from None


def cell(value: object) -> Cell:
    """A Cypher value as result text (same conventions as the SPARQL side)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return _graph_cell(value)


def json_value(value: object) -> object:
    """A Cypher value for JSON output: lists and maps as arrays and objects (their members in JSON's own
    types), a node as its IRI (or labels and properties), a path as its nodes; a top-level scalar as `cell`."""
    if isinstance(value, list | dict | GraphPath):
        return _member(value)
    return cell(value)


def _member(value: object) -> object:
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return [_member(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _member(v) for k, v in value.items()}
    if isinstance(value, GraphPath):
        return [_member(n) for n in value.nodes]
    if isinstance(value, Node) and value.get(URI_KEY) is None:
        return {"labels": sorted(value.labels), **{k: _member(v) for k, v in value.items()}}
    return _graph_cell(value)


def collect(records: Iterable[neo4j.Record], columns: list[str], max_rows: int) -> QueryResult:
    """At most `max_rows` records as a result (text cells, and JSON values when a column holds lists or maps)."""
    rows: list[tuple[Cell, ...]] = []
    values: list[tuple[object, ...]] = []
    structured = False
    for record in records:
        if len(rows) >= max_rows:
            return QueryResult(columns, rows, truncated=True, values=values if structured else None)
        raw = record.values()
        rows.append(tuple(cell(v) for v in raw))
        values.append(tuple(json_value(v) for v in raw))
        structured = structured or any(isinstance(v, list | dict | GraphPath) for v in raw)
    return QueryResult(columns, rows, values=values if structured else None)


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
        self.settings.ensure_running()
        try:
            self._driver.verify_connectivity()
        except neo4j.exceptions.AuthError as exc:
            raise Neo4jUnavailable(f"Neo4j at {self.settings.describe()} refused the credentials (AuthError); "
                                   "check NEO4J_USER and NEO4J_PASSWORD") from exc
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
            return collect(result, list(result.keys()), max_rows)

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
