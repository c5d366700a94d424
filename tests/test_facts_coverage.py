"""Every sourced fact of the facts file is a statement of the graph (issue 16).

tests/golden/facts-coverage.csv lists the facts of the facts file's sections 3, 4.1-4.3 and 5.1-5.3 (and the
known cells of Table 2, section 2), one row per fact: the graph node that states it (`kind:id`) and the source
it cites for it. Each row's node must exist and cite that source with a locator; a quotation in the data must
be the facts file's own words.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter

import pytest
from rdflib import Graph, Literal, URIRef
from support import CASE, REPO

from policygraph.ingest.programme import load_programme
from policygraph.ontology import ID_BASE, PG

MANIFEST = REPO / "tests" / "golden" / "facts-coverage.csv"
FACTS = REPO.parent / "shared" / "reference" / "health-trainers-facts.md"
HEADER = ["section", "fact", "statement", "source"]
SECTIONS = {"3", "4.1", "4.2", "4.3", "5.1", "5.2", "5.3"}  # every one must be covered; "2" (Table 2) optional
KINDS = {"configuration", "service", "dimension", "intent", "document", "organisation", "role", "event",
         "observation", "finding", "commissioning"}
PROG = load_programme(CASE)
BASE = f"{ID_BASE}{PROG.id}/"


def _rows() -> list[dict[str, str]]:
    with MANIFEST.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == HEADER, f"{MANIFEST.name}: the header is {','.join(HEADER)}"
        return list(reader)


ROWS = _rows()


def _node(statement: str) -> URIRef:
    kind, _, ident = statement.partition(":")
    return URIRef(BASE + kind + "/" + ident)  # a `/` in the id is a path segment (configuration:A/start-up/funding)


def test_manifest_covers_every_section_once_per_fact() -> None:
    sections = Counter(r["section"] for r in ROWS)
    assert set(sections) >= SECTIONS, f"no manifest row for section(s) {sorted(SECTIONS - set(sections))}"
    assert set(sections) <= SECTIONS | {"2"}, f"unknown section(s) {sorted(set(sections) - SECTIONS - {'2'})}"
    for name, key in [("row", lambda r: tuple(r.values())), ("fact of a section", lambda r: (r["section"], r["fact"]))]:
        duplicated = [k for k, n in Counter(key(r) for r in ROWS).items() if n > 1]
        assert not duplicated, f"duplicated {name}: {duplicated}"
    for row in ROWS:
        assert all(v and v == v.strip() for v in row.values()), row
        kind, sep, ident = row["statement"].partition(":")
        assert sep and kind in KINDS and ident, \
            f"statement {row['statement']!r}: write kind:id, kind one of {sorted(KINDS)}"


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['section']}:{r['statement']}:{r['source']}" for r in ROWS])
def test_each_fact_is_a_sourced_statement(row: dict[str, str], case_graph: Graph) -> None:
    node = _node(row["statement"])
    assert (node, None, None) in case_graph, f"{row['fact']!r}: no node {node} in the graph"
    source = URIRef(f"{BASE}source/{row['source']}")
    cited = [ev for ev in case_graph.objects(node, PG.evidence) if (ev, PG.source, source) in case_graph]
    assert cited, f"{row['fact']!r}: {row['statement']} has no evidence citing {row['source']}"
    locators = [str(loc).strip() for ev in cited for loc in case_graph.objects(ev, PG.locator)]
    assert any(locators), f"{row['fact']!r}: {row['statement']} cites {row['source']} without a locator"


def test_every_finding_observation_and_commissioning_is_in_the_manifest() -> None:
    """The other way round: a statement of these kinds added to the data is added to the manifest too."""
    prog = PROG
    listed = {r["statement"] for r in ROWS}
    data = {*(f"observation:{o.id}" for o in prog.observations.observations),
            *(f"finding:{f.id}" for f in prog.observations.findings),
            *(f"commissioning:{c.id}" for c in prog.actors.commissioning)}
    assert not data - listed, f"in the data but not in {MANIFEST.name}: {sorted(data - listed)}"


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub("[\u2018\u2019\u201a\u201b\u2032]", "'", text)
    text = re.sub("[\u201c\u201d\u201e\u201f\u2033]", '"', text)
    text = re.sub("[\u2010-\u2015\u2212]", "-", text)
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.skipif(not FACTS.exists(), reason="shared/reference not beside this checkout")
def test_every_quote_is_in_the_facts_file(case_graph: Graph) -> None:
    """A quote (an evidence entry's `quote`, and a Table 2 cell's verbatim text) is the facts file's own words."""
    facts = _normalise(FACTS.read_text(encoding="utf-8"))
    quotes = {str(q) for q in case_graph.objects(None, PG.quote) if isinstance(q, Literal)}
    assert quotes, "no pg:quote in the graph"
    missing = sorted(q for q in quotes if _normalise(q) not in facts)
    assert not missing, f"quotes not found in {FACTS.name}: {missing}"
