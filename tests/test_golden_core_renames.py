"""The Health Trainers core graph before the programme's vocabulary moved into its folder (ADR 0008), with the
documented IRI renames applied, against the graph built now: what a researcher reads about the case (services,
cells, intents, documents, adaptations) is unchanged; what changed is listed in the ADR and checked here."""

from __future__ import annotations

import re
from functools import cache

from support import CASE, REPO

from policygraph.app.build import statements

BEFORE = REPO / "tests" / "golden" / "case-core-before-vocabulary.nt"
H = "https://w3id.org/policygraph/id/health-trainers/"
V = "https://w3id.org/policygraph/vocab/"
PG = "https://w3id.org/policygraph/ontology#"
DIMENSIONS = ("providers", "funding", "senior-buy-in", "primary-referral-sources", "health-trainers", "targeting",
              "formal-pm-system", "interaction")
# Statements whose subjects a researcher reads, by the IRI path after the programme's namespace. Observations
# are left out: issue 16 retyped their reference periods and qualifiers (tests/test_typed_periods.py and
# tests/test_facts_coverage.py check them).
READ = re.compile(rf"^<{re.escape(H)}(service|configuration|intent|document|organisation|role|event|"
                  r"adaptation)/")
DROPPED = {f"<{PG}caseLetter>"}  # the service's id is pg:identifier, which it already had


def renamed(line: str) -> str:
    """ADR 0008's renames: the vocabulary's IRIs scoped by the programme, the drift measure named generically."""
    line = line.replace(f"<{V}dimension/", f"<{H}dimension/").replace(f"<{V}orientation/", f"<{H}orientation/")
    for d in DIMENSIONS:
        line = line.replace(f"<{V}{d}/", f"<{H}concept/{d}/").replace(f"<{V}{d}>", f"<{H}scheme/{d}>")
    return line.replace(f"<{PG}medicalisationKnown>", f"<{PG}driftKnown>").replace(f"<{PG}medicalisation>",
                                                                                  f"<{PG}drift>")


@cache
def _graphs() -> tuple[set[str], set[str]]:
    before = {renamed(line) for line in BEFORE.read_text(encoding="utf-8").splitlines(keepends=True)}
    return before, set(statements.check_folder(CASE).lines)


def _invented(line: str) -> bool:
    """The locator the build used to write itself on every configuration ("Table 2, row A start-up"), and the
    evidence node that held it."""
    return bool(re.match(rf"^<{re.escape(H)}configuration/[^/]+/[^/]+/evidence/1> ", line)) or bool(
        re.match(rf"^<{re.escape(H)}configuration/[^/]+/[^/]+> <{re.escape(PG)}evidence> <[^>]+/evidence/1> ", line))


def test_what_a_researcher_reads_is_unchanged_after_the_renames() -> None:
    before, now = _graphs()
    kept = [t for t in before if READ.match(t) and t.split(" ", 2)[1] not in DROPPED and not _invented(t)]
    assert len(kept) > 2300
    missing = sorted(t for t in kept if t not in now)
    assert missing == [], "\n".join(missing[:10])


def test_the_only_measure_that_lost_a_number_is_the_one_without_sufficient_data() -> None:
    before, now = _graphs()
    lost = sorted(t for t in before - now if t.startswith(f"<{H}measure/"))
    assert lost == [f'<{H}measure/E/start-up> <{PG}drift> "1.0"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n']


def test_no_locator_in_the_graph_that_the_records_do_not_contain() -> None:
    curated = "\n".join(p.read_text(encoding="utf-8") for p in sorted(CASE.rglob("*")) if p.is_file())
    _before, now = _graphs()
    locators = {m.group(1) for t in now if (m := re.search(rf'<{re.escape(PG)}locator> "(.*)" \.$', t))}
    assert len(locators) > 50
    # N-Triples escapes quotes and backslashes; YAML may quote a locator with '' for '.
    invented = sorted(x for x in locators if x.replace('\\"', '"') not in curated
                      and x.replace('\\"', '"').replace("'", "''") not in curated)
    assert invented == [], invented[:10]


