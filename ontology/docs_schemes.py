"""The concept-scheme sections of ``ontology/REFERENCE.md`` (see ``ontology.docs``): each SKOS scheme with
its citation and source, and a table of its concepts in tree order (narrower under broader, siblings in code
order).
"""

from __future__ import annotations

import re

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS

from policygraph.ontology import PG
from policygraph.ontology.docs_text import (
    ReferenceWriter,
    code,
    curie,
    iris,
    label,
    md,
    notation_key,
    subjects_iris,
    text,
    texts,
)


class SchemesSection(ReferenceWriter):
    """Writes the "Concept schemes" section; the reference sets ``g`` and ``schemes``."""

    g: Graph
    schemes: list[URIRef]

    def _schemes(self) -> None:
        g = self.g
        self.heading(2, "Concept schemes")
        self.out(
            "SKOS concept schemes, dimension schemes first (in column order), then the others. A "
            "concept's orientation says whether it follows the community model or the NHS/medical "
            "one (see the orientation scheme); the code is the concept's `skos:notation`, or the last "
            "segment of its IRI where it has none."
        )
        for scheme in self.schemes:
            self.heading(3, md(text(g, scheme, SKOS.prefLabel, curie(scheme))), scheme)
            concepts = subjects_iris(g, SKOS.inScheme, scheme)
            self.field("IRI", code(str(scheme)))
            definition = text(g, scheme, SKOS.definition)
            if definition:
                self.field("Definition", md(definition))
            self.field("Citation", md(text(g, scheme, DCTERMS.bibliographicCitation, "(none)")))
            self.field("Source", ", ".join(f"<{s}>" for s in iris(g, scheme, DCTERMS.source)) or "—")
            self.field("Codes dimension", self.rs(subjects_iris(g, PG.codedBy, scheme)))
            self.field("Concepts", str(len(concepts)))
            self.out("")
            with_orientation = any(g.value(c, PG.orientation) is not None for c in concepts)
            header = ["Code", "Concept IRI", "Preferred label"]
            if with_orientation:
                header.append("Orientation")
            header += ["Broader", "Definition"]
            self.out("| " + " | ".join(header) + " |", "|" + "---|" * len(header))
            for concept, depth in self._concept_tree(concepts):
                cells = [
                    ("&nbsp;&nbsp;" * depth) + code(self._code(concept)),
                    code(str(concept)),
                    md(text(g, concept, SKOS.prefLabel)),
                ]
                if with_orientation:
                    orientation = g.value(concept, PG.orientation)
                    cells.append(md(label(g, orientation)) if orientation is not None else "—")
                broader = iris(g, concept, SKOS.broader)
                cells.append(", ".join(code(self._code(b)) for b in broader) or "—")
                cells.append(md(text(g, concept, SKOS.definition)))
                self.out("| " + " | ".join(cells) + " |")

    def _code(self, concept: URIRef) -> str:
        notation = texts(self.g, concept, SKOS.notation)
        return notation[0] if notation else re.split(r"[#/]", str(concept))[-1]

    def _concept_tree(self, concepts: list[URIRef]) -> list[tuple[URIRef, int]]:
        """Depth-first: each concept followed by its narrower ones; siblings in code order."""
        members = set(concepts)
        children: dict[URIRef | None, list[URIRef]] = {}
        for c in concepts:
            parents = [b for b in iris(self.g, c, SKOS.broader) if b in members]
            children.setdefault(parents[0] if parents else None, []).append(c)

        def key(c: URIRef) -> tuple[tuple[int, int, str], str]:
            return notation_key(self._code(c)), str(c)

        ordered: list[tuple[URIRef, int]] = []
        seen: set[URIRef] = set()

        def walk(parent: URIRef | None, depth: int) -> None:
            for child in sorted(children.get(parent, []), key=key):
                if child not in seen:
                    seen.add(child)
                    ordered.append((child, depth))
                    walk(child, depth + 1)

        walk(None, 0)
        for c in sorted(members - seen, key=key):  # only reachable through a broader cycle
            ordered.append((c, 0))
        return ordered
