"""What the sources report beside the configurations, as RDF: the timeline, observations (typed figures over
typed periods), findings in prose, and who commissioned what when."""

from __future__ import annotations

from policygraph.ingest.periods import parse_period
from policygraph.ingest.rdf_base import DESCRIPTION, EN, LABEL, TYPE, BuilderBase, pg
from policygraph.ontology import VOCAB
from policygraph.ontology import ntriples as nt


class ReportsBuilder(BuilderBase):
    def interval(self, written: str | None) -> str | None:
        """The node of a typed period (written once per build), or None when it is unknown or not given."""
        period = None if written is None else parse_period(written)
        if period is None:
            return None
        node = self.node("interval", period.ident)
        if node in self._intervals:
            return node
        self._intervals.add(node)
        self.add(node, TYPE, pg("TimeInterval"))
        self.add(node, pg("identifier"), nt.literal(period.ident))
        self.add(node, LABEL, nt.literal(period.text, EN))
        self.add(node, pg("intervalKind"), nt.literal(period.kind))
        self.add(node, pg("startDate"), nt.date(period.start.isoformat()))
        self.add(node, pg("endDate"), nt.date(period.end.isoformat()))
        self.text(node, pg("qualifier"), period.qualifier, lang=None)
        self.add(node, pg("partOfProgramme"), self.programme)
        return node

    def reference(self, written: str) -> str:
        """The node a reference (`programme`, `service:A`, `dimension:funding`, ...) names."""
        if written == "programme":
            return self.programme
        kind, _, ident = written.partition(":")
        return f"<{self.iri.dimension(ident)}>" if kind == "dimension" else self.node(kind, ident)

    def _timeline_and_observations(self) -> None:
        kinds = {d.id: "document" for d in self.p.documents.documents}
        kinds |= {o.id: "organisation" for o in self.p.actors.organisations}
        kinds |= {r.id: "role" for r in self.p.actors.roles}
        kinds |= {s.id: "service" for s in self.p.services.services}
        kinds |= {i.id: "intent" for i in self.p.intents.intents}
        kinds |= {e.id: "event" for e in self.p.timeline.events}
        kinds |= {o.id: "observation" for o in self.p.observations.observations}
        kinds |= {f.id: "finding" for f in self.p.observations.findings}
        for e in self.p.timeline.events:
            node = self.entity("event", e.id, "TimelineEvent", e.label, e.evidence)
            self.add(node, pg("date"), nt.date(e.date))
            for target in e.relates_to:
                self.add(node, pg("relatesTo"), self.node(kinds[target], target))
        for o in self.p.observations.observations:
            node = self.entity("observation", o.id, "Observation", f"{o.indicator} ({o.area}, {o.ref_period})",
                               o.evidence)
            self.add(node, pg("indicator"), nt.literal(o.indicator))
            self.add(node, pg("measureValue"), nt.decimal(o.value))
            if o.upper is not None:
                self.add(node, pg("upperValue"), nt.decimal(o.upper))
            if o.qualifier is not None:
                self.add(node, pg("valueQualifier"), f"<{VOCAB}value-qualifier/{o.qualifier}>")
            self.add(node, pg("unit"), nt.literal(o.unit))
            self.add(node, pg("area"), nt.literal(o.area))
            self.add(node, pg("refPeriod"), nt.literal(o.ref_period))
            if (interval := self.interval(o.ref_period)) is not None:
                self.add(node, pg("referenceInterval"), interval)
            self.text(node, pg("note"), o.note)
        self._findings()
        self._commissioning()

    def _findings(self) -> None:
        for f in self.p.observations.findings:
            node = self.entity("finding", f.id, "Finding", f.label, f.evidence)
            self.add(node, pg("findingKind"), f"<{VOCAB}finding-kind/{f.kind}>")
            self.text(node, DESCRIPTION, f.statement)
            for target in f.about:
                self.add(node, pg("about"), self.reference(target))
            self.text(node, pg("note"), f.note)

    def _commissioning(self) -> None:
        labels = {o.id: o.label for o in self.p.actors.organisations}
        for c in self.p.actors.commissioning:
            span = (f"{c.since} to {c.until}" if c.since and c.until else f"since {c.since}" if c.since
                    else f"until {c.until}" if c.until else "dates unknown")
            node = self.entity("commissioning", c.id, "Commissioning",
                               f"Commissioning by {labels[c.commissioner]} ({span})", c.evidence)
            self.add(node, pg("commissioner"), self.node("organisation", c.commissioner))
            for target in c.commissions:
                self.add(node, pg("commissions"), self.reference(target))
            for predicate, written in (("since", c.since), ("until", c.until)):
                if (interval := self.interval(written)) is not None:
                    self.add(node, pg(predicate), interval)
            self.text(node, pg("note"), c.note)
