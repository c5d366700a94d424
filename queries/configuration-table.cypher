// title: Configuration table: every service's value on each of the programme's dimensions, period by period
// question: What did each service look like in each period, dimension by dimension (in the order the programme's vocabulary gives), and which values are unknown?
// param: service string optional  Restrict to one service by its identifier
// columns: service, period, dimension, header, value, status
// The service first (one when $service is given; its configurations found by their relationship type),
// the rest from its configurations only (the collect stops the planner from starting elsewhere).
MATCH (c:Resource)-[:CONFIGURATION_OF]->(svc:Resource)
WHERE svc.identifier IS NOT NULL AND ($service IS NULL OR svc.identifier = $service)
WITH svc, collect(c) AS configurations
UNWIND configurations AS conf
MATCH (conf:ServiceConfiguration)-[:DURING_PERIOD]->(p:Resource),
      (conf)-[:HAS_VALUE]->(v:Resource)-[:ON_DIMENSION]->(dim:Resource), (v)-[:STATUS]->(st:Resource)
WHERE p.identifier IS NOT NULL AND p.periodOrder IS NOT NULL
  AND dim.identifier IS NOT NULL AND dim.columnHeader IS NOT NULL AND dim.columnOrder IS NOT NULL
WITH svc, p, dim, st.uri = 'https://w3id.org/policygraph/ontology#known' AS known, v
RETURN svc.identifier AS service, p.identifier AS period, dim.identifier AS dimension,
       dim.columnHeader AS header,
       CASE WHEN known THEN coalesce(v.verbatim, 'unknown') ELSE 'unknown' END AS value,
       CASE WHEN known THEN 'known' ELSE 'unknown' END AS status
ORDER BY service, p.periodOrder, dim.columnOrder
