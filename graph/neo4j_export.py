"""Neo4j -> RDF: read the stored vocabulary, then every Resource node and link, back into triples.

The inverse of graph.neo4j_load: build -> Neo4j -> export is isomorphic to the build
(tests/integration/test_neo4j_roundtrip.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from neo4j import Driver
from rdflib import Graph

from policygraph.graph.neo4j_mapping import RESOURCE_LABEL, TERM_LABEL, Decoder, Triple, Vocabulary, to_rdflib

log = logging.getLogger(__name__)


def stored_vocabulary(driver: Driver, database: str = "neo4j") -> Vocabulary:
    records, _, _ = driver.execute_query(
        # query-built: label and key names are this module's constants; Cypher takes no label or key parameters
        f"MATCH (t:{TERM_LABEL}) RETURN t.kind AS kind, t.name AS name, t.iri AS iri",
        database_=database, routing_="r")
    return Vocabulary.from_rows(dict(r) for r in records)


def export_triples(driver: Driver, database: str = "neo4j") -> Iterator[Triple]:
    """Every triple the database stands for, streamed (nodes first, then relationships)."""
    decoder = Decoder(stored_vocabulary(driver, database))
    with driver.session(database=database, default_access_mode="READ") as session:
        # query-built: label and key names are this module's constants; Cypher takes no label or key parameters
        nodes = session.run(f"MATCH (n:{RESOURCE_LABEL}) RETURN n.uri AS uri, labels(n) AS labels, "
                            "properties(n) AS props")
        for record in nodes:
            yield from decoder.node_triples(record["uri"], record["labels"], record["props"])
        # query-built: label and key names are this module's constants; Cypher takes no label or key parameters
        links = session.run(f"MATCH (a:{RESOURCE_LABEL})-[r]->(b:{RESOURCE_LABEL}) "
                            "RETURN a.uri AS s, type(r) AS t, b.uri AS o")
        for record in links:
            yield record["s"], decoder.predicate(record["t"]), record["o"]


def export_graph(driver: Driver, database: str = "neo4j") -> Graph:
    graph = Graph()
    for triple in export_triples(driver, database):
        graph.add(to_rdflib(triple))
    log.info("exported %d triples from Neo4j", len(graph))
    return graph


def export_ntriples(driver: Driver, path: Path, database: str = "neo4j") -> int:
    """Write the database as N-Triples (sorted lines); return the triple count."""
    graph = export_graph(driver, database)
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    lines = sorted(line + "\n" for line in text.splitlines() if line.strip())
    path.write_text("".join(lines), encoding="utf-8")
    return len(lines)
