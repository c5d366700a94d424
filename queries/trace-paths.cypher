// title: From policy intent to delivered practice
// question: For each intent, what did it expect on each configuration dimension, and did each service's configuration in each period meet it (consistent), depart from it (departed), or is the value unknown?
// param: intent string optional  Restrict to one intent by its id (see `query intents`)
// param: service string optional  Restrict to one service by its identifier
// columns: intent, dimension, expected, service, period, value, coded_as, status
// The service first (one when $service is given; its configurations found by their relationship type), with
// each configuration's period; the collect stops the planner from starting elsewhere.
MATCH (c:Resource)-[:CONFIGURATION_OF]->(svc:Resource)
WHERE svc.identifier IS NOT NULL AND ($service IS NULL OR svc.identifier = $service)
WITH svc, collect(c) AS candidates
UNWIND candidates AS conf
MATCH (conf:ServiceConfiguration)-[:DURING_PERIOD]->(p:Resource)
WHERE p.label IS NOT NULL AND p.periodOrder IS NOT NULL
WITH collect([conf, svc, p]) AS configurations
// Then the expectations (one intent's when $intent is given), each with its expected concepts.
MATCH (i:PolicyIntent)-[:HAS_EXPECTATION]->(e:Resource)-[:ON_DIMENSION]->(dim:Resource)
WHERE i.identifier IS NOT NULL AND dim.identifier IS NOT NULL
  AND ($intent IS NULL OR i.identifier = $intent)
CALL (e) {
  MATCH (e)-[:EXPECTS_CONCEPT]->(c:Resource) WHERE c.prefLabel IS NOT NULL
  WITH DISTINCT c.uri AS concept, c.prefLabel AS label ORDER BY label
  RETURN collect(concept) AS expected_concepts, collect(DISTINCT label) AS expected_labels
}
WITH i, e, dim, expected_concepts, expected_labels, configurations WHERE size(expected_concepts) > 0
UNWIND configurations AS row
WITH i, dim, expected_concepts, expected_labels, row[0] AS conf, row[1] AS svc, row[2] AS p
// From the configuration to its few values, each tested for the dimension (the planner otherwise expands
// every value of the dimension, for every configuration).
OPTIONAL MATCH (conf)-[:HAS_VALUE]->(v:Resource)
WHERE EXISTS { (v)-[:ON_DIMENSION]->(dim) }
OPTIONAL MATCH (v)-[:STATUS]->(st:Resource)
CALL (v) {
  OPTIONAL MATCH (v)-[:CODED_AS]->(c:Resource)
  WITH c ORDER BY c.prefLabel
  RETURN [x IN collect(c) | x.uri] AS coded, [x IN collect(c) WHERE x.prefLabel IS NOT NULL | x.prefLabel] AS coded_labels
}
WITH i, dim, expected_concepts, expected_labels, svc, p, v,
     st IS NOT NULL AND st.uri = 'https://w3id.org/policygraph/ontology#known' AS known, coded, coded_labels
RETURN i.identifier AS intent, dim.identifier AS dimension,
       reduce(s = head(expected_labels), x IN tail(expected_labels) | s + ' | ' + x) AS expected,
       svc.identifier AS service, p.label AS period,
       CASE WHEN known THEN coalesce(v.verbatim, 'unknown') ELSE 'unknown' END AS value,
       CASE WHEN known AND size(coded_labels) > 0
            THEN reduce(s = head(coded_labels), x IN tail(coded_labels) | s + ' | ' + x) END AS coded_as,
       CASE WHEN NOT known THEN 'unknown'
            WHEN any(c IN coded WHERE NOT c IN expected_concepts) THEN 'departed'
            ELSE 'consistent' END AS status
ORDER BY intent, dimension, service, p.periodOrder
