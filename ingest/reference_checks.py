"""Cross-checks of the references findings and commissioning make (`programme`, `service:A`, ...)."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from policygraph.ingest.checker import Checker
from policygraph.ingest.models import REFERENCE_KINDS
from policygraph.ingest.yaml_source import Located

if TYPE_CHECKING:  # programme.py calls this module with its folder
    from policygraph.ingest.programme import ProgrammeFolder

MAX_LISTED = 12


def ids_by_kind(p: ProgrammeFolder) -> dict[str, Collection[str]]:
    """The ids a reference of each kind can name."""
    found: dict[str, Collection[str]] = {
        "service": {s.id for s in p.services.services},
        "dimension": set(p.vocabulary.dimension_ids),
        "intent": {i.id for i in p.intents.intents},
        "document": {d.id for d in p.documents.documents},
        "organisation": {o.id for o in p.actors.organisations},
        "role": {r.id for r in p.actors.roles},
        "event": {e.id for e in p.timeline.events},
        "observation": {o.id for o in p.observations.observations},
        "finding": {f.id for f in p.observations.findings},
    }
    assert tuple(found) == REFERENCE_KINDS
    return found


def _listed(ids: Collection[str]) -> str:
    shown = sorted(ids)
    return ", ".join(shown[:MAX_LISTED]) + (", ..." if len(shown) > MAX_LISTED else "")


def check_references(p: ProgrammeFolder, observations: Located, actors: Located, c: Checker) -> None:
    """Every reference names a record of its kind; every commissioner is an organisation."""
    known = ids_by_kind(p)

    def check(located: Located, key: tuple[str | int, ...], reference: str) -> None:
        if reference == "programme":
            return
        kind, _, ident = reference.partition(":")
        c.need(ident in known[kind], located.at(key), f"{reference}: there is no {kind} {ident!r}",
               lambda: f"use one of: {_listed(known[kind])} (as {kind}:<id>), or 'programme'"
               if known[kind] else f"the programme has no {kind}; name another kind of record, or 'programme'")

    for i, finding in enumerate(p.observations.findings):
        for j, ref in enumerate(finding.about):
            check(observations, ("findings", i, "about", j), ref)
    for i, commissioning in enumerate(p.actors.commissioning):
        c.need(commissioning.commissioner in known["organisation"], actors.at(("commissioning", i, "commissioner")),
               f"commissioner {commissioning.commissioner!r} is not an organisation",
               lambda: f"use one of: {_listed(known['organisation'])} (from the organisations of actors.yaml)")
        for j, ref in enumerate(commissioning.commissions):
            check(actors, ("commissioning", i, "commissions", j), ref)
