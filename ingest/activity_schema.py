"""The client-level activity file: its columns, closed vocabularies and the check of one row.

One row per client, as in the national health trainer data system (DCRS):

    client_ref,service,quarter,referral_source,deprivation_quintile,age_band,sex,goal_type,php_created,goal_achieved

| column               | holds                                                                      |
|----------------------|----------------------------------------------------------------------------|
| client_ref           | the system's client reference: read past, never stored, never published    |
| service              | a service id of the programme (services.yaml)                              |
| quarter              | YYYY-Qn, n from 1 to 4 (calendar quarters)                                 |
| referral_source      | an id: lower-case letters and digits joined by single hyphens (open list)  |
| deprivation_quintile | 1 (most deprived) .. 5 (least deprived), IMD quintile of the home address  |
| age_band             | 16-24, 25-34, 35-44, 45-54, 55-64, 65-74, 75+                              |
| sex                  | female, male, other, unknown                                               |
| goal_type            | an id, like referral_source (open list)                                    |
| php_created          | yes / no: was a personal health plan (PHP) created                         |
| goal_achieved        | fully / partly / not; empty exactly when php_created is no                 |

Every column but client_ref is a *breakdown* of the published counts except service and quarter, which
locate them. A client without a PHP is counted under goal_achieved = ``no-php`` so that every breakdown
of a service-quarter sums to the same total. ``total`` is reserved (the category of group totals).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from operator import itemgetter

COLUMNS = ("client_ref", "service", "quarter", "referral_source", "deprivation_quintile", "age_band", "sex",
           "goal_type", "php_created", "goal_achieved")
DIMENSIONS = ("referral_source", "deprivation_quintile", "age_band", "sex", "goal_type", "php_created",
              "goal_achieved")
QUINTILES = ("1", "2", "3", "4", "5")
AGE_BANDS = ("16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+")
SEXES = ("female", "male", "other", "unknown")
PHP_CREATED = ("yes", "no")
GOAL_ACHIEVED = ("fully", "partly", "not")
NO_PHP = "no-php"  # goal_achieved category of a client without a PHP (an empty cell in the file)
TOTAL = "total"  # category of a group total; reserved
# Closed vocabularies, in publication order; the open ones (referral_source, goal_type) take the ids found.
CLOSED: dict[str, tuple[str, ...]] = {
    "deprivation_quintile": QUINTILES,
    "age_band": AGE_BANDS,
    "sex": SEXES,
    "php_created": PHP_CREATED,
    "goal_achieved": (*GOAL_ACHIEVED, NO_PHP),
}
OPEN = tuple(d for d in DIMENSIONS if d not in CLOSED)
# php_created = no and goal_achieved = no-php count the same clients (suppressed together).
LINKED = (("php_created", "no"), ("goal_achieved", NO_PHP))
DIMENSION_LABELS = {
    "referral_source": "referral source",
    "deprivation_quintile": "deprivation quintile",
    "age_band": "age band",
    "sex": "sex",
    "goal_type": "goal type",
    "php_created": "personal health plan created",
    "goal_achieved": "goal achieved",
}
MAX_ID = 64
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_QUARTER = re.compile(r"[0-9]{4}-Q[1-4]\Z")
_PHP_GOAL = frozenset({("yes", g) for g in GOAL_ACHIEVED} | {("no", "")})
_SETS = {d: frozenset(v) for d, v in CLOSED.items() if d != "goal_achieved"}
_UNDECODED = re.compile("[\udc80-\udcff]")  # a byte that was not UTF-8, as decoded with surrogateescape

FIX = {
    "quarter": "write the quarter as YYYY-Qn with n from 1 to 4, e.g. 2009-Q3",
    "deprivation_quintile": "write 1 (most deprived) to 5 (least deprived)",
    "age_band": f"write one of {', '.join(AGE_BANDS)}",
    "sex": f"write one of {', '.join(SEXES)}",
    "php_created": "write yes or no",
    "goal_achieved": "write fully, partly or not; leave it empty when no PHP was created (php_created = no)",
    "id": f"write an id: lower-case letters and digits joined by single hyphens (at most {MAX_ID} characters), "
          "e.g. walk-in",
}

Issue = tuple[str, str, str]  # (column, message, fix)
Values = tuple[str, str, str, str, str, str, str, str, str]  # service, quarter, then the seven breakdowns


def not_utf8(text: str) -> tuple[int, int] | None:
    """(position, byte) of the first byte that was not UTF-8 in a text read with errors='surrogateescape'."""
    found = _UNDECODED.search(text)
    return None if found is None else (found.start(), ord(found.group()) - 0xDC00)


def show(value: str, limit: int = 40) -> str:
    """A cell's value for a message: quoted, shortened."""
    return repr(value if len(value) <= limit else value[:limit] + "...")


class RowChecker:
    """Checks rows of a file whose header has been checked; fast on good rows (set look-ups, cached ids)."""

    def __init__(self, header: Sequence[str], services: Collection[str]) -> None:
        self.pick = itemgetter(*(header.index(c) for c in COLUMNS))
        self.width = len(header)
        self.services = frozenset(services)
        examples = ", ".join(sorted(self.services)[:5]) + (", ..." if len(self.services) > 5 else "")
        self.service_fix = f"use the id of a service of the programme (services.yaml): {examples or 'none given'}"
        self.quarters: set[str] = set()
        self.ids: set[str] = set()

    def check(self, cells: Sequence[str]) -> Values | list[Issue]:
        """The row's values (goal_achieved empty -> no-php), or what is wrong with it."""
        client, svc, quarter, ref, quint, age, sex, goal, php, achieved = self.pick(cells)
        if (svc in self.services and quarter in self.quarters and ref in self.ids and goal in self.ids
                and quint in _SETS["deprivation_quintile"] and age in _SETS["age_band"] and sex in _SETS["sex"]
                and (php, achieved) in _PHP_GOAL and (client.isascii() or not _UNDECODED.search(client))):
            return (svc, quarter, ref, quint, age, sex, goal, php, achieved or NO_PHP)
        undecoded = [(column, found) for column, value in zip(COLUMNS, (client, svc, quarter, ref, quint, age, sex,
                                                                        goal, php, achieved), strict=True)
                     if (found := not_utf8(value)) is not None]
        if undecoded:
            return [(column, f"column {column!r}: byte 0x{byte:02x} is not UTF-8 (the file has another encoding, "
                     "e.g. Latin-1 or Windows-1252)", "save the file as UTF-8 (in a text editor: 'Save with "
                     "encoding' > UTF-8)") for column, (_, byte) in undecoded]
        return self._slow([svc.strip(), quarter.strip(), ref.strip(), quint.strip(), age.strip(), sex.strip(),
                           goal.strip(), php.strip(), achieved.strip()])

    def _slow(self, values: list[str]) -> Values | list[Issue]:
        svc, quarter, ref, quint, age, sex, goal, php, achieved = values
        issues: list[Issue] = []
        if svc not in self.services:
            issues.append(_issue("service", svc, "is not a service of the programme", self.service_fix))
        if not _QUARTER.match(quarter):
            issues.append(_issue("quarter", quarter, "is not a quarter", FIX["quarter"]))
        for column, value in (("referral_source", ref), ("goal_type", goal)):
            if not _ID.match(value) or len(value) > MAX_ID:
                issues.append(_issue(column, value, "is not an id", FIX["id"]))
            elif value == TOTAL:
                issues.append((column, f"column {column!r}: {show(value)} is reserved (the category of totals)",
                               "use another id for this category"))
        for column, value in (("deprivation_quintile", quint), ("age_band", age), ("sex", sex), ("php_created", php)):
            if value not in _SETS[column]:
                issues.append(_issue(column, value, f"is not a valid {DIMENSION_LABELS[column]}", FIX[column]))
        if achieved not in (*GOAL_ACHIEVED, ""):
            issues.append(_issue("goal_achieved", achieved, "is not a valid goal achievement", FIX["goal_achieved"]))
        elif php == "no" and achieved:
            issues.append(("goal_achieved", f"column 'goal_achieved': {show(achieved)} but php_created is 'no' "
                           "(a goal is achieved under a personal health plan)",
                           "leave goal_achieved empty, or set php_created to yes if a PHP was created"))
        elif php == "yes" and not achieved:
            issues.append(("goal_achieved", "column 'goal_achieved': the cell is empty but php_created is 'yes'",
                           "write fully, partly or not (how far the PHP's goal was achieved), or set php_created "
                           "to no"))
        if issues:
            return issues
        self.quarters.add(quarter)
        self.ids.update((ref, goal))
        return (svc, quarter, ref, quint, age, sex, goal, php, achieved or NO_PHP)


def _issue(column: str, value: str, what: str, fix: str) -> Issue:
    if not value:
        return (column, f"column {column!r}: the cell is empty", fix)
    return (column, f"column {column!r}: {show(value)} {what}", fix)
