// title: Findings about a node
// question: What do the sources find and conclude, how was the study done, and how does the programme work, about this node (or about anything, without one)?
// param: about iri optional  What the findings concern: the programme's IRI, or kind/id within the programme (e.g. service/B, dimension/funding)
// columns: finding, kind, label, statement, about, source, locator
MATCH (f:Finding)-[:ABOUT]->(a:Resource)
WHERE $about IS NULL OR a.uri = $about
MATCH (f)-[:FINDING_KIND]->(k:Resource), (f)-[:EVIDENCE]->(ev:Resource)-[:SOURCE]->(src:Resource)
WITH DISTINCT f, a, k, ev, src
RETURN f.identifier AS finding, k.notation AS kind, f.label AS label, f.description AS statement, a.uri AS about,
       src.identifier AS source, ev.locator AS locator
ORDER BY kind, finding, about, source, locator
