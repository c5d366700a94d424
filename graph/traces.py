"""Traces from policy vision to delivered practice, hop by hop, each hop with a status and evidence.

The trace graph is directed: document -> intent -> expectation -> configuration value (one per
service and period on the expectation's dimension) -> referral pathway / adaptation. Paths are
enumerated with an explicit hop cap and result cap (the number of simple paths grows exponentially
on dense graphs) and say when a cap cut them short.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import pairwise

import networkx as nx
from rdflib import RDF, URIRef

from policygraph.graph.model import Cell, Citation, ProgrammeModel
from policygraph.ontology import PG, VOCAB

CONSISTENT, DEPARTED, UNKNOWN = "consistent", "departed", "unknown"
DEFAULT_HOP_CAP = 6
DEFAULT_RESULT_CAP = 500
_FIDELITY = {VOCAB + "frame/fidelity-consistent": CONSISTENT, VOCAB + "frame/fidelity-inconsistent": DEPARTED}


@dataclass(frozen=True)
class Hop:
    source: str
    target: str
    relation: str
    status: str
    evidence: tuple[Citation, ...]


@dataclass(frozen=True)
class TracePath:
    hops: tuple[Hop, ...]

    @property
    def end_status(self) -> str:
        return self.hops[-1].status


@dataclass(frozen=True)
class TraceResult:
    start: str
    paths: list[TracePath]
    truncated: bool
    hop_cap: int
    result_cap: int
    labels: dict[str, str]


def _status(met: bool | None) -> str:
    return UNKNOWN if met is None else CONSISTENT if met else DEPARTED


class _TraceGraphBuilder:
    def __init__(self, model: ProgrammeModel, cells: Iterable[Cell]) -> None:
        self.model = model
        self.cells = list(cells)
        self.dig: nx.DiGraph[str] = nx.DiGraph()

    def node(self, iri: URIRef, kind: str, cell: Cell | None = None) -> str:
        attrs = {} if cell is None else {"service": self.model.ident(cell.service),
                                         "period": self.model.ident(cell.period)}
        label = self.model.label(iri)
        if kind == "value" and cell is not None:
            label = f"{label}: {cell.verbatim if cell.known else 'unknown'}"
        self.dig.add_node(str(iri), label=label, kind=kind, **attrs)
        return str(iri)

    def build(self) -> nx.DiGraph[str]:
        model, g = self.model, self.model.graph
        for exp in model.expectations:
            intent = self.node(exp.intent, "intent")
            target = self.node(exp.iri, "expectation")
            self.dig.add_edge(intent, target, relation="hasExpectation", status=CONSISTENT, evidence=exp.evidence)
            for doc in g.objects(exp.intent, PG.statedIn):
                if isinstance(doc, URIRef):
                    self.dig.add_edge(self.node(doc, "document"), intent, relation="statesIntent",
                                      status=CONSISTENT, evidence=model.evidence(exp.intent))
            for cell in self.cells:
                if cell.dimension == exp.dimension:
                    value = self.node(cell.iri, "value", cell)
                    self.dig.add_edge(target, value, relation="realisedAs", status=_status(model.meets(cell, exp)),
                                      evidence=cell.evidence)
                    self._practice(cell, exp.expects)
        return self.dig

    def _practice(self, cell: Cell, expected: frozenset[URIRef]) -> None:
        """Hops from a value to the referral pathways it opens and the adaptation that produced it."""
        model, g = self.model, self.model.graph
        conf = g.value(None, PG.hasValue, cell.iri)
        for pathway in g.subjects(PG.inConfiguration, conf) if conf is not None else ():
            # A cell opens the pathways of its own dimension: its codes are their sources (none when unknown).
            if not isinstance(pathway, URIRef) or g.value(pathway, PG.onDimension) != cell.dimension:
                continue
            concept = g.value(pathway, PG.referralSource)
            met = bool(model.broader_closure(concept) & expected) if isinstance(concept, URIRef) else None
            self.dig.add_edge(str(cell.iri), self.node(pathway, "referral", cell), relation="reachedBy",
                              status=_status(met), evidence=model.evidence(pathway))
        for adaptation in g.subjects(PG.toValue, cell.iri):
            if isinstance(adaptation, URIRef) and (adaptation, RDF.type, PG.Adaptation) in g:
                fidelity = str(g.value(adaptation, PG.frameFidelity))
                self.dig.add_edge(str(cell.iri), self.node(adaptation, "adaptation", cell), relation="changedBy",
                                  status=_FIDELITY.get(fidelity, UNKNOWN), evidence=model.evidence(adaptation))


def trace_graph(model: ProgrammeModel,
                cells: Mapping[tuple[URIRef, URIRef, URIRef], Cell] | None = None) -> nx.DiGraph[str]:
    """The directed vision-to-practice graph of a programme (node attrs: label, kind, service, period), over
    `cells` (default: every cell of the configuration table)."""
    return _TraceGraphBuilder(model, (model.cells if cells is None else cells).values()).build()


def trace(dig: nx.DiGraph[str], start: URIRef, *, service: str | None = None,
          period: str | None = None, hop_cap: int = DEFAULT_HOP_CAP,
          result_cap: int = DEFAULT_RESULT_CAP) -> TraceResult:
    """Every path from `start` (a document or an intent) to a delivered-practice node."""
    key = str(start)
    if key not in dig:
        raise KeyError(f"{start} is not a document or intent with expectations in this build")
    keep = [n for n, d in dig.nodes(data=True)
            if (service is None or d.get("service") in (None, service))
            and (period is None or d.get("period") in (None, period))]
    view = dig.subgraph(keep)
    paths: list[TracePath] = []
    cut = False
    for nodes, complete in _walk(view, key, hop_cap):
        if len(paths) == result_cap:
            cut = True
            break
        cut = cut or not complete
        paths.append(TracePath(tuple(Hop(a, b, **view.edges[a, b]) for a, b in pairwise(nodes))))
    labels = {n: view.nodes[n]["label"] for n in view}
    return TraceResult(key, paths, cut, hop_cap, result_cap, labels)


def _walk(dig: nx.DiGraph[str], start: str, hop_cap: int) -> Iterator[tuple[list[str], bool]]:
    """Depth-first simple paths from `start`: (nodes, True) at a leaf, (nodes, False) where the hop cap cut."""
    stack: list[list[str]] = [[start]]
    while stack:
        nodes = stack.pop()
        successors = [n for n in dig.successors(nodes[-1]) if n not in nodes]
        if not successors:
            if len(nodes) > 1:
                yield nodes, True
        elif len(nodes) - 1 >= hop_cap:
            yield nodes, False
        else:
            stack.extend([*nodes, n] for n in sorted(successors, reverse=True))
