"""A programme's own vocabulary (`vocabulary.yaml` in its folder): its configuration dimensions and their
concepts, the orientation axis a concept sits on (two poles and a neutral), the drift measure towards one
pole, and the words its services are called by. Generic code reads all of it from here (and, after a build,
from the graph); none of it is known in advance.

The records are checked like every other file (file:line, the value given, the fix), then across each other:
`vocabulary_problems` finds every problem at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from pydantic import Field

from policygraph.ingest.errors import Problem
from policygraph.ingest.models import Id, Record, Sourced, Text
from policygraph.ingest.yaml_source import Located

VOCABULARY = "vocabulary.yaml"
FrameWhatModified = Literal["content", "context", "training-evaluation", "implementation-activities"]


class Words(Record):
    """What the programme calls its services (the explorer's headings and the graph's labels use them)."""

    service: Text = "service"
    services: Text = "services"


class Pole(Record):
    id: Id
    label: Text
    definition: Text


class OrientationAxis(Sourced):
    """Where a configuration concept sits: towards one of two poles, or neutral (mixing both or neither)."""

    label: Text
    definition: Text
    poles: list[Pole] = Field(min_length=2, max_length=2)
    neutral: Pole


class DriftMeasure(Record):
    """The measure of drift towards one pole: its name and what it means in this programme."""

    name: Id
    towards: Id
    definition: Text


class Concept(Record):
    code: Id
    label: Text
    definition: Text
    orientation: Id
    broader: Id | None = None
    prioritised: bool = False  # on a pathway dimension: the route the source says was given priority


class Dimension(Sourced):
    id: Id
    header: Text
    order: int = Field(ge=1)
    definition: Text
    pathways: bool = False  # its concepts are referral routes: each known value opens referral pathways
    frame_what_modified: FrameWhatModified | None = None
    concepts: list[Concept] = Field(min_length=1)


class VocabularyFile(Record):
    words: Words = Words()
    orientation: OrientationAxis
    drift: DriftMeasure
    dimensions: list[Dimension] = Field(min_length=1)


@dataclass(frozen=True)
class Vocabulary:
    """A checked vocabulary, for looking things up."""

    file: VocabularyFile

    @cached_property
    def dimensions(self) -> list[Dimension]:
        """In their order (the source table's columns)."""
        return sorted(self.file.dimensions, key=lambda d: d.order)

    @cached_property
    def dimension_ids(self) -> list[str]:
        return [d.id for d in self.dimensions]

    @cached_property
    def codes(self) -> dict[str, frozenset[str]]:
        """Concept codes by dimension id."""
        return {d.id: frozenset(c.code for c in d.concepts) for d in self.file.dimensions}

    @cached_property
    def orientation_ids(self) -> list[str]:
        axis = self.file.orientation
        return [*(p.id for p in axis.poles), axis.neutral.id]


def _one_of(ids: Iterable[str]) -> str:
    return "use one of: " + ", ".join(sorted(set(ids)))


class _Found:
    """Problems found, each at the file position of the key it is about."""

    def __init__(self, at: Located) -> None:
        self.at = at
        self.problems: list[Problem] = []

    def need(self, ok: bool, key: tuple[str | int, ...], message: str, fix: str) -> None:
        if not ok:
            self.problems.append(Problem(self.at.at(key), message, fix))


def vocabulary_problems(vocab: VocabularyFile, at: Located) -> list[Problem]:
    """Every problem across the vocabulary's records (each record alone was checked when it was read)."""
    found = _Found(at)
    need = found.need
    axis = vocab.orientation
    poles = [p.id for p in axis.poles]
    need(len(set(poles)) == len(poles), ("orientation", "poles", 1, "id"),
         f"the two poles have the same id {poles[0]!r}", "give each pole its own id")
    need(axis.neutral.id not in poles, ("orientation", "neutral", "id"),
         f"the neutral id {axis.neutral.id!r} is also a pole's", "give the neutral its own id (e.g. neutral)")
    need(vocab.drift.towards in poles, ("drift", "towards"),
         f"drift towards {vocab.drift.towards!r}, which is not a pole of the orientation axis",
         f"{_one_of(poles)} (drift is measured towards one pole)")
    orientations = {*poles, axis.neutral.id}
    dims: dict[str, int] = {}
    orders: dict[int, str] = {}
    owner: dict[str, list[str]] = {}
    for d in vocab.dimensions:
        for c in d.concepts:
            owner.setdefault(c.code, []).append(d.id)
    for i, d in enumerate(vocab.dimensions):
        need(d.id not in dims, ("dimensions", i, "id"),
             f"duplicate dimension id {d.id!r} (also dimension {dims.get(d.id, 0) + 1})",
             "give each dimension its own id")
        dims.setdefault(d.id, i)
        need(d.order not in orders, ("dimensions", i, "order"),
             f"dimension {d.id!r} has order {d.order}, as dimension {orders.get(d.order)!r} does",
             "give each dimension its own order (the position of its column)")
        orders.setdefault(d.order, d.id)
        _concept_problems(d, i, orientations, owner, found)
    return found.problems


def _concept_problems(d: Dimension, i: int, orientations: set[str], owner: dict[str, list[str]],
                      found: _Found) -> None:
    check = found.need
    codes: dict[str, int] = {}
    for j, c in enumerate(d.concepts):
        key = ("dimensions", i, "concepts", j)
        check(c.code not in codes, (*key, "code"),
              f"duplicate concept code {c.code!r} in dimension {d.id!r} (also concept {codes.get(c.code, 0) + 1})",
              "give each concept of a dimension its own code")
        codes.setdefault(c.code, j)
        check(c.orientation in orientations, (*key, "orientation"),
              f"unknown orientation {c.orientation!r} for concept {c.code!r}",
              f"{_one_of(orientations)} (the poles and the neutral of the orientation axis)")
        check(not c.prioritised or d.pathways, (*key, "prioritised"),
              f"concept {c.code!r} is prioritised, but dimension {d.id!r} does not describe referral routes",
              "remove 'prioritised', or set 'pathways: true' on the dimension")
    parents = {c.code: c.broader for c in d.concepts if c.broader is not None}
    for j, c in enumerate(d.concepts):
        if c.broader is None:
            continue
        where = ("dimensions", i, "concepts", j, "broader")
        elsewhere = [other for other in owner.get(c.broader, []) if other != d.id]
        if c.broader not in codes:
            check(False, where,
                  f"broader {c.broader!r} of concept {c.code!r} is a concept of dimension {elsewhere[0]!r}: a concept "
                  "and its broader concept belong to one dimension" if elsewhere else
                  f"broader {c.broader!r} of concept {c.code!r}: no such concept in dimension {d.id!r}",
                  f"{_one_of(codes)} (a concept of the same dimension)")
            continue
        seen: set[str] = {c.code}
        step: str | None = c.broader
        while step is not None and step not in seen:
            seen.add(step)
            step = parents.get(step)
        check(step is None, where, f"broader concepts of {c.code!r} form a cycle",
              "remove the broader link that leads back to the concept")
