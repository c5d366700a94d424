"""Derived statements materialised into a build: adaptations (FRAME-coded) and drift measures.

Every derived node is marked as derived: prov:wasGeneratedBy a pg:DerivationRun naming the
policygraph version, prov:wasDerivedFrom the configuration values it comes from, and it repeats
their evidence so every hop of a trace stays cited.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from importlib.metadata import version
from itertools import pairwise

from rdflib import RDF, URIRef
from rdflib.namespace import DCTERMS

from policygraph.graph.drift import Measure, all_measures
from policygraph.graph.model import Cell, ProgrammeModel
from policygraph.ontology import PG, PROV, VOCAB
from policygraph.ontology import ntriples as nt

FRAME = VOCAB + "frame/"
TYPE, LABEL = nt.RDF_TYPE, nt.RDFS_LABEL
P = {name: f"<{PG[name]}>" for name in (
    "partOfProgramme", "evidence", "source", "locator", "ofService", "onDimension", "fromPeriod", "toPeriod",
    "fromValue", "toValue", "addedConcept", "removedConcept", "frameNature", "frameWhatModified", "frameFidelity",
    "decisionStatus", "reasonStatus", "duringPeriod", "fidelity", "drift", "fidelityKnown",
    "fidelityDimensions", "driftKnown", "towardsPole", "dimensionCount", "sufficientData", "softwareVersion",
    "Evidence", "Adaptation", "DriftMeasure", "DerivationRun", "unknown")}
GENERATED_BY, DERIVED_FROM = f"<{PROV.wasGeneratedBy}>", f"<{PROV.wasDerivedFrom}>"


def _decimal(value: Fraction) -> str:
    exact = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.0001"), ROUND_HALF_EVEN)
    return nt.decimal(exact)


class Derived:
    """Derived statements as N-Triples lines: the run's own, and each service's (by service id)."""

    def __init__(self) -> None:
        self.common: list[str] = []
        self.per_service: dict[str, list[str]] = defaultdict(list)

    def lines(self) -> list[str]:
        return [*self.common, *(line for lines in self.per_service.values() for line in lines)]


class _Deriver:
    def __init__(self, model: ProgrammeModel) -> None:
        self.model = model
        programme = model.graph.value(None, RDF.type, PG.Programme)
        assert isinstance(programme, URIRef), "a build has exactly one pg:Programme"
        self.programme = f"<{programme}>"
        self.source_base = f"{programme}/source/"
        self.run = f"<{programme}/derivation/policygraph-{version('policygraph')}>"
        self.out = Derived()
        self.lines = self.out.common

    def add(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{s} {p} {o} .\n")

    def derived(self, node: str, cls: str, label: str, sources: list[Cell]) -> None:
        self.add(node, TYPE, P[cls])
        self.add(node, LABEL, nt.literal(label, "en"))
        self.add(node, P["partOfProgramme"], self.programme)
        self.add(node, GENERATED_BY, self.run)
        n = 0
        for cell in sources:
            self.add(node, DERIVED_FROM, f"<{cell.iri}>")
            for source, locator in cell.evidence:
                n += 1
                copy = f"{node[:-1]}/evidence/{n}>"
                self.add(node, P["evidence"], copy)
                self.add(copy, TYPE, P["Evidence"])
                self.add(copy, P["source"], f"<{self.source_base}{nt.segment(source)}>")
                self.add(copy, P["locator"], nt.literal(locator))

    def derive(self) -> Derived:
        software = version("policygraph")
        self.add(self.run, TYPE, P["DerivationRun"])
        self.add(self.run, LABEL, nt.literal(f"policygraph {software} derivation", "en"))
        self.add(self.run, P["softwareVersion"], nt.literal(software))
        self.add(self.run, P["partOfProgramme"], self.programme)
        self._adaptations()
        for m in all_measures(self.model):
            self.lines = self.out.per_service[self.model.ident(m.service)]
            self._measure(m)
        self.lines = self.out.common
        return self.out

    def _adaptations(self) -> None:
        """Each change of a known value from the previous known value of the same service and dimension: between
        consecutive periods, or across periods whose values are unknown (the change happened somewhere in that
        window; no value is invented for the unknown periods)."""
        m = self.model
        for service in m.services:
            self.lines = self.out.per_service[m.ident(service)]
            for dim in m.dimensions:
                known = [(p, c) for p in m.periods if (c := m.cells.get((service, p, dim))) is not None and c.known]
                for (before, a), (after, b) in pairwise(known):
                    if a.codes != b.codes:
                        self._adaptation(service, before, after, dim, a, b)

    def _adaptation(self, service: URIRef, before: URIRef, after: URIRef, dim: URIRef, a: Cell, b: Cell) -> None:
        m = self.model
        node = (f"<{self.programme[1:-1]}/adaptation/{nt.segment(m.ident(service))}/{nt.segment(m.ident(before))}--"
                f"{nt.segment(m.ident(after))}/{nt.segment(m.ident(dim))}>")
        self.derived(node, "Adaptation", f"{m.label(service)}: {m.ident(dim)} changed from "
                     f"{m.label(before).lower()} to {m.label(after).lower()}", [a, b])
        self.add(node, P["ofService"], f"<{service}>")
        self.add(node, P["onDimension"], f"<{dim}>")
        self.add(node, P["fromPeriod"], f"<{before}>")
        self.add(node, P["toPeriod"], f"<{after}>")
        self.add(node, P["fromValue"], f"<{a.iri}>")
        self.add(node, P["toValue"], f"<{b.iri}>")
        added, removed = b.codes - a.codes, a.codes - b.codes
        for code in sorted(added):
            self.add(node, P["addedConcept"], f"<{code}>")
        for code in sorted(removed):
            self.add(node, P["removedConcept"], f"<{code}>")
        nature = "substituting" if added and removed else "adding" if added else "removing"
        self.add(node, P["frameNature"], f"<{FRAME}{nature}>")
        what = m.graph.value(dim, PG.frameWhatModified)
        if isinstance(what, URIRef):
            self.add(node, P["frameWhatModified"], f"<{what}>")
        expectations = m.expectations_on(dim)
        if not expectations:
            fidelity = "fidelity-unknown"
        else:
            fidelity = "fidelity-consistent" if all(m.meets(b, e) for e in expectations) else "fidelity-inconsistent"
        self.add(node, P["frameFidelity"], f"<{FRAME}{fidelity}>")
        # A configuration table says what changed, not who decided or why: both stay unknown until a source says.
        self.add(node, P["decisionStatus"], P["unknown"])
        self.add(node, P["reasonStatus"], P["unknown"])

    def _measure(self, measure: Measure) -> None:
        m = self.model
        node = (f"<{self.programme[1:-1]}/measure/{nt.segment(m.ident(measure.service))}/"
                f"{nt.segment(m.ident(measure.period))}>")
        cells = [c for d in m.dimensions if (c := m.cells.get((measure.service, measure.period, d))) is not None]
        self.derived(node, "DriftMeasure", f"Drift measures of {m.label(measure.service)} at "
                     f"{m.label(measure.period).lower()}", cells)
        self.add(node, P["ofService"], f"<{measure.service}>")
        self.add(node, P["duringPeriod"], f"<{measure.period}>")
        # A score is stored only where it is a score: with insufficient data the measure holds its coverage alone,
        # so that no query (an ad-hoc AVG) can pick up a number the measure does not stand behind.
        if measure.sufficient and measure.fidelity is not None:
            self.add(node, P["fidelity"], _decimal(measure.fidelity))
        if measure.sufficient and measure.drift is not None:
            self.add(node, P["drift"], _decimal(measure.drift))
        if m.drift_pole is not None:
            self.add(node, P["towardsPole"], f"<{m.drift_pole}>")
        self.add(node, P["fidelityKnown"], nt.integer(measure.fidelity_known))
        self.add(node, P["fidelityDimensions"], nt.integer(measure.fidelity_dimensions))
        self.add(node, P["driftKnown"], nt.integer(measure.drift_known))
        self.add(node, P["dimensionCount"], nt.integer(measure.dimensions))
        self.add(node, P["sufficientData"], nt.boolean(measure.sufficient))
        self.add(node, f"<{DCTERMS.description}>", nt.literal("See docs/measures.md for the definitions.", "en"))


def derive(model: ProgrammeModel) -> Derived:
    """Adaptations and measures derived from a programme's configuration table, as N-Triples lines."""
    return _Deriver(model).derive()
