// title: Changes between periods, per service and dimension
// question: For each service and configuration dimension, what was the value in one period and in the next, and did it change?
// param: service string optional  Restrict to one service by its identifier (e.g. B)
// columns: service, dimension, from_period, to_period, from_value, to_value, change
// The service first (one when $service is given), then each of its configurations once, with its period and
// its cells; configurations are paired with the next period's, cells with the same dimension's, in memory.
MATCH (c:Resource)-[:CONFIGURATION_OF]->(svc:Resource)
WHERE svc.identifier IS NOT NULL AND ($service IS NULL OR svc.identifier = $service)
MATCH (c)-[:DURING_PERIOD]->(p:Resource)
CALL (c) {
  MATCH (c)-[:HAS_VALUE]->(v:Resource)-[:ON_DIMENSION]->(dim:Resource), (v)-[:STATUS]->(s:Resource)
  WHERE dim.identifier IS NOT NULL AND dim.columnOrder IS NOT NULL
  RETURN collect({v: v, dim: dim, s: s}) AS cells
}
WITH svc, collect({p: p, cells: cells}) AS configurations
UNWIND configurations AS first
WITH svc, configurations, first.p AS p1, first.cells AS cells1
MATCH (p1)-[:INTERVAL_BEFORE]->(p2:Resource)
WHERE p1.label IS NOT NULL AND p2.label IS NOT NULL
UNWIND [x IN configurations WHERE x.p = p2 | x.cells] AS cells2
UNWIND cells1 AS a
UNWIND [b IN cells2 WHERE b.dim = a.dim] AS b
WITH svc, p1, p2, a.v AS v1, b.v AS v2, a.dim AS dim, a.s AS s1, b.s AS s2
WITH svc.identifier AS service, dim, p1.label AS from_period, p2.label AS to_period,
     v1.verbatim AS t1, v2.verbatim AS t2,
     'https://w3id.org/policygraph/ontology#unknown' IN [s1.uri, s2.uri] AS unknown
RETURN service, dim.identifier AS dimension, from_period, to_period,
       coalesce(t1, 'unknown') AS from_value, coalesce(t2, 'unknown') AS to_value,
       CASE WHEN unknown THEN 'unknown'
            WHEN t1 IS NULL OR t2 IS NULL THEN null  // SPARQL: comparing an unbound value is an error
            WHEN t1 = t2 THEN 'unchanged' ELSE 'changed' END AS change
ORDER BY service, dim.columnOrder
