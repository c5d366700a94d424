"""Queries on a release: named queries (parameters checked against the query header, then bound by the
engine), and read-only, bounded ad-hoc SPARQL and Cypher."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from policygraph.graph.cypher_guard import run_read_only
from policygraph.graph.neo4j_server import PID_FILE_NAME
from policygraph.graph.neo4j_store import ENV_URI, Neo4jSettings, Neo4jUnavailable
from policygraph.graph.oxigraph_store import PARAM_IRI_PREFIX
from policygraph.graph.results import QueryResult
from policygraph.graph.sparql_guard import DEFAULT_MAX_ROWS, DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_S, run_bounded
from policygraph.ontology import ID_BASE, query_prefixes
from policygraph.queries import NamedQuery, find

if TYPE_CHECKING:
    from collections.abc import Mapping

    from policygraph.app.release import Release


def list_queries(queries: Mapping[str, NamedQuery]) -> QueryResult:
    rows: list[tuple[str | None, ...]] = []
    for q in sorted(queries.values(), key=lambda q: q.name):
        params = ", ".join(f"{p.name}{'' if p.required else '?'} ({p.type})" for p in q.params) or "-"
        rows.append((q.name, q.title, params, ", ".join(sorted(q.texts))))
    return QueryResult(["name", "title", "params", "engines"], rows)


def resolve_iri(release: Release, value: str) -> str:
    """Accept a full IRI or a programme-relative 'kind/id' path such as 'service/A'."""
    if value.startswith(("http://", "https://")):
        return PARAM_IRI_PREFIX + value
    return f"{PARAM_IRI_PREFIX}{ID_BASE}{release.programme}/{value.lstrip('/')}"


def run_named(release: Release, name: str, params: Mapping[str, str], *, engine: str = "sparql",
              max_rows: int = 100_000) -> QueryResult:
    named = find(release.queries(), name)
    bound = named.bind(dict(params))
    for p in named.params:
        if p.type == "iri" and p.name in bound:
            bound[p.name] = resolve_iri(release, bound[p.name])
    text = named.text(engine)
    if engine == "cypher":
        # Cypher has no unbound variables: an optional parameter not given is passed as null.
        result = _run_on_neo4j(release, text, {p.name: None for p in named.params} | bound, max_rows)
    else:
        result = release.store().run(text, bound, max_rows=max_rows)
    if tuple(result.columns) != named.columns:
        raise RuntimeError(f"query {name}: columns {result.columns} differ from its header {named.columns}")
    return result


def _run_on_neo4j(release: Release, text: str, params: dict[str, str | None], max_rows: int) -> QueryResult:
    """Run on Neo4j; say so in the notes when Neo4j does not hold this release."""
    store = release.neo4j()
    store.check()  # one round trip on a pooled connection; a dead one (server restarted) is replaced
    result = store.run(text, params, max_rows=max_rows)
    loaded = store.loaded_build()
    if loaded is None:
        raise Neo4jUnavailable(f"Neo4j at {store.settings.describe()} holds no build; run `policygraph load neo4j`")
    if not loaded.get("complete") or loaded.get("build") != release.sha256:
        result.notes.append("Neo4j does not hold the current build (or its last load did not finish); "
                            "run `policygraph load neo4j`")
    return result


def neo4j_configured(release: Release) -> Neo4jSettings | None:
    """Neo4j settings when the user configured a server (NEO4J_URI) or runs the local one; else None."""
    if os.environ.get(ENV_URI) or (release.neo4j_dir / PID_FILE_NAME).exists():
        return release.neo4j_settings()
    return None


def run_sparql(release: Release, text: str, params: Mapping[str, str] | None = None, *,
               timeout_s: float = DEFAULT_TIMEOUT_S, max_rows: int = DEFAULT_MAX_ROWS,
               memory_mb: int | None = DEFAULT_MEMORY_MB) -> QueryResult:
    """Ad-hoc SPARQL on the release's store: refused unless read-only, bounded in time, memory and rows."""
    return run_bounded(release.store_dir, text, params, timeout_s=timeout_s, max_rows=max_rows, memory_mb=memory_mb,
                       prefixes=query_prefixes(release.programme))


def run_cypher(release: Release, text: str, params: Mapping[str, str] | None = None, *,
               timeout_s: float = 30.0, max_rows: int = 10_000) -> QueryResult:
    """Ad-hoc Cypher on the configured server: refused unless read-only, bounded in time and rows."""
    if neo4j_configured(release) is None:
        raise Neo4jUnavailable("Neo4j is not configured: set NEO4J_URI, or run `policygraph neo4j start` and "
                               "`policygraph load neo4j`")
    return run_read_only(release.neo4j(), text, params, timeout_s=timeout_s, max_rows=max_rows)
