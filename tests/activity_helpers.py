"""Shared by the activity-ingest tests (tests/test_activity_*.py): the test programme's constants, a
seeded generator of client CSV files (thin and thick service-quarters plus one crafted slot), a CSV writer
and the direct pandas computation of the counts that the ingest is checked against.
"""

from __future__ import annotations

import csv
import random
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from policygraph.ingest.activity_schema import CLOSED, COLUMNS, DIMENSIONS, NO_PHP

SEED = 20_140_725
ROWS = 6_000
MIN = 5
PROGRAMME = "test-programme"
SOURCE = "DCRS-EXTRACT"
LOCATOR = "client-level extract, all rows"
ORIGIN = {"source": SOURCE, "locator": LOCATOR}  # what the extract's record in programme.yaml cites
SERVICES = [f"T{n:02d}" for n in range(1, 13)]
QUARTERS = [f"{y}-Q{q}" for y in (2009, 2010) for q in range(1, 5)]
REFERRALS = ["self-community", "gp-referral", "cvd-risk-assessment", "smoking-cessation", "pharmacy", "housing-officer"]
GOALS = ["diet", "physical-activity", "weight", "smoking", "alcohol"]
REF_PATTERN = re.compile(rb"DCRS-[0-9a-f]{12}")
WITHHELD = ("T12", "2008-Q4")  # a crafted slot: 6 clients, quintile 1 x1 and quintile 2 x5, alike otherwise


def client_row(rng: random.Random, service: str, quarter: str) -> list[str]:
    php = rng.random() < 0.75
    return [f"DCRS-{rng.getrandbits(48):012x}", service, quarter,
            rng.choices(REFERRALS, weights=(50, 25, 10, 6, 3, 1))[0],
            rng.choices("12345", weights=(40, 25, 15, 12, 8))[0],
            rng.choices(CLOSED["age_band"], weights=(10, 20, 20, 20, 15, 10, 5))[0],
            rng.choices(CLOSED["sex"], weights=(55, 40, 3, 2))[0],
            rng.choices(GOALS, weights=(30, 30, 25, 10, 5))[0],
            "yes" if php else "no",
            rng.choices(["fully", "partly", "not"], weights=(5, 3, 2))[0] if php else ""]


def generate(path: Path, rows: int = ROWS, seed: int = SEED) -> list[list[str]]:
    """A client file with thin and thick service-quarters (many small cells) plus one crafted slot."""
    rng = random.Random(seed)
    slots = [(s, q) for s in SERVICES for q in QUARTERS]
    weights = [rng.choice([1, 2, 5, 20, 60]) for _ in slots]
    records = [client_row(rng, *rng.choices(slots, weights)[0]) for _ in range(rows)]
    for quintile in "122222":
        row = client_row(rng, *WITHHELD)
        row[3:10] = ["self-community", quintile, "35-44", "female", "diet", "yes", "fully"]
        records.append(row)
    write_csv(path, [list(COLUMNS), *records])
    return records


def write_csv(path: Path, rows: Iterable[Sequence[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def pandas_counts(csv_path: Path) -> dict[tuple[str, str, str, str], int]:
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    frame["goal_achieved"] = frame["goal_achieved"].replace("", NO_PHP)
    long = frame.melt(id_vars=["service", "quarter"], value_vars=list(DIMENSIONS), var_name="breakdown",
                      value_name="category")
    sizes = long.groupby(["service", "quarter", "breakdown", "category"]).size()
    return {key: int(n) for key, n in sizes.items()}
