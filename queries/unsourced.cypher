// title: Statements of fact without a source
// question: Is there any statement of fact in the graph that lacks a cited source with a locator? (Must return no rows.)
// columns: statement, class
// Classes are labels in Neo4j; PolicygraphTerm maps each label back to its class IRI (docs/neo4j-mapping.md).
// The classes' labels are collected first; every node is then tested against them once, and only the
// statements of those classes are checked for evidence.
MATCH (cls:Resource)-[:SUB_CLASS_OF*0..]->(:Resource {uri: 'https://w3id.org/policygraph/ontology#SourcedStatement'})
WITH DISTINCT cls
MATCH (term:PolicygraphTerm {kind: 'label', iri: cls.uri})
WITH collect({label: term.name, class: cls.uri}) AS classes
MATCH (statement:Resource)
WITH statement, [c IN classes WHERE c.label IN labels(statement) | c.class] AS its
WHERE size(its) > 0
UNWIND its AS class
WITH statement, class
WHERE NOT EXISTS {
    MATCH (statement)-[:EVIDENCE]->(ev:Resource)-[:SOURCE]->(:Source)
    WHERE size(ev.locator) > 0
  }
RETURN statement.uri AS statement, class
ORDER BY statement
