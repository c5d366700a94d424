"""Derived statements materialised into a build: adaptations (FRAME-coded) and drift measures.

Every derived node is marked as derived: prov:wasGeneratedBy a pg:DerivationRun naming the
policygraph version, prov:wasDerivedFrom the configuration values it comes from, and it repeats
their evidence so every hop of a trace stays cited.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from importlib.metadata import version
from itertools import pairwise

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from graph.case_model import CaseModel, Cell
from graph.drift import Measure, all_measures
from ontology import PG, PROV, VOCAB

FRAME = VOCAB + "frame/"


def _decimal(value: Fraction) -> Literal:
    exact = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.0001"), ROUND_HALF_EVEN)
    text = format(exact.normalize(), "f")
    return Literal(text if "." in text else text + ".0", datatype=XSD.decimal)


class _Deriver:
    def __init__(self, graph: Graph) -> None:
        self.model = CaseModel(graph)
        self.out = Graph()
        programme = graph.value(None, RDF.type, PG.Programme)
        assert isinstance(programme, URIRef), "a build has exactly one pg:Programme"
        self.programme = programme
        self.run = URIRef(f"{programme}/derivation/policygraph-{version('policygraph')}")

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.out.add((s, p, o))

    def derived(self, node: URIRef, cls: URIRef, label: str, sources: list[Cell]) -> None:
        self.add(node, RDF.type, cls)
        self.add(node, RDFS.label, Literal(label, lang="en"))
        self.add(node, PG.partOfProgramme, self.programme)
        self.add(node, PROV.wasGeneratedBy, self.run)
        n = 0
        for cell in sources:
            self.add(node, PROV.wasDerivedFrom, cell.iri)
            for ev in self.model.graph.objects(cell.iri, PG.evidence):
                n += 1
                copy = URIRef(f"{node}/evidence/{n}")
                self.add(node, PG.evidence, copy)
                self.add(copy, RDF.type, PG.Evidence)
                for p in (PG.source, PG.locator):
                    value = self.model.graph.value(ev, p)
                    if value is not None:
                        self.add(copy, p, value)  # type: ignore[arg-type]

    def derive(self) -> Graph:
        self.add(self.run, RDF.type, PG.DerivationRun)
        self.add(self.run, RDFS.label, Literal(f"policygraph {version('policygraph')} derivation", lang="en"))
        self.add(self.run, PG.softwareVersion, Literal(version("policygraph")))
        self.add(self.run, PG.partOfProgramme, self.programme)
        self._adaptations()
        for m in all_measures(self.model):
            self._measure(m)
        return self.out

    def _adaptations(self) -> None:
        m = self.model
        for service in m.services:
            for before, after in pairwise(m.periods):
                for dim in m.dimensions:
                    a, b = m.cells.get((service, before, dim)), m.cells.get((service, after, dim))
                    # No adaptation is invented where either value is unknown.
                    if a is None or b is None or not (a.known and b.known) or a.codes == b.codes:
                        continue
                    self._adaptation(service, before, after, dim, a, b)

    def _adaptation(self, service: URIRef, before: URIRef, after: URIRef, dim: URIRef, a: Cell, b: Cell) -> None:
        m = self.model
        node = URIRef(f"{self.programme}/adaptation/{m.ident(service)}/{m.ident(before)}--{m.ident(after)}/"
                      f"{m.ident(dim)}")
        self.derived(node, PG.Adaptation, f"{m.label(service)}: {m.ident(dim)} changed from {m.label(before).lower()}"
                     f" to {m.label(after).lower()}", [a, b])
        self.add(node, PG.ofService, service)
        self.add(node, PG.onDimension, dim)
        self.add(node, PG.fromPeriod, before)
        self.add(node, PG.toPeriod, after)
        self.add(node, PG.fromValue, a.iri)
        self.add(node, PG.toValue, b.iri)
        added, removed = b.codes - a.codes, a.codes - b.codes
        for code in sorted(added):
            self.add(node, PG.addedConcept, code)
        for code in sorted(removed):
            self.add(node, PG.removedConcept, code)
        nature = "substituting" if added and removed else "adding" if added else "removing"
        self.add(node, PG.frameNature, URIRef(FRAME + nature))
        what = m.graph.value(dim, PG.frameWhatModified)
        if isinstance(what, URIRef):
            self.add(node, PG.frameWhatModified, what)
        expectations = m.expectations_on(dim)
        if not expectations:
            fidelity = "fidelity-unknown"
        else:
            fidelity = "fidelity-consistent" if all(m.meets(b, e) for e in expectations) else "fidelity-inconsistent"
        self.add(node, PG.frameFidelity, URIRef(FRAME + fidelity))
        # Table 2 says what changed, not who decided or why: both stay unknown until a source says.
        self.add(node, PG.decisionStatus, PG.unknown)
        self.add(node, PG.reasonStatus, PG.unknown)

    def _measure(self, measure: Measure) -> None:
        m = self.model
        node = URIRef(f"{self.programme}/measure/{m.ident(measure.service)}/{m.ident(measure.period)}")
        cells = [c for d in m.dimensions if (c := m.cells.get((measure.service, measure.period, d))) is not None]
        self.derived(node, PG.DriftMeasure, f"Drift measures of {m.label(measure.service)} at "
                     f"{m.label(measure.period).lower()}", cells)
        self.add(node, PG.ofService, measure.service)
        self.add(node, PG.duringPeriod, measure.period)
        if measure.fidelity is not None:
            self.add(node, PG.fidelity, _decimal(measure.fidelity))
        if measure.medicalisation is not None:
            self.add(node, PG.medicalisation, _decimal(measure.medicalisation))
        self.add(node, PG.fidelityKnown, Literal(measure.fidelity_known))
        self.add(node, PG.fidelityDimensions, Literal(measure.fidelity_dimensions))
        self.add(node, PG.medicalisationKnown, Literal(measure.medicalisation_known))
        self.add(node, PG.dimensionCount, Literal(measure.dimensions))
        self.add(node, PG.sufficientData, Literal(measure.sufficient))
        self.add(node, DCTERMS.description, Literal("See docs/measures.md for the definitions.", lang="en"))


def derived_statements(graph: Graph) -> Graph:
    """Adaptations and measures derived from `graph` (not added to it)."""
    return _Deriver(graph).derive()
