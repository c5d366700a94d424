"""Generate ``ontology/REFERENCE.md``: every class, property, individual, dimension, concept scheme,
concept and SHACL shape of the policygraph vocabulary, read from the Turtle files.

Usage::

    python -m ontology.docs            # (re)write ontology/REFERENCE.md
    python -m ontology.docs --check    # exit 1 if the committed file is stale

The output is deterministic (everything sorted, no timestamps), so ``--check`` can compare bytes.

The text helpers are in ``ontology.docs_text``, the concept-scheme sections in ``ontology.docs_schemes``
and the SHACL section in ``ontology.docs_shapes``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from policygraph.ontology import HERE, ID_BASE, ID_KINDS, PG, SHAPES_FILE, vocabulary_files, vocabulary_graph
from policygraph.ontology.docs_schemes import SchemesSection
from policygraph.ontology.docs_shapes import ShapesSection
from policygraph.ontology.docs_text import (
    DISPLAY_PREFIXES,
    anchor,
    code,
    curie,
    iris,
    label,
    local_key,
    md,
    rdf_list,
    subjects_iris,
    text,
)

log = logging.getLogger(__name__)

REFERENCE_FILE = HERE / "REFERENCE.md"
EXTERNAL_TERMS_FILE = HERE / "external-terms.yaml"

# A build materialises no superclass membership: these ask for a class's members, subclasses included (the
# reference prints them; tests/integration/test_class_members.py runs them on both engines).
CLASS_MEMBERS_SPARQL = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?member ?class WHERE { ?member a/rdfs:subClassOf* ?class . FILTER (isIRI(?member)) }"""
CLASS_MEMBERS_CYPHER = """MATCH (sub:Resource)-[:SUB_CLASS_OF*0..]->(:Resource {uri: $class})
MATCH (term:PolicygraphTerm {kind: 'label', iri: sub.uri})
MATCH (n:Resource) WHERE term.name IN labels(n) AND NOT n.uri STARTS WITH '_:'
RETURN DISTINCT n.uri AS member"""


def external_terms() -> list[tuple[str, str]]:
    """(prefixed name, what it means in a build) of every other vocabulary's term a build uses."""
    data = yaml.safe_load(EXTERNAL_TERMS_FILE.read_text(encoding="utf-8"))
    return [(str(t["term"]), str(t["meaning"])) for t in data["terms"]]


# ---------------------------------------------------------------------------------------------
# The reference
# ---------------------------------------------------------------------------------------------


class _Reference(SchemesSection, ShapesSection):
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

    def _int(self, term: Node, predicate: URIRef) -> int:
        value = self.g.value(term, predicate)
        return int(str(value)) if isinstance(value, Literal) and str(value).lstrip("-").isdigit() else 0

    # -- sections ----------------------------------------------------------------------------

    def render(self) -> str:
        self._preamble()
        self._prefixes()
        self._classes()
        self._disjointness()
        self._properties("Object properties", self.object_properties, "object property")
        self._properties("Datatype properties", self.datatype_properties, "datatype property")
        self._external()
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
            ("[Terms from other vocabularies](#terms-from-other-vocabularies)", len(external_terms())),
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
        self.out("", "A programme's own nodes have one prefix per kind, `<kind>:` for "
                 f"{code(ID_BASE + '<programme>/<kind>/')}: " + ", ".join(code(k + ":") for k in ID_KINDS) + ". "
                 "The SPARQL consoles (`policygraph sparql`, the explorer, `Release.sparql`) declare them for the "
                 "build's programme, with the vocabularies' prefixes above; in SPARQL a slash in a local name is "
                 "written `\\/` (`configuration:D\\/follow-up`).")

    def _class_members(self) -> None:
        self.out("A build does not add a resource's superclasses to its types (`?x a pg:SourcedStatement` "
                 "finds nothing: no record is typed with that class itself). To ask for a class's members, "
                 "subclasses included, bind `class` to the class's IRI:", "")
        self.out("```sparql", CLASS_MEMBERS_SPARQL, "```", "")
        self.out("In Cypher a type is a label; the ontology's classes are `Resource` nodes linked by "
                 "`SUB_CLASS_OF`, and `PolicygraphTerm` nodes say which label stands for which class:", "")
        self.out("```cypher", CLASS_MEMBERS_CYPHER, "```", "")

    def _classes(self) -> None:
        g = self.g
        self.heading(2, "Classes")
        self.out(
            "Each class with its superclasses, the properties declared with it as domain or range, and "
            "the SHACL shapes that validate its instances (see [SHACL shapes](#shacl-shapes) for what "
            "they require)."
        )
        self.out("")
        self._class_members()
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

    def _external(self) -> None:
        self.heading(2, "Terms from other vocabularies")
        self.out("Every predicate of another vocabulary that a build's graph uses, and what it means there "
                 "(from `ontology/external-terms.yaml`; a test checks a built graph against this list).", "")
        self.out("| Term | In a build |", "|---|---|")
        for term, meaning in sorted(external_terms()):
            self.out(f"| {code(term)} | {meaning} |")
        self.out("")

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
