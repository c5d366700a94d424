"""Push a build into Neo4j: batched `UNWIND` in managed write transactions.

Every load writes every node, relationship and vocabulary term of the build, stamped with a fresh
load id (`pg_load`), then deletes whatever does not carry that id. So a load is idempotent (same
counts every time), convergent (a load killed half-way leaves committed batches behind, and the
next complete load ends with exactly the build) and the store equals the build, not the union of
all builds. Each batch is one transaction: managed transactions are retried on transient errors,
which is safe because MERGE and SET replay to the same state, and a CREATE batch is rolled back
as a whole before it is retried.

Into a database with no policygraph data (no `Resource` or `PolicygraphTerm` node) the load takes
the *create* path: `CREATE` instead of `MERGE` (nothing can be duplicated: there was nothing, the
uri constraint refuses a second node, and each relationship of the build is created once), no
stamp on relationships and no sweep (nothing can be stale). A create load killed half-way leaves
data behind, so the re-run sees it and takes the *merge* path, which converges as above. One load
at a time: two concurrent loads of any kind can leave duplicate relationships or sweep each other.
The batches themselves are in graph.neo4j_batches.
"""

from __future__ import annotations

import gc
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, LiteralString, TypeVar

import pyoxigraph as ox
from neo4j import Driver, ManagedTransaction

from policygraph.graph.neo4j_batches import Statement, node_jobs, relationship_jobs
from policygraph.graph.neo4j_literals import XSD_STRING, Lit, Obj, Triple
from policygraph.graph.neo4j_mapping import (
    BLANK_PREFIX,
    LOAD_KEY,
    LOAD_LABEL,
    RESOURCE_LABEL,
    TERM_LABEL,
    NodeRecord,
    PropertyGraph,
    to_property_graph,
)
from policygraph.graph.neo4j_store import Neo4jSettings

log = logging.getLogger(__name__)

NODE_BATCH = 5_000
RELATIONSHIP_BATCH = 5_000
DELETE_BATCH = 10_000
Progress = Callable[[int, int], None]  # (items written so far, items in total)
T = TypeVar("T")

SCHEMA_NAMES = ("policygraph_resource_uri", "policygraph_term")
SCHEMA = (
    # query-built: label and key names are this module's constants; Cypher takes no label or key parameters
    f"CREATE CONSTRAINT policygraph_resource_uri IF NOT EXISTS "
    f"FOR (n:{RESOURCE_LABEL}) REQUIRE n.uri IS UNIQUE",
    # query-built: label and key names are this module's constants; Cypher takes no label or key parameters
    f"CREATE CONSTRAINT policygraph_term IF NOT EXISTS "
    f"FOR (t:{TERM_LABEL}) REQUIRE (t.kind, t.name) IS UNIQUE",
)
BEGIN_LOAD = (
    # query-built: label and key names are this module's constants; Cypher takes no label or key parameters
    f"MERGE (l:{LOAD_LABEL}) SET l = $info, l.load = $load, l.complete = false, l.started = toString(datetime()) "
    f"RETURN NOT EXISTS {{ MATCH (n:{RESOURCE_LABEL}|{TERM_LABEL}) }} AS fresh"
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
END_LOAD = (
    # query-built: label and key names are this module's constants; Cypher takes no label or key parameters
    f"MATCH (l:{LOAD_LABEL}) SET l.complete = true, l.triples = $triples, l.mode = $mode, "
    f"l.finished = toString(datetime())"
)
CREATE_PATH, MERGE_PATH = "create", "merge"


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
    mode: str = MERGE_PATH  # CREATE_PATH: the database held no policygraph data


def _write(driver: Driver, database: str, query: LiteralString, **params: Any) -> list[Any]:
    """One managed write transaction (retried on transient errors); the records' values."""
    def work(tx: ManagedTransaction) -> list[Any]:
        return [record.values() for record in tx.run(query, params)]

    with driver.session(database=database) as session:
        return session.execute_write(work)


def _write_all(driver: Driver, database: str, statements: list[Statement]) -> list[list[Any]]:
    """Several statements in one managed write transaction; each one's records' values."""
    def work(tx: ManagedTransaction) -> list[list[Any]]:
        return [[record.values() for record in tx.run(query, params)] for query, params in statements]

    with driver.session(database=database) as session:
        return session.execute_write(work)


def _write_count(driver: Driver, database: str, query: LiteralString, **params: Any) -> int:
    rows = _write(driver, database, query, **params)
    return int(rows[0][0]) if rows else 0


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a load builds and sends millions of small containers (none
    of which form cycles): the collector would otherwise walk the whole growing graph again and again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# A load killed while Neo4j built a constraint can leave the constraint's index without its constraint;
# `CREATE CONSTRAINT ... IF NOT EXISTS` then fails on the name, so such an orphan is dropped first.
ORPHAN_INDEXES = ("SHOW INDEXES YIELD name, owningConstraint "
                  "WHERE name IN $names AND owningConstraint IS NULL RETURN name")


def ensure_schema(driver: Driver, database: str) -> None:
    """Constraints first: MERGE on `uri` is then an index lookup, and duplicates are impossible."""
    with driver.session(database=database) as session:
        orphans = [record["name"] for record in session.run(ORPHAN_INDEXES, names=list(SCHEMA_NAMES))]
        for name in orphans:
            log.warning("dropping index %s: its constraint was never completed (an interrupted load)", name)
            session.run("DROP INDEX $name IF EXISTS", name=name).consume()
        for statement in SCHEMA:
            session.run(statement).consume()  # schema commands cannot share a transaction with data


def push(driver: Driver, graph: PropertyGraph, *, database: str = "neo4j",
         build: dict[str, Any] | None = None, progress: Progress | None = None,
         node_batch: int = NODE_BATCH, relationship_batch: int = RELATIONSHIP_BATCH) -> LoadReport:
    """Make the database hold exactly `graph` (see the module docstring for the guarantees)."""
    with gc_paused():
        return _push(driver, graph, database, build or {}, progress, node_batch, relationship_batch)


def _push(driver: Driver, graph: PropertyGraph, database: str, info: dict[str, Any], progress: Progress | None,
          node_batch: int, relationship_batch: int) -> LoadReport:
    started = time.perf_counter()
    load_id = uuid.uuid4().hex
    ensure_schema(driver, database)
    create = bool(_write(driver, database, BEGIN_LOAD, info=info, load=load_id)[0][0])
    mode = CREATE_PATH if create else MERGE_PATH
    log.info("%s path: %s", mode, "no policygraph data in the database" if create else "updating what it holds")
    terms = graph.vocabulary.rows()
    _write(driver, database, MERGE_TERMS, rows=terms, load=load_id)
    total = len(graph.nodes) + graph.relationship_count
    done = 0
    element_ids: dict[str, str] = {}

    def nodes_written(results: list[list[Any]], parts: list[Sequence[NodeRecord]]) -> None:
        nonlocal done
        for [(positions, ids)], part in zip(results, parts, strict=True):
            element_ids.update(zip([part[i].uri for i in positions], ids, strict=True))
            done += len(part)
        log.info("nodes: %d/%d items written", done, total)
        if progress:
            progress(done, total)

    def relationships_written(_: list[list[Any]], batch: tuple[str, int]) -> None:
        nonlocal done
        done += batch[1]
        log.info("relationships %s: %d/%d items written", batch[0], done, total)
        if progress:
            progress(done, total)

    _pipelined(driver, database, node_jobs(graph.nodes, create=create, load_id=load_id, size=node_batch),
               nodes_written)
    _pipelined(driver, database, relationship_jobs(graph, element_ids, create=create, load_id=load_id,
                                                   size=relationship_batch), relationships_written)
    removed_rels = 0 if create else _sweep(driver, database, SWEEP_RELATIONSHIPS, load_id)
    removed_nodes = 0 if create else _sweep(driver, database, SWEEP_NODES, load_id)
    _write(driver, database, END_LOAD, triples=graph.triples, mode=mode)
    seconds = time.perf_counter() - started
    log.info("loaded %d triples (%d nodes, %d relationships) in %.1f s (%s path); removed %d stale nodes, "
             "%d stale relationships", graph.triples, len(graph.nodes), graph.relationship_count, seconds, mode,
             removed_nodes, removed_rels)
    return LoadReport(str(info.get("build", "")), graph.triples, len(graph.nodes), graph.relationship_count,
                      len(terms), removed_nodes, removed_rels, seconds, mode)


def _pipelined(driver: Driver, database: str, jobs: Iterator[tuple[list[Statement], T]],
               written: Callable[[list[list[Any]], T], None]) -> None:
    """Run each job's statements in their own managed write transaction, in order, on one writer thread,
    while this thread prepares the next job (the client's work overlaps the server's; still one
    transaction at a time, so no lock waits: two concurrent writers were measured slower). `written`
    is called here, in order, with each result; if it raises, queued jobs are dropped and the one
    running is let finish (its batch is committed, as a killed load would leave it)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="policygraph-load") as writer:
        pending: deque[tuple[Future[list[list[Any]]], T]] = deque()
        try:
            for statements, tag in jobs:  # preparing this job overlapped the transaction of the previous one
                pending.append((writer.submit(_write_all, driver, database, statements), tag))
                if len(pending) > 1:
                    future, done_tag = pending.popleft()
                    written(future.result(), done_tag)
            while pending:
                future, done_tag = pending.popleft()
                written(future.result(), done_tag)
        finally:
            for future, _ in pending:
                future.cancel()


EMPTY_RELATIONSHIPS = "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF $rows ROWS"
EMPTY_NODES = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF $rows ROWS"


def empty_database(driver: Driver, database: str = "neo4j", rows: int = DELETE_BATCH) -> None:
    """Delete everything, every transaction bounded: relationships first, `rows` at a time, then the nodes,
    which by then have none. (`DETACH DELETE` of nodes alone puts all the relationships of a hub node in
    one transaction: a node with a million of them took a 512 MB server down.)"""
    with driver.session(database=database) as session:  # IN TRANSACTIONS needs an auto-commit transaction
        session.run(EMPTY_RELATIONSHIPS, rows=rows).consume()
        session.run(EMPTY_NODES, rows=rows).consume()


def _sweep(driver: Driver, database: str, query: LiteralString, load_id: str) -> int:
    removed = 0
    while True:
        n = _write_count(driver, database, query, load=load_id, limit=DELETE_BATCH)
        removed += n
        if n < DELETE_BATCH:
            return removed


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


def load_ntriples(settings: Neo4jSettings, ntriples: Path, info: dict[str, Any], *,
                  progress: Progress | None = None) -> LoadReport:
    """`policygraph load neo4j`: push a graph.nt into Neo4j; `info` (the build's hash and programme) is recorded
    with the load."""
    with gc_paused(), settings.driver() as driver:
        driver.verify_connectivity()
        graph = to_property_graph(read_ntriples(ntriples))
        return push(driver, graph, database=settings.database, build=info, progress=progress)
