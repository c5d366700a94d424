"""The parts of the RDF builder every kind of statement uses: IRIs from ids, N-Triples lines, citations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from rdflib import URIRef
from rdflib.namespace import DCTERMS

from policygraph.ingest.models import Evidence
from policygraph.ingest.programme import ProgrammeFolder
from policygraph.ontology import ID_BASE, PG
from policygraph.ontology import ntriples as nt

EN = "en"


def programme_iri(programme_id: str) -> URIRef:
    return URIRef(ID_BASE + nt.segment(programme_id))


class Minter:
    """IRIs of a programme's resources, from their ids. Its vocabulary is the programme's too: two programmes'
    dimensions or concepts of the same id are different resources."""

    def __init__(self, programme_id: str) -> None:
        self.base = str(programme_iri(programme_id)) + "/"

    def __call__(self, kind: str, *ids: str) -> str:
        return self.base + kind + "/" + "/".join(nt.segment(i) for i in ids)

    def dimension(self, dimension: str) -> str:
        return self("dimension", dimension)

    def scheme(self, dimension: str) -> str:
        """The concept scheme that codes a dimension's values."""
        return self("scheme", dimension)

    def concept(self, dimension: str, code: str) -> str:
        return self("concept", dimension, code)

    def orientation(self, ident: str | None = None) -> str:
        """The orientation axis (a concept scheme), or one of its poles or its neutral."""
        return self.base + "orientation" if ident is None else self("orientation", ident)


@cache
def pg(name: str) -> str:
    return f"<{PG[name]}>"


TYPE, LABEL = nt.RDF_TYPE, nt.RDFS_LABEL
DESCRIPTION, TITLE, KIND = f"<{DCTERMS.description}>", f"<{DCTERMS.title}>", f"<{DCTERMS.type}>"


@dataclass
class Statements:
    """A programme's statements as N-Triples lines."""

    core: list[str] = field(default_factory=list)  # everything not about one service's configurations
    per_service: dict[str, list[str]] = field(default_factory=dict)  # configurations, values, referrals

    def count(self) -> int:
        return len(self.core) + sum(len(lines) for lines in self.per_service.values())


class BuilderBase:
    """Writes one programme's statements as N-Triples lines."""

    def __init__(self, prog: ProgrammeFolder) -> None:
        self.p = prog
        self.iri = Minter(prog.id)
        self.programme = f"<{programme_iri(prog.id)}>"
        self.sources = {s.id: f"<{self.iri('source', s.id)}>" for s in prog.sources.sources}
        self.out = Statements()
        self.lines = self.out.core
        self._intervals: set[str] = set()  # the typed periods written so far

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
            self.add(subject, pg("evidence"), node)
            self.add(node, TYPE, pg("Evidence"))
            self.add(node, pg("source"), self.sources[ev.source])
            self.add(node, pg("locator"), nt.literal(ev.locator))
            self.text(node, pg("quote"), ev.quote, lang=None)

    def entity(self, kind: str, ident: str, cls: str, label: str, evidence: Sequence[Evidence]) -> str:
        node = self.node(kind, ident)
        self.add(node, TYPE, pg(cls))
        self.add(node, pg("identifier"), nt.literal(ident))
        self.add(node, LABEL, nt.literal(label, EN))
        self.add(node, pg("partOfProgramme"), self.programme)
        self.cite(node, evidence)
        return node
