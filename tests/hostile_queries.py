"""Queries that attack the SPARQL consoles (CLI and endpoint) by their shape: the tests of both use them."""

from __future__ import annotations

NESTED = {
    "braces": "SELECT * WHERE " + "{" * 10_000 + " ?s ?p ?o " + "}" * 10_000,
    "parentheses": "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }",
    "blank-node brackets": "SELECT * WHERE { ?s ?p " + "[ ?p " * 10_000 + "?o" + " ]" * 10_000 + " }",
    "optional groups": "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o " * 3_000 + "}" * 3_000 + " }",
    "function calls": "SELECT * WHERE { ?s ?p ?o FILTER(" + "STR(" * 10_000 + "?o" + ")" * 10_000 + ") }",
}

BIG_QUERIES = {  # 830-870 KB each; rdflib alone parsed 50,000 UNIONs in 68 s, 60,000 ORs not in 120 s
    "60,000 OR terms": "SELECT * WHERE { ?s ?p ?o FILTER(" + " || ".join(f"?o = {i}" for i in range(60_000)) + ") }",
    "40,000 UNIONs": "SELECT * WHERE { " + " UNION ".join(f"{{ ?s ?p {i} }}" for i in range(40_000)) + " }",
}

MEMORY_HUNGRY = {
    "ORDER BY a cartesian product": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1",
    "DISTINCT over a cartesian product":
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?a ?c ?d ?f WHERE { ?a ?b ?c . ?d ?e ?f } }",
    "ORDER BY DESC with an OFFSET": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY DESC(?c) LIMIT 1 OFFSET 10",
}
