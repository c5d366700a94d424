"""Typed records of the curated programme files. Unknown keys are errors; values are typed."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
MAX_TEXT = 4000
_MARKUP = re.compile(r"<\s*[A-Za-z/!?]")


def _plain_text(value: str) -> str:
    # Labels end up in HTML (explorer, exports); markup in curated text is refused at the door.
    if _MARKUP.search(value):
        raise ValueError("markup is not allowed here: text must be plain (no '<tag')")
    if value != value.strip():
        raise ValueError("text must not start or end with spaces")
    return value


def _partial_date(value: str) -> str:
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        raise ValueError("a date is written YYYY, YYYY-MM or YYYY-MM-DD (quote a bare year)")
    parts = [int(p) for p in value.split("-")]
    if len(parts) > 1 and not 1 <= parts[1] <= 12:
        raise ValueError(f"month {parts[1]} is not between 01 and 12")
    if len(parts) == 3:
        import datetime  # noqa: PLC0415 - only needed for full dates

        try:
            datetime.date(parts[0], parts[1], parts[2])
        except ValueError as exc:
            raise ValueError(f"{value} is not a calendar date ({exc})") from exc
    return value


Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT), AfterValidator(_plain_text)]
PartialDate = Annotated[str, AfterValidator(_partial_date)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=MAX_TEXT)]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Evidence(Record):
    source: Id
    locator: Text
    quote: Text | None = None


class Sourced(Record):
    evidence: list[Evidence] = Field(min_length=1)


class Programme(Sourced):
    id: Id
    label: Text
    description: Text


class Period(Record):
    id: Id
    label: Text
    order: int = Field(ge=1)
    note: Text | None = None


class ProgrammeFile(Record):
    programme: Programme
    periods: list[Period] = Field(min_length=1)


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
    kind: Literal["white-paper", "delivery-plan", "ministerial-statement", "act", "guidance", "report"]
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
        if len(dims) != len(set(dims)):
            raise ValueError("an intent has at most one expectation per dimension")
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


class ActorsFile(Record):
    organisations: list[Organisation] = Field(min_length=1)
    roles: list[Role] = []


class Service(Sourced):
    id: Id
    label: Text
    status: Literal["known", "unknown"]
    description: Text | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _description_matches_status(self) -> Service:
        if self.status == "known" and self.description is None:
            raise ValueError("a service with status 'known' needs its description")
        if self.status == "unknown" and self.description is not None:
            raise ValueError("a service with status 'unknown' must not have a description")
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


class Observation(Sourced):
    id: Id
    indicator: Text
    value: Decimal
    unit: Text
    area: Text
    ref_period: Text
    note: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _numbers_only(cls, data: object) -> object:
        # Strict mode refuses float -> Decimal; accept YAML numbers, refuse text and booleans.
        if isinstance(data, dict) and "value" in data:
            value = data["value"]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"value must be a number, got {value!r}")
            data = {**data, "value": Decimal(str(value))}
        return data


class ObservationsFile(Record):
    observations: list[Observation] = []


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
        if self.status == "known" and (self.verbatim is None or not self.codes):
            raise ValueError("a known cell needs its verbatim text and at least one code")
        if self.status == "unknown" and (self.verbatim is not None or self.codes):
            raise ValueError("an unknown cell must leave verbatim and codes empty (never guess)")
        if self.status == "unknown" and self.note is None:
            raise ValueError("an unknown cell needs a note saying why it is unknown")
        return self
