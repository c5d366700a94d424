"""Turn a validated programme into RDF: stable IRIs from ids, evidence on every statement.

Statements are written as N-Triples lines (ontology/ntriples.py), not rdflib triples, so that a national
programme (about a million statements) is built in seconds and in a few hundred megabytes; the
per-service statements are kept apart so that a build can validate and derive from them in parts.
`programme_graph` / `build_graph` parse the lines back into rdflib for small programmes and tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS

from policygraph.ingest.models import Evidence
from policygraph.ingest.programme import ProgrammeFolder
from policygraph.ontology import ACTOR_KIND, DIM, ID_BASE, PG, TIME, concept_iri, vocabulary_graph
from policygraph.ontology import ntriples as nt

EN = "en"


def programme_iri(programme_id: str) -> URIRef:
    return URIRef(ID_BASE + nt.segment(programme_id))


class Minter:
    """IRIs of a programme's resources, from their ids."""

    def __init__(self, programme_id: str) -> None:
        self.base = str(programme_iri(programme_id)) + "/"

    def __call__(self, kind: str, *ids: str) -> str:
        return self.base + kind + "/" + "/".join(nt.segment(i) for i in ids)


@cache
def _pg(name: str) -> str:
    return f"<{PG[name]}>"


@cache
def _concept(scheme: str, code: str) -> str:
    return f"<{concept_iri(scheme, code)}>"


@cache
def _pref_label(scheme: str, code: str) -> str:
    return str(vocabulary_graph().value(concept_iri(scheme, code), SKOS.prefLabel))


TYPE, LABEL = nt.RDF_TYPE, nt.RDFS_LABEL
DESCRIPTION, TITLE, KIND = f"<{DCTERMS.description}>", f"<{DCTERMS.title}>", f"<{DCTERMS.type}>"


@dataclass
class Statements:
    """A programme's statements as N-Triples lines."""

    core: list[str] = field(default_factory=list)  # everything not about one service's configurations
    per_service: dict[str, list[str]] = field(default_factory=dict)  # configurations, values, referrals

    def count(self) -> int:
        return len(self.core) + sum(len(lines) for lines in self.per_service.values())


class _Builder:
    def __init__(self, prog: ProgrammeFolder) -> None:
        self.p = prog
        self.iri = Minter(prog.id)
        self.programme = f"<{programme_iri(prog.id)}>"
        self.sources = {s.id: f"<{self.iri('source', s.id)}>" for s in prog.sources.sources}
        self.out = Statements()
        self.lines = self.out.core

    def node(self, kind: str, *ids: str) -> str:
        return f"<{self.iri(kind, *ids)}>"

    def add(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{s} {p} {o} .\n")

    def text(self, s: str, p: str, value: str | None, lang: str | None = EN) -> None:
        if value is not None:
            self.add(s, p, nt.literal(value, lang))

    def cite(self, subject: str, evidence: Sequence[Evidence], start: int = 1) -> None:
        for n, ev in enumerate(evidence, start=start):
            node = f"{subject[:-1]}/evidence/{n}>"
            self.add(subject, _pg("evidence"), node)
            self.add(node, TYPE, _pg("Evidence"))
            self.add(node, _pg("source"), self.sources[ev.source])
            self.add(node, _pg("locator"), nt.literal(ev.locator))
            self.text(node, _pg("quote"), ev.quote, lang=None)

    def entity(self, kind: str, ident: str, cls: str, label: str, evidence: Sequence[Evidence]) -> str:
        node = self.node(kind, ident)
        self.add(node, TYPE, _pg(cls))
        self.add(node, _pg("identifier"), nt.literal(ident))
        self.add(node, LABEL, nt.literal(label, EN))
        self.add(node, _pg("partOfProgramme"), self.programme)
        self.cite(node, evidence)
        return node

    def build(self) -> Statements:
        self._programme()
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
                self.add(exp, _pg("onDimension"), f"<{DIM[e.dimension]}>")
                self.add(exp, _pg("partOfProgramme"), self.programme)
                self.text(exp, _pg("rationale"), e.rationale)
                for code in e.expects:
                    self.add(exp, _pg("expectsConcept"), _concept(e.dimension, code))
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
            self.add(node, _pg("caseLetter"), nt.literal(s.id))
            self.add(node, _pg("status"), _pg(s.status))
            if s.description is not None:
                self.add(node, _pg("verbatim"), nt.literal(s.description))
            self.text(node, _pg("note"), s.note)

    def _configurations(self) -> None:
        labels = {s.id: s.label for s in self.p.services.services}
        period_labels = {q.id: q.label.lower() for q in self.p.periods}
        seen: set[str] = set()
        for lr in self.p.configurations:
            r = lr.row
            self.lines = self.out.per_service.setdefault(r.service, [])
            conf = self.node("configuration", r.service, r.period)
            service = self.node("service", r.service)
            period_label = period_labels[r.period]
            if conf not in seen:
                seen.add(conf)
                self.add(conf, TYPE, _pg("ServiceConfiguration"))
                self.add(conf, LABEL, nt.literal(f"{labels[r.service]} at {period_label}", EN))
                self.add(conf, _pg("configurationOf"), service)
                self.add(conf, _pg("duringPeriod"), self.node("period", r.period))
                self.add(conf, _pg("partOfProgramme"), self.programme)
                self.cite(conf, [Evidence(source=r.source, locator=f"Table 2, row {r.service} {period_label}")])
            value = f"<{self.iri('configuration', r.service, r.period, r.dimension)}>"
            self.add(conf, _pg("hasValue"), value)
            self.add(value, TYPE, _pg("ConfigurationValue"))
            self.add(value, LABEL, nt.literal(f"{labels[r.service]}, {period_label}, {r.dimension}", EN))
            self.add(value, _pg("onDimension"), f"<{DIM[r.dimension]}>")
            self.add(value, _pg("status"), _pg(r.status))
            evidence = [Evidence(source=r.source, locator=r.locator)]
            self.cite(value, evidence)
            self.text(value, _pg("note"), r.note)
            if r.verbatim is not None:
                self.add(value, _pg("verbatim"), nt.literal(r.verbatim))
            for code in r.codes:
                self.add(value, _pg("codedAs"), _concept(r.dimension, code))
            for actor in r.actors:
                self.add(value, _pg("involvesActor"), self.node("organisation", actor))
            if r.dimension == "primary-referral-sources":
                for code in r.codes:
                    self._referral(r.service, r.period, code, conf, evidence)
        self.lines = self.out.core

    def _referral(self, service: str, period: str, code: str, conf: str, evidence: list[Evidence]) -> None:
        node = self.node("referral", service, period, code)
        label = _pref_label("primary-referral-sources", code)
        self.add(node, TYPE, _pg("ReferralPathway"))
        self.add(node, LABEL, nt.literal(f"{label} to case study {service} ({period})", EN))
        self.add(node, _pg("referralSource"), _concept("primary-referral-sources", code))
        self.add(node, _pg("toService"), self.node("service", service))
        self.add(node, _pg("inConfiguration"), conf)
        self.add(node, _pg("prioritised"), nt.boolean(code.endswith("-prioritised")))
        self.add(node, _pg("partOfProgramme"), self.programme)
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
            node = self.entity("event", e.id, "TimelineEvent", e.label, e.evidence)
            self.add(node, _pg("date"), nt.date(e.date))
            for target in e.relates_to:
                self.add(node, _pg("relatesTo"), self.node(kinds[target], target))
        for o in self.p.observations.observations:
            node = self.entity("observation", o.id, "Observation", f"{o.indicator} ({o.area}, {o.ref_period})",
                               o.evidence)
            self.add(node, _pg("indicator"), nt.literal(o.indicator))
            self.add(node, _pg("measureValue"), nt.decimal(o.value))
            self.add(node, _pg("unit"), nt.literal(o.unit))
            self.add(node, _pg("area"), nt.literal(o.area))
            self.add(node, _pg("refPeriod"), nt.literal(o.ref_period))
            self.text(node, _pg("note"), o.note)


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
