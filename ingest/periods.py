"""Typed periods: the time a figure refers to, when a service started, when a commissioning ran.

Sources write periods in forms that sort wrongly as text (`2010-11` is a financial year, `2009-09` a month).
The curated form says which: a day `2011-05-31`, a month `2009-09`, a year `2011`, a financial year
`FY2010-11` (April to March), part of a year `early 2006` (`early`, `mid` or `late`), a range `2006/2011`
of two of the others, or `unknown`. Every typed period has a first and a last day, so periods of different
kinds order and overlap correctly; part of a year spans the whole year (the sources do not say which months
"early" covers) and keeps its qualifier as data.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

UNKNOWN = "unknown"
PARTS = ("early", "mid", "late")
KINDS = ("day", "month", "year", "financial-year", "part-of-year", "range")
PERIOD_FIX = ("write the period as a day 2011-05-31, a month 2009-09, a year \"2011\", a financial year "
              "FY2010-11 (April to March), part of a year \"early 2006\" (early, mid or late), a range "
              "2006/2011, or unknown (and say why in 'note')")

_FY = re.compile(r"FY([0-9]{4})-([0-9]{2})")
_PART = re.compile(r"(early|mid|late) ([0-9]{4})")
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


class PeriodError(ValueError):
    """A period the grammar refuses; the message says why."""


@dataclass(frozen=True)
class TypedPeriod:
    """A period as written, with its kind and its first and last day (both included)."""

    text: str
    kind: str
    start: datetime.date
    end: datetime.date
    qualifier: str | None = None  # early, mid or late, for part of a year

    @property
    def ident(self) -> str:
        """The period's id: its text, with a space as '-' and the range's '/' as '--'."""
        return self.text.replace(" ", "-").replace("/", "--")


def _calendar(text: str) -> TypedPeriod:
    match = _DATE.fullmatch(text)
    if match is None:
        raise PeriodError(f"{text!r} is not a period")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    if month is None:
        return TypedPeriod(text, "year", datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    if not 1 <= month <= 12:
        raise PeriodError(f"month {month:02d} is not between 01 and 12")
    if day is None:
        last = calendar.monthrange(year, month)[1]
        return TypedPeriod(text, "month", datetime.date(year, month, 1), datetime.date(year, month, last))
    try:
        first = datetime.date(year, month, day)
    except ValueError as exc:
        raise PeriodError(f"{text} is not a calendar date ({exc})") from exc
    return TypedPeriod(text, "day", first, first)


def _single(text: str) -> TypedPeriod:
    if (fy := _FY.fullmatch(text)) is not None:
        first = int(fy.group(1))
        if int(fy.group(2)) != (first + 1) % 100:
            raise PeriodError(f"financial year {text} does not end the year after it starts "
                              f"(FY{first}-{(first + 1) % 100:02d} does)")
        return TypedPeriod(text, "financial-year", datetime.date(first, 4, 1), datetime.date(first + 1, 3, 31))
    if (part := _PART.fullmatch(text)) is not None:
        year = int(part.group(2))
        return TypedPeriod(text, "part-of-year", datetime.date(year, 1, 1), datetime.date(year, 12, 31),
                           part.group(1))
    return _calendar(text)


def parse_period(text: str) -> TypedPeriod | None:
    """The typed period `text` writes, or None for `unknown`. Raises PeriodError for any other form."""
    if text == UNKNOWN:
        return None
    if not text.isascii():
        raise PeriodError(f"a period is written in ASCII letters and digits, not {text!r}")
    if "/" not in text:
        return _single(text)
    first_text, _, last_text = text.partition("/")
    first, last = _single(first_text), _single(last_text)
    if last.end < first.start:
        raise PeriodError(f"range {text} ends before it starts")
    return TypedPeriod(text, "range", first.start, last.end)
