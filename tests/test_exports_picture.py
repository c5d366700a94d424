"""The vision -> practice picture's view model: what it shows of the case, its filters, how it summarises a
national programme, its citations, and that its words are the programme's own."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from exports_support import rewritten_build
from support import REPO, build_national

from policygraph.app.read.citations import author_year, cite, references, source_order
from policygraph.app.read.picture import Picture, describe, vision_picture
from policygraph.app.release import Release


@pytest.fixture(scope="module")
def case(build_dir: Path) -> Release:
    return Release.current(build_dir)


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Release:
    root = tmp_path_factory.mktemp("picture-national")
    return Release.current(build_national(root, services=14, clients=300, seed=3, drift=0.1, missing=0.05))


def _run(picture: Picture, dimension: str, service: str) -> list[tuple[str, str, str]]:
    row = next(r for r in picture.rows if r.dimension == dimension)
    run = next(r for r in row.runs if r.service == service)
    return [(m.period, m.status, m.value) for m in run.marks]


def test_the_case_intents_expectations_and_marks(case: Release) -> None:
    picture = vision_picture(case)
    assert [g.label for g in picture.groups] == ["Peer support from next door",
                                                 "Reach hard-to-reach people in community settings",
                                                 "Reduce health inequalities", "Target the most disadvantaged first"]
    assert len(picture.rows) == 6
    assert [s for s, _ in picture.services] == ["A", "B", "C", "D", "E", "F"]
    assert [label for _, label in picture.periods] == ["Start-up", "Follow-up"]
    assert not picture.hidden_services
    assert not picture.summarised_periods
    assert picture.notes == []
    # Table 2, row B: the health trainers were "some preference for more work-ready HTs" at follow-up.
    assert _run(picture, "Health Trainers", "B")[1] == ("follow-up", "departed",
                                                        "Some preference for more work-ready HTs")
    mark = next(r for r in picture.rows if r.dimension == "Health Trainers").runs[1].marks[1]
    assert ("S4", "Table 2, row B follow-up, column 'Health Trainers'") in mark.evidence
    # Rows E and F of Table 2 were not recovered: unknown, never guessed.
    assert {status for _, status, _ in _run(picture, "Primary Referral Source/s", "E")} == {"unknown"}
    targeting = next(r for r in picture.rows if r.dimension.startswith("Geographical"))
    assert targeting.totals == Counter({"consistent": 6, "departed": 2, "unknown": 4})
    assert "Mathers et al. 2014 (S1, S2, S3, S4)" in picture.sources
    assert picture.version and picture.build == case.sha256[:7]


def test_filters_by_intent_document_service_and_period(case: Release) -> None:
    one = vision_picture(case, "target-disadvantaged-first", "D", "follow-up")
    assert [g.label for g in one.groups] == ["Target the most disadvantaged first"]
    assert [s for s, _ in one.services] == ["D"]
    assert _run(one, "Geographical/Population Service Targeting?", "D") == [("follow-up", "departed", "Universal")]
    assert one.title == ("From policy vision to delivered practice: Target the most disadvantaged first, "
                         "case study D, follow-up")
    # A document: the intents it states.
    stated = vision_picture(case, "delivering-choosing-health")
    assert [g.label for g in stated.groups] == ["Target the most disadvantaged first"]


@pytest.mark.parametrize(("option", "value", "message"), [
    ("service", "Z", "no case study 'Z'; choose one of: A, B, C, D, E, F"),
    ("period", "later", "no period 'later'; choose one of: start-up, follow-up"),
    ("intent", "no-such-intent", "no intent or document 'no-such-intent'"),
])
def test_an_unknown_choice_names_the_choices(case: Release, option: str, value: str, message: str) -> None:
    with pytest.raises(KeyError) as caught:
        vision_picture(case, **{option: value})
    assert str(caught.value.args[0]).startswith(message)


def test_a_national_programme_is_summarised(national: Release) -> None:
    picture = vision_picture(national, max_services=4, max_periods=4)
    assert len(picture.services) == 4
    assert picture.hidden_services == 10
    assert picture.summarised_periods
    assert len(picture.periods) == 36
    assert picture.notes == [
        "summarised: 4 of 14 services shown, the 4 with the most departures; the other 10 are summed in 'other'",
        "summarised: 36 periods per service counted, not drawn one by one"]
    departures = Counter[str]()
    for row in picture.rows:
        shown = sum((run.counts for run in row.runs), Counter[str]())
        assert shown + row.other == row.totals  # every mark counted once, shown or summed
        assert sum(row.totals.values()) == 14 * 36
        for run in row.runs:
            assert len(run.marks) == 36
            assert re.fullmatch(r"\d+ of 36 (consistent|departed|unknown)", run.summary())
            departures[run.service] += run.counts["departed"]
    everyone = vision_picture(national, max_services=14)
    per_service = Counter[str]()
    for row in everyone.rows:
        for run in row.runs:
            per_service[run.service] += run.counts["departed"]
    least_shown = min(departures[s] for s, _ in picture.services)
    assert all(per_service[s] <= least_shown for s in per_service if s not in departures)  # the most departed shown


def test_describe_counts() -> None:
    assert describe(Counter({"departed": 3, "consistent": 1})) == "3 of 4 departed"
    assert describe(Counter({"departed": 1, "consistent": 1})) == "1 of 2 departed"  # a tie reads as departed
    assert describe(Counter({"unknown": 2})) == "2 of 2 unknown"
    assert describe(Counter()) == "no data"


@pytest.mark.parametrize(("authors", "year", "expected"), [
    ("Jonathan Mathers; Rebecca Taylor; Jayne Parry", "2014", "Mathers et al. 2014"),
    ("Mathers J; Taylor R; Parry J", "2016 (e-pub); J Public Health 2017;39(1):139-144", "Mathers et al. 2016"),
    ("Visram S; Carr SM", "2015", "Visram & Carr 2015"),
    ("Department of Health", "2004", "Department of Health 2004"),
    ("Mark Gould (HSJ)", "n/d", "Mark Gould n.d."),
    ("Health Trainers England", "c.2015", "Health Trainers England 2015"),
    ("(LGA-style page)", "n/d", "LGA-style page n.d."),
])
def test_author_year(authors: str, year: str, expected: str) -> None:
    assert author_year(authors, year) == expected


def test_cite_groups_sources_by_author_year_in_id_order(case: Release) -> None:
    names = {"S1": "Mathers et al. 2014", "S4": "Mathers et al. 2014", "S10": "DH 2004", "S2": "Mathers et al. 2014"}
    assert cite(names, ["S10", "S4", "S2", "S1", "S4"]) == "Mathers et al. 2014 (S1, S2, S4); DH 2004 (S10)"
    assert cite(names, ["S99"]) == "S99"
    assert sorted(["S10", "S2", "S1"], key=source_order) == ["S1", "S2", "S10"]
    lines = references(case.model(), ["S4", "S99"])
    assert lines[0].startswith("S4. Mathers et al. 2014. Table 2 of S1")
    assert lines[0].endswith("https://pmc.ncbi.nlm.nih.gov/articles/PMC4266174/table/tbl2")
    assert lines[1] == "S99. (not among the programme's sources)"


def test_the_words_are_the_programmes_own(tmp_path: Path) -> None:
    """Another programme's words (here: every label renamed) are what the picture says; nothing of the
    Health Trainers case is left in it."""
    renamed = rewritten_build(tmp_path / "renamed", lambda node, text: f"Zeta {text.split()[-1]}",
                              verbatim=lambda node, text: "Zeta value")
    picture = vision_picture(Release.current(renamed))
    words = [picture.programme, *(g.label for g in picture.groups), *(d for g in picture.groups for d in g.documents),
             *(r.dimension for r in picture.rows), *(c for r in picture.rows for c in r.expects),
             *(label for _, label in picture.services), *(label for _, label in picture.periods),
             *(m.value for r in picture.rows for run in r.runs for m in run.marks if m.value != "unknown")]
    assert words
    assert all(w.startswith("Zeta ") for w in words), [w for w in words if not w.startswith("Zeta ")]


GENERIC = ["app/read/picture.py", "app/read/citations.py", "app/exports/picture_figure.py",
           "app/exports/picture_html.py", "app/exports/network_figure.py", "app/exports/deck.py",
           "app/exports/frame.py", "app/exports/__init__.py", "app/cli/export.py"]


@pytest.mark.parametrize("module", GENERIC)
def test_no_programme_words_in_the_generic_code(module: str) -> None:
    text = (REPO / module).read_text(encoding="utf-8").lower()
    for word in ("case stud", "table 2", "health trainer", "medicalis", "primary-referral", "targeting", "s4"):
        assert word not in text, f"{module} says {word!r}: read it from the programme's model"
