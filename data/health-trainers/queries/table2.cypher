// title: Table 2 regenerated from the graph
// question: What did each case-study service look like at start-up and at follow-up, cell by cell, as the paper's Table 2 reports it?
// param: case string optional  Restrict to one case letter (e.g. D)
// columns: case, description, period, providers, funding, senior_buy_in, primary_referral_sources, health_trainers, targeting, formal_pm_system, ht_user_interaction
WITH 'https://w3id.org/policygraph/vocab/dimension/' AS dim
// The service first (one when $case is given; its configurations found by their relationship type),
// the rest from its configurations only (the collect stops the planner from starting elsewhere).
MATCH (c:Resource)-[:CONFIGURATION_OF]->(service:Resource)
WHERE service.caseLetter IS NOT NULL AND ($case IS NULL OR service.caseLetter = $case)
WITH dim, service, collect(c) AS configurations
UNWIND configurations AS conf
MATCH (conf:ServiceConfiguration)-[:DURING_PERIOD]->(p:Resource)
WHERE p.label IS NOT NULL AND p.periodOrder IS NOT NULL
OPTIONAL MATCH (conf)-[:HAS_VALUE]->(v:Resource)-[:ON_DIMENSION]->(d:Resource)
WHERE v.verbatim IS NOT NULL
WITH dim, conf, service, p, collect([d.uri, v.verbatim]) AS cells
RETURN service.caseLetter AS case,
       coalesce(service.verbatim, 'unknown') AS description,
       p.label AS period,
       coalesce(head([c IN cells WHERE c[0] = dim + 'providers' | c[1]]), 'unknown') AS providers,
       coalesce(head([c IN cells WHERE c[0] = dim + 'funding' | c[1]]), 'unknown') AS funding,
       coalesce(head([c IN cells WHERE c[0] = dim + 'senior-buy-in' | c[1]]), 'unknown') AS senior_buy_in,
       coalesce(head([c IN cells WHERE c[0] = dim + 'primary-referral-sources' | c[1]]), 'unknown')
         AS primary_referral_sources,
       coalesce(head([c IN cells WHERE c[0] = dim + 'health-trainers' | c[1]]), 'unknown') AS health_trainers,
       coalesce(head([c IN cells WHERE c[0] = dim + 'targeting' | c[1]]), 'unknown') AS targeting,
       coalesce(head([c IN cells WHERE c[0] = dim + 'formal-pm-system' | c[1]]), 'unknown') AS formal_pm_system,
       coalesce(head([c IN cells WHERE c[0] = dim + 'interaction' | c[1]]), 'unknown') AS ht_user_interaction
ORDER BY case, p.periodOrder
