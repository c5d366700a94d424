// title: Drift table: fidelity and drift per service and period
// question: How faithful to the policy intents was each service in each period, how far had it drifted towards the programme's drift pole, and how much of it is known?
// param: service string optional  Restrict to one service by its identifier (e.g. A)
// columns: service, period, fidelity, fidelity_known, fidelity_dimensions, drift, drift_known, dimensions, sufficient
// The service first (one when $service is given; its measures found by their relationship type), the rest
// from its measures only (the collect stops the planner from starting elsewhere).
MATCH (x:Resource)-[:OF_SERVICE]->(s:Resource)
WHERE s.identifier IS NOT NULL AND ($service IS NULL OR s.identifier = $service)
WITH s, collect(x) AS measures
UNWIND measures AS m
MATCH (m:DriftMeasure)-[:DURING_PERIOD]->(p:Resource)
WHERE m.fidelityKnown IS NOT NULL AND m.fidelityDimensions IS NOT NULL AND m.driftKnown IS NOT NULL
  AND m.dimensionCount IS NOT NULL AND m.sufficientData IS NOT NULL
  AND p.identifier IS NOT NULL AND p.periodOrder IS NOT NULL
// xsd:boolean is a Neo4j boolean when canonical, else its lexical form (docs/neo4j-mapping.md)
// xsd:decimal keeps its exact lexical form here ("1.0"); the SPARQL side returns Oxigraph's canonical
// form ("1"), so the same canonical form is produced: drop trailing zeros, then a trailing dot.
WITH m, s, p, m.sufficientData IN [true, 'true', '1'] AS ok,
     [x IN [toString(m.fidelity), toString(m.drift)] |
        CASE WHEN x CONTAINS '.' THEN rtrim(rtrim(x, '0'), '.') ELSE x END] AS measures
RETURN s.identifier AS service, p.identifier AS period,
       CASE WHEN ok THEN measures[0] ELSE 'insufficient data' END AS fidelity,
       toString(m.fidelityKnown) AS fidelity_known,
       toString(m.fidelityDimensions) AS fidelity_dimensions,
       CASE WHEN ok THEN measures[1] ELSE 'insufficient data' END AS drift,
       toString(m.driftKnown) AS drift_known,
       toString(m.dimensionCount) AS dimensions,
       toString(m.sufficientData) AS sufficient
ORDER BY service, p.periodOrder
