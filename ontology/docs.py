"""Generate ``ontology/REFERENCE.md``: every class, property, individual, dimension, concept scheme,
concept and SHACL shape of the policygraph vocabulary, read from the Turtle files.

Usage::

    python -m ontology.docs            # (re)write ontology/REFERENCE.md
    python -m ontology.docs --check    # exit 1 if the committed file is stale

The output is deterministic (everything sorted, no timestamps), so ``--check`` can compare bytes.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from ontology import HERE, PG, PREFIXES, SHAPES_FILE, VOCAB, vocabulary_files, vocabulary_graph

log = logging.getLogger(__name__)

REFERENCE_FILE = HERE / "REFERENCE.md"
SHAPES_NS = "https://w3id.org/policygraph/shapes#"

#: Prefixes used to abbreviate IRIs in the reference (the ontology's own plus a few for the schemes).
DISPLAY_PREFIXES: dict[str, str] = {
    **PREFIXES,
    "dc": "http://purl.org/dc/elements/1.1/",
    "sh": str(SH),
    "pgs": SHAPES_NS,
    "or": VOCAB + "orientation/",
    "kind": VOCAB + "actor-kind/",
    "frame": VOCAB + "frame/",
    "atun": VOCAB + "atun/",
    "vocab": VOCAB,
}

_LOCAL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


# ---------------------------------------------------------------------------------------------
# Small helpers over the graph
# ---------------------------------------------------------------------------------------------


def curie(iri: Node) -> str:
    """A prefixed name for `iri` when one of DISPLAY_PREFIXES fits, else the IRI in angle brackets."""
    text = str(iri)
    best = ""
    best_prefix = ""
    for prefix, namespace in DISPLAY_PREFIXES.items():
        if text.startswith(namespace) and len(namespace) > len(best):
            local = text[len(namespace):]
            if _LOCAL_NAME.fullmatch(local):
                best, best_prefix = namespace, prefix
    if best:
        return f"{best_prefix}:{text[len(best):]}"
    return f"<{text}>"


def anchor(kind: str, iri: Node) -> str:
    """A stable HTML anchor id for a term: its kind, then its prefixed name (letters, digits, dashes)."""
    return kind + "-" + re.sub(r"[^A-Za-z0-9]+", "-", curie(iri)).strip("-").lower()


def md(text: str) -> str:
    """Escape text for Markdown (also inside table cells); newlines become spaces."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def code(text: str) -> str:
    """A Markdown code span that survives backticks and table pipes inside `text`."""
    text = " ".join(text.split()).replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def texts(graph: Graph, subject: Node, predicate: URIRef) -> list[str]:
    """The literal values of `predicate`, English (or untagged) preferred, sorted."""
    values = [o for o in graph.objects(subject, predicate) if isinstance(o, Literal)]
    for wanted in ("en", None):
        chosen = sorted(str(v) for v in values if v.language == wanted)
        if chosen:
            return chosen
    return sorted(str(v) for v in values)


def text(graph: Graph, subject: Node, predicate: URIRef, default: str = "") -> str:
    found = texts(graph, subject, predicate)
    return "; ".join(found) if found else default


def iris(graph: Graph, subject: Node, predicate: URIRef) -> list[URIRef]:
    return sorted(o for o in graph.objects(subject, predicate) if isinstance(o, URIRef))


def subjects_iris(graph: Graph, predicate: URIRef, obj: Node) -> list[URIRef]:
    return sorted(s for s in graph.subjects(predicate, obj) if isinstance(s, URIRef))


def label(graph: Graph, term: Node) -> str:
    """rdfs:label, else skos:prefLabel, else the prefixed name."""
    return text(graph, term, RDFS.label) or text(graph, term, SKOS.prefLabel) or curie(term)


def local_key(iri: Node) -> tuple[str, str]:
    """Sort key: the IRI's local name, case-insensitively, then the whole IRI."""
    raw = str(iri)
    local = re.split(r"[#/]", raw)[-1]
    return local.lower(), raw


def ref(iri: Node, anchors: dict[URIRef, str]) -> str:
    """A term as a code span, linked to its own section when the reference has one."""
    shown = code(curie(iri))
    if isinstance(iri, URIRef) and iri in anchors:
        return f"[{shown}](#{anchors[iri]})"
    return shown


def refs(items: Iterable[Node], anchors: dict[URIRef, str], empty: str = "—") -> str:
    rendered = [ref(i, anchors) for i in sorted(items, key=local_key)]
    return ", ".join(rendered) if rendered else empty


def notation_key(value: str) -> tuple[int, int, str]:
    """Numbers in numeric order first (FRAME components 1..8), then text alphabetically."""
    return (0, int(value), "") if value.isdigit() else (1, 0, value.lower())


def rdf_list(graph: Graph, head: Node) -> list[Node]:
    return list(Collection(graph, head)) if isinstance(head, BNode | URIRef) else []


# ---------------------------------------------------------------------------------------------
# The reference
# ---------------------------------------------------------------------------------------------


class _Reference:
    def __init__(self, graph: Graph, shapes: Graph, sources: Sequence[str]) -> None:
        self.g = graph
        self.shapes = shapes
        self.sources = sources
        self.lines: list[str] = []
        self.classes = sorted(
            (c for c in set(graph.subjects(RDF.type, OWL.Class)) if isinstance(c, URIRef)),
            key=local_key,
        )
        self.object_properties = sorted(
            (p for p in set(graph.subjects(RDF.type, OWL.ObjectProperty)) if isinstance(p, URIRef)),
            key=local_key,
        )
        self.datatype_properties = sorted(
            (p for p in set(graph.subjects(RDF.type, OWL.DatatypeProperty)) if isinstance(p, URIRef)),
            key=local_key,
        )
        self.dimensions = sorted(
            subjects_iris(graph, RDF.type, PG.Dimension),
            key=lambda d: (self._int(d, PG.columnOrder), str(d)),
        )
        class_set = set(self.classes)
        self.individuals = sorted(
            {
                s
                for c in class_set - {PG.Dimension}
                for s in graph.subjects(RDF.type, c)
                if isinstance(s, URIRef)
            },
            key=local_key,
        )
        dimension_schemes = [s for d in self.dimensions for s in iris(graph, d, PG.codedBy)]
        others = sorted(set(subjects_iris(graph, RDF.type, SKOS.ConceptScheme)) - set(dimension_schemes))
        self.schemes = [*dict.fromkeys(dimension_schemes), *others]
        self.node_shapes = sorted(
            (s for s in set(shapes.subjects(RDF.type, SH.NodeShape)) if isinstance(s, URIRef)),
            key=local_key,
        )
        self.anchors: dict[URIRef, str] = {}
        for kind, terms in (
            ("class", self.classes),
            ("property", [*self.object_properties, *self.datatype_properties]),
            ("individual", self.individuals),
            ("dimension", self.dimensions),
            ("scheme", self.schemes),
            ("shape", self.node_shapes),
        ):
            for term in terms:
                self.anchors.setdefault(term, anchor(kind, term))
        if len(set(self.anchors.values())) != len(self.anchors):
            raise ValueError("two vocabulary terms map to the same anchor; rename one of them")

    # -- output helpers --------------------------------------------------------------------

    def out(self, *lines: str) -> None:
        self.lines.extend(lines)

    def heading(self, level: int, title: str, term: Node | None = None) -> None:
        if self.lines and self.lines[-1] != "":
            self.out("")
        if isinstance(term, URIRef):
            self.out(f'<a id="{self.anchors[term]}"></a>', "")
        self.out(f"{'#' * level} {title}", "")

    def field(self, name: str, value: str) -> None:
        self.out(f"- **{name}:** {value}")

    def _int(self, term: Node, predicate: URIRef) -> int:
        value = self.g.value(term, predicate)
        return int(str(value)) if isinstance(value, Literal) and str(value).lstrip("-").isdigit() else 0

    def r(self, term: Node) -> str:
        return ref(term, self.anchors)

    def rs(self, items: Iterable[Node], empty: str = "—") -> str:
        return refs(items, self.anchors, empty)

    # -- sections ----------------------------------------------------------------------------

    def render(self) -> str:
        self._preamble()
        self._prefixes()
        self._classes()
        self._disjointness()
        self._properties("Object properties", self.object_properties, "object property")
        self._properties("Datatype properties", self.datatype_properties, "datatype property")
        self._individuals()
        self._dimensions()
        self._schemes()
        self._shapes()
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines) + "\n"

    def _preamble(self) -> None:
        g = self.g
        ontology = next(iter(sorted(s for s in g.subjects(RDF.type, OWL.Ontology) if isinstance(s, URIRef))))
        self.out("# policygraph vocabulary reference", "")
        self.out(
            "<!-- Generated by `python -m ontology.docs` from the Turtle files listed below. Do not edit by "
            "hand: change the Turtle, then regenerate. `python -m ontology.docs --check` (run by the tests) "
            "fails when this file is stale. -->",
            "",
        )
        self.out(md(text(g, ontology, DCTERMS.title, label(g, ontology))), "")
        self.out(md(text(g, ontology, DCTERMS.description)), "")
        self.field("Ontology IRI", code(str(ontology)))
        self.field("Version", code(text(g, ontology, OWL.versionInfo, "unversioned")))
        self.field("Generated from", ", ".join(code(s) for s in self.sources))
        self.field("Glossary (what the domain words mean)", "[GLOSSARY.md](GLOSSARY.md)")
        self.out("")
        self.out("| Section | Entries |", "|---|---|")
        concepts = len(set(g.subjects(RDF.type, SKOS.Concept)))
        for title, count in (
            ("[Classes](#classes)", len(self.classes)),
            ("[Object properties](#object-properties)", len(self.object_properties)),
            ("[Datatype properties](#datatype-properties)", len(self.datatype_properties)),
            ("[Individuals](#individuals)", len(self.individuals)),
            ("[Dimensions](#dimensions)", len(self.dimensions)),
            ("[Concept schemes](#concept-schemes)", len(self.schemes)),
            ("Concepts (in the schemes)", concepts),
            ("[SHACL shapes](#shacl-shapes)", len(self.node_shapes)),
        ):
            self.out(f"| {title} | {count} |")

    def _prefixes(self) -> None:
        self.heading(2, "Prefixes")
        self.out("| Prefix | Namespace |", "|---|---|")
        for prefix in sorted(DISPLAY_PREFIXES):
            self.out(f"| {code(prefix + ':')} | {code(DISPLAY_PREFIXES[prefix])} |")

    def _classes(self) -> None:
        g = self.g
        self.heading(2, "Classes")
        self.out(
            "Each class with its superclasses, the properties declared with it as domain or range, and "
            "the SHACL shapes that validate its instances (see [SHACL shapes](#shacl-shapes) for what "
            "they require)."
        )
        targeted: dict[URIRef, list[URIRef]] = {}
        for shape in self.node_shapes:
            for cls in iris(self.shapes, shape, SH.targetClass):
                targeted.setdefault(cls, []).append(shape)
        for cls in self.classes:
            self.heading(3, f"{md(label(g, cls))} ({code(curie(cls))})", cls)
            self.field("IRI", code(str(cls)))
            self.field("Subclass of", self.rs(iris(g, cls, RDFS.subClassOf)))
            self.field("Subclasses", self.rs(subjects_iris(g, RDFS.subClassOf, cls)))
            self.field("Definition", md(text(g, cls, SKOS.definition, "(none)")))
            one_of = [m for head in g.objects(cls, OWL.oneOf) for m in rdf_list(g, head)]
            if one_of:
                self.field("Exactly one of", self.rs(one_of))
            self.field("Properties with this domain", self.rs(subjects_iris(g, RDFS.domain, cls)))
            self.field("Properties with this range", self.rs(subjects_iris(g, RDFS.range, cls)))
            self.field("Validated by", self.rs(targeted.get(cls, []), "— (no shape targets this class)"))

    def _disjointness(self) -> None:
        g = self.g
        self.heading(2, "Disjointness")
        self.out(
            "No node is an instance of two of the classes in one group below. An OWL reasoner "
            "therefore reports a domain or range mix-up (say, a citation typed as a service) as an "
            "inconsistency instead of silently inferring nonsense."
        )
        self.out("")
        groups: list[list[Node]] = []
        for axiom in g.subjects(RDF.type, OWL.AllDisjointClasses):
            for head in g.objects(axiom, OWL.members):
                groups.append(sorted(rdf_list(g, head), key=local_key))
        for left, right in g.subject_objects(OWL.disjointWith):
            groups.append(sorted([left, right], key=local_key))
        rendered = sorted({self.rs(group) for group in groups})
        for line in rendered:
            self.out(f"- {line}")
        if not rendered:
            self.out("- (none declared)")

    def _properties(self, title: str, props: list[URIRef], kind: str) -> None:
        g = self.g
        self.heading(2, title)
        for prop in props:
            characteristics = [kind]
            if (prop, RDF.type, OWL.FunctionalProperty) in g:
                characteristics.append("functional (at most one value per subject)")
            self.heading(3, f"{code(curie(prop))} — {md(label(g, prop))}", prop)
            self.field("IRI", code(str(prop)))
            self.field("Kind", ", ".join(characteristics))
            self.field("Domain", self.rs(iris(g, prop, RDFS.domain), "— (any subject)"))
            self.field("Range", self.rs(iris(g, prop, RDFS.range), "— (any value)"))
            self.field("Sub-property of", self.rs(iris(g, prop, RDFS.subPropertyOf)))
            inverse = {*iris(g, prop, OWL.inverseOf), *subjects_iris(g, OWL.inverseOf, prop)}
            if inverse:
                self.field("Inverse of", self.rs(inverse))
            self.field("Definition", md(text(g, prop, SKOS.definition, "(none)")))

    def _individuals(self) -> None:
        g = self.g
        self.heading(2, "Individuals")
        self.out("Named instances of the classes above defined by the vocabulary itself (dimensions have "
                 "[their own section](#dimensions)).")
        self.out("")
        self.out("| Individual | IRI | Type | Label | Different from | Definition |", "|---|---|---|---|---|---|")
        for ind in self.individuals:
            different = {*iris(g, ind, OWL.differentFrom), *subjects_iris(g, OWL.differentFrom, ind)}
            self.out(
                f'| <a id="{self.anchors[ind]}"></a>{code(curie(ind))} | {code(str(ind))} '
                f"| {self.rs(iris(g, ind, RDF.type))} | {md(label(g, ind))} | {self.rs(different)} "
                f"| {md(text(g, ind, SKOS.definition))} |"
            )

    def _dimensions(self) -> None:
        g = self.g
        self.heading(2, "Dimensions")
        self.out(
            "The configuration dimensions (`pg:Dimension`), in the column order of the source table. "
            "The header is the table's own text, verbatim (footnote markers written `^x`). Each "
            "dimension is coded by one concept scheme."
        )
        self.out("")
        self.out(
            "| Column | Dimension | IRI | Verbatim column header | Label | Scheme | Definition |",
            "|---|---|---|---|---|---|---|",
        )
        for dim in self.dimensions:
            schemes = iris(g, dim, PG.codedBy)
            self.out(
                f'| {self._int(dim, PG.columnOrder)} | <a id="{self.anchors[dim]}"></a>{code(curie(dim))} '
                f"| {code(str(dim))} | {code(text(g, dim, PG.columnHeader))} | {md(label(g, dim))} "
                f"| {self.rs(schemes)} | {md(text(g, dim, SKOS.definition))} |"
            )

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


def shapes_graph() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


def render_reference(graph: Graph | None = None, shapes: Graph | None = None) -> str:
    """The whole REFERENCE.md text for `graph` (default: the vocabulary) and `shapes`."""
    root = HERE.parent
    sources = [str(p.relative_to(root)) for p in [*vocabulary_files(), SHAPES_FILE]]
    return _Reference(
        vocabulary_graph() if graph is None else graph,
        shapes_graph() if shapes is None else shapes,
        sources,
    ).render()


def write_reference(path: Path = REFERENCE_FILE) -> bool:
    """(Re)write the reference; True if the file changed."""
    new = render_reference()
    old = path.read_text(encoding="utf-8") if path.exists() else None
    if new == old:
        return False
    path.write_text(new, encoding="utf-8")
    log.info("wrote %s", path)
    return True


def reference_is_current(path: Path = REFERENCE_FILE) -> bool:
    return path.exists() and path.read_text(encoding="utf-8") == render_reference()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ontology.docs",
        description="Generate the vocabulary reference (ontology/REFERENCE.md) from the Turtle files.",
    )
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if the file is missing or stale")
    parser.add_argument("--output", type=Path, default=REFERENCE_FILE,
                        help="where the reference lives (default: %(default)s)")
    args = parser.parse_args(argv)
    path: Path = args.output
    if args.check:
        if reference_is_current(path):
            sys.stdout.write(f"{path} is current\n")
            return 0
        sys.stderr.write(f"{path} is stale or missing; regenerate it with `python -m ontology.docs`\n")
        return 1
    changed = write_reference(path)
    sys.stdout.write(f"{'wrote' if changed else 'unchanged:'} {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
