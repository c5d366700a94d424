// title: Adaptations between periods, FRAME-coded
// question: Which configuration changes did each service make, from which period to which, what did they add or remove, and were they consistent with the policy intents' expectations?
// param: service string optional  Restrict to one service by its identifier
// columns: service, from_period, to_period, dimension, from_value, to_value, nature, what_modified, fidelity
// Adaptations and their service first (the service's only when $service is given), the rest from those
// only (the collect stops the planner from expanding every adaptation first).
MATCH (x:Adaptation)-[:OF_SERVICE]->(s:Resource)
WHERE s.identifier IS NOT NULL AND ($service IS NULL OR s.identifier = $service)
WITH s, collect(x) AS adaptations
UNWIND adaptations AS a
MATCH (a)-[:ON_DIMENSION]->(dim:Resource),
      (a)-[:FROM_VALUE]->(v1:Resource), (a)-[:TO_VALUE]->(v2:Resource),
      (a)-[:FROM_PERIOD]->(p1:Resource), (a)-[:TO_PERIOD]->(p2:Resource),
      (a)-[:FRAME_NATURE]->(n:Resource), (a)-[:FRAME_FIDELITY]->(f:Resource)
WHERE dim.identifier IS NOT NULL AND dim.columnOrder IS NOT NULL
  AND v1.verbatim IS NOT NULL AND v2.verbatim IS NOT NULL
  AND p1.identifier IS NOT NULL AND p1.periodOrder IS NOT NULL
  AND p2.identifier IS NOT NULL AND p2.periodOrder IS NOT NULL
  AND n.prefLabel IS NOT NULL AND f.prefLabel IS NOT NULL
// A programme's vocabulary may leave a dimension's FRAME "what is modified" unstated.
OPTIONAL MATCH (a)-[:FRAME_WHAT_MODIFIED]->(w:Resource) WHERE w.prefLabel IS NOT NULL
RETURN s.identifier AS service, p1.identifier AS from_period, p2.identifier AS to_period,
       dim.identifier AS dimension, v1.verbatim AS from_value, v2.verbatim AS to_value,
       n.prefLabel AS nature, coalesce(w.prefLabel, 'unknown') AS what_modified, f.prefLabel AS fidelity
ORDER BY service, p1.periodOrder, p2.periodOrder, dim.columnOrder
