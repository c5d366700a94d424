"""Query: named queries with parameters, and read-only, bounded ad-hoc SPARQL."""

import streamlit as st

from policygraph.app.explorer.common import require_release, result_table
from policygraph.app.explorer.permalink import one_of, restore, share
from policygraph.app.read.queries import neo4j_configured, run_cypher, run_named, run_sparql
from policygraph.graph.cypher_guard import CypherFailed, CypherTimeout, RefusedCypher
from policygraph.graph.neo4j_store import Neo4jUnavailable
from policygraph.graph.sparql_guard import QueryFailed, QueryTimeout, RefusedQuery
from policygraph.queries import BadParameters

release = require_release()
st.title("Query")
cypher_ready = neo4j_configured(release) is not None
named, adhoc, cypher = st.tabs(["Named queries", "SPARQL", "Cypher"])
with named:
    queries = release.queries()
    restore("query", "query-name", one_of(sorted(queries)), min(queries))
    name = st.selectbox("Query", sorted(queries), format_func=lambda n: f"{n}: {queries[n].title}", key="query-name")
    chosen = queries[name]
    share("query", {"query": name})
    st.caption(chosen.question)
    params = {p.name: st.text_input(f"{p.name} ({p.type}{'' if p.required else ', optional'})", key=f"param-{name}-"
                                    f"{p.name}", help=p.description) for p in chosen.params}
    engines = ["sparql", "cypher"] if cypher_ready and "cypher" in chosen.texts else ["sparql"]
    engine = st.radio("Engine", engines, horizontal=True, key="query-engine")
    if st.button("Run", key="query-run"):
        try:
            result = run_named(release, name, {k: v for k, v in params.items() if v}, engine=engine)
        except (BadParameters, Neo4jUnavailable) as exc:
            st.error(str(exc))
        else:
            result_table(result, f"{name}.csv", "query")
with adhoc:
    text = st.text_area("SPARQL (read-only; 30 s and 10,000 rows at most)",
                        "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 20",
                        key="sparql-text", height=160)
    if st.button("Run SPARQL", key="sparql-run"):
        try:
            result = run_sparql(release, text, timeout_s=30, max_rows=10_000)
        except (RefusedQuery, QueryTimeout, QueryFailed) as exc:
            st.error(str(exc))
        else:
            result_table(result, "sparql.csv", "sparql")
with cypher:
    if not cypher_ready:
        st.info("Neo4j is not configured: set NEO4J_URI (and NEO4J_USER / NEO4J_PASSWORD), or run "
                "`policygraph neo4j start` and `policygraph load neo4j`.")
    cypher_text = st.text_area("Cypher (read-only; 30 s and 10,000 rows at most)",
                               "MATCH (s:Service) RETURN s.identifier AS service, s.label AS label ORDER BY service",
                               key="cypher-text", height=160, disabled=not cypher_ready)
    if st.button("Run Cypher", key="cypher-run", disabled=not cypher_ready):
        try:
            result = run_cypher(release, cypher_text)
        except (RefusedCypher, CypherTimeout, CypherFailed, Neo4jUnavailable) as exc:
            st.error(str(exc))
        else:
            result_table(result, "cypher.csv", "cypher")
