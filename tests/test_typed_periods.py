"""Typed periods, qualified figures, findings and commissioning: what the records accept, what they refuse
(with file:line and a fix), and what the graph holds for a researcher to ask."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from support import REPO, copy_programme, replace_once, run_cli

from policygraph.ingest.periods import PeriodError, parse_period
from policygraph.ingest.programme import load_programme
from policygraph.ingest.rdf import programme_graph
from policygraph.ontology import PG, VOCAB

PANTRIES = REPO / "tests" / "programmes" / "community-pantries"
P = "https://w3id.org/policygraph/id/community-pantries/"
D = datetime.date


@pytest.mark.parametrize(("text", "kind", "start", "end", "qualifier"), [
    ("2011-05-31", "day", D(2011, 5, 31), D(2011, 5, 31), None),
    ("2009-09", "month", D(2009, 9, 1), D(2009, 9, 30), None),
    ("2008-02", "month", D(2008, 2, 1), D(2008, 2, 29), None),
    ("2011", "year", D(2011, 1, 1), D(2011, 12, 31), None),
    ("FY2010-11", "financial-year", D(2010, 4, 1), D(2011, 3, 31), None),
    ("FY1999-00", "financial-year", D(1999, 4, 1), D(2000, 3, 31), None),
    ("early 2006", "part-of-year", D(2006, 1, 1), D(2006, 12, 31), "early"),
    ("late 2006", "part-of-year", D(2006, 1, 1), D(2006, 12, 31), "late"),
    ("2006/2011", "range", D(2006, 1, 1), D(2011, 12, 31), None),
    ("2006-01/FY2011-12", "range", D(2006, 1, 1), D(2012, 3, 31), None),
])
def test_each_kind_of_period_has_its_first_and_last_day(text: str, kind: str, start: datetime.date,
                                                         end: datetime.date, qualifier: str | None) -> None:
    period = parse_period(text)
    assert period is not None
    assert (period.kind, period.start, period.end, period.qualifier) == (kind, start, end, qualifier)


def test_unknown_is_no_period() -> None:
    assert parse_period("unknown") is None


@pytest.mark.parametrize(("text", "why"), [
    ("as of December 2006", "is not a period"),
    ("FY2010-12", "does not end the year after it starts"),
    ("2009-13", "month 13"),
    ("2009-02-30", "not a calendar date"),
    ("2011/2006", "ends before it starts"),
    ("early 2006/", "is not a period"),
    ("\uff12\uff10\uff10\uff16", "ASCII"),  # 2006 in full-width digits
    ("Early 2006", "is not a period"),
])
def test_a_period_outside_the_grammar_is_refused_with_the_reason(text: str, why: str) -> None:
    with pytest.raises(PeriodError, match=why):
        parse_period(text)


def _copy(tmp_path: Path) -> Path:
    return copy_programme(PANTRIES, tmp_path)


_FIRST = ("  - id: visits-year-one\n    indicator: Visits to the pantries in their first year (made up)\n"
          "    value: 5200\n    unit: visits\n    area: The made-up town\n")


@pytest.mark.parametrize(("file", "old", "new", "offset", "message", "fix"), [
    ("observations.yaml", "ref_period: FY2021-22", "ref_period: 2021-22 year", 0,
     "observations.0.ref_period: '2021-22 year' is not a period", "a financial year FY2010-11"),
    ("observations.yaml", f"{_FIRST}    ref_period: FY2021-22\n    note: A made-up figure for the tests.\n",
     f"{_FIRST}    ref_period: unknown\n", 0,
     "observations.0: an unknown ref_period needs a note", "write in 'note' why"),
    ("observations.yaml", "    value: 5200\n", "    value: 5200\n    upper: 5000\n", 1,
     "upper 5000 is not above value 5200", "the lower end in 'value'"),
    ("observations.yaml", "    value: 5200\n", "    value: 5200\n    qualifier: roughly\n", 1,
     "qualifier: Input should be 'over', 'under'", "use one of"),
    ("observations.yaml", "kind: finding", "kind: opinion", 0, "findings.0.kind: Input should be", "use one of"),
    ("observations.yaml", "about: [programme, service:P1,", "about: [programme, P1,", 0,
     "'P1' does not say what kind of record it names", "write 'programme' or kind:id"),
    ("observations.yaml", "about: [programme, service:P1,", "about: [programme, service:P9,", 0,
     "service:P9: there is no service 'P9'", "use one of: P1, P2, P3, P4 (as service:<id>)"),
    ("observations.yaml", "dimension:host-organisation", "dimension:host", 0,
     "dimension:host: there is no dimension 'host'", "as dimension:<id>"),
    ("actors.yaml", "commissioner: town-council", "commissioner: pantry-coordinator", 0,
     "commissioner 'pantry-coordinator' is not an organisation", "use one of: council-food-team"),
    ("actors.yaml", "    since: FY2022-23\n", "    since: FY2022-23\n    until: \"2020\"\n", 1,
     "the commissioning ends (2020) before it starts (FY2022-23)", "swap 'since' and 'until'"),
    ("services.yaml", "    started: \"2021\"\n", "    started: spring 2021\n", 0,
     "services.0.started: 'spring 2021' is not a period", "part of a year \"early 2006\""),
])
def test_bad_records_are_refused_with_file_line_and_fix(tmp_path: Path, file: str, old: str, new: str,
                                                         offset: int, message: str, fix: str) -> None:
    folder = _copy(tmp_path)
    line = replace_once(folder / file, old, new) + offset
    result = run_cli("validate", "--data", str(folder))
    assert result.returncode == 2, result.stderr
    assert f"{file}:{line}:" in result.stderr, result.stderr
    assert message in result.stderr and fix in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_financial_year_written_as_a_month_is_a_warning_naming_both_readings(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    line = replace_once(folder / "observations.yaml", "ref_period: FY2021-22", "ref_period: 2011-12")
    result = run_cli("validate", "--data", str(folder))
    assert result.returncode == 0, result.stderr
    assert f"observations.yaml:{line}:" in result.stderr
    assert "2011-12 reads as a month (December 2011)" in result.stderr
    assert "write FY2011-12 if the source means the financial year" in result.stderr
    assert "write it as the days 2011-12-01/2011-12-31" in result.stderr


def test_a_month_written_as_days_draws_no_warning(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    replace_once(folder / "observations.yaml", "ref_period: FY2021-22", "ref_period: 2011-12-01/2011-12-31")
    result = run_cli("validate", "--data", str(folder))
    assert result.returncode == 0 and "reads as a month" not in result.stderr, result.stderr


def test_the_graph_types_periods_figures_findings_and_commissioning() -> None:
    graph = programme_graph(load_programme(PANTRIES))
    fy = URIRef(P + "interval/FY2021-22")
    assert graph.value(URIRef(P + "observation/visits-year-one"), PG.referenceInterval) == fy
    assert graph.value(fy, PG.intervalKind) == Literal("financial-year")
    assert str(graph.value(fy, PG.startDate)) == "2021-04-01" and str(graph.value(fy, PG.endDate)) == "2022-03-31"
    assert graph.value(URIRef(P + "service/P1"), PG.startedIn) == URIRef(P + "interval/2021")
    finding = URIRef(P + "finding/pantries-turned-statutory")
    assert graph.value(finding, PG.findingKind) == URIRef(VOCAB + "finding-kind/finding")
    assert set(graph.objects(finding, PG.about)) == {
        URIRef(P[:-1]), URIRef(P + "service/P1"), URIRef(P + "dimension/host-organisation"),
        URIRef(P + "observation/volunteers-year-three")}
    commissioning = URIRef(P + "commissioning/council-grants")
    assert graph.value(commissioning, PG.commissioner) == URIRef(P + "organisation/town-council")
    assert graph.value(commissioning, PG.since) == URIRef(P + "interval/FY2022-23")
    assert graph.value(commissioning, PG.until) is None  # the sources do not say
    for node in (finding, commissioning):
        assert graph.value(node, PG.evidence) is not None


def test_health_trainers_figures_sort_by_their_period_not_their_text(case_graph: Graph) -> None:
    """FY 2006/07 (April 2006 on) comes before June 2006 as text would not put it; the qualifier is data."""
    rows = [(str(r[0]), str(r[1]), str(r[2]) if r[2] is not None else None) for r in case_graph.query(
        """SELECT ?written ?start ?qualifier WHERE {
             ?o a pg:Observation ; pg:refPeriod ?written ; pg:referenceInterval/pg:startDate ?start .
             OPTIONAL { ?o pg:valueQualifier/skos:notation ?qualifier } } ORDER BY ?start ?written""",
        initNs={"pg": PG, "skos": "http://www.w3.org/2004/02/skos/core#"})]
    starts = [s for _, s, _ in rows]
    assert starts == sorted(starts)
    written = [w for w, _, _ in rows]
    assert written.index("FY2006-07") < written.index("2006-06")
    assert ("FY2010-11", "2010-04-01", "over") in rows  # over 31,000 personal health plans
