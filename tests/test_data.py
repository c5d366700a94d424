"""Integrity of the curated case, record by record: canonical form, facts from the paper, no guesses."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from support import CASE

from policygraph.ingest.canonical_order import configuration_sort_key, key_orders
from policygraph.ingest.formatting import non_canonical_files
from policygraph.ingest.programme import FILES, load_programme
from policygraph.ingest.yaml_source import read_yaml

PROG = load_programme(CASE)


@pytest.mark.parametrize("name", sorted(FILES))
def test_yaml_keys_in_canonical_order(name: str) -> None:
    data, _ = read_yaml(CASE / name)
    for where, keys, order in key_orders(data, FILES[name], name):
        assert keys == order, f"{where}: keys {keys} should be in the order {order} (see data/README.md)"


def test_configuration_rows_in_canonical_order() -> None:
    period_order = {p.id: p.order for p in PROG.periods}
    column = {d.id: d.order for d in PROG.vocabulary.dimensions}
    keys = [configuration_sort_key(r.row.service, r.row.period, r.row.dimension, period_order, column)
            for r in PROG.configurations]
    assert keys == sorted(keys), "configurations.csv rows go by service, period order, then column order"


def test_every_table2_cell_cites_s4_with_row_and_column() -> None:
    for located in PROG.configurations:
        row = located.row
        assert row.source == "S4", located.location
        assert row.locator.startswith(f"Table 2, row {row.service} "), located.location
        assert "column '" in row.locator, located.location


def test_known_and_unknown_cells_match_what_was_recovered() -> None:
    known = {(r.row.service, r.row.period, r.row.dimension) for r in PROG.configurations if r.row.status == "known"}
    assert len([k for k in known if k[0] in "ABCD"]) == 64
    assert {k for k in known if k[0] in "EF"} == {("E", "start-up", "providers")}
    e_funding = next(r.row for r in PROG.configurations
                     if (r.row.service, r.row.period, r.row.dimension) == ("E", "start-up", "funding"))
    assert e_funding.status == "unknown"
    assert "PC" in (e_funding.note or "")  # the truncation is recorded, the value is not guessed


def test_verbatim_cells_match_the_source_table() -> None:
    rows = list(csv.DictReader((CASE / "configurations.csv").open(encoding="utf-8")))
    d_follow = {r["dimension"]: r["verbatim"] for r in rows if r["service"] == "D" and r["period"] == "follow-up"}
    assert d_follow == {
        "providers": "Single external provider",
        "funding": "PCT",
        "senior-buy-in": "No",
        "primary-referral-sources": "GP referrals",
        "health-trainers": "Mix of original health trainers and re-badged external provider staff",
        "targeting": "Universal",
        "formal-pm-system": "Yes",
        "interaction": "Telephone-based assessment and referral",
    }


def test_services_a_to_f_with_f_unknown() -> None:
    services = {s.id: s for s in PROG.services.services}
    assert sorted(services) == list("ABCDEF")
    assert services["F"].status == "unknown" and services["F"].description is None
    assert services["B"].description == "Citywide service starting in early 2006"


def test_every_source_cited_has_a_url_and_what_was_recovered() -> None:
    for source in PROG.sources.sources:
        assert source.url.startswith(("http://", "https://")), source.id
        assert source.recovered, source.id


def test_national_figures_carry_the_sources_numbers() -> None:
    obs = {o.id: o for o in PROG.observations.observations}
    assert int(obs["dcrs-2011-clients"].value) == 239133
    assert int(obs["dcrs-2011-services"].value) == 115
    assert int(obs["dcrs-2011-most-deprived"].value) == 69
    assert str(obs["dcrs-2008-09-overweight"].value) == "94.7"
    assert all(o.evidence for o in obs.values())


def test_every_intent_expectation_uses_a_dimension_and_cites() -> None:
    for intent in PROG.intents.intents:
        assert intent.expectations, intent.id
        for expectation in intent.expectations:
            assert expectation.dimension in PROG.vocabulary.dimension_ids
            assert expectation.evidence


def test_data_readme_documents_every_file() -> None:
    readme = (Path(__file__).resolve().parents[1] / "data" / "README.md").read_text()
    for name in [*FILES, "configurations.csv", "queries/"]:
        assert f"`{name}`" in readme


def test_the_case_is_in_the_canonical_form() -> None:
    """Key order, layout and row order all at once, as `policygraph validate` checks them (no warning)."""
    assert non_canonical_files(PROG) == []
