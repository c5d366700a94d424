"""Named queries run against a build: parameters checked against the query header, then bound."""

from __future__ import annotations

import atexit
import os
import threading
from collections import OrderedDict
from pathlib import Path

from app.build import read_manifest, store_dir
from graph.cypher_guard import run_read_only
from graph.neo4j_server import PID_FILE_NAME
from graph.neo4j_store import ENV_URI, Neo4jSettings, Neo4jStore, Neo4jUnavailable
from graph.oxigraph_store import PARAM_IRI_PREFIX, open_store
from graph.results import QueryResult
from ontology import ID_BASE
from queries import all_queries, get_query

MAX_NEO4J_DRIVERS = 2  # Bolt drivers (connection pools) kept open by named queries, one per server settings


def list_queries() -> QueryResult:
    rows: list[tuple[str | None, ...]] = []
    for q in all_queries().values():
        params = ", ".join(f"{p.name}{'' if p.required else '?'} ({p.type})" for p in q.params) or "-"
        rows.append((q.name, q.title, params, ", ".join(sorted(q.texts))))
    return QueryResult(["name", "title", "params", "engines"], rows)


def resolve_iri(build_dir: Path, value: str) -> str:
    """Accept a full IRI or a programme-relative 'kind/id' path such as 'service/A'."""
    if value.startswith(("http://", "https://")):
        return PARAM_IRI_PREFIX + value
    programme = read_manifest(build_dir)["programme"]
    return f"{PARAM_IRI_PREFIX}{ID_BASE}{programme}/{value.lstrip('/')}"


def run_named(build_dir: Path, name: str, params: dict[str, str], *, engine: str = "sparql",
              max_rows: int = 100_000) -> QueryResult:
    named = get_query(name)
    bound = named.bind(params)
    for p in named.params:
        if p.type == "iri" and p.name in bound:
            bound[p.name] = resolve_iri(build_dir, bound[p.name])
    text = named.text(engine)
    if engine == "cypher":
        # Cypher has no unbound variables: an optional parameter not given is passed as null.
        result = _run_on_neo4j(build_dir, text, {p.name: None for p in named.params} | bound, max_rows)
    else:
        # The current release's store, kept open between calls (a rebuild is a new release, a new store).
        result = open_store(store_dir(build_dir)).run(text, bound, max_rows=max_rows)
    if tuple(result.columns) != named.columns:
        raise RuntimeError(f"query {name}: columns {result.columns} differ from its header {named.columns}")
    return result


def _run_on_neo4j(build_dir: Path, text: str, params: dict[str, str | None], max_rows: int) -> QueryResult:
    """Run on Neo4j; say so in the notes when Neo4j does not hold the current build."""
    settings = Neo4jSettings.from_env(local_data_dir=build_dir / "neo4j")
    store = _neo4j_store(settings)
    store.check()  # one round trip on a pooled connection; a dead one (server restarted) is replaced
    result = store.run(text, params, max_rows=max_rows)
    loaded = store.loaded_build()
    current = read_manifest(build_dir).get("graph_nt_sha256") if (build_dir / "manifest.json").exists() else None
    if loaded is None:
        raise Neo4jUnavailable(f"Neo4j at {settings.describe()} holds no build; run `policygraph load neo4j`")
    if not loaded.get("complete") or loaded.get("build") != current:
        result.notes.append("Neo4j does not hold the current build (or its last load did not finish); "
                            "run `policygraph load neo4j`")
    return result


_neo4j_lock = threading.Lock()
_neo4j_stores: OrderedDict[Neo4jSettings, Neo4jStore] = OrderedDict()


def _neo4j_store(settings: Neo4jSettings) -> Neo4jStore:
    """One driver (a thread-safe connection pool) per settings, kept between calls instead of a new driver
    and Bolt connection per call (3.5 ms of a call's median); the driver reconnects by itself when the server
    restarts. Beyond MAX_NEO4J_DRIVERS settings the least recently used driver is closed."""
    with _neo4j_lock:
        store = _neo4j_stores.get(settings)
        if store is None:
            store = _neo4j_stores[settings] = Neo4jStore(settings)
            while len(_neo4j_stores) > MAX_NEO4J_DRIVERS:
                _neo4j_stores.popitem(last=False)[1].close()
        _neo4j_stores.move_to_end(settings)
        return store


@atexit.register
def close_neo4j_stores() -> None:
    """Close the drivers kept by named queries (at exit, or when a caller wants them gone)."""
    with _neo4j_lock:
        while _neo4j_stores:
            _neo4j_stores.popitem()[1].close()


def neo4j_configured(build_dir: Path) -> Neo4jSettings | None:
    """Neo4j settings when the user configured a server (NEO4J_URI) or runs the local one; else None."""
    if os.environ.get(ENV_URI) or (build_dir / "neo4j" / PID_FILE_NAME).exists():
        return Neo4jSettings.from_env(local_data_dir=build_dir / "neo4j")
    return None


def run_cypher(build_dir: Path, text: str, *, timeout_s: float = 30.0, max_rows: int = 10_000) -> QueryResult:
    """Ad-hoc Cypher on the configured server: refused unless read-only, bounded in time and rows."""
    settings = neo4j_configured(build_dir)
    if settings is None:
        raise Neo4jUnavailable("Neo4j is not configured: set NEO4J_URI, or run `policygraph neo4j start` and "
                               "`policygraph load neo4j`")
    with Neo4jStore(settings) as store:
        return run_read_only(store, text, timeout_s=timeout_s, max_rows=max_rows)
