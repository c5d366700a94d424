"""Warnings about periods that are valid but probably not what the curator meant: `2010-11` is November 2010,
though sources write financial year 2010/11 the same way."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from policygraph.ingest.errors import IngestError, Location, Problem
from policygraph.ingest.periods import PeriodError, parse_period
from policygraph.ingest.yaml_source import read_yaml

# The typed-period keys of each file, by the list that holds the records.
PERIOD_KEYS = {"observations.yaml": ("observations", ("ref_period",)),
               "services.yaml": ("services", ("started",)),
               "actors.yaml": ("commissioning", ("since", "until"))}
def _looks_like_financial_year(value: str) -> bool:
    try:
        period = parse_period(value)
    except PeriodError:
        return False  # validation reports it
    return period is not None and period.kind == "month" and period.start.month == (period.start.year + 1) % 100


def _periods(folder: Path) -> Iterator[tuple[str, Location]]:
    for name, (top, keys) in PERIOD_KEYS.items():
        try:
            data, located = read_yaml(folder / name)
        except IngestError:
            continue  # validation reports it
        records: Any = data.get(top) if isinstance(data, dict) else None
        for i, record in enumerate(records if isinstance(records, list) else []):
            for key in keys:
                value = record.get(key) if isinstance(record, dict) else None
                if isinstance(value, str):
                    for part in value.split("/"):
                        yield part, located.at((top, i, key))


def ambiguous_periods(folder: Path) -> list[Problem]:
    """A warning for each period written YYYY-MM whose month is the year after's last two digits."""
    found = []
    for value, where in _periods(folder):
        if _looks_like_financial_year(value):
            year = int(value[:4])
            month = calendar.month_name[int(value[5:])]
            found.append(Problem(where, f"{value} reads as a month ({month} {year}), but is "
                                 f"written as sources write the financial year {year}/{value[5:]}",
                                 f"write FY{value} if the source means the financial year (April {year} to "
                                 f"March {year + 1}); if it means the month, write it as the days "
                                 f"{value}-01/{value}-{calendar.monthrange(year, int(value[5:]))[1]:02d}"))
    return found

