"""Ad-hoc SPARQL is read-only and bounded; named queries take parameters, checked against their header."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO, run_cli

from policygraph.graph.sparql_guard import RefusedQuery, check_read_only
from policygraph.queries import all_queries, parse_header

WRITES = [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR ALL",
    "DROP GRAPH <urn:g>",
    "CREATE GRAPH <urn:g>",
    "WITH <urn:g> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
]


@pytest.mark.parametrize("text", WRITES)
def test_updates_are_refused(text: str) -> None:
    with pytest.raises(RefusedQuery, match="updates"):
        check_read_only(text)


def test_service_is_refused() -> None:
    with pytest.raises(RefusedQuery, match="SERVICE"):
        check_read_only("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")


def test_write_through_cli_exits_2_and_changes_nothing(build_dir: Path) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = run_cli("sparql", count, "--format", "csv", build_dir=build_dir).stdout
    result = run_cli("sparql", "DELETE WHERE { ?s ?p ?o }", build_dir=build_dir)
    assert result.returncode == 2
    assert "refused" in result.stderr and "read-only" in result.stderr
    assert run_cli("sparql", count, "--format", "csv", build_dir=build_dir).stdout == before


def test_syntax_error_is_bad_input(build_dir: Path) -> None:
    result = run_cli("sparql", "SELECT ?s WHERE { ?s ?p }}", build_dir=build_dir)
    assert result.returncode == 2
    assert "not valid SPARQL" in result.stderr


def test_runaway_query_is_stopped_at_the_time_limit(build_dir: Path) -> None:
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    result = run_cli("sparql", runaway, "--timeout", "1.5", build_dir=build_dir)
    assert result.returncode == 1
    assert "1.5 s limit" in result.stderr


def test_row_limit_truncates_with_a_note(build_dir: Path) -> None:
    result = run_cli("sparql", "SELECT ?s WHERE { ?s ?p ?o }", "--limit", "5", "--format", "json",
                     build_dir=build_dir)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert len(payload["rows"]) == 5 and payload["truncated"] is True
    assert "5-row limit" in result.stderr


def test_sparql_from_file_and_params(build_dir: Path, tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_text("PREFIX pg: <https://w3id.org/policygraph/ontology#>\n"
                     "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                     "SELECT ?service ?label WHERE { ?s pg:identifier ?service ; rdfs:label ?label }")
    result = run_cli("sparql", str(query), "--param", "service=C", "--format", "csv", build_dir=build_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["service,label", "C,Case study C"]


def test_the_console_declares_the_vocabularies_and_the_programme_s_kinds(build_dir: Path) -> None:
    query = ("SELECT ?label ?code WHERE { service:D rdfs:label ?label . "
             "configuration:D\\/follow-up\\/targeting pg:codedAs/skos:notation ?code }")
    result = run_cli("sparql", query, "--format", "csv", build_dir=build_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["label,code", "Case study D,universal"]
    own = run_cli("sparql", "PREFIX service: <https://example.org/> ASK { service:D ?p ?o }", build_dir=build_dir)
    assert own.stdout.split()[-3] == "false"  # the query's own PREFIX wins
    unknown = run_cli("sparql", "ASK { nosuch:D ?p ?o }", build_dir=build_dir)
    assert unknown.returncode == 2 and "the prefix `nosuch:` is not declared" in unknown.stderr


def test_no_build_is_a_clear_failure(tmp_path: Path) -> None:
    result = run_cli("query", "table2", build_dir=tmp_path / "empty")
    assert result.returncode == 1
    assert "run `policygraph build` first" in result.stderr


def test_query_list_names_every_query(build_dir: Path) -> None:
    result = run_cli("query", "--list", "--format", "csv", build_dir=build_dir)
    assert result.returncode == 0
    names = [line.split(",")[0] for line in result.stdout.splitlines()[1:]]
    # The shipped queries and the programme's own (Health Trainers adds the paper's Table 2).
    assert names == sorted([*all_queries(), "table2"])
    assert {"configuration-table", "adaptations", "intents", "evidence", "unsourced"} <= set(all_queries())


@pytest.mark.parametrize("name", sorted(all_queries()))
def test_every_named_query_has_a_complete_header(name: str) -> None:
    q = all_queries()[name]
    assert q.title and q.question.endswith("?") and q.columns
    assert "sparql" in q.texts


def test_header_parser_rejects_missing_fields() -> None:
    with pytest.raises(ValueError, match="columns"):
        parse_header("x", "# title: t\n# question: q?\nSELECT * WHERE {}")


def test_table2_param_restricts_rows(build_dir: Path) -> None:
    result = run_cli("query", "table2", "--param", "service=D", "--format", "json", build_dir=build_dir)
    rows = json.loads(result.stdout)["rows"]
    assert [(r["service"], r["period"]) for r in rows] == [("D", "Start-up"), ("D", "Follow-up")]


def test_trace_paths_case_param_gives_that_service_rows_of_the_whole_answer(build_dir: Path) -> None:
    def rows(*params: str) -> list[tuple[str, ...]]:
        result = run_cli("query", "trace-paths", *params, "--format", "json", build_dir=build_dir)
        assert result.returncode == 0, result.stderr
        # Sorted, and the ' | '-joined labels sorted too: SPARQL's GROUP_CONCAT has no defined order.
        return sorted(tuple(" | ".join(sorted((v or "").split(" | "))) for v in r.values())
                      for r in json.loads(result.stdout)["rows"])

    whole = rows()  # columns: intent, dimension, expected, case, ...
    for params, keep in [(("--param", "service=D"), lambda r: r[3] == "D"),
                         (("--param", "service=B", "--param", "intent=target-disadvantaged-first"),
                          lambda r: r[3] == "B" and r[0] == "target-disadvantaged-first")]:
        restricted = rows(*params)
        assert restricted  # both cases have configurations on the intents' dimensions
        assert restricted == [r for r in whole if keep(r)]
    assert rows("--param", "service=Z") == []


def test_unknown_and_missing_params_are_bad_input(build_dir: Path) -> None:
    unknown = run_cli("query", "table2", "--param", "site=D", build_dir=build_dir)
    assert unknown.returncode == 2 and "no parameter(s) site" in unknown.stderr
    missing = run_cli("query", "evidence", build_dir=build_dir)
    assert missing.returncode == 2 and "needs --param node=" in missing.stderr
    malformed = run_cli("query", "table2", "--param", "service", build_dir=build_dir)
    assert malformed.returncode == 2
    nosuch = run_cli("query", "nosuch", build_dir=build_dir)
    assert nosuch.returncode == 2 and "--list" in nosuch.stderr


def test_adaptations_show_d_departures(build_dir: Path) -> None:
    result = run_cli("query", "adaptations", "--param", "service=D", "--format", "json", build_dir=build_dir)
    rows = {r["dimension"]: r for r in json.loads(result.stdout)["rows"]}
    assert rows["targeting"]["from_value"] == "Resident of 20% most deprived local area"
    assert rows["targeting"]["to_value"] == "Universal"
    assert rows["targeting"]["change"] == "changed"
    assert rows["funding"]["change"] == "unchanged"
    e_rows = json.loads(run_cli("query", "adaptations", "--param", "service=E", "--format", "json",
                                build_dir=build_dir).stdout)["rows"]
    assert {r["change"] for r in e_rows} == {"unknown"}


def test_evidence_of_a_cell_names_table_row_and_column(build_dir: Path) -> None:
    result = run_cli("query", "evidence", "--param", "node=configuration/D/follow-up/targeting",
                     "--format", "json", build_dir=build_dir)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["rows"]
    assert rows == [{
        "node": "https://w3id.org/policygraph/id/health-trainers/configuration/D/follow-up/targeting",
        "source": "S4",
        "title": rows[0]["title"],
        "locator": "Table 2, row D follow-up, column 'Geographical/Population Service Targeting?'",
        "quote": "Universal",  # the cell as the source prints it
        "url": "https://pmc.ncbi.nlm.nih.gov/articles/PMC4266174/table/tbl2",
    }]


def test_intents_list_expectations_with_sources(build_dir: Path) -> None:
    rows = json.loads(run_cli("query", "intents", "--format", "json", build_dir=build_dir).stdout)["rows"]
    targeting = [r for r in rows if r["intent"] == "Target the most disadvantaged first"]
    assert len(targeting) == 1
    assert "Universal" not in targeting[0]["expects"]
    assert "Locally defined deprived areas" in targeting[0]["expects"]
    assert all(r["sources"] for r in rows)


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_formats(build_dir: Path, fmt: str) -> None:
    result = run_cli("query", "table2", "--param", "service=A", "--format", fmt, build_dir=build_dir)
    assert result.returncode == 0
    assert "Multiple TSOs" in result.stdout


def test_the_readme_command_table_is_the_cli_s() -> None:
    # Every command, with its options and the first line of its help, as the CLI has them now.
    result = subprocess.run([sys.executable, "-m", "policygraph.app.cli.commands", "--check", "README.md"], cwd=REPO,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    for command in ("neo4j start", "load neo4j", "cypher", "explore", "serve", "validate"):
        assert f"| `policygraph {command}" in (REPO / "README.md").read_text(encoding="utf-8")
