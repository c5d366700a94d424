"""Turn a validated programme into RDF: stable IRIs from ids, evidence on every statement."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from itertools import pairwise
from urllib.parse import quote

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from ingest.models import Evidence
from ingest.programme import Programme
from ontology import ACTOR_KIND, DIM, ID_BASE, PG, TIME, concept_iri, vocabulary_graph

EN = "en"
_DATE_TYPES = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}


def programme_iri(programme_id: str) -> URIRef:
    return URIRef(ID_BASE + quote(programme_id, safe="-_"))


class _Minter:
    def __init__(self, programme_id: str) -> None:
        self.base = str(programme_iri(programme_id)) + "/"

    def __call__(self, kind: str, *ids: str) -> URIRef:
        return URIRef(self.base + kind + "/" + "/".join(quote(i, safe="-_") for i in ids))


def canonical_decimal(value: Decimal) -> str:
    """The XSD canonical lexical form of a decimal (always a point: 69 -> '69.0'), stable across writers."""
    text = format(value.normalize(), "f")
    return text if "." in text else text + ".0"


def typed_date(value: str) -> Literal:
    """A curated date at its own precision: xsd:gYear, xsd:gYearMonth or xsd:date."""
    return Literal(value, datatype=_DATE_TYPES[len(value)])


class _Builder:
    def __init__(self, prog: Programme) -> None:
        self.p = prog
        self.g = Graph()
        self.iri = _Minter(prog.id)
        self.programme = programme_iri(prog.id)
        self.sources = {s.id: self.iri("source", s.id) for s in prog.sources.sources}

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.g.add((s, p, o))

    def text(self, s: URIRef, p: URIRef, value: str | None, lang: str | None = EN) -> None:
        if value is not None:
            self.add(s, p, Literal(value, lang=lang))

    def cite(self, subject: URIRef, evidence: Sequence[Evidence], start: int = 1) -> None:
        for n, ev in enumerate(evidence, start=start):
            node = URIRef(f"{subject}/evidence/{n}")
            self.add(subject, PG.evidence, node)
            self.add(node, RDF.type, PG.Evidence)
            self.add(node, PG.source, self.sources[ev.source])
            self.add(node, PG.locator, Literal(ev.locator))
            self.text(node, PG.quote, ev.quote, lang=None)

    def entity(self, kind: str, ident: str, cls: URIRef, label: str, evidence: Sequence[Evidence]) -> URIRef:
        node = self.iri(kind, ident)
        self.add(node, RDF.type, cls)
        self.add(node, PG.identifier, Literal(ident))
        self.add(node, RDFS.label, Literal(label, lang=EN))
        self.add(node, PG.partOfProgramme, self.programme)
        self.cite(node, evidence)
        return node

    def build(self) -> Graph:
        self._programme()
        self._sources()
        self._documents_and_intents()
        self._actors()
        self._services_and_configurations()
        self._timeline_and_observations()
        return self.g

    def _programme(self) -> None:
        meta = self.p.programme
        prog = meta.programme
        self.add(self.programme, RDF.type, PG.Programme)
        self.add(self.programme, PG.identifier, Literal(prog.id))
        self.add(self.programme, RDFS.label, Literal(prog.label, lang=EN))
        self.text(self.programme, DCTERMS.description, prog.description)
        self.cite(self.programme, prog.evidence)
        ordered = sorted(meta.periods, key=lambda q: q.order)
        for q in ordered:
            node = self.iri("period", q.id)
            self.add(node, RDF.type, PG.Period)
            self.add(node, PG.identifier, Literal(q.id))
            self.add(node, RDFS.label, Literal(q.label, lang=EN))
            self.add(node, PG.periodOrder, Literal(q.order))
            self.add(node, PG.partOfProgramme, self.programme)
            self.text(node, PG.note, q.note)
        for before, after in pairwise(ordered):
            self.add(self.iri("period", before.id), TIME.intervalBefore, self.iri("period", after.id))

    def _sources(self) -> None:
        for s in self.p.sources.sources:
            node = self.sources[s.id]
            self.add(node, RDF.type, PG.Source)
            self.add(node, PG.identifier, Literal(s.id))
            self.add(node, RDFS.label, Literal(f"{s.id}: {s.title}", lang=EN))
            self.add(node, DCTERMS.title, Literal(s.title))
            self.add(node, PG.authors, Literal(s.authors))
            self.add(node, PG.year, Literal(s.year))
            self.add(node, PG.url, Literal(s.url, datatype=XSD.anyURI))
            self.add(node, PG.recovered, Literal(s.recovered))

    def _documents_and_intents(self) -> None:
        for d in self.p.documents.documents:
            node = self.entity("document", d.id, PG.PolicyDocument, d.title, d.evidence)
            self.add(node, DCTERMS.title, Literal(d.title))
            self.add(node, DCTERMS.type, Literal(d.kind))
            self.add(node, PG.date, typed_date(d.date))
            self.add(node, PG.publishedBy, self.iri("organisation", d.published_by))
            self.text(node, DCTERMS.description, d.description)
            for target in d.implements:
                self.add(node, PG.implements, self.iri("document", target))
        for intent in self.p.intents.intents:
            node = self.entity("intent", intent.id, PG.PolicyIntent, intent.label, intent.evidence)
            self.text(node, DCTERMS.description, intent.description)
            for doc in intent.stated_in:
                self.add(self.iri("document", doc), PG.statesIntent, node)
                self.add(node, PG.statedIn, self.iri("document", doc))
            for e in intent.expectations:
                exp = self.iri("intent", intent.id, "expectation", e.dimension)
                self.add(node, PG.hasExpectation, exp)
                self.add(exp, RDF.type, PG.Expectation)
                self.add(exp, RDFS.label, Literal(f"{intent.label}: expectation on {e.dimension}", lang=EN))
                self.add(exp, PG.onDimension, DIM[e.dimension])
                self.add(exp, PG.partOfProgramme, self.programme)
                self.text(exp, PG.rationale, e.rationale)
                for code in e.expects:
                    self.add(exp, PG.expectsConcept, concept_iri(e.dimension, code))
                self.cite(exp, e.evidence)

    def _actors(self) -> None:
        for o in self.p.actors.organisations:
            node = self.entity("organisation", o.id, PG.Organisation, o.label, o.evidence)
            self.add(node, PG.actorKind, ACTOR_KIND[o.kind])
            self.add(node, PG.level, Literal(o.level))
            self.text(node, DCTERMS.description, o.description)
            if o.sub_organisation_of:
                self.add(node, PG.subOrganisationOf, self.iri("organisation", o.sub_organisation_of))
        for r in self.p.actors.roles:
            node = self.entity("role", r.id, PG.Role, r.label, r.evidence)
            self.text(node, DCTERMS.description, r.description)

    def _services_and_configurations(self) -> None:
        labels = {s.id: s.label for s in self.p.services.services}
        period_labels = {q.id: q.label for q in self.p.programme.periods}
        for s in self.p.services.services:
            node = self.entity("service", s.id, PG.Service, s.label, s.evidence)
            self.add(node, PG.caseLetter, Literal(s.id))
            self.add(node, PG.status, PG[s.status])
            if s.description is not None:
                self.add(node, PG.verbatim, Literal(s.description))
            self.text(node, PG.note, s.note)
        for lr in self.p.configurations:
            r = lr.row
            conf = self.iri("configuration", r.service, r.period)
            service = self.iri("service", r.service)
            period_label = period_labels[r.period]
            if (conf, RDF.type, PG.ServiceConfiguration) not in self.g:
                self.add(conf, RDF.type, PG.ServiceConfiguration)
                self.add(conf, RDFS.label, Literal(f"{labels[r.service]} at {period_label.lower()}", lang=EN))
                self.add(conf, PG.configurationOf, service)
                self.add(conf, PG.duringPeriod, self.iri("period", r.period))
                self.add(conf, PG.partOfProgramme, self.programme)
                self.cite(conf, [Evidence(source=r.source, locator=f"Table 2, row {r.service} {period_label.lower()}")])
            value = self.iri("configuration", r.service, r.period, r.dimension)
            self.add(conf, PG.hasValue, value)
            self.add(value, RDF.type, PG.ConfigurationValue)
            self.add(value, RDFS.label, Literal(f"{labels[r.service]}, {period_label.lower()}, {r.dimension}", lang=EN))
            self.add(value, PG.onDimension, DIM[r.dimension])
            self.add(value, PG.status, PG[r.status])
            evidence = [Evidence(source=r.source, locator=r.locator)]
            self.cite(value, evidence)
            self.text(value, PG.note, r.note)
            if r.verbatim is not None:
                self.add(value, PG.verbatim, Literal(r.verbatim))
            for code in r.codes:
                self.add(value, PG.codedAs, concept_iri(r.dimension, code))
            for actor in r.actors:
                self.add(value, PG.involvesActor, self.iri("organisation", actor))
            if r.dimension == "primary-referral-sources":
                for code in r.codes:
                    self._referral(r.service, r.period, code, conf, evidence)

    def _referral(self, service: str, period: str, code: str, conf: URIRef, evidence: list[Evidence]) -> None:
        node = self.iri("referral", service, period, code)
        concept = concept_iri("primary-referral-sources", code)
        label = vocabulary_graph().value(concept, SKOS.prefLabel)
        self.add(node, RDF.type, PG.ReferralPathway)
        self.add(node, RDFS.label, Literal(f"{label} to case study {service} ({period})", lang=EN))
        self.add(node, PG.referralSource, concept)
        self.add(node, PG.toService, self.iri("service", service))
        self.add(node, PG.inConfiguration, conf)
        self.add(node, PG.prioritised, Literal(code.endswith("-prioritised")))
        self.add(node, PG.partOfProgramme, self.programme)
        self.cite(node, evidence)

    def _timeline_and_observations(self) -> None:
        kinds = {d.id: "document" for d in self.p.documents.documents}
        kinds |= {o.id: "organisation" for o in self.p.actors.organisations}
        kinds |= {r.id: "role" for r in self.p.actors.roles}
        kinds |= {s.id: "service" for s in self.p.services.services}
        kinds |= {i.id: "intent" for i in self.p.intents.intents}
        kinds |= {e.id: "event" for e in self.p.timeline.events}
        kinds |= {o.id: "observation" for o in self.p.observations.observations}
        for e in self.p.timeline.events:
            node = self.entity("event", e.id, PG.TimelineEvent, e.label, e.evidence)
            self.add(node, PG.date, typed_date(e.date))
            for target in e.relates_to:
                self.add(node, PG.relatesTo, self.iri(kinds[target], target))
        for o in self.p.observations.observations:
            node = self.entity("observation", o.id, PG.Observation, f"{o.indicator} ({o.area}, {o.ref_period})",
                               o.evidence)
            self.add(node, PG.indicator, Literal(o.indicator))
            self.add(node, PG.measureValue, Literal(canonical_decimal(o.value), datatype=XSD.decimal))
            self.add(node, PG.unit, Literal(o.unit))
            self.add(node, PG.area, Literal(o.area))
            self.add(node, PG.refPeriod, Literal(o.ref_period))
            self.text(node, PG.note, o.note)


def programme_graph(prog: Programme) -> Graph:
    """The programme's own statements (without the vocabulary)."""
    return _Builder(prog).build()


def build_graph(prog: Programme) -> Graph:
    """The whole build: vocabulary (ontology + SKOS schemes) plus the programme."""
    graph = Graph()
    for triple in vocabulary_graph():
        graph.add(triple)
    for triple in programme_graph(prog):
        graph.add(triple)
    for prefix, ns in vocabulary_graph().namespaces():
        graph.bind(prefix, ns, replace=True)
    graph.bind("id", ID_BASE + prog.id + "/")
    return graph
