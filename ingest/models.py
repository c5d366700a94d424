"""Typed records of the curated programme files. Unknown keys are errors; values are typed.

Every validator raises `Invalid`, a ValueError that carries the fix to show the curator;
`policygraph.ingest.validation_fixes.fix_for` turns any pydantic error on these models into such a fix.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from policygraph.ingest.periods import PERIOD_FIX, PeriodError, parse_period
from policygraph.ingest.text_rules import non_ascii_digit, visible

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
URL_PATTERN = r"^https?://[^\s<>\"{}|\\^`]+$"
MAX_TEXT = 4000
_MARKUP = re.compile(r"<\s*[A-Za-z/!?]")
# C0 controls (tab, line feed and carriage return excepted) and DEL: invisible, and not
# representable in the XML exports (GraphML, GEXF).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Invalid(ValueError):
    """A validator's finding, with the fix to show the curator."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.fix = fix


def _plain_text(value: str) -> str:
    # Labels end up in HTML (explorer, exports); markup in curated text is refused at the door.
    if _MARKUP.search(value):
        raise Invalid("markup is not allowed here: text must be plain (no '<tag')",
                      "remove the markup; write plain text (e.g. 'less than' or '< ' with a "
                      "space instead of '<' followed by a letter)")
    control = _CONTROL.search(value)
    if control:
        raise Invalid(f"control character U+{ord(control.group()):04X} in text",
                      "delete the invisible control character")
    if value != value.strip():
        raise Invalid("text must not start or end with spaces", "remove the surrounding spaces")
    if not visible(value):
        raise Invalid("the text shows no visible character (only spaces, zero-width or filler "
                      "characters)", "write the text, or remove the key if it is optional")
    return value


_DATE_FIX = ("write a date as YYYY, YYYY-MM or YYYY-MM-DD with a real month and day, e.g. "
             "2005-03-09 (quote a bare year: \"2006\")")


def _partial_date(value: str) -> str:
    if (digits := non_ascii_digit(value)) is not None:
        raise Invalid(f"a date is written with ASCII digits, not {digits}",
                      f"use ASCII digits 0-9; {_DATE_FIX}")
    if not re.fullmatch(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", value):
        raise Invalid("a date is written YYYY, YYYY-MM or YYYY-MM-DD", _DATE_FIX)
    parts = [int(p) for p in value.split("-")]
    if len(parts) > 1 and not 1 <= parts[1] <= 12:
        raise Invalid(f"month {parts[1]} is not between 01 and 12", _DATE_FIX)
    if len(parts) == 3:
        try:
            datetime.date(parts[0], parts[1], parts[2])
        except ValueError as exc:
            raise Invalid(f"{value} is not a calendar date ({exc})", _DATE_FIX) from exc
    return value


def _period(value: str) -> str:
    try:
        parse_period(value)
    except PeriodError as exc:
        raise Invalid(str(exc), PERIOD_FIX) from exc
    return value


# What a finding is about or a commissioning commissions: `programme`, or `kind:id` of a record or dimension.
REFERENCE_KINDS = ("service", "dimension", "intent", "document", "organisation", "role", "event", "observation",
                   "finding")
_REFERENCE_FIX = ("write 'programme' or kind:id with kind one of " + ", ".join(REFERENCE_KINDS)
                  + " (e.g. service:A, dimension:funding)")


def _reference(value: str) -> str:
    kind, sep, ident = value.partition(":")
    if value == "programme":
        return value
    if not sep or kind not in REFERENCE_KINDS:
        raise Invalid(f"{value!r} does not say what kind of record it names", _REFERENCE_FIX)
    if not re.fullmatch(ID_PATTERN, ident):
        raise Invalid(f"{ident!r} is not an id", _REFERENCE_FIX)
    return value


Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT),
                 AfterValidator(_plain_text)]
PartialDate = Annotated[str, AfterValidator(_partial_date)]
Url = Annotated[str, StringConstraints(pattern=URL_PATTERN, max_length=MAX_TEXT)]
TypedPeriodText = Annotated[str, StringConstraints(max_length=64), AfterValidator(_period)]
Reference = Annotated[str, StringConstraints(max_length=130), AfterValidator(_reference)]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Evidence(Record):
    source: Id
    locator: Text
    quote: Text | None = None


class Sourced(Record):
    evidence: list[Evidence] = Field(min_length=1)


class ProgrammeRecord(Sourced):
    id: Id
    label: Text
    description: Text


class Period(Record):
    id: Id
    label: Text
    order: int = Field(ge=1)
    note: Text | None = None


class ActivityExtract(Record):
    """Client-level activity records to aggregate (never loaded row by row into the graph)."""

    file: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\.csv$")]
    source: Id
    locator: Text  # where in the source the extract is: what every observation made from it cites
    min_count: int = Field(default=5, ge=3, le=100)


class ProgrammeFile(Record):
    programme: ProgrammeRecord
    periods: list[Period] = Field(min_length=1)
    activity: ActivityExtract | None = None


class Source(Record):
    id: Id
    title: Text
    authors: Text
    year: Text
    url: Url
    recovered: Text


class SourcesFile(Record):
    sources: list[Source] = Field(min_length=1)


class Document(Sourced):
    id: Id
    title: Text
    kind: Literal["white-paper", "delivery-plan", "ministerial-statement", "act", "guidance",
                  "report"]
    date: PartialDate
    published_by: Id
    implements: list[Id] = []
    description: Text


class DocumentsFile(Record):
    documents: list[Document] = Field(min_length=1)


class Expectation(Sourced):
    dimension: Id
    expects: list[Id] = Field(min_length=1)
    rationale: Text


class Intent(Sourced):
    id: Id
    label: Text
    description: Text
    stated_in: list[Id] = Field(min_length=1)
    expectations: list[Expectation] = []

    @model_validator(mode="after")
    def _one_expectation_per_dimension(self) -> Intent:
        dims = [e.dimension for e in self.expectations]
        for dim in dims:
            if dims.count(dim) > 1:
                raise Invalid(f"two expectations on dimension {dim!r}: an intent has at most one "
                              "expectation per dimension",
                              f"merge the expectations on {dim!r} into one, listing every "
                              "expected code in its 'expects'")
        return self


class IntentsFile(Record):
    intents: list[Intent] = Field(min_length=1)


class Organisation(Sourced):
    id: Id
    label: Text
    kind: Id
    level: Literal["national", "regional", "local"]
    sub_organisation_of: Id | None = None
    description: Text


class Role(Sourced):
    id: Id
    label: Text
    description: Text


class Commissioning(Sourced):
    """Who commissioned what, and when (`since`/`until` left out where the sources do not say)."""

    id: Id
    commissioner: Id
    commissions: list[Reference] = Field(min_length=1)
    since: TypedPeriodText | None = None
    until: TypedPeriodText | None = None
    note: Text | None = None

    @field_validator("until")
    @classmethod
    def _after_since(cls, until: str | None, info: ValidationInfo) -> str | None:
        since = info.data.get("since")
        start, end = (parse_period(p) if p else None for p in (since, until))
        if start is not None and end is not None and end.end < start.start:
            raise Invalid(f"the commissioning ends ({until}) before it starts ({since})",
                          "swap 'since' and 'until', or correct the period the source gives")
        return until


class ActorsFile(Record):
    organisations: list[Organisation] = Field(min_length=1)
    roles: list[Role] = []
    commissioning: list[Commissioning] = []


class Service(Sourced):
    id: Id
    label: Text
    status: Literal["known", "unknown"]
    description: Text | None = None
    started: TypedPeriodText | None = None  # when the service started, as the source dates it
    note: Text | None = None

    @model_validator(mode="after")
    def _description_matches_status(self) -> Service:
        if self.status == "known" and self.description is None:
            raise Invalid("a service with status 'known' needs its description",
                          "add 'description' from the source, or set status to 'unknown'")
        if self.status == "unknown" and self.description is not None:
            raise Invalid("a service with status 'unknown' must not have a description",
                          "remove 'description' (say why it is unknown in 'note'), or set status "
                          "to 'known'")
        if self.status == "unknown" and self.started is not None:
            raise Invalid("a service with status 'unknown' must not have a start",
                          "remove 'started', or set status to 'known'")
        return self


class ServicesFile(Record):
    services: list[Service] = Field(min_length=1)


class Event(Sourced):
    id: Id
    date: PartialDate
    label: Text
    relates_to: list[Id] = []


class TimelineFile(Record):
    events: list[Event] = []


_SIGNED_UNITS = ("change", "difference", "balance", "net ", "growth", "deficit")


class Observation(Sourced):
    id: Id
    indicator: Text
    value: Decimal  # for a range, its lower end
    upper: Decimal | None = None  # the upper end of a range
    qualifier: Literal["over", "under", "at-least", "at-most", "about", "almost", "nearly"] | None = None
    unit: Text
    area: Text
    ref_period: TypedPeriodText
    note: Text | None = None

    @field_validator("value", "upper", mode="before")
    @classmethod
    def _numbers_only(cls, value: object, info: ValidationInfo) -> object:
        # Strict mode refuses float -> Decimal; accept YAML numbers, refuse text and booleans.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Invalid(f"{info.field_name} must be a number",
                          f"write the number without quotes or words, e.g. {info.field_name}: 69 (the unit "
                          "goes in 'unit', remarks in 'note')")
        return Decimal(str(value))

    @field_validator("upper")
    @classmethod
    def _above_value(cls, upper: Decimal | None, info: ValidationInfo) -> Decimal | None:
        value = info.data.get("value")
        if upper is not None and value is not None and upper <= value:
            raise Invalid(f"upper {upper} is not above value {value} (a range goes from value to upper)",
                          "write the lower end in 'value' and the higher in 'upper', or remove 'upper'")
        return upper

    @model_validator(mode="after")
    def _counts_not_negative(self) -> Observation:
        # A value is a count or a share of one unless its unit says it is a change or a difference.
        unit = self.unit.lower()
        if self.value.is_finite() and self.value < 0 and not any(w in unit for w in _SIGNED_UNITS):
            raise Invalid(f"value {self.value} is negative, but unit {self.unit!r} counts something "
                          "(a count or a share of one is 0 or more)",
                          "write the figure as the source gives it; if it is a change or a "
                          "difference, say so in 'unit' (e.g. 'change in clients')")
        if self.ref_period == "unknown" and self.note is None:
            raise Invalid("an unknown ref_period needs a note saying why it is unknown",
                          "write in 'note' why the period is not known (e.g. the date is not in the excerpt)")
        return self


class Finding(Sourced):
    """A source's statement in prose, paraphrased: what a study found or concluded, how it was done, or how
    the programme works."""

    id: Id
    kind: Literal["finding", "conclusion", "method", "description"]
    label: Text
    statement: Text
    about: list[Reference] = Field(min_length=1)
    note: Text | None = None


class ObservationsFile(Record):
    observations: list[Observation] = []
    findings: list[Finding] = []


class ConfigurationRow(Record):
    """One row of configurations.csv: one cell of the service-by-period configuration table."""

    service: Id
    period: Id
    dimension: Id
    status: Literal["known", "unknown"]
    verbatim: Text | None
    codes: list[Id]
    actors: list[Id]
    source: Id
    locator: Text
    note: Text | None

    @model_validator(mode="after")
    def _value_matches_status(self) -> ConfigurationRow:
        silent = "if the source is silent, set status to 'unknown' and say why in 'note'"
        if self.status == "known" and self.verbatim is None:
            raise Invalid("a known cell needs its verbatim text, but 'verbatim' is empty",
                          f"copy the cell text exactly as the source prints it; {silent}")
        if self.status == "known" and not self.codes:
            raise Invalid("a known cell needs at least one concept code, but 'codes' is empty",
                          f"write the code(s) of scheme {self.dimension!r} in 'codes', separated "
                          f"by ';'; {silent}")
        if self.status == "unknown" and (self.verbatim is not None or self.codes):
            given = ", ".join(
                ([f"verbatim {self.verbatim!r}"] if self.verbatim is not None else [])
                + ([f"codes {';'.join(self.codes)!r}"] if self.codes else []))
            raise Invalid(f"an unknown cell must leave verbatim and codes empty (never guess), "
                          f"given {given}",
                          "empty 'verbatim' and 'codes', or set status to 'known' if a source "
                          "gives this value")
        if self.status == "unknown" and self.note is None:
            raise Invalid("an unknown cell needs a note saying why it is unknown",
                          "write in 'note' why the sources are silent (e.g. the excerpt ends "
                          "before this cell)")
        return self
