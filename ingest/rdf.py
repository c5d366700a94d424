"""Turn a validated programme into RDF: stable IRIs from ids, evidence on every statement.

Statements are written as N-Triples lines (ontology/ntriples.py), not rdflib triples, so that a national
programme (about a million statements) is built in seconds and in a few hundred megabytes; the
per-service statements are kept apart so that a build can validate and derive from them in parts.
`programme_graph` / `build_graph` parse the lines back into rdflib for small programmes and tests.
"""

from __future__ import annotations

from functools import cache
from itertools import pairwise

from rdflib import Graph
from rdflib.namespace import SKOS

from policygraph.ingest.canonical_order import configuration_sort_key
from policygraph.ingest.models import Evidence
from policygraph.ingest.programme import ProgrammeFolder
from policygraph.ingest.rdf_base import DESCRIPTION, EN, KIND, LABEL, TITLE, TYPE, Minter, Statements
from policygraph.ingest.rdf_base import pg as _pg
from policygraph.ingest.rdf_reports import ReportsBuilder
from policygraph.ingest.vocabulary import Dimension
from policygraph.ontology import ACTOR_KIND, FRAME, ID_BASE, TIME, vocabulary_graph
from policygraph.ontology import ntriples as nt

__all__ = ["Minter", "Statements", "build_graph", "prefixes", "programme_graph", "programme_statements",
           "vocabulary_lines"]


class _Builder(ReportsBuilder):
    def build(self) -> Statements:
        self._programme()
        self._vocabulary()
        self._sources()
        self._documents_and_intents()
        self._actors()
        self._services()
        self._timeline_and_observations()
        self._configurations()
        return self.out

    def _programme(self) -> None:
        prog = self.p.record
        self.add(self.programme, TYPE, _pg("Programme"))
        self.add(self.programme, _pg("identifier"), nt.literal(prog.id))
        self.add(self.programme, LABEL, nt.literal(prog.label, EN))
        self.text(self.programme, DESCRIPTION, prog.description)
        self.cite(self.programme, prog.evidence)
        ordered = sorted(self.p.periods, key=lambda q: q.order)
        for q in ordered:
            node = self.node("period", q.id)
            self.add(node, TYPE, _pg("Period"))
            self.add(node, _pg("identifier"), nt.literal(q.id))
            self.add(node, LABEL, nt.literal(q.label, EN))
            self.add(node, _pg("periodOrder"), nt.integer(q.order))
            self.add(node, _pg("partOfProgramme"), self.programme)
            self.text(node, _pg("note"), q.note)
        for before, after in pairwise(ordered):
            self.add(self.node("period", before.id), f"<{TIME.intervalBefore}>", self.node("period", after.id))

    def _vocabulary(self) -> None:
        vocab = self.p.vocabulary.file
        axis, words = vocab.orientation, vocab.words
        self.text(self.programme, _pg("serviceWord"), words.service)
        self.text(self.programme, _pg("servicesWord"), words.services)
        scheme = f"<{self.iri.orientation()}>"
        self.add(self.programme, _pg("orientationAxis"), scheme)
        self.add(scheme, TYPE, f"<{SKOS.ConceptScheme}>")
        self.add(scheme, TYPE, _pg("OrientationAxis"))
        self.add(scheme, LABEL, nt.literal(axis.label, EN))
        self.add(scheme, f"<{SKOS.prefLabel}>", nt.literal(axis.label, EN))
        self.add(scheme, f"<{SKOS.definition}>", nt.literal(axis.definition, EN))
        self.add(scheme, _pg("partOfProgramme"), self.programme)
        self.cite(scheme, axis.evidence)
        for pole, role in [*((p, "pole") for p in axis.poles), (axis.neutral, "neutral")]:
            node = f"<{self.iri.orientation(pole.id)}>"
            self.add(scheme, _pg(role), node)
            self.add(scheme, f"<{SKOS.hasTopConcept}>", node)
            self.add(node, TYPE, f"<{SKOS.Concept}>")
            self.add(node, TYPE, _pg("OrientationValue"))
            self.add(node, f"<{SKOS.inScheme}>", scheme)
            self.add(node, f"<{SKOS.topConceptOf}>", scheme)
            self.add(node, f"<{SKOS.notation}>", nt.literal(pole.id))
            self.add(node, f"<{SKOS.prefLabel}>", nt.literal(pole.label, EN))
            self.add(node, f"<{SKOS.definition}>", nt.literal(pole.definition, EN))
        self.add(scheme, _pg("driftPole"), f"<{self.iri.orientation(vocab.drift.towards)}>")
        self.add(scheme, _pg("driftMeasure"), nt.literal(vocab.drift.name))
        self.add(scheme, _pg("driftDefinition"), nt.literal(vocab.drift.definition, EN))
        for d in vocab.dimensions:
            self._dimension(d)

    def _dimension(self, d: Dimension) -> None:
        node, scheme = f"<{self.iri.dimension(d.id)}>", f"<{self.iri.scheme(d.id)}>"
        self.add(node, TYPE, _pg("Dimension"))
        self.add(node, _pg("identifier"), nt.literal(d.id))
        self.add(node, LABEL, nt.literal(d.header, EN))
        self.add(node, _pg("columnHeader"), nt.literal(d.header))
        self.add(node, _pg("columnOrder"), nt.integer(d.order))
        self.add(node, f"<{SKOS.definition}>", nt.literal(d.definition, EN))
        self.add(node, _pg("codedBy"), scheme)
        self.add(node, _pg("partOfProgramme"), self.programme)
        self.add(node, _pg("describesPathways"), nt.boolean(d.pathways))
        if d.frame_what_modified is not None:
            self.add(node, _pg("frameWhatModified"), f"<{FRAME}{d.frame_what_modified}>")
        self.cite(node, d.evidence)
        self.add(scheme, TYPE, f"<{SKOS.ConceptScheme}>")
        self.add(scheme, f"<{SKOS.prefLabel}>", nt.literal(f"Values of: {d.header}", EN))
        self.add(scheme, _pg("partOfProgramme"), self.programme)
        self.cite(scheme, d.evidence)
        for c in d.concepts:
            concept = f"<{self.iri.concept(d.id, c.code)}>"
            self.add(concept, TYPE, f"<{SKOS.Concept}>")
            self.add(concept, f"<{SKOS.inScheme}>", scheme)
            self.add(concept, f"<{SKOS.notation}>", nt.literal(c.code))
            self.add(concept, f"<{SKOS.prefLabel}>", nt.literal(c.label, EN))
            self.add(concept, f"<{SKOS.definition}>", nt.literal(c.definition, EN))
            self.add(concept, _pg("orientation"), f"<{self.iri.orientation(c.orientation)}>")
            if c.broader is None:
                self.add(scheme, f"<{SKOS.hasTopConcept}>", concept)
                self.add(concept, f"<{SKOS.topConceptOf}>", scheme)
            else:
                broader = f"<{self.iri.concept(d.id, c.broader)}>"
                self.add(concept, f"<{SKOS.broader}>", broader)
                self.add(broader, f"<{SKOS.narrower}>", concept)

    def _sources(self) -> None:
        for s in self.p.sources.sources:
            node = self.sources[s.id]
            self.add(node, TYPE, _pg("Source"))
            self.add(node, _pg("identifier"), nt.literal(s.id))
            self.add(node, LABEL, nt.literal(f"{s.id}: {s.title}", EN))
            self.add(node, TITLE, nt.literal(s.title))
            self.add(node, _pg("authors"), nt.literal(s.authors))
            self.add(node, _pg("year"), nt.literal(s.year))
            self.add(node, _pg("url"), nt.typed(s.url, nt.XSD + "anyURI"))
            self.add(node, _pg("recovered"), nt.literal(s.recovered))

    def _documents_and_intents(self) -> None:
        for d in self.p.documents.documents:
            node = self.entity("document", d.id, "PolicyDocument", d.title, d.evidence)
            self.add(node, TITLE, nt.literal(d.title))
            self.add(node, KIND, nt.literal(d.kind))
            self.add(node, _pg("date"), nt.date(d.date))
            self.add(node, _pg("publishedBy"), self.node("organisation", d.published_by))
            self.text(node, DESCRIPTION, d.description)
            for target in d.implements:
                self.add(node, _pg("implements"), self.node("document", target))
        for intent in self.p.intents.intents:
            node = self.entity("intent", intent.id, "PolicyIntent", intent.label, intent.evidence)
            self.text(node, DESCRIPTION, intent.description)
            for doc in intent.stated_in:
                self.add(self.node("document", doc), _pg("statesIntent"), node)
                self.add(node, _pg("statedIn"), self.node("document", doc))
            for e in intent.expectations:
                exp = self.node("intent", intent.id, "expectation", e.dimension)
                self.add(node, _pg("hasExpectation"), exp)
                self.add(exp, TYPE, _pg("Expectation"))
                self.add(exp, LABEL, nt.literal(f"{intent.label}: expectation on {e.dimension}", EN))
                self.add(exp, _pg("onDimension"), f"<{self.iri.dimension(e.dimension)}>")
                self.add(exp, _pg("partOfProgramme"), self.programme)
                self.text(exp, _pg("rationale"), e.rationale)
                for code in e.expects:
                    self.add(exp, _pg("expectsConcept"), f"<{self.iri.concept(e.dimension, code)}>")
                self.cite(exp, e.evidence)

    def _actors(self) -> None:
        for o in self.p.actors.organisations:
            node = self.entity("organisation", o.id, "Organisation", o.label, o.evidence)
            self.add(node, _pg("actorKind"), f"<{ACTOR_KIND[o.kind]}>")
            self.add(node, _pg("level"), nt.literal(o.level))
            self.text(node, DESCRIPTION, o.description)
            if o.sub_organisation_of:
                self.add(node, _pg("subOrganisationOf"), self.node("organisation", o.sub_organisation_of))
        for r in self.p.actors.roles:
            node = self.entity("role", r.id, "Role", r.label, r.evidence)
            self.text(node, DESCRIPTION, r.description)

    def _services(self) -> None:
        for s in self.p.services.services:
            node = self.entity("service", s.id, "Service", s.label, s.evidence)
            self.add(node, _pg("status"), _pg(s.status))
            if s.description is not None:
                self.add(node, _pg("verbatim"), nt.literal(s.description))
            if (started := self.interval(s.started)) is not None:
                self.add(node, _pg("startedIn"), started)
            self.text(node, _pg("note"), s.note)

    def _configurations(self) -> None:
        labels = {s.id: s.label for s in self.p.services.services}
        period_labels = {q.id: q.label.lower() for q in self.p.periods}
        dimensions = {d.id: d for d in self.p.vocabulary.file.dimensions}
        cited: dict[str, tuple[str, dict[tuple[str, str], None]]] = {}  # configuration -> (service, its cells'
        # evidence, in order)
        periods = {q.id: q.order for q in self.p.periods}
        columns = {d.id: d.order for d in self.p.vocabulary.dimensions}
        # In the canonical row order, whatever the file's: a configuration's evidence is numbered in it.
        for lr in sorted(self.p.configurations, key=lambda lr: configuration_sort_key(
                lr.row.service, lr.row.period, lr.row.dimension, periods, columns)):
            r = lr.row
            self.lines = self.out.per_service.setdefault(r.service, [])
            conf = self.node("configuration", r.service, r.period)
            service = self.node("service", r.service)
            period_label = period_labels[r.period]
            if conf not in cited:
                cited[conf] = (r.service, {})
                self.add(conf, TYPE, _pg("ServiceConfiguration"))
                self.add(conf, LABEL, nt.literal(f"{labels[r.service]} at {period_label}", EN))
                self.add(conf, _pg("configurationOf"), service)
                self.add(conf, _pg("duringPeriod"), self.node("period", r.period))
                self.add(conf, _pg("partOfProgramme"), self.programme)
            cited[conf][1][(r.source, r.locator)] = None
            value = f"<{self.iri('configuration', r.service, r.period, r.dimension)}>"
            self.add(conf, _pg("hasValue"), value)
            self.add(value, TYPE, _pg("ConfigurationValue"))
            self.add(value, LABEL, nt.literal(f"{labels[r.service]}, {period_label}, {r.dimension}", EN))
            self.add(value, _pg("onDimension"), f"<{self.iri.dimension(r.dimension)}>")
            self.add(value, _pg("status"), _pg(r.status))
            evidence = [Evidence(source=r.source, locator=r.locator, quote=r.verbatim)]  # a cell quotes its source
            self.cite(value, evidence)
            self.text(value, _pg("note"), r.note)
            if r.verbatim is not None:
                self.add(value, _pg("verbatim"), nt.literal(r.verbatim))
            for code in r.codes:
                self.add(value, _pg("codedAs"), f"<{self.iri.concept(r.dimension, code)}>")
            for actor in r.actors:
                self.add(value, _pg("involvesActor"), self.node("organisation", actor))
            if dimensions[r.dimension].pathways:
                routes: list[str | None] = [*r.codes] or [None]
                for route in routes:
                    self._referral(r.service, labels[r.service], r.period, period_label, dimensions[r.dimension],
                                   route, conf, evidence)
        for conf, (service_id, sources) in cited.items():  # cited with what its cells' records cite, no more
            self.lines = self.out.per_service[service_id]
            self.cite(conf, [Evidence(source=s, locator=loc) for s, loc in sources])
        self.lines = self.out.core

    def _referral(self, service: str, service_label: str, period: str, period_label: str, dimension: Dimension,
                  code: str | None, conf: str, evidence: list[Evidence]) -> None:
        """A referral pathway of a cell on a dimension of referral routes: one per coded route, or one of
        unknown source when the cell is unknown (so queries over pathways never drop an unknown)."""
        concept = None if code is None else next(c for c in dimension.concepts if c.code == code)
        node = self.node("referral", service, period, dimension.id, code or "unknown")
        route = "Unknown referral source" if concept is None else concept.label
        self.add(node, TYPE, _pg("ReferralPathway"))
        self.add(node, LABEL, nt.literal(f"{route} to {service_label} ({period_label})", EN))
        if concept is None:
            self.add(node, _pg("status"), _pg("unknown"))
        else:
            self.add(node, _pg("status"), _pg("known"))
            self.add(node, _pg("referralSource"), f"<{self.iri.concept(dimension.id, concept.code)}>")
            self.add(node, _pg("prioritised"), nt.boolean(concept.prioritised))
        self.add(node, _pg("onDimension"), f"<{self.iri.dimension(dimension.id)}>")
        self.add(node, _pg("toService"), self.node("service", service))
        self.add(node, _pg("inConfiguration"), conf)
        self.add(node, _pg("partOfProgramme"), self.programme)
        self.cite(node, evidence)


def programme_statements(prog: ProgrammeFolder) -> Statements:
    """The programme's own statements (without the vocabulary), as N-Triples lines."""
    return _Builder(prog).build()


@cache
def vocabulary_lines() -> tuple[str, ...]:
    """Ontology + SKOS schemes as N-Triples lines (blank nodes already canonical)."""
    return tuple(nt.graph_lines(vocabulary_graph()))


def prefixes(programme_id: str) -> dict[str, str]:
    """The prefixes a build's Turtle uses: the vocabulary's plus `id:` for the programme's resources."""
    found = {prefix: str(ns) for prefix, ns in vocabulary_graph().namespaces()}
    found["id"] = ID_BASE + programme_id + "/"
    return found


def programme_graph(prog: ProgrammeFolder) -> Graph:
    """The programme's own statements (without the vocabulary) as an rdflib graph."""
    statements = programme_statements(prog)
    return nt.to_graph([*statements.core, *(line for lines in statements.per_service.values() for line in lines)])


def build_graph(prog: ProgrammeFolder) -> Graph:
    """The whole build: vocabulary (ontology + SKOS schemes) plus the programme."""
    graph = programme_graph(prog)
    for triple in vocabulary_graph():
        graph.add(triple)
    for prefix, namespace in prefixes(prog.id).items():
        graph.bind(prefix, namespace, replace=True)
    return graph
