// title: Drift table: fidelity and medicalisation per service and period
// question: How faithful to the policy intents and how medicalised was each service in each period, and how much of it is known?
// param: case string optional  Restrict to one case letter (e.g. A)
// columns: case, period, fidelity, fidelity_known, fidelity_dimensions, medicalisation, medicalisation_known, dimensions, sufficient
// The service first (one when $case is given; its measures found by their relationship type), the rest
// from its measures only (the collect stops the planner from starting elsewhere).
MATCH (x:Resource)-[:OF_SERVICE]->(s:Resource)
WHERE s.caseLetter IS NOT NULL AND ($case IS NULL OR s.caseLetter = $case)
WITH s, collect(x) AS measures
UNWIND measures AS m
MATCH (m:DriftMeasure)-[:DURING_PERIOD]->(p:Resource)
WHERE m.fidelityKnown IS NOT NULL AND m.fidelityDimensions IS NOT NULL AND m.medicalisationKnown IS NOT NULL
  AND m.dimensionCount IS NOT NULL AND m.sufficientData IS NOT NULL
  AND p.identifier IS NOT NULL AND p.periodOrder IS NOT NULL
// xsd:boolean is a Neo4j boolean when canonical, else its lexical form (docs/neo4j-mapping.md)
// xsd:decimal keeps its exact lexical form here ("1.0"); the SPARQL side returns Oxigraph's canonical
// form ("1"), so the same canonical form is produced: drop trailing zeros, then a trailing dot.
WITH m, s, p, m.sufficientData IN [true, 'true', '1'] AS ok,
     [x IN [toString(m.fidelity), toString(m.medicalisation)] |
        CASE WHEN x CONTAINS '.' THEN rtrim(rtrim(x, '0'), '.') ELSE x END] AS measures
RETURN s.caseLetter AS case, p.identifier AS period,
       CASE WHEN ok THEN measures[0] ELSE 'insufficient data' END AS fidelity,
       toString(m.fidelityKnown) AS fidelity_known,
       toString(m.fidelityDimensions) AS fidelity_dimensions,
       CASE WHEN ok THEN measures[1] ELSE 'insufficient data' END AS medicalisation,
       toString(m.medicalisationKnown) AS medicalisation_known,
       toString(m.dimensionCount) AS dimensions,
       toString(m.sufficientData) AS sufficient
ORDER BY case, p.periodOrder
