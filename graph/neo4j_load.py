"""Push a build into Neo4j: batched `UNWIND ... MERGE` in managed write transactions.

Every load writes every node, relationship and vocabulary term of the build, stamped with a fresh
load id (`pg_load`), then deletes whatever does not carry that id. So a load is idempotent (same
counts every time), convergent (a load killed half-way leaves committed batches behind, and the
next complete load ends with exactly the build) and the store equals the build, not the union of
all builds. Each batch is one transaction: managed transactions are retried on transient errors,
which is safe because MERGE and SET replay to the same state.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, LiteralString

import pyoxigraph as ox
from neo4j import Driver, ManagedTransaction

from graph.neo4j_mapping import (
    BLANK_PREFIX,
    LOAD_KEY,
    LOAD_LABEL,
    RESOURCE_LABEL,
    TERM_LABEL,
    URI_KEY,
    XSD_STRING,
    Lit,
    Obj,
    PropertyGraph,
    Triple,
    to_property_graph,
)
from graph.neo4j_store import Neo4jSettings

log = logging.getLogger(__name__)

NODE_BATCH = 5_000
RELATIONSHIP_BATCH = 10_000
DELETE_BATCH = 10_000
Progress = Callable[[int, int], None]  # (items written so far, items in total)

SCHEMA = (
    # query-built: label and key names are this module's constants; Cypher takes no label or key parameters
    f"CREATE CONSTRAINT policygraph_resource_uri IF NOT EXISTS "
    f"FOR (n:{RESOURCE_LABEL}) REQUIRE n.uri IS UNIQUE",
    # query-built: label and key names are this module's constants; Cypher takes no label or key parameters
    f"CREATE CONSTRAINT policygraph_term IF NOT EXISTS "
    f"FOR (t:{TERM_LABEL}) REQUIRE (t.kind, t.name) IS UNIQUE",
)
# Parallel lists rather than a list of row maps: the driver packs every value one by one in Python,
# so fewer containers means less client time; the element ids returned let relationships find their
# ends without a second index lookup by uri (measured: about 1.5x faster on relationships).
MERGE_NODES = (
    # query-built: label and key names are this module's constants; Cypher takes no label or key parameters
    f"UNWIND range(0, size($uris) - 1) AS i MERGE (n:{RESOURCE_LABEL} {{uri: $uris[i]}}) "
    f"SET n = $props[i], n.{LOAD_KEY} = $load "
    f"WITH i, n, [l IN labels(n) WHERE NOT l IN $labels[i]] AS stale "
    f"REMOVE n:$(stale) SET n:$($labels[i]) RETURN i, elementId(n) AS id"
)
MERGE_TERMS = (
    # query-built: label and key names are this module's constants; Cypher takes no label or key parameters
    f"UNWIND $rows AS row MERGE (t:{TERM_LABEL} {{kind: row.kind, name: row.name}}) "
    f"SET t.iri = row.iri, t.{LOAD_KEY} = $load"
)
SWEEP_RELATIONSHIPS = (
    # query-built: label and key names are this module's constants; Cypher takes no label or key parameters
    f"MATCH (:{RESOURCE_LABEL})-[r]->(:{RESOURCE_LABEL}) WHERE r.{LOAD_KEY} IS NULL OR r.{LOAD_KEY} <> $load "
    f"WITH r LIMIT $limit DELETE r RETURN count(*) AS n"
)
SWEEP_NODES = (
    # query-built: label and key names are this module's constants; Cypher takes no label or key parameters
    f"MATCH (n:{RESOURCE_LABEL}|{TERM_LABEL}) WHERE n.{LOAD_KEY} IS NULL OR n.{LOAD_KEY} <> $load "
    f"WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS n"
)
_SAFE_TYPE = re.compile(r"[A-Za-z0-9_]+")


@dataclass(frozen=True)
class LoadReport:
    build: str
    triples: int
    nodes: int
    relationships: int
    terms: int
    removed_nodes: int
    removed_relationships: int
    seconds: float


def merge_relationships_query(rel_type: str) -> LiteralString:
    """The MERGE for one relationship type. Types cannot be parameters; ours come from the
    mapping's own naming (letters, digits, '_'), checked again here before use."""
    if not _SAFE_TYPE.fullmatch(rel_type):
        raise ValueError(f"unsafe relationship type {rel_type!r}")
    text: LiteralString = (
        # query-built: the type is checked against _SAFE_TYPE above; Cypher takes no type parameter
        f"UNWIND range(0, size($starts) - 1) AS i "
        f"MATCH (a) WHERE elementId(a) = $starts[i] MATCH (b) WHERE elementId(b) = $ends[i] "
        f"MERGE (a)-[r:`{rel_type}`]->(b) SET r.{LOAD_KEY} = $load")
    return text


def _batches(rows: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _write(driver: Driver, database: str, query: LiteralString, **params: Any) -> list[Any]:
    """One managed write transaction (retried on transient errors); the records' values."""
    def work(tx: ManagedTransaction) -> list[Any]:
        return [record.values() for record in tx.run(query, params)]

    with driver.session(database=database) as session:
        return session.execute_write(work)


def _write_count(driver: Driver, database: str, query: LiteralString, **params: Any) -> int:
    rows = _write(driver, database, query, **params)
    return int(rows[0][0]) if rows else 0


def ensure_schema(driver: Driver, database: str) -> None:
    """Constraints first: MERGE on `uri` is then an index lookup, and duplicates are impossible."""
    with driver.session(database=database) as session:
        for statement in SCHEMA:
            session.run(statement).consume()  # schema commands cannot share a transaction with data


def push(driver: Driver, graph: PropertyGraph, *, database: str = "neo4j",
         build: dict[str, Any] | None = None, progress: Progress | None = None,
         node_batch: int = NODE_BATCH, relationship_batch: int = RELATIONSHIP_BATCH) -> LoadReport:
    """Make the database hold exactly `graph` (see the module docstring for the guarantees)."""
    started = time.perf_counter()
    load_id = uuid.uuid4().hex
    info = dict(build or {})
    ensure_schema(driver, database)
    _write(driver, database,
           # query-built: label and key names are this module's constants; Cypher takes no label or key parameters
           f"MERGE (l:{LOAD_LABEL}) SET l = $info, l.load = $load, l.complete = false, "
           f"l.started = toString(datetime())", info=info, load=load_id)
    terms = graph.vocabulary.rows()
    _write(driver, database, MERGE_TERMS, rows=terms, load=load_id)
    total = len(graph.nodes) + graph.relationship_count
    done = 0
    element_ids: dict[str, str] = {}
    for batch in _batches(graph.nodes, node_batch):
        rows = _write(driver, database, MERGE_NODES, load=load_id, uris=[n.uri for n in batch],
                      labels=[n.labels for n in batch], props=[{URI_KEY: n.uri, **n.props} for n in batch])
        element_ids.update((batch[i].uri, element_id) for i, element_id in rows)
        done += len(batch)
        log.info("nodes: %d/%d items written", done, total)
        if progress:
            progress(done, total)
    for rel_type, pairs in sorted(graph.relationships.items()):
        query = merge_relationships_query(rel_type)
        for batch in _batches(pairs, relationship_batch):
            _write(driver, database, query, load=load_id, type=rel_type, starts=[element_ids[a] for a, _ in batch],
                   ends=[element_ids[b] for _, b in batch])
            done += len(batch)
            log.info("relationships %s: %d/%d items written", rel_type, done, total)
            if progress:
                progress(done, total)
    removed_rels = _sweep(driver, database, SWEEP_RELATIONSHIPS, load_id)
    removed_nodes = _sweep(driver, database, SWEEP_NODES, load_id)
    _write(driver, database,
           # query-built: label and key names are this module's constants; Cypher takes no label or key parameters
           f"MATCH (l:{LOAD_LABEL}) SET l.complete = true, l.triples = $triples, "
           f"l.finished = toString(datetime())", triples=graph.triples)
    seconds = time.perf_counter() - started
    log.info("loaded %d triples (%d nodes, %d relationships) in %.1f s; removed %d stale nodes, "
             "%d stale relationships", graph.triples, len(graph.nodes), graph.relationship_count, seconds,
             removed_nodes, removed_rels)
    return LoadReport(str(info.get("build", "")), graph.triples, len(graph.nodes), graph.relationship_count,
                      len(terms), removed_nodes, removed_rels, seconds)


def _sweep(driver: Driver, database: str, query: LiteralString, load_id: str) -> int:
    removed = 0
    while True:
        n = _write_count(driver, database, query, load=load_id, limit=DELETE_BATCH)
        removed += n
        if n < DELETE_BATCH:
            return removed


def load_triples(driver: Driver, triples: Iterable[Triple], **options: Any) -> LoadReport:
    return push(driver, to_property_graph(triples), **options)


# --- reading a build ----------------------------------------------------------------------------

def read_ntriples(path: Path) -> Iterator[Triple]:
    """Stream an N-Triples file with Oxigraph's parser (about 10x rdflib's). Written flat on
    purpose: this loop runs once per triple and function calls dominate its cost."""
    named, literal = ox.NamedNode, ox.Literal
    for triple in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES):
        subject, obj = triple.subject, triple.object
        s = subject.value if type(subject) is named else BLANK_PREFIX + subject.value
        if type(obj) is literal:
            lang = obj.language
            if lang:
                o: Obj = Lit(obj.value, None, lang)
            else:
                datatype = obj.datatype.value
                o = Lit(obj.value, None if datatype == XSD_STRING else datatype)
        elif type(obj) is named:
            o = obj.value
        else:
            o = BLANK_PREFIX + obj.value
        yield s, triple.predicate.value, o


def load_build(settings: Neo4jSettings, build_dir: Path, *, progress: Progress | None = None) -> LoadReport:
    """`policygraph load neo4j`: push the current build (graph.nt + manifest) into Neo4j."""
    manifest_path = build_dir / "manifest.json"
    if not manifest_path.exists():
        raise FileNotFoundError(f"no build in {build_dir}; run `policygraph build` first")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    build = {"build": manifest["graph_nt_sha256"], "programme": manifest.get("programme", "")}
    graph = to_property_graph(read_ntriples((build_dir / "graph.nt").resolve()))
    with settings.driver() as driver:
        driver.verify_connectivity()
        return push(driver, graph, database=settings.database, build=build, progress=progress)
