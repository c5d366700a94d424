// title: Adaptations between periods, FRAME-coded
// question: Which configuration changes did each service make between periods, what did they add or remove, and were they consistent with the policy intents' expectations?
// param: case string optional  Restrict to one case letter (e.g. D)
// columns: case, dimension, from_value, to_value, nature, what_modified, fidelity
// Adaptations and their service first (the service's only when $case is given), the rest from those
// only (the collect stops the planner from expanding every adaptation first).
MATCH (x:Adaptation)-[:OF_SERVICE]->(s:Resource)
WHERE s.caseLetter IS NOT NULL AND ($case IS NULL OR s.caseLetter = $case)
WITH s, collect(x) AS adaptations
UNWIND adaptations AS a
MATCH (a)-[:ON_DIMENSION]->(dim:Resource),
      (a)-[:FROM_VALUE]->(v1:Resource), (a)-[:TO_VALUE]->(v2:Resource),
      (a)-[:FRAME_NATURE]->(n:Resource), (a)-[:FRAME_WHAT_MODIFIED]->(w:Resource),
      (a)-[:FRAME_FIDELITY]->(f:Resource)
WHERE dim.identifier IS NOT NULL AND dim.columnOrder IS NOT NULL
  AND v1.verbatim IS NOT NULL AND v2.verbatim IS NOT NULL
  AND n.prefLabel IS NOT NULL AND w.prefLabel IS NOT NULL AND f.prefLabel IS NOT NULL
RETURN s.caseLetter AS case, dim.identifier AS dimension, v1.verbatim AS from_value, v2.verbatim AS to_value,
       n.prefLabel AS nature, w.prefLabel AS what_modified, f.prefLabel AS fidelity
ORDER BY case, dim.columnOrder
