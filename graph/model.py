"""A typed, read-only view of a programme's graph: its configuration table, intents, evidence and the
vision-to-practice (trace) graph.

Built from the RDF graph by direct triple look-ups (no SPARQL engine), so analytics run in
milliseconds on the case and stay linear on national-scale programmes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from policygraph.ontology import PG

if TYPE_CHECKING:
    import networkx as nx

Citation = tuple[str, str]  # (source id, locator)


def local_name(iri: str) -> str:
    """The last segment of an IRI (after '#' or '/')."""
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Cell:
    iri: URIRef
    service: URIRef
    period: URIRef
    dimension: URIRef
    known: bool
    verbatim: str | None
    codes: frozenset[URIRef]
    evidence: tuple[Citation, ...]


@dataclass(frozen=True)
class Expectation:
    iri: URIRef
    intent: URIRef
    dimension: URIRef
    expects: frozenset[URIRef]
    evidence: tuple[Citation, ...]


class ProgrammeModel:
    """Services, ordered periods, cells, expectations and concept orientations of one programme's graph."""

    def __init__(self, graph: Graph, cells: dict[tuple[URIRef, URIRef, URIRef], Cell] | None = None) -> None:
        """`cells`: the configuration table when the caller already has it (a build makes it from the
        records, so `graph` need only hold the vocabulary and the programme-wide statements)."""
        self.graph = graph
        # Look-ups asked for again and again (per cell of every service and period): remembered per model.
        # The graph must not change once a model reads it.
        self._idents: dict[URIRef, str] = {}
        self._orientations: dict[URIRef, URIRef | None] = {}
        self._broader: dict[URIRef, frozenset[URIRef]] = {}
        self._trace_lock = threading.Lock()
        if cells is not None:
            self.__dict__["cells"] = cells  # takes the place of the cached property

    @property
    def trace_graph(self) -> nx.DiGraph[str]:
        """The directed vision-to-practice graph (graph.traces), made on first use (seconds on a national
        programme, which the pages a visitor opens first do not need)."""
        with self._trace_lock:
            if "_trace" not in self.__dict__:
                from policygraph.graph.traces import trace_graph  # noqa: PLC0415 - traces import this module

                self.__dict__["_trace"] = trace_graph(self)
            found: nx.DiGraph[str] = self.__dict__["_trace"]
            return found

    def trace_graph_of(self, service: URIRef | None) -> nx.DiGraph[str]:
        """The trace graph, or one service's part of it (read for it alone unless the whole one is made: a
        trace of one service need not wait for every service's cells)."""
        if service is None or "_trace" in self.__dict__:
            return self.trace_graph
        from policygraph.graph.traces import trace_graph  # noqa: PLC0415 - traces import this module

        return trace_graph(self, self.cells_of(service))

    def label(self, node: URIRef) -> str:
        value = self.graph.value(node, RDFS.label) or self.graph.value(node, SKOS.prefLabel)
        return str(value) if value is not None else str(node).rsplit("/", 1)[-1]

    def ident(self, node: URIRef) -> str:
        found = self._idents.get(node)
        if found is None:
            value = self.graph.value(node, PG.identifier)
            found = self._idents[node] = str(value) if value is not None else str(node).rsplit("/", 1)[-1]
        return found

    def evidence(self, node: URIRef) -> tuple[Citation, ...]:
        found = []
        for ev in self.graph.objects(node, PG.evidence):
            source = self.graph.value(ev, PG.source)
            sid = self.graph.value(source, PG.identifier) if isinstance(source, URIRef) else None
            found.append((str(sid), str(self.graph.value(ev, PG.locator))))
        return tuple(sorted(found))

    @cached_property
    def services(self) -> list[URIRef]:
        return sorted((s for s in self.graph.subjects(RDF.type, PG.Service) if isinstance(s, URIRef)),
                      key=self.ident)

    @cached_property
    def periods(self) -> list[URIRef]:
        found = [p for p in self.graph.subjects(RDF.type, PG.Period) if isinstance(p, URIRef)]
        return sorted(found, key=lambda p: self._int(p, PG.periodOrder))

    @cached_property
    def dimensions(self) -> list[URIRef]:
        found = [d for d in self.graph.subjects(RDF.type, PG.Dimension) if isinstance(d, URIRef)]
        return sorted(found, key=lambda d: self._int(d, PG.columnOrder))

    def _int(self, node: URIRef, predicate: URIRef) -> int:
        value = self.graph.value(node, predicate)
        return int(value) if isinstance(value, Literal) else 0

    def cell_values(self, service: URIRef | None = None) -> Iterator[tuple[URIRef, URIRef, URIRef, URIRef]]:
        """(service, period, dimension, configuration value) of every cell of the configuration table, or of one
        service's cells."""
        g = self.graph
        configurations = (g.subjects(RDF.type, PG.ServiceConfiguration) if service is None
                          else (c for c in g.subjects(PG.configurationOf, service)
                                if (c, RDF.type, PG.ServiceConfiguration) in g))
        for conf in configurations:
            of = g.value(conf, PG.configurationOf)
            period = g.value(conf, PG.duringPeriod)
            for value in g.objects(conf, PG.hasValue):
                dim = g.value(value, PG.onDimension)
                if (isinstance(value, URIRef) and isinstance(of, URIRef) and isinstance(period, URIRef)
                        and isinstance(dim, URIRef)):
                    yield of, period, dim, value

    def _cells(self, service: URIRef | None) -> dict[tuple[URIRef, URIRef, URIRef], Cell]:
        g = self.graph
        out: dict[tuple[URIRef, URIRef, URIRef], Cell] = {}
        for of, period, dim, value in self.cell_values(service):
            verbatim = g.value(value, PG.verbatim)
            out[(of, period, dim)] = Cell(
                iri=value, service=of, period=period, dimension=dim,
                known=g.value(value, PG.status) == PG.known,
                verbatim=None if verbatim is None else str(verbatim),
                codes=frozenset(c for c in g.objects(value, PG.codedAs) if isinstance(c, URIRef)),
                evidence=self.evidence(value),
            )
        return out

    @cached_property
    def cells(self) -> dict[tuple[URIRef, URIRef, URIRef], Cell]:
        return self._cells(None)

    def cells_of(self, service: URIRef) -> dict[tuple[URIRef, URIRef, URIRef], Cell]:
        """One service's cells (from `cells` when they are all made already, else read for it alone)."""
        if "cells" in self.__dict__:
            return {key: cell for key, cell in self.cells.items() if key[0] == service}
        return self._cells(service)

    @cached_property
    def expectations(self) -> list[Expectation]:
        g = self.graph
        out = []
        for intent in g.subjects(RDF.type, PG.PolicyIntent):
            for exp in g.objects(intent, PG.hasExpectation):
                dim = g.value(exp, PG.onDimension)
                if isinstance(exp, URIRef) and isinstance(intent, URIRef) and isinstance(dim, URIRef):
                    expects = frozenset(c for c in g.objects(exp, PG.expectsConcept) if isinstance(c, URIRef))
                    out.append(Expectation(exp, intent, dim, expects, self.evidence(exp)))
        return sorted(out, key=lambda e: str(e.iri))

    def expectations_on(self, dimension: URIRef) -> list[Expectation]:
        return [e for e in self.expectations if e.dimension == dimension]

    @cached_property
    def programme(self) -> URIRef | None:
        found = self.graph.value(None, RDF.type, PG.Programme)
        return found if isinstance(found, URIRef) else None

    @cached_property
    def axis(self) -> URIRef | None:
        """The programme's orientation axis (a concept scheme with two poles and a neutral)."""
        found = self.graph.value(self.programme, PG.orientationAxis) if self.programme is not None else None
        return found if isinstance(found, URIRef) else None

    def _axis_value(self, predicate: URIRef) -> URIRef | None:
        found = self.graph.value(self.axis, predicate) if self.axis is not None else None
        return found if isinstance(found, URIRef) else None

    @cached_property
    def drift_pole(self) -> URIRef | None:
        """The pole drift is measured towards."""
        return self._axis_value(PG.driftPole)

    @cached_property
    def neutral(self) -> URIRef | None:
        return self._axis_value(PG.neutral)

    @cached_property
    def poles(self) -> list[URIRef]:
        """The two poles: the other one first, the drift pole last (the way a drift goes)."""
        found = [p for p in self.graph.objects(self.axis, PG.pole) if isinstance(p, URIRef)] if self.axis else []
        return sorted(found, key=lambda p: (p == self.drift_pole, str(p)))

    @cached_property
    def drift_name(self) -> str:
        """What the programme calls its drift measure; 'drift' when it says nothing."""
        found = self.graph.value(self.axis, PG.driftMeasure) if self.axis is not None else None
        return "drift" if found is None else str(found)

    def word(self, plural: bool = False) -> str:
        """What the programme calls a service (or its services)."""
        found = self.graph.value(self.programme, PG.servicesWord if plural else PG.serviceWord)
        return str(found) if found is not None else ("services" if plural else "service")

    @cached_property
    def pathway_dimensions(self) -> list[URIRef]:
        """The dimensions whose concepts are referral routes."""
        return [d for d in self.dimensions if self.graph.value(d, PG.describesPathways) == Literal(True)]

    def orientation(self, concept: URIRef) -> URIRef | None:
        """The pole or neutral a concept sits on (the neutral when it says none)."""
        if concept not in self._orientations:
            value = self.graph.value(concept, PG.orientation)
            self._orientations[concept] = value if isinstance(value, URIRef) else self.neutral
        return self._orientations[concept]

    def broader_closure(self, concept: URIRef) -> frozenset[URIRef]:
        """The concept and everything broader than it (a narrower code meets a broader expectation)."""
        found = self._broader.get(concept)
        if found is not None:
            return found
        seen = {concept}
        frontier = [concept]
        while frontier:
            for parent in self.graph.objects(frontier.pop(), SKOS.broader):
                if isinstance(parent, URIRef) and parent not in seen:
                    seen.add(parent)
                    frontier.append(parent)
        found = self._broader[concept] = frozenset(seen)
        return found

    def meets(self, cell: Cell, expectation: Expectation) -> bool | None:
        """True if every code of a known cell is expected, False if one is not, None if the cell is unknown."""
        if not cell.known:
            return None
        return all(self.broader_closure(code) & expectation.expects for code in cell.codes)
