"""Make tests/golden/table2.csv from the facts file's machine-readable copy of Table 2.

    python tests/golden/table2_from_facts.py ../shared/reference/health-trainers-facts.md > tests/golden/table2.csv

UNKNOWN cells (including E's truncated funding cell) become `unknown`; everything else is verbatim.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

# The facts file's table says `case`; the graph's one name for it is `service` (ADR 0009).
FACTS_COLUMN = {"service": "case"}
COLUMNS = ["service", "description", "period", "providers", "funding", "senior_buy_in", "primary_referral_sources",
           "health_trainers", "targeting", "formal_pm_system", "ht_user_interaction"]


def table2_csv(facts: str) -> str:
    block = facts.split("```csv\n", 1)[1].split("```", 1)[0]
    rows = list(csv.DictReader(io.StringIO(block), delimiter="|"))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["unknown" if row[FACTS_COLUMN.get(c, c)].startswith("UNKNOWN") else row[FACTS_COLUMN.get(c, c)]
                         for c in COLUMNS])
    return out.getvalue()


if __name__ == "__main__":
    sys.stdout.write(table2_csv(Path(sys.argv[1]).read_text(encoding="utf-8")))
