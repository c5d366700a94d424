"""The SHACL section of ``ontology/REFERENCE.md`` (see ``ontology.docs``): each node shape with its
targets, purpose and node rules, and a table of its property shapes (path, counts, value constraints,
message), the constraints put into words.
"""

from __future__ import annotations

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDFS, SH
from rdflib.term import Node

from policygraph.ontology.docs_text import ReferenceWriter, code, curie, iris, md, rdf_list, text


class ShapesSection(ReferenceWriter):
    """Writes the "SHACL shapes" section; the reference sets ``shapes`` and ``node_shapes``."""

    shapes: Graph
    node_shapes: list[URIRef]

    # -- SHACL ----------------------------------------------------------------------------

    def _shapes(self) -> None:
        s = self.shapes
        self.heading(2, "SHACL shapes")
        self.out(
            "What a valid build must satisfy (`ontology/shapes.ttl`, SHACL Core only). `min`/`max` "
            "count values per focus node; “—” means no bound."
        )
        for shape in self.node_shapes:
            self.heading(3, code(curie(shape)), shape)
            targets: list[str] = []
            for cls in iris(s, shape, SH.targetClass):
                targets.append(f"instances of {self.r(cls)}")
            for prop in iris(s, shape, SH.targetObjectsOf):
                targets.append(f"objects of {self.r(prop)}")
            for prop in iris(s, shape, SH.targetSubjectsOf):
                targets.append(f"subjects of {self.r(prop)}")
            self.field("Targets", ", ".join(targets) or "—")
            comment = text(s, shape, RDFS.comment)
            if comment:
                self.field("Purpose", md(comment))
            message = text(s, shape, SH.message)
            if message:
                self.field("Message", md(message))
            own = self._constraints(shape)
            if own:
                self.field("Node rules", "; ".join(own))
            for combined in self._combined(shape):
                self.field("Also", combined)
            rows = [self._property_row(p) for p in s.objects(shape, SH.property)]
            if rows:
                self.out("")
                self.out("| Path | Min | Max | Values | Message |", "|---|---|---|---|---|")
                for row in sorted(rows):
                    self.out(row)

    def _path(self, node: Node) -> str:
        path = self.shapes.value(node, SH.path)
        if path is None:
            return "(focus node)"
        inverse = self.shapes.value(path, SH.inversePath) if isinstance(path, BNode) else None
        return f"^{self.r(inverse)}" if inverse is not None else self.r(path)

    def _constraints(self, node: Node) -> list[str]:
        """Human-readable value constraints of one shape (counts excluded)."""
        s = self.shapes
        found: list[str] = []
        for cls in iris(s, node, SH["class"]):
            found.append(f"a {self.r(cls)}")
        for dt in iris(s, node, SH.datatype):
            found.append(f"typed {self.r(dt)}")
        for value in s.objects(node, SH.hasValue):
            found.append(f"= {self._value(value)}")
        for head in s.objects(node, SH["in"]):
            found.append("one of " + ", ".join(self._value(v) for v in rdf_list(s, head)))
        for n in s.objects(node, SH.minLength):
            found.append(f"at least {n} character(s)")
        for head in s.objects(node, SH["or"]):
            found.append("either " + " or ".join(self._clause(b) for b in rdf_list(s, head)))
        return found

    def _value(self, value: Node) -> str:
        return self.r(value) if isinstance(value, URIRef) else code(str(value))

    def _counts(self, node: Node) -> tuple[str, str]:
        low = self.shapes.value(node, SH.minCount)
        high = self.shapes.value(node, SH.maxCount)
        return (str(low) if low is not None else "—", str(high) if high is not None else "—")

    def _clause(self, node: Node) -> str:
        """One member of sh:or / sh:and, as words."""
        s = self.shapes
        ands = [self._clause(b) for head in s.objects(node, SH["and"]) for b in rdf_list(s, head)]
        if ands:
            return "(" + " and ".join(ands) + ")"
        words = self._constraints(node)
        low, high = self._counts(node)
        if low != "—":
            words.append(f"at least {low}")
        if high != "—":
            words.append(f"at most {high}")
        subject = self._path(node)
        return f"{subject} {', '.join(words)}" if subject != "(focus node)" else ", ".join(words)

    def _combined(self, shape: URIRef) -> list[str]:
        s = self.shapes
        found: list[str] = []
        for head in s.objects(shape, SH["and"]):
            found.append("all of " + " and ".join(self._clause(b) for b in rdf_list(s, head)))
        return sorted(found)

    def _property_row(self, node: Node) -> str:
        low, high = self._counts(node)
        values = "; ".join(self._constraints(node)) or "—"
        message = text(self.shapes, node, SH.message)
        return f"| {self._path(node)} | {low} | {high} | {values} | {md(message) if message else '—'} |"
