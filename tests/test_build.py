"""The build: reproduces Table 2, sources every statement, swaps releases atomically."""

from __future__ import annotations

import csv
import io
import json
import logging
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from support import CASE, REPO, canonical_ntriples, run_cli

from policygraph.app.build import BuildSummary, build, pipeline, statements
from policygraph.app.release import Release
from policygraph.ingest.errors import IngestError

FACTS = REPO.parent / "shared" / "reference" / "health-trainers-facts.md"
GOLDEN = REPO / "tests" / "golden" / "table2.csv"


def test_table2_reproduced_from_the_graph(build_dir: Path) -> None:
    result = run_cli("query", "table2", "--format", "csv", build_dir=build_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout == GOLDEN.read_text(encoding="utf-8")


def test_table2_cells_are_verbatim_and_unknowns_explicit(build_dir: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run_cli("query", "table2", "--format", "csv",
                                                   build_dir=build_dir).stdout)))
    assert len(rows) == 12
    known = [v for r in rows if r["service"] in "ABCD" for v in r.values()]
    assert len(known) == 8 * 11 and "unknown" not in known  # 80 table cells + case letters
    e_start = next(r for r in rows if r["service"] == "E" and r["period"] == "Start-up")
    assert e_start["providers"] == "PCT"
    assert e_start["description"] == "Serving a large town from early 2006"
    assert [e_start[c] for c in list(e_start)[4:]] == ["unknown"] * 7
    assert all(v == "unknown" for r in rows if r["service"] == "F"
               for k, v in r.items() if k not in ("service", "period"))
    d_follow = next(r for r in rows if r["service"] == "D" and r["period"] == "Follow-up")
    assert d_follow["targeting"] == "Universal"
    assert d_follow["primary_referral_sources"] == "GP referrals"


@pytest.mark.skipif(not FACTS.exists(), reason="shared/reference not beside this checkout")
def test_golden_is_made_from_the_facts_file() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("golden", REPO / "tests" / "golden" / "table2_from_facts.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.table2_csv(FACTS.read_text(encoding="utf-8")) == GOLDEN.read_text(encoding="utf-8")


def test_no_unsourced_statements(build_dir: Path) -> None:
    result = run_cli("query", "unsourced", "--format", "json", build_dir=build_dir)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rows"] == []


def test_unsourced_query_finds_a_statement_without_evidence(tmp_path: Path, case_graph: Graph) -> None:
    from rdflib import URIRef

    from policygraph.app.read.queries import run_named
    from policygraph.ontology import PG

    broken = Graph()
    value = URIRef("https://w3id.org/policygraph/id/health-trainers/configuration/D/follow-up/targeting")
    for triple in case_graph:
        if not (triple[0] == value and triple[1] == PG.evidence):
            broken.add(triple)
    nt = tmp_path / "g.nt"
    nt.write_text(canonical_ntriples(broken))
    (tmp_path / "b").mkdir()
    from policygraph.graph.oxigraph_store import bulk_load

    bulk_load(tmp_path / "b" / "store", nt)
    (tmp_path / "b" / "manifest.json").write_text(json.dumps({"programme": "health-trainers"}))
    result = run_named(Release.current(tmp_path / "b"), "unsourced", {})
    assert [r[0] for r in result.rows] == [str(value)]


def test_gp_referral_shift_answerable_in_sparql(build_dir: Path) -> None:
    """Which services moved to GP referral as a primary source between start-up and follow-up?"""
    query = """
    PREFIX pg: <https://w3id.org/policygraph/ontology#>
    PREFIX dim: <https://w3id.org/policygraph/id/health-trainers/dimension/>
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    PREFIX rs: <https://w3id.org/policygraph/id/health-trainers/concept/primary-referral-sources/>
    SELECT DISTINCT ?case WHERE {
      ?after pg:configurationOf ?s ; pg:duringPeriod/pg:identifier "follow-up" ;
             pg:hasValue [ pg:onDimension dim:primary-referral-sources ; pg:codedAs ?gp ] .
      ?gp skos:broader* rs:gp-referral .
      ?before pg:configurationOf ?s ; pg:duringPeriod/pg:identifier "start-up" ;
              pg:hasValue [ pg:onDimension dim:primary-referral-sources ; pg:status pg:known ] .
      FILTER NOT EXISTS { ?before pg:hasValue [ pg:codedAs ?g2 ] . ?g2 skos:broader* rs:gp-referral }
      ?s pg:identifier ?case
    } ORDER BY ?case"""
    result = run_cli("sparql", query, "--format", "csv", build_dir=build_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["case", "B", "D"]


def test_build_outputs_parse_and_match(case_build: tuple[Path, BuildSummary], case_graph: Graph) -> None:
    build_dir, summary = case_build
    ttl = Graph().parse(build_dir / "graph.ttl", format="turtle")
    nt = Graph().parse(build_dir / "graph.nt", format="nt")
    assert isomorphic(ttl, case_graph)
    assert isomorphic(nt, case_graph)
    manifest = json.loads((build_dir / "manifest.json").read_text())
    assert manifest["triples"] == len(case_graph) == summary.triples
    assert manifest["counts"]["ConfigurationValue"] == 96


def test_build_is_deterministic(tmp_path: Path, build_dir: Path) -> None:
    build(CASE, tmp_path)
    assert (tmp_path / "graph.nt").read_bytes() == (build_dir / "graph.nt").read_bytes()


def _tree(root: Path) -> dict[str, str]:
    out = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_symlink():
            out[rel] = "-> " + str(path.readlink())
        elif path.is_file():
            out[rel] = path.read_bytes().hex()
    return out


def test_failed_store_load_keeps_previous_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(CASE, tmp_path)
    before = _tree(tmp_path)

    def broken_load(store_dir: Path, ntriples: Path) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pipeline, "bulk_load_each", broken_load)
    with pytest.raises(OSError, match="No space left"):
        build(CASE, tmp_path)
    assert _tree(tmp_path) == before
    assert not list(tmp_path.glob(".staging-*"))


def test_shacl_violation_found_while_the_store_loads_keeps_previous_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    # core.nt goes to the store before SHACL has checked it; a violation must still fail the whole build.
    build(CASE, tmp_path)
    before = _tree(tmp_path)
    monkeypatch.setattr(statements, "shacl_violations", lambda graph: ["a Service without a label"])
    with caplog.at_level(logging.INFO, logger="policygraph.graph.oxigraph_store"), pytest.raises(IngestError) as caught:
        build(CASE, tmp_path)
    assert "bulk-loading core.nt" in caplog.text, "the store did not start on core.nt before SHACL ended"
    assert [p.message for p in caught.value.problems] == ["SHACL: a Service without a label"]
    assert _tree(tmp_path) == before
    assert not list(tmp_path.glob(".staging-*"))


def test_rebuild_swaps_release_and_keeps_one_previous(tmp_path: Path) -> None:
    first = build(CASE, tmp_path).release
    second = build(CASE, tmp_path).release
    third = build(CASE, tmp_path).release
    assert (tmp_path / "current").resolve() == third
    assert second.exists() and not first.exists()
    assert (tmp_path / "store").resolve() == third / "store"


def test_validate_touches_nothing(tmp_path: Path) -> None:
    result = run_cli("validate", "--data", str(CASE), build_dir=tmp_path / "never")
    assert result.returncode == 0, result.stderr
    assert "health-trainers: valid" in result.stdout
    assert not (tmp_path / "never").exists()


def test_build_cli_prints_summary(tmp_path: Path) -> None:
    result = run_cli("build", build_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "built health-trainers" in result.stdout
    assert "ConfigurationValue" in result.stdout


def test_missing_data_folder_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="not a folder"):
        build(tmp_path / "nope", tmp_path / "b")
    result = run_cli("build", "--data", str(tmp_path / "nope"), build_dir=tmp_path / "b")
    assert result.returncode == 2
    assert "not a folder" in result.stderr


def test_configuration_table_over_its_size_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from policygraph.ingest import csv_source

    data = tmp_path / "data"
    shutil.copytree(CASE, data)
    monkeypatch.setattr(csv_source, "MAX_CSV_BYTES", 1000)
    with pytest.raises(IngestError, match="over the 1000-byte limit"):
        statements.validate_folder(data)
