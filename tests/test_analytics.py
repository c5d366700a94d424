"""Issue 4: traces, adaptations and the two measures reproduce the paper's findings from the data alone."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.compare import isomorphic
from support import run_cli

from policygraph.app.read.tables import drift_table, run_trace
from policygraph.app.release import Release
from policygraph.graph.drift import all_measures, changes, rollup
from policygraph.graph.model import ProgrammeModel
from policygraph.graph.projection import to_networkx, to_rdf
from policygraph.graph.traces import CONSISTENT, DEPARTED, trace, trace_graph
from policygraph.ontology import ID_BASE, PG, PROV, VOCAB

ID = "https://w3id.org/policygraph/id/health-trainers/"
FRAME = VOCAB + "frame/"
CONCEPT = ID_BASE + "health-trainers/concept/"


@pytest.fixture(scope="module")
def model(case_graph: Graph) -> ProgrammeModel:
    return ProgrammeModel(case_graph)


def _adaptations(graph: Graph) -> dict[tuple[str, str], URIRef]:
    out = {}
    for node in graph.subjects(RDF.type, PG.Adaptation):
        assert isinstance(node, URIRef)
        service = str(graph.value(node, PG.ofService)).rsplit("/", 1)[-1]
        dimension = str(graph.value(node, PG.onDimension)).rsplit("/", 1)[-1]
        out[(service, dimension)] = node
    return out


def test_projection_round_trips_to_the_same_rdf(case_graph: Graph) -> None:
    projected = to_networkx(case_graph)
    assert isomorphic(to_rdf(projected), case_graph)
    value = ID + "configuration/D/follow-up/targeting"
    assert ("S4", "Table 2, row D follow-up, column 'Geographical/Population Service Targeting?'") in \
        projected.nodes[value]["evidence"]
    edge = projected.edges[value, str(PG.known), str(PG.status)]
    assert edge["relation"] == "status" and edge["evidence"]


def test_d_departs_on_referral_targeting_workforce_and_interaction(case_graph: Graph) -> None:
    adaptations = _adaptations(case_graph)
    for dim in ("primary-referral-sources", "targeting", "health-trainers", "interaction"):
        assert case_graph.value(adaptations[("D", dim)], PG.frameFidelity) == URIRef(FRAME + "fidelity-inconsistent")
    to_value = case_graph.value(adaptations[("D", "targeting")], PG.toValue)
    assert str(case_graph.value(to_value, PG.verbatim)) == "Universal"
    assert ("D", "funding") not in adaptations  # funding stayed PCT: no adaptation


def test_b_moves_to_prioritised_gp_referral_and_drops_targeting(case_graph: Graph) -> None:
    adaptations = _adaptations(case_graph)
    added = set(case_graph.objects(adaptations[("B", "primary-referral-sources")], PG.addedConcept))
    assert added == {URIRef(CONCEPT + "primary-referral-sources/gp-referral-prioritised")}
    targeting = adaptations[("B", "targeting")]
    assert case_graph.value(targeting, PG.removedConcept) == URIRef(CONCEPT + "targeting/targeted")
    assert case_graph.value(targeting, PG.addedConcept) == URIRef(CONCEPT + "targeting/not-targeted")


def test_c_funding_moves_from_local_nonhealth_money_to_the_pct(case_graph: Graph) -> None:
    funding = _adaptations(case_graph)[("C", "funding")]
    assert set(case_graph.objects(funding, PG.removedConcept)) == {
        URIRef(CONCEPT + "funding/local-nonhealth-project-and-regeneration")}
    assert set(case_graph.objects(funding, PG.addedConcept)) == {URIRef(CONCEPT + "funding/pct")}
    assert case_graph.value(funding, PG.frameWhatModified) == URIRef(FRAME + "implementation-activities")


def test_a_adds_cvd_and_smoking_referrals(case_graph: Graph) -> None:
    referral = _adaptations(case_graph)[("A", "primary-referral-sources")]
    assert set(case_graph.objects(referral, PG.addedConcept)) == {
        URIRef(CONCEPT + "primary-referral-sources/cvd-risk-assessment"),
        URIRef(CONCEPT + "primary-referral-sources/smoking-cessation")}
    assert case_graph.value(referral, PG.frameNature) == URIRef(FRAME + "adding")


def test_a_to_d_all_gain_formal_performance_management(case_graph: Graph) -> None:
    adaptations = _adaptations(case_graph)
    for site in "ABCD":
        node = adaptations[(site, "formal-pm-system")]
        assert case_graph.value(node, PG.addedConcept) == URIRef(CONCEPT + "formal-pm-system/yes")


def test_no_adaptation_invented_for_e_and_f(case_graph: Graph) -> None:
    assert not [k for k in _adaptations(case_graph) if k[0] in "EF"]


def test_adaptations_are_marked_derived_with_cells_and_version(case_graph: Graph) -> None:
    for node in _adaptations(case_graph).values():
        run = case_graph.value(node, PROV.wasGeneratedBy)
        assert (run, RDF.type, PG.DerivationRun) in case_graph
        assert case_graph.value(run, PG.softwareVersion) is not None
        sources = set(case_graph.objects(node, PROV.wasDerivedFrom))
        assert sources == {case_graph.value(node, PG.fromValue), case_graph.value(node, PG.toValue)}
        assert case_graph.value(node, PG.reasonStatus) == PG.unknown
        assert case_graph.value(node, PG.decisionStatus) == PG.unknown
        assert list(case_graph.objects(node, PG.evidence))


def test_medicalisation_never_falls_for_a_to_d_and_e_f_are_insufficient(model: ProgrammeModel) -> None:
    by_site = {model.ident(c.service): c for c in changes(model)}
    for site in "ABCD":
        change = by_site[site]
        assert change.after.drift is not None and change.before.drift is not None
        assert change.after.drift >= change.before.drift, site
        assert change.drivers, site  # the report names the cells behind the change
    for site in "EF":
        assert by_site[site].drift_delta is None
        assert not by_site[site].before.sufficient and not by_site[site].after.sufficient
    assert any("targeting: Resident of 20% most deprived local area -> Universal" in d for d in by_site["D"].drivers)


def test_measures_reproduce_the_papers_conclusion(model: ProgrammeModel) -> None:
    summary = rollup(model)
    assert summary.services == 6 and summary.sufficient == 4
    assert summary.drifted == 4 and summary.less_faithful == 4
    assert summary.mean_drift_delta is not None and summary.mean_drift_delta > 0


def test_unknowns_lower_coverage_never_the_score(model: ProgrammeModel) -> None:
    measures = {(model.ident(m.service), model.ident(m.period)): m for m in all_measures(model)}
    e_start = measures[("E", "start-up")]
    assert e_start.drift_known == 1 and e_start.dimensions == 8
    assert e_start.fidelity is None  # no known dimension with an expectation: not zero
    assert measures[("D", "start-up")].fidelity == Fraction(1)
    assert measures[("D", "follow-up")].fidelity == Fraction(0)


def test_every_hop_of_every_trace_has_a_cited_source(model: ProgrammeModel) -> None:
    dig = trace_graph(model)
    starts = [n for n, kind in dig.nodes(data="kind") if kind in ("intent", "document")]
    total = 0
    for start in starts:
        result = trace(dig, URIRef(start))
        assert not result.truncated
        for path in result.paths:
            for hop in path.hops:
                total += 1
                assert hop.evidence, hop
                assert all(sid and locator for sid, locator in hop.evidence), hop
    assert total > 100


def test_trace_of_hard_to_reach_departs_at_d_follow_up(model: ProgrammeModel) -> None:
    result = trace(trace_graph(model), URIRef(ID + "intent/reach-hard-to-reach-in-community"), service="D")
    ends = {(result.labels[p.hops[1].target], p.hops[1].status) for p in result.paths}
    assert ("Case study D, start-up, primary-referral-sources: Self/community^d", CONSISTENT) in ends
    assert ("Case study D, follow-up, primary-referral-sources: GP referrals", DEPARTED) in ends


def test_trace_caps_say_when_they_bite(model: ProgrammeModel) -> None:
    dig = trace_graph(model)
    capped = trace(dig, URIRef(ID + "document/choosing-health"), result_cap=3)
    assert len(capped.paths) == 3 and capped.truncated
    short = trace(dig, URIRef(ID + "document/choosing-health"), hop_cap=2)
    assert short.truncated and all(len(p.hops) <= 2 for p in short.paths)


def test_trace_cli(build_dir: Path) -> None:
    result = run_cli("trace", "--intent", "target-disadvantaged-first", "--service", "D", "--format", "json",
                     build_dir=build_dir)
    assert result.returncode == 0, result.stderr
    paths = json.loads(result.stdout)["paths"]
    statuses = {p[1]["status"] for p in paths}
    assert statuses == {"consistent", "departed"}
    bad = run_cli("trace", "--intent", "nope", build_dir=build_dir)
    assert bad.returncode == 2
    assert "choose one of" in bad.stderr


def test_drift_cli_reports_insufficient_data(build_dir: Path) -> None:
    result = run_cli("drift", "--format", "json", build_dir=build_dir)
    assert result.returncode == 0, result.stderr
    rows = {(r["service"], r["period"]): r for r in json.loads(result.stdout)["rows"]}
    assert rows[("E", "start-up")]["medicalisation"] == "insufficient data"
    assert rows[("D", "follow-up")]["medicalisation"] == "75.0%"
    assert rows[("D", "follow-up")]["change_medicalisation"] == "+62.5 pts"
    assert "roll-up: 4 of 6 services" in result.stderr


def test_analysis_is_cached_per_build(build_dir: Path) -> None:
    assert Release.current(build_dir).model() is Release.current(build_dir).model()
    assert drift_table(Release.current(build_dir), "A").rows[0][0] == "A"
    assert run_trace(Release.current(build_dir), "choosing-health", service="A").paths
