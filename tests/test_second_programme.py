"""A second, made-up programme (tests/programmes/community-pantries) through every command of the real CLI:
nothing in the tool is specific to the first programme. Its own seven dimensions, its own axis (statutory <->
mutual-aid) and drift measure (statutorisation), its own words (pantry, pantries), three periods and a pantry
whose every cell is unknown; no output carries a Health Trainers word, and every locator in the graph is one
the records hold."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from pptx import Presentation
from second_programme import (
    PANTRIES,
    PERIODS,
    SERVICES,
    TITLE,
    UNKNOWN_SERVICE,
    build_pantries,
    concept_labels,
    configuration_rows,
    dimensions,
    first_programme_words,
    record_locators,
)
from support import run_cli

from policygraph.app.read.tables import overview
from policygraph.app.release import Release

GENERIC_QUERIES = {"adaptations", "configuration-table", "drift", "evidence", "findings", "frame-adaptations",
                   "intents", "services-by-referral", "trace-paths", "unsourced"}


@pytest.fixture(scope="module")
def pantries(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_pantries(tmp_path_factory.mktemp("pantries") / "build")


def cli(build: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a command on the pantries build: it succeeds, and says nothing of the first programme."""
    done = run_cli(*args, build_dir=build)
    assert done.returncode == 0, done.stderr
    assert first_programme_words(done.stdout + done.stderr) == [], (args, done.stdout[:500])
    return done


def rows(build: Path, *args: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = json.loads(cli(build, "query", *args, "--format", "json").stdout)["rows"]
    return result


def test_the_word_check_finds_the_first_programmes_words(build_dir: Path) -> None:
    """The check every command below passes is not empty: on the first programme the same output fails it."""
    done = run_cli("drift", "--service", "A", build_dir=build_dir)
    assert done.returncode == 0, done.stderr
    assert "medicalisation" in first_programme_words(done.stdout)
    assert first_programme_words("Case study A; NHS-medical; Table 2; health trainers") == [
        "Case study", "NHS-medical", "Table 2", "health trainer"]


def test_validate_needs_no_change_to_the_tool() -> None:
    done = run_cli("validate", "--data", str(PANTRIES))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("community-pantries: valid (")
    assert "made-up test source" in (PANTRIES / "sources.yaml").read_text(encoding="utf-8")


def test_build_counts_what_the_records_hold(pantries: Path) -> None:
    manifest = json.loads((pantries / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["programme"] == "community-pantries"
    assert manifest["counts"]["Service"] == 4
    assert manifest["counts"]["Period"] == 3
    assert manifest["counts"]["Dimension"] == 7
    assert manifest["counts"]["ConfigurationValue"] == 4 * 3 * 7 == len(configuration_rows())


def test_query_list_offers_the_generic_queries_only(pantries: Path) -> None:
    names = {r["name"] for r in rows(pantries, "--list")}
    assert names == GENERIC_QUERIES  # no programme query of its own, and none of the first programme's
    assert run_cli("query", "table2", build_dir=pantries).returncode == 2


def test_configuration_table_in_the_vocabularys_order(pantries: Path) -> None:
    table = rows(pantries, "configuration-table")
    assert len(table) == len(SERVICES) * len(PERIODS) * 7
    first = [r for r in table if r["service"] == "P1" and r["period"] == "launch"]
    assert [r["header"] for r in first] == [d["header"] for d in dimensions()]
    assert [r["header"] for r in first] == ["Host organisation", "Funding route", "Who runs it", "How people come",
                                            "Opening hours", "What is recorded", "Who may use it"]
    periods = list(dict.fromkeys(r["period"] for r in table if r["service"] == "P2"))
    assert periods == PERIODS
    unknown = [r for r in table if r["service"] == UNKNOWN_SERVICE]
    assert len(unknown) == 21
    assert {(r["value"], r["status"]) for r in unknown} == {("unknown", "unknown")}
    cell = {(r["service"], r["period"], r["dimension"]): r for r in table}
    assert cell[("P1", "year-three", "referral-routes")]["value"] == "Council voucher (first in line)"
    assert cell[("P3", "year-one", "funding-route")]["status"] == "unknown"  # a gap in a known pantry
    assert rows(pantries, "configuration-table", "--param", "service=P2") == [r for r in table if r["service"] == "P2"]


def test_services_by_referral_reads_the_pathway_dimension(pantries: Path) -> None:
    table = rows(pantries, "services-by-referral")
    assert {r["referral_source"] for r in table} <= concept_labels("referral-routes") | {"unknown"}
    by = {(r["referral_source"], r["period"]): sorted(r["services"].split(" | ")) for r in table}
    assert by[("Word of a neighbour", "launch")] == ["P1", "P2"]
    assert by[("Council voucher (first in line)", "year-three")] == ["P1"]
    assert {p for (source, p), services in by.items() if source == "unknown" and services == [UNKNOWN_SERVICE]} == \
        set(PERIODS)
    only = rows(pantries, "services-by-referral", "--param", "period=year-three")
    assert only and {r["period"] for r in only} == {"year-three"}


def test_query_drift_per_pantry_and_period(pantries: Path) -> None:
    table = {(r["service"], r["period"]): r for r in rows(pantries, "drift")}
    assert len(table) == 12
    assert [table[("P1", p)]["drift"] for p in PERIODS] == ["0", "0.1429", "1"]
    assert {table[("P2", p)]["drift"] for p in PERIODS} == {"0"}
    assert {(table[(UNKNOWN_SERVICE, p)]["drift"], table[(UNKNOWN_SERVICE, p)]["sufficient"]) for p in PERIODS} == \
        {("insufficient data", "false")}


def test_the_drift_measure_is_the_programmes_own(pantries: Path) -> None:
    done = cli(pantries, "drift", "--service", "P1", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(done.stdout)))
    assert list(table[0])[:6] == ["service", "period", "fidelity", "fidelity_coverage", "statutorisation",
                                  "statutorisation_coverage"]
    assert [r["statutorisation"] for r in table] == ["0.0%", "14.3%", "100.0%"]
    assert [r["period"] for r in table] == PERIODS
    assert "statutorisation rose" in cli(pantries, "drift").stderr
    poles = cli(pantries, "sparql", "PREFIX pg: <https://w3id.org/policygraph/ontology#> "
                "SELECT DISTINCT ?pole WHERE { ?m pg:towardsPole ?pole }", "--format", "json").stdout
    assert [r["pole"] for r in json.loads(poles)["rows"]] == [
        "https://w3id.org/policygraph/id/community-pantries/orientation/statutory"]


def test_frame_adaptations_across_three_periods(pantries: Path) -> None:
    table = rows(pantries, "frame-adaptations")
    assert len(table) == 21
    assert {(r["from_period"], r["to_period"]) for r in table} == {
        ("launch", "year-one"), ("year-one", "year-three"), ("launch", "year-three")}
    # Across P3's unknown year-one funding: from the last known value.
    p3 = {(r["from_period"], r["to_period"], r["dimension"]): r for r in table if r["service"] == "P3"}
    assert p3[("launch", "year-three", "funding-route")]["to_value"] == "Council grant"
    assert UNKNOWN_SERVICE not in {r["service"] for r in table}
    assert {r["what_modified"] for r in table} == {"content", "context", "training and evaluation",
                                                   "implementation and scale-up activities"}


def test_trace_an_intent_to_one_pantry(pantries: Path) -> None:
    done = cli(pantries, "trace", "--intent", "open-door", "--service", "P1", "--period", "year-three",
               "--format", "json")
    result = json.loads(done.stdout)
    assert result["start"].endswith("/community-pantries/intent/open-door")
    hops = [hop for path in result["paths"] for hop in path]
    assert {h["status"] for h in hops} == {"consistent", "departed"}
    reached = {result["labels"][h["target"]] for h in hops if h["relation"] == "realisedAs"}
    assert "Riverside pantry, year three, eligibility: Means-tested households" in reached
    assert all("/P1/year-three/" in h["target"] for h in hops if h["relation"] == "realisedAs")
    table = cli(pantries, "trace", "--intent", "run-by-members", "--service", "P4").stdout
    assert "unknown" in table and "Fourth pantry" in table


def test_evidence_and_unsourced(pantries: Path) -> None:
    evidence = rows(pantries, "evidence", "--param", "node=configuration/P1/year-three/eligibility")
    assert [(r["source"], r["locator"]) for r in evidence] == [
        ("T1", "Part 4, register entry P1, year-three, column 'Who may use it'")]
    assert "made-up test source" in evidence[0]["title"]
    assert rows(pantries, "unsourced") == []


def test_every_locator_in_the_graph_is_one_the_records_hold(pantries: Path) -> None:
    from rdflib import Graph

    from policygraph.ontology import PG

    graph = Graph().parse(pantries / "graph.nt", format="nt")
    cited = {str(o) for o in graph.objects(None, PG.locator)}
    assert len(cited) > 90
    assert cited <= record_locators(), sorted(cited - record_locators())[:5]
    assert {r["locator"] for r in configuration_rows()} <= cited  # and every cell's locator is cited


def _export(build: Path, out: Path, fmt: str, *options: str) -> tuple[str, bytes]:
    path = out / f"view.{fmt}"
    done = cli(build, "export", fmt, *options, "-o", str(path))
    return done.stdout, path.read_bytes()


def test_export_images_speak_of_pantries(pantries: Path, tmp_path: Path) -> None:
    said, svg = _export(pantries, tmp_path, "svg")
    assert "5 expectations x 4 pantries" in said
    text = svg.decode("utf-8")
    assert TITLE in text and "4 pantries" in text
    assert first_programme_words(text) == []
    said, png = _export(pantries, tmp_path, "png", "--service", "P1", "--size", "4:3", "--scale", "1")
    assert "x 1 pantry;" in said
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (1920, 1440)


def test_export_html_and_csv_carry_the_programmes_records(pantries: Path, tmp_path: Path) -> None:
    _, html = _export(pantries, tmp_path, "html", "--intent", "open-door", "--period", "launch")
    page = html.decode("utf-8")
    assert "Riverside pantry, launch, referral-routes: Walk in; Word of a neighbour" in page
    assert "year three" not in page and first_programme_words(page) == []
    _, data = _export(pantries, tmp_path, "csv")
    claims = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert {c["source"] for c in claims} == {"T1"}
    assert {c["locator"] for c in claims} <= record_locators()
    assert {c["status"] for c in claims if "/configuration/P4/" in c["item"]} == {"unknown"}


def test_export_deck_and_graphml(pantries: Path, tmp_path: Path) -> None:
    _, deck = _export(pantries, tmp_path, "pptx")
    prs = Presentation(io.BytesIO(deck))
    titles = [slide.shapes.title.text for slide in prs.slides]  # type: ignore[union-attr]
    assert titles == ["From policy vision to delivered practice",
                      "From policy vision to delivered practice: An open door",
                      "From policy vision to delivered practice: Run by their members"]
    notes = " ".join(s.notes_slide.notes_text_frame.text for s in prs.slides)  # type: ignore[union-attr]
    assert "Community Food Pantries register (made-up test source)" in notes
    assert first_programme_words(notes) == []
    said, graphml = _export(pantries, tmp_path, "graphml", "--service", "P4")
    tree = ET.fromstring(graphml)
    labels = [d.text or "" for d in tree.iter("{http://graphml.graphdrawing.org/xmlns}data")]
    assert any("Fourth pantry" in label for label in labels)
    assert f"{sum(1 for _ in tree.iter('{http://graphml.graphdrawing.org/xmlns}node'))} nodes" in said


def test_the_overview_headline_speaks_the_programme_s_words(pantries: Path) -> None:
    lines = overview(Release.current(pantries)).headline
    assert lines[0].startswith("Statutorisation: ") and "pantries" in lines[0], lines
    assert "of 4 pantries with no known cell" in lines[1] and "1 of 4" in lines[1]
    assert not any(first_programme_words(line) for line in lines)
