// title: Evidence behind a node
// question: Which sources, and where in them, support this statement?
// param: node iri required  The node's IRI (or kind/id within the programme, e.g. configuration/D/follow-up/targeting)
// columns: node, source, title, locator, quote, url
MATCH (n:Resource {uri: $node})-[:EVIDENCE]->(ev:Resource)-[:SOURCE]->(src:Resource)
WHERE ev.locator IS NOT NULL AND src.identifier IS NOT NULL AND src.title IS NOT NULL AND src.url IS NOT NULL
RETURN n.uri AS node, src.identifier AS source, src.title AS title, ev.locator AS locator, ev.quote AS quote, src.url AS url
ORDER BY source, locator
