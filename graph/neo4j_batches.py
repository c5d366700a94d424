"""The write batches of a Neo4j load (graph.neo4j_load): each job is one transaction, (statements, tag).

Two paths (see graph.neo4j_load for when each is taken):

- *create* (the database holds no policygraph data): nodes with `CREATE`, grouped by shape (label set
  and property keys) so that a group's labels and keys are in the query text and its values travel as
  parallel lists (a batch of nodes is one transaction with a statement per shape in it); relationships
  with `CREATE`, a batch holding whole nodes' outgoing links of any type;
- *merge*: nodes with `MERGE` on `uri` (properties replaced, stale labels removed), relationships with
  `MERGE` per type, everything stamped with the load id for the sweep that follows.

What measurements chose (docs/benchmarks.md): element ids returned by the node batches let relationships
find their ends without an index lookup by uri; one row of two lists per node batch, not one record per node
(receiving records one by one was most of the client's time); ends sent as suffixes after the ids' common
prefix; nodes grouped by shape, not one map per node; a node's links in one transaction, not one per type.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from typing import Any, LiteralString

from policygraph.graph.neo4j_mapping import LOAD_KEY, RESOURCE_LABEL, URI_KEY, NodeRecord, PropertyGraph

Statement = tuple[LiteralString, dict[str, Any]]  # query, parameters
Job = tuple[list[Statement], Any]  # one transaction's statements, and what they write
MIN_SHAPE = 100  # smaller shape groups go through the generic node query (a query text per shape costs a plan)
ALL_TYPES = "all-types"  # the tag of create-path relationship batches (their links are of several types)

MERGE_NODES = (
    # query-built: label and key names are this module's constants; Cypher takes no label or key parameters
    f"UNWIND range(0, size($props) - 1) AS i MERGE (n:{RESOURCE_LABEL} {{uri: $props[i].uri}}) "
    f"SET n = $props[i], n.{LOAD_KEY} = $load "
    f"WITH i, n, [l IN labels(n) WHERE NOT l IN $labels[i]] AS stale "
    f"REMOVE n:$(stale) SET n:$($labels[i]) RETURN collect(i) AS i, collect(elementId(n)) AS ids"
)
CREATE_NODES = (
    # query-built: label and key names are this module's constants; Cypher takes no label or key parameters
    f"UNWIND range(0, size($props) - 1) AS i CREATE (n:{RESOURCE_LABEL} {{uri: $props[i].uri, {LOAD_KEY}: $load}}) "
    f"SET n += $props[i], n:$($labels[i]) RETURN collect(i) AS i, collect(elementId(n)) AS ids"
)
# Ends found by element id: `$p` (the ids' common prefix, once per batch) + a suffix per end.
CREATE_RELATIONSHIPS = (
    "UNWIND range(0, size($starts) - 1) AS i MATCH (a) WHERE elementId(a) = $p + $starts[i] "
    "MATCH (b) WHERE elementId(b) = $p + $ends[i] CREATE (a)-[:$($types[$kinds[i]])]->(b)"
)
_SAFE_NAME = re.compile(r"[A-Za-z0-9_]+")  # what the mapping's names are made of
_SAFE_KEY = re.compile(r"[A-Za-z0-9_]+(\.type)?")


def merge_relationships_query(rel_type: str) -> LiteralString:
    """The MERGE for one relationship type. A MERGE with a dynamic type (`-[:$(t)]->`) makes the
    planner expand every relationship of dense nodes (an order of magnitude slower), so the type
    is in the text: ours come from the mapping's own naming (letters, digits, '_'), checked again."""
    if not _SAFE_NAME.fullmatch(rel_type):
        raise ValueError(f"unsafe relationship type {rel_type!r}")
    text: LiteralString = (
        # query-built: the type is checked against _SAFE_NAME above; Cypher takes no type parameter
        f"UNWIND range(0, size($starts) - 1) AS i MATCH (a) WHERE elementId(a) = $p + $starts[i] "
        f"MATCH (b) WHERE elementId(b) = $p + $ends[i] MERGE (a)-[r:`{rel_type}`]->(b) SET r.{LOAD_KEY} = $load")
    return text


def create_shape_query(labels: Sequence[str], keys: Sequence[str]) -> LiteralString:
    """CREATE for nodes that all have these labels and property keys (values in `$values[key index]`).
    Labels and keys cannot be parameters; ours come from the mapping's naming, checked again here."""
    unsafe = [n for n in labels if not _SAFE_NAME.fullmatch(n)] + [k for k in keys if not _SAFE_KEY.fullmatch(k)]
    if unsafe or URI_KEY in keys or LOAD_KEY in keys:
        raise ValueError(f"unsafe or reserved names {unsafe or keys!r}")
    # query-built: labels and keys are checked against _SAFE_NAME / _SAFE_KEY above and back-quoted
    props = "".join(f", `{key}`: $values[{j}][i]" for j, key in enumerate(keys))
    text: LiteralString = (
        # query-built: labels and keys are checked against _SAFE_NAME / _SAFE_KEY above and back-quoted
        f"UNWIND range(0, size($uris) - 1) AS i CREATE (n:{':'.join(f'`{name}`' for name in labels)} "
        # query-built: labels and keys are checked against _SAFE_NAME / _SAFE_KEY above and back-quoted
        f"{{{URI_KEY}: $uris[i], {LOAD_KEY}: $load{props}}}) RETURN collect(i) AS i, collect(elementId(n)) AS ids")
    return text


def _shape_query(labels: Sequence[str], keys: Sequence[str]) -> LiteralString | None:
    try:
        return create_shape_query(labels, keys)
    except ValueError:
        return None


def batches(rows: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def common_prefix(texts: Collection[str]) -> str:
    """The longest prefix of every text: that of the smallest and the largest."""
    if not texts:
        return ""
    low, high = min(texts), max(texts)
    for n, (a, b) in enumerate(zip(low, high, strict=False)):
        if a != b:
            return low[:n]
    return low[: min(len(low), len(high))]


def _generic(query: LiteralString, nodes: Sequence[NodeRecord], load_id: str) -> Statement:
    return query, {"load": load_id, "labels": [n.labels for n in nodes],
                   "props": [{URI_KEY: n.uri, **n.props} for n in nodes]}


def _shaped(query: LiteralString, keys: Sequence[str], nodes: Sequence[NodeRecord], load_id: str) -> Statement:
    return query, {"load": load_id, "uris": [n.uri for n in nodes],
                   "values": [[n.props[key] for n in nodes] for key in keys]}


def node_jobs(nodes: Sequence[NodeRecord], *, create: bool, load_id: str, size: int) -> Iterator[Job]:
    """Batches of `size` nodes (the last one smaller), each one transaction; the tag lists the nodes of
    each statement, whose result is one row (positions in those nodes, element ids)."""
    if not create:
        for batch in batches(nodes, size):
            yield [_generic(MERGE_NODES, batch, load_id)], [batch]
        return
    shapes: dict[tuple[tuple[str, ...], tuple[str, ...]], list[NodeRecord]] = {}
    for node in nodes:
        shapes.setdefault((tuple(node.labels), tuple(node.props)), []).append(node)
    groups: list[tuple[LiteralString | None, tuple[str, ...], list[NodeRecord]]] = []
    rest: list[NodeRecord] = []
    for (labels, keys), members in shapes.items():
        query = _shape_query(labels, keys) if len(members) >= MIN_SHAPE else None
        if query is None:
            rest += members  # few of this shape (or names the check refuses): the generic statement
        else:
            groups.append((query, keys, members))
    groups.append((None, (), rest))
    statements: list[Statement] = []
    parts: list[Sequence[NodeRecord]] = []
    filled = 0
    for query, keys, members in groups:
        taken = 0
        while taken < len(members):
            part = members[taken : taken + size - filled]
            taken += len(part)
            statements.append(_generic(CREATE_NODES, part, load_id) if query is None
                              else _shaped(query, keys, part, load_id))
            parts.append(part)
            filled += len(part)
            if filled == size:
                yield statements, parts
                statements, parts, filled = [], [], 0
    if statements:
        yield statements, parts


def relationship_jobs(graph: PropertyGraph, element_ids: dict[str, str], *, create: bool, load_id: str,
                      size: int) -> Iterator[Job]:
    """Relationship batches of about `size`, tagged (type or ALL_TYPES, relationships in the batch)."""
    # Element ids share a long prefix (the database id): send it once per batch, not twice per relationship.
    prefix = common_prefix(element_ids.values())
    cut = len(prefix)
    short = {uri: element_id[cut:] for uri, element_id in element_ids.items()}
    if not create:
        for rel_type, pairs in sorted(graph.relationships.items()):
            for batch in batches(pairs, size):
                yield [(merge_relationships_query(rel_type),
                        {"load": load_id, "p": prefix, "starts": [short[a] for a, _ in batch],
                         "ends": [short[b] for _, b in batch]})], (rel_type, len(batch))
        return
    types = sorted(graph.vocabulary.relationships.values())  # the types in use
    kind = {rel_type: i for i, rel_type in enumerate(types)}
    starts: list[str] = []
    ends: list[str] = []
    kinds: list[int] = []
    for node in graph.nodes:
        links = node.links
        if not links:
            continue
        starts += [short[node.uri]] * len(links)
        ends += [short[end] for _, end in links]
        kinds += [kind[rel_type] for rel_type, _ in links]
        if len(starts) >= size:
            yield [(CREATE_RELATIONSHIPS, {"p": prefix, "types": types, "kinds": kinds, "starts": starts,
                                           "ends": ends})], (ALL_TYPES, len(starts))
            starts, ends, kinds = [], [], []
    if starts:
        yield [(CREATE_RELATIONSHIPS, {"p": prefix, "types": types, "kinds": kinds, "starts": starts,
                                       "ends": ends})], (ALL_TYPES, len(starts))
