// title: Table 2 regenerated from the graph
// question: What did each case-study service look like at start-up and at follow-up, cell by cell, as the paper's Table 2 reports it?
// param: service string optional  Restrict to one service (a case study) by its letter (e.g. D)
// columns: service, description, period, providers, funding, senior_buy_in, primary_referral_sources, health_trainers, targeting, formal_pm_system, ht_user_interaction
WITH 'https://w3id.org/policygraph/id/health-trainers/dimension/' AS dim
// The service first (one when $service is given; its configurations found by their relationship type),
// the rest from its configurations only (the collect stops the planner from starting elsewhere).
MATCH (c:Resource)-[:CONFIGURATION_OF]->(svc:Resource)
WHERE svc.identifier IS NOT NULL AND ($service IS NULL OR svc.identifier = $service)
WITH dim, svc, collect(c) AS configurations
UNWIND configurations AS conf
MATCH (conf:ServiceConfiguration)-[:DURING_PERIOD]->(p:Resource)
WHERE p.label IS NOT NULL AND p.periodOrder IS NOT NULL
OPTIONAL MATCH (conf)-[:HAS_VALUE]->(v:Resource)-[:ON_DIMENSION]->(d:Resource)
WHERE v.verbatim IS NOT NULL
WITH dim, conf, svc, p, collect([d.uri, v.verbatim]) AS cells
RETURN svc.identifier AS service,
       coalesce(svc.verbatim, 'unknown') AS description,
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
ORDER BY service, p.periodOrder
