"""Which Cypher plans the console runs: the server's EXPLAIN plan checked against allow-lists.

A plan passes only if (1) its query type is "r" (read), (2) every operator in it is a read of the graph
(the list below, with the families whose names carry a mode, e.g. `Expand(All)`), (3) every procedure it
calls is one that reads the schema, and (4) it runs on one database, not `system`. Anything else is refused
with its reason. Commands such as `SHOW TRANSACTIONS`, `TERMINATE TRANSACTIONS` or `SHOW SETTINGS` plan as
type "r" too, which is why the type alone is not enough: they read the server, not the graph (other users'
queries, the server's directories) or stop other users' work.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

READ_QUERY_TYPES = {"r"}
ALLOWED_PROCEDURES = frozenset({
    "db.labels", "db.relationshipTypes", "db.propertyKeys", "db.schema.visualization",
    "db.schema.nodeTypeProperties", "db.schema.relTypeProperties",
})
# Plan operators that read the graph (names as Neo4j 5.26 reports them, without the "@database" suffix).
READ_OPERATORS = frozenset({
    "ProduceResults", "Projection", "Filter", "Limit", "ExhaustiveLimit", "Skip", "Sort", "PartialSort", "Top",
    "PartialTop", "Distinct", "OrderedDistinct", "Aggregation", "EagerAggregation", "OrderedAggregation", "Eager",
    "EmptyResult", "Argument", "ArgumentTracker", "Optional", "Anti", "Apply", "SemiApply", "AntiSemiApply",
    "LetSemiApply", "LetAntiSemiApply", "SelectOrSemiApply", "SelectOrAntiSemiApply", "LetSelectOrSemiApply",
    "LetSelectOrAntiSemiApply", "ConditionalApply", "AntiConditionalApply", "RollUpApply", "CartesianProduct",
    "NodeHashJoin", "NodeLeftOuterHashJoin", "NodeRightOuterHashJoin", "ValueHashJoin", "Union", "OrderedUnion",
    "Unwind", "CacheProperties", "ProjectEndpoints", "ShortestPath", "PathPropagatingBFS", "TriadicSelection",
    "TriadicBuild", "TriadicFilter", "AssertSameNode", "AssertSameRelationship", "NullifyMetadata",
    "PreserveOrder", "NonFuseable", "AllNodesScan", "NodeByLabelScan", "UnionNodeByLabelsScan",
    "IntersectionNodeByLabelsScan", "SubtractionNodeByLabelsScan", "NodeByIdSeek", "NodeByElementIdSeek",
    "NodeCountFromCountStore", "RelationshipCountFromCountStore", "MultiNodeIndexSeek",
    "AssertingMultiNodeIndexSeek", "AssertingMultiRelationshipIndexSeek",
})
# Families of read operators whose names vary with a mode or a direction.
READ_OPERATOR_FAMILIES = re.compile(
    r"(?:Optional|VarLength)?Expand\([A-Za-z,]+\)"  # Expand(All), VarLengthExpand(Pruning,BFS,All)
    r"|(?:Bidirectional)?Repeat\([A-Za-z]+\)|StatefulShortestPath\([A-Za-z]+\)"  # quantified and SHORTEST paths
    r"|Node(?:Unique)?Index(?:Seek(?:ByRange)?|Scan|ContainsScan|EndsWithScan)"
    r"|(?:Directed|Undirected)(?:AllRelationships|RelationshipType|UnionRelationshipTypes)Scan"
    r"|(?:Directed|Undirected)Relationship(?:ById|ByElementId)Seek"
    r"|(?:Directed|Undirected)Relationship(?:Unique)?Index(?:Seek(?:ByRange)?|Scan|ContainsScan|EndsWithScan)")
COMMAND_OPERATOR = re.compile(r"(?:Show|Terminate)[A-Za-z]+|AdministrationCommand")
_QUERY_TYPES = {"w": "writes", "rw": "reads and writes", "s": "changes the schema",
                "dbms": "administers the server"}
READ_ONLY_HINT = ("the Cypher console runs read queries only (change the curated data, rebuild and run "
                  "`policygraph load neo4j`)")


class RefusedCypher(ValueError):
    """The text is not a read-only Cypher query of the graph."""


def operators(plan: Mapping[str, Any] | None) -> Iterator[Mapping[str, Any]]:
    """Every operator of an EXPLAIN plan, depth first."""
    if not plan:
        return
    yield plan
    for child in plan.get("children", []) or []:
        yield from operators(child)


def _name_and_database(operator: Mapping[str, Any]) -> tuple[str, str | None]:
    name, _, database = str(operator.get("operatorType", "")).partition("@")
    return name, database or None


def _procedure(operator: Mapping[str, Any]) -> str:
    details = str((operator.get("args") or {}).get("Details", ""))
    return details.split("(", 1)[0].strip() or "(unnamed)"


def _command(operator: str) -> str:
    if operator == "AdministrationCommand":
        return "administration commands (users, roles, privileges, databases) are not reads of the graph"
    command = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", operator).upper()
    if command.startswith("TERMINATE"):
        return f"{command} stops other users' work (their queries, a running `load neo4j`)"
    return f"{command} reads the server, not the graph (other users' queries, settings, directories)"


def check_plan(query_type: str | None, plan: Mapping[str, Any] | None) -> None:
    """Raise RefusedCypher, naming the reason, unless the plan is a read of the graph only."""
    steps = list(operators(plan))
    databases: set[str] = set()
    for operator in steps:
        name, database = _name_and_database(operator)
        if database:
            databases.add(database)
        if COMMAND_OPERATOR.fullmatch(name):
            raise RefusedCypher(f"refused: {_command(name)}; the console runs read queries of the graph only")
        if name == "LoadCSV":
            raise RefusedCypher("refused: LOAD CSV reads files and URLs from the server; the console reads the "
                                "graph only")
        if name == "ProcedureCall" and _procedure(operator) not in ALLOWED_PROCEDURES:
            raise RefusedCypher(f"refused: procedure {_procedure(operator)} is not one the console calls (allowed: "
                                f"{', '.join(sorted(ALLOWED_PROCEDURES))})")
    if "system" in databases or len(databases) > 1:
        raise RefusedCypher(f"refused: the query runs on database(s) {', '.join(sorted(databases))}; the console "
                            "reads the graph's database only")
    if query_type not in READ_QUERY_TYPES:
        what = _QUERY_TYPES.get(str(query_type), f"is of type {query_type!r}")
        raise RefusedCypher(f"refused: this query {what}; {READ_ONLY_HINT}")
    for operator in steps:
        name, _ = _name_and_database(operator)
        if name != "ProcedureCall" and name not in READ_OPERATORS and not READ_OPERATOR_FAMILIES.fullmatch(name):
            raise RefusedCypher(f"refused: the plan uses {name}, which is not on the console's list of operators "
                                f"that read the graph; {READ_ONLY_HINT}")
