// title: Statements of fact without a source
// question: Is there any statement of fact in the graph that lacks a cited source with a locator? (Must return no rows.)
// columns: statement, class
// Classes are labels in Neo4j; PolicygraphTerm maps each label back to its class IRI (docs/neo4j-mapping.md).
MATCH (cls:Resource)-[:SUB_CLASS_OF*0..]->(:Resource {uri: 'https://w3id.org/policygraph/ontology#SourcedStatement'})
WITH DISTINCT cls
MATCH (term:PolicygraphTerm {kind: 'label', iri: cls.uri})
MATCH (statement:Resource)
WHERE term.name IN labels(statement)
  AND NOT EXISTS {
    MATCH (statement)-[:EVIDENCE]->(ev:Resource)-[:SOURCE]->(:Source)
    WHERE size(ev.locator) > 0
  }
RETURN statement.uri AS statement, cls.uri AS class
ORDER BY statement
