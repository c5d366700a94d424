"""A programme's own named queries (`<programme>/queries/`): each problem is refused by `validate` and `build`
with the file, why and the fix (exit 2), and a good one is offered next to the shipped queries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import REPO, copy_programme, run_cli

PANTRIES = REPO / "tests" / "programmes" / "community-pantries"
GOOD = ("# title: Pantries by start\n# question: When did each pantry start?\n"
        "# param: service string optional  One pantry by its identifier (e.g. P1)\n# columns: service, started\n"
        "PREFIX pg: <https://w3id.org/policygraph/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?service ?started WHERE { ?s pg:identifier ?service ; pg:startedIn/rdfs:label ?started }\n")


def _folder(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = copy_programme(PANTRIES, tmp_path)
    (folder / "queries").mkdir()
    for name, text in files.items():
        (folder / "queries" / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(("files", "named", "message", "fix"), [
    ({"starts.rq": GOOD.replace("SELECT ?service ?started", "SELECT ?started")}, "starts.rq:1",
     "parameter 'service' is not a variable the query returns",
     "add ?service to the variables it returns (the SELECT line)"),
    ({"starts.rq": GOOD.replace("# columns: service, started\n", "")}, "starts.rq:1",
     "header lacks '# columns:'", "start the file with '# title:'"),
    ({"starts.rq": GOOD.replace("WHERE {", "WHERE")}, "starts.rq", "SPARQL syntax", "correct the query"),
    ({"drift.rq": GOOD}, "drift.rq", "'drift' is the name of a shipped query", "rename the file"),
    ({"starts.cypher": "MATCH (n) RETURN n"}, "starts.cypher", "a Cypher query without its SPARQL version",
     "add starts.rq"),
    ({"notes.txt": "to do"}, "notes.txt", "not a named query file", "rename it to <name>.rq"),
])
def test_a_bad_programme_query_is_refused_with_file_and_fix(tmp_path: Path, files: dict[str, str], named: str,
                                                            message: str, fix: str) -> None:
    folder = _folder(tmp_path, files)
    result = run_cli("validate", "--data", str(folder))
    assert result.returncode == 2, result.stderr
    assert named in result.stderr and message in result.stderr and fix in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_good_programme_query_runs_with_its_parameter(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"starts.rq": GOOD})
    build_dir = tmp_path / "build"
    built = run_cli("--build-dir", str(build_dir), "build", "--data", str(folder))
    assert built.returncode == 0, built.stderr
    answer = run_cli("query", "starts", "--param", "service=P1", "--format", "json", build_dir=build_dir)
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout)["rows"] == [{"service": "P1", "started": "2021"}]
