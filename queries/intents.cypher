// title: Policy intents, their expectations and sources
// question: What did the policy documents intend, what does each intent expect of a service's configuration, and on what evidence?
// columns: intent, stated_in, dimension, expects, rationale, sources
MATCH (i:PolicyIntent)-[:HAS_EXPECTATION]->(e:Expectation)-[:ON_DIMENSION]->(d:Resource)
WHERE i.label IS NOT NULL AND e.rationale IS NOT NULL AND d.identifier IS NOT NULL
CALL (e) {
  MATCH (e)-[:EXPECTS_CONCEPT]->(c:Resource) WHERE c.prefLabel IS NOT NULL
  WITH DISTINCT c.prefLabel AS label ORDER BY label
  RETURN collect(label) AS concepts
}
CALL (i) {
  MATCH (i)-[:STATED_IN]->(doc:Resource) WHERE doc.label IS NOT NULL
  WITH DISTINCT doc.label AS title ORDER BY title
  RETURN collect(title) AS documents
}
CALL (e) {
  MATCH (e)-[:EVIDENCE]->(ev:Resource)-[:SOURCE]->(src:Resource)
  WHERE src.identifier IS NOT NULL AND ev.locator IS NOT NULL
  WITH DISTINCT src.identifier + ' (' + ev.locator + ')' AS cite ORDER BY cite
  RETURN collect(cite) AS cites
}
WITH i, e, d, concepts, documents, cites
WHERE size(concepts) > 0 AND size(documents) > 0 AND size(cites) > 0
RETURN i.label AS intent,
       reduce(s = head(documents), x IN tail(documents) | s + ' | ' + x) AS stated_in,
       d.identifier AS dimension,
       reduce(s = head(concepts), x IN tail(concepts) | s + ' | ' + x) AS expects,
       e.rationale AS rationale,
       reduce(s = head(cites), x IN tail(cites) | s + ' | ' + x) AS sources
ORDER BY intent, dimension
