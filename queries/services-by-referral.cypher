// title: Services by primary referral source and period
// question: In each period, which services drew their clients mainly from each referral source (self/community, GP, CVD risk assessment, ...), and where is it unknown?
// param: period string optional  Restrict to one period by its id (e.g. follow-up)
// columns: referral_source, period, services, cases
// Two ways in, one per case: with $period, from that period's configurations (found by their relationship
// type; the collect stops the planner from starting elsewhere); without, from the dimension's values.
CALL () {
  WITH $period AS wanted WHERE wanted IS NOT NULL
  MATCH (x:Resource)-[:DURING_PERIOD]->(p:Resource) WHERE p.identifier = wanted
  WITH p, collect(x) AS configurations
  UNWIND configurations AS conf
  MATCH (conf)-[:HAS_VALUE]->(v:Resource)-[:ON_DIMENSION]->(d:Resource)
  WHERE d.uri = 'https://w3id.org/policygraph/vocab/dimension/primary-referral-sources'
  RETURN conf, p, v
  UNION ALL
  WITH $period AS wanted WHERE wanted IS NULL
  MATCH (conf:Resource)-[:HAS_VALUE]->(v:Resource)-[:ON_DIMENSION]->
          (:Resource {uri: 'https://w3id.org/policygraph/vocab/dimension/primary-referral-sources'}),
        (conf)-[:DURING_PERIOD]->(p:Resource)
  RETURN conf, p, v
}
MATCH (conf:ServiceConfiguration)-[:CONFIGURATION_OF]->(service:Resource), (v)-[:STATUS]->(st:Resource)
WHERE service.caseLetter IS NOT NULL AND p.identifier IS NOT NULL AND p.periodOrder IS NOT NULL
CALL (v) {
  OPTIONAL MATCH (v)-[:CODED_AS]->(c:Resource)
  RETURN collect(c.prefLabel) AS coded
}
UNWIND CASE st.uri
         WHEN 'https://w3id.org/policygraph/ontology#known' THEN coded
         WHEN 'https://w3id.org/policygraph/ontology#unknown' THEN ['unknown']
         ELSE [] END AS referral_source
WITH referral_source, p, service ORDER BY service.caseLetter
WITH referral_source, p.identifier AS period, p.periodOrder AS period_order,
     count(DISTINCT service) AS services, collect(DISTINCT service.caseLetter) AS cases
RETURN referral_source, period, services, reduce(s = head(cases), x IN tail(cases) | s + ' | ' + x) AS cases
ORDER BY period_order, referral_source
