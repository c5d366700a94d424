// title: Changes between periods, per service and dimension
// question: For each service and configuration dimension, what was the value in one period and in the next, and did it change?
// param: case string optional  Restrict to one case letter (e.g. B)
// columns: case, dimension, from_period, to_period, from_value, to_value, change
MATCH (c1:Resource)-[:CONFIGURATION_OF]->(service:Resource)<-[:CONFIGURATION_OF]-(c2:Resource),
      (c1)-[:DURING_PERIOD]->(p1:Resource)-[:INTERVAL_BEFORE]->(p2:Resource)<-[:DURING_PERIOD]-(c2),
      (c1)-[:HAS_VALUE]->(v1:Resource)-[:ON_DIMENSION]->(dim:Resource)<-[:ON_DIMENSION]-(v2:Resource)<-[:HAS_VALUE]-(c2),
      (v1)-[:STATUS]->(s1:Resource), (v2)-[:STATUS]->(s2:Resource)
WHERE dim.identifier IS NOT NULL AND dim.columnOrder IS NOT NULL AND service.caseLetter IS NOT NULL
  AND p1.label IS NOT NULL AND p2.label IS NOT NULL
  AND ($case IS NULL OR service.caseLetter = $case)
WITH service.caseLetter AS case, dim, p1.label AS from_period, p2.label AS to_period,
     v1.verbatim AS t1, v2.verbatim AS t2,
     'https://w3id.org/policygraph/ontology#unknown' IN [s1.uri, s2.uri] AS unknown
RETURN case, dim.identifier AS dimension, from_period, to_period,
       coalesce(t1, 'unknown') AS from_value, coalesce(t2, 'unknown') AS to_value,
       CASE WHEN unknown THEN 'unknown'
            WHEN t1 IS NULL OR t2 IS NULL THEN null  // SPARQL: comparing an unbound value is an error
            WHEN t1 = t2 THEN 'unchanged' ELSE 'changed' END AS change
ORDER BY case, dim.columnOrder
