"""A small generated national programme (seconds, in CI): activity aggregated with disclosure control,
deterministic, and analytics working on it. The full-scale run is bench/generate_national.py."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyoxigraph
import pytest
from support import generator, run_cli

from policygraph.app.build import BuildSummary, build
from policygraph.app.read.overview import read_overview
from policygraph.app.read.tables import known_cells, overview_of, run_trace
from policygraph.app.release import Release
from policygraph.graph.oxigraph_store import OxigraphStore

COUNTS = """PREFIX pg: <https://w3id.org/policygraph/ontology#>
SELECT ?n WHERE { ?o a pg:ActivityObservation ; pg:clientCount ?n }"""


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("national") / "prog"
    generator.generate(folder, services=4, clients=6000, seed=7, drift=0.08, missing=0.02)
    return folder


@pytest.fixture(scope="module")
def national_build(programme: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    build_dir = tmp_path_factory.mktemp("natbuild")
    summary = build(programme, build_dir)
    assert summary.activity is not None and summary.activity.rows_used == 6000
    return build_dir


def test_generator_is_deterministic_and_labelled_synthetic(programme: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generator.generate(again, services=4, clients=6000, seed=7, drift=0.08, missing=0.02)
    for name in ("configurations.csv", "activity.csv", "services.yaml", "programme.yaml"):
        assert (again / name).read_bytes() == (programme / name).read_bytes(), name
    assert "SYNTHETIC" in (programme / "programme.yaml").read_text()
    rows = list(csv.DictReader((programme / "configurations.csv").open()))
    assert {r["source"] for r in rows} == {"SYN"}
    assert len(rows) == 4 * 36 * 8


def test_no_client_row_enters_the_graph(programme: Path, national_build: Path) -> None:
    refs = {r["client_ref"] for r in csv.DictReader((programme / "activity.csv").open())}
    text = (national_build / "graph.nt").read_text()
    assert not [ref for ref in list(refs)[:500] if f'"{ref}"' in text or f"/{ref}>" in text]


def test_no_small_count_is_published(national_build: Path) -> None:
    store = OxigraphStore(Release.current(national_build).store_dir)
    counts = [int(row[0] or 0) for row in store.run(COUNTS, max_rows=10**7).rows]
    assert counts
    assert not [n for n in counts if 1 <= n <= 4]


def test_manifest_reports_the_activity_and_build_is_deterministic(programme: Path, national_build: Path,
                                                                 tmp_path: Path) -> None:
    manifest = json.loads((national_build / "manifest.json").read_text())
    assert manifest["activity"]["rows_used"] == 6000
    assert manifest["activity"]["suppressed_primary"] > 0
    build(programme, tmp_path)
    assert (tmp_path / "graph.nt").read_bytes() == (national_build / "graph.nt").read_bytes()


def test_graph_files_and_store_hold_the_same_graph(national_build: Path) -> None:
    # Two parts (curated + activity cube), each loaded and turned into Turtle as soon as it was written:
    # graph.nt is both parts, graph.ttl their Turtle one after the other, the store both.
    nt = {q.triple for q in pyoxigraph.parse(path=str(national_build / "graph.nt"),
                                             format=pyoxigraph.RdfFormat.N_TRIPLES)}
    ttl = {q.triple for q in pyoxigraph.parse(path=str(national_build / "graph.ttl"),
                                              format=pyoxigraph.RdfFormat.TURTLE)}
    store = pyoxigraph.Store.read_only(str(Release.current(national_build).store_dir))
    assert ttl == nt
    in_store = {q.triple for q in store}
    # A store names blank nodes anew and keeps numbers by value (0.0 may come back as 0): compare the
    # links between named nodes exactly, and the count of all.
    def links(triples: set[pyoxigraph.Triple]) -> set[pyoxigraph.Triple]:
        named = pyoxigraph.NamedNode
        return {t for t in triples if isinstance(t.subject, named) and isinstance(t.object, named)}

    assert links(in_store) == links(nt)
    assert len(in_store) == len(nt)
    manifest = json.loads((national_build / "manifest.json").read_text())
    assert manifest["triples"] == len(nt) > manifest["core_triples"]
    assert not [p.name for p in national_build.resolve().joinpath("current").iterdir() if p.suffix == ".ttl"
                and p.name != "graph.ttl"], "a part's Turtle was left in the release"


def test_analytics_and_named_queries_work_on_it(national_build: Path) -> None:
    result = run_trace(Release.current(national_build), "target-disadvantaged-first", service="S001")
    assert result.paths
    drift = run_cli("drift", "--format", "json", build_dir=national_build)
    assert drift.returncode == 0, drift.stderr
    assert len(json.loads(drift.stdout)["rows"]) == 4 * 36
    table = run_cli("query", "configuration-table", "--param", "service=S002", "--format", "json",
                    build_dir=national_build)
    assert table.returncode == 0, table.stderr
    rows = json.loads(table.stdout)["rows"]
    assert len(rows) == 36 * 8  # every period, every dimension of the programme's own vocabulary
    assert [r["dimension"] for r in rows[:8]] == ["providers", "funding", "senior-buy-in", "primary-referral-sources",
                                                  "health-trainers", "targeting", "formal-pm-system", "interaction"]
    # The programme has no Table 2 of its own: the Health Trainers query is not offered to it.
    assert run_cli("query", "table2", build_dir=national_build).returncode == 2


def test_bad_activity_rows_strict_fails_lenient_skips(programme: Path, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "prog"
    shutil.copytree(programme, folder)
    with (folder / "activity.csv").open("a") as handle:
        handle.write("cX,S001,2009-Q5,gp-referral,1,25-34,female,diet,yes,fully\n")
    build_dir = tmp_path / "build"
    assert run_cli("build", "--data", str(folder), build_dir=build_dir).returncode == 0
    before = (build_dir / "graph.nt").read_bytes()
    strict = run_cli("build", "--strict", "--data", str(folder), build_dir=build_dir)
    assert strict.returncode == 2
    assert "6002" in strict.stderr  # the bad row's line number
    assert (build_dir / "graph.nt").read_bytes() == before
    lenient = run_cli("build", "--data", str(folder), build_dir=build_dir)
    assert lenient.returncode == 0
    assert "1 skipped" in lenient.stdout


@pytest.mark.parametrize("which", ["case", "national"])
def test_the_build_stores_the_overview_the_explorer_would_compute(
        which: str, case_build: tuple[Path, BuildSummary], national_build: Path) -> None:
    # The build computes the Overview from its own model (context graph + cells from the records); the
    # explorer, when nothing is stored, from the parsed graph. They must be the same tables.
    build_dir = case_build[0] if which == "case" else national_build
    release = Release.current(build_dir)
    stored = read_overview(release.overview_file)
    assert stored is not None, "the build did not store the explorer's Overview"
    computed = overview_of(release.model(), known_cells(release.model()), release.programme)
    assert stored == computed
    assert len(computed.coverage.rows) == len(computed.services.rows) > 0
