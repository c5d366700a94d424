"""SHACL validation of a build against ontology/shapes.ttl (pySHACL, no inference)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from policygraph.ontology import SHAPES_FILE

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.focus} {self.path}: {self.message}"


@cache
def shapes_graph() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


def shacl_violations(graph: Graph) -> list[Violation]:
    """Every SHACL violation of `graph`, sorted; an empty list means it conforms."""
    conforms, report, _text = validate(graph, shacl_graph=shapes_graph(), inference="none",
                                       advanced=False, allow_warnings=False)
    if conforms:
        return []
    assert isinstance(report, Graph)
    found = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        found.append(Violation(str(focus), _short(path), str(message)))
    log.debug("SHACL found %d violation(s)", len(found))
    return sorted(found, key=str)


# Above this size pySHACL (pure Python) takes minutes; the per-service statements are then validated on a
# deterministic sample of services, every other statement in full (records were all checked by ingest).
FULL_VALIDATION_LIMIT = 150_000
SAMPLE_SERVICES = 3


@dataclass(frozen=True)
class Scope:
    triples: int
    validated: int
    sampled_services: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return self.triples == self.validated


def sample_scope(per_service: Mapping[str, int], triples: int, limit: int | None = None) -> Scope:
    """What SHACL validates: everything when at most `limit` triples; otherwise every statement that is not
    about one service, and the per-service statements (`per_service`: their count by service id) of the
    first services in id order."""
    if triples <= (FULL_VALIDATION_LIMIT if limit is None else limit):
        return Scope(triples, triples, ())
    keep = tuple(sorted(per_service)[:SAMPLE_SERVICES])
    skipped = sum(count for service, count in per_service.items() if service not in keep)
    scope = Scope(triples, triples - skipped, keep)
    log.warning("SHACL on a sample: %d of %d triples (all statements, per-service ones for %s)",
                scope.validated, triples, ", ".join(keep))
    return scope


def _short(node: object) -> str:
    if isinstance(node, URIRef):
        text = str(node)
        return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return "" if node is None else str(node)
