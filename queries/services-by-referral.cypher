// title: Services by referral source and period
// question: In each period, which services drew their clients mainly from each referral source, and where is it unknown (the sources being the values of each dimension the programme's vocabulary flags as describing pathways)?
// param: period string optional  Restrict to one period by its id
// columns: referral_source, period, service_count, services
// Two ways in: with $period, from that period's configurations (found by their relationship type; the
// collect stops the planner from starting elsewhere); without, from the flagged dimensions' values.
CALL () {
  WITH $period AS wanted WHERE wanted IS NOT NULL
  MATCH (x:Resource)-[:DURING_PERIOD]->(p:Resource) WHERE p.identifier = wanted
  WITH p, collect(x) AS configurations
  UNWIND configurations AS conf
  MATCH (conf)-[:HAS_VALUE]->(v:Resource)-[:ON_DIMENSION]->(d:Dimension)
  WHERE d.describesPathways IN [true, 'true', '1']
  RETURN conf, p, v
  UNION ALL
  WITH $period AS wanted WHERE wanted IS NULL
  MATCH (d:Dimension) WHERE d.describesPathways IN [true, 'true', '1']
  MATCH (conf:Resource)-[:HAS_VALUE]->(v:Resource)-[:ON_DIMENSION]->(d), (conf)-[:DURING_PERIOD]->(p:Resource)
  RETURN conf, p, v
}
MATCH (conf:ServiceConfiguration)-[:CONFIGURATION_OF]->(svc:Resource), (v)-[:STATUS]->(st:Resource)
WHERE svc.identifier IS NOT NULL AND p.identifier IS NOT NULL AND p.periodOrder IS NOT NULL
CALL (v) {
  OPTIONAL MATCH (v)-[:CODED_AS]->(c:Resource)
  RETURN collect(c.prefLabel) AS coded
}
UNWIND CASE st.uri
         WHEN 'https://w3id.org/policygraph/ontology#known' THEN coded
         WHEN 'https://w3id.org/policygraph/ontology#unknown' THEN ['unknown']
         ELSE [] END AS referral_source
WITH referral_source, p, svc ORDER BY svc.identifier
WITH referral_source, p.identifier AS period, p.periodOrder AS period_order,
     count(DISTINCT svc) AS service_count, collect(DISTINCT svc.identifier) AS services
RETURN referral_source, period, service_count,
       reduce(s = head(services), x IN tail(services) | s + ' | ' + x) AS services
ORDER BY period_order, referral_source
