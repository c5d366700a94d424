"""SHACL validation of a build against ontology/shapes.ttl (pySHACL, no inference)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache

from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from ontology import SHAPES_FILE

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


def _short(node: object) -> str:
    if isinstance(node, URIRef):
        text = str(node)
        return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return "" if node is None else str(node)
