"""The vocabulary and the built case, checked from the outside.

(a) every Turtle file and the built case parse identically with two independent parsers (rdflib and
Oxigraph); (d) the SKOS schemes are complete and code every cell of Table 2; (e) ontology/REFERENCE.md
is current and complete; (f) GLOSSARY.md names only real terms. (b) SHACL and (c) OWL-RL are in
test_shapes_and_reasoning.py.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from policygraph.ontology import (
    ID_BASE,
    ONTOLOGY_FILE,
    PG,
    SHAPES_FILE,
    VOCAB,
    VOCAB_DIR,
    query_prefixes,
    scheme_iri,
    vocabulary_files,
    vocabulary_graph,
)
from policygraph.ontology.docs import REFERENCE_FILE, render_reference
from policygraph.ontology.docs import main as docs_main

REPO = Path(__file__).resolve().parents[1]
CASE = REPO / "data" / "health-trainers"
GLOSSARY = REPO / "ontology" / "GLOSSARY.md"
TTL_FILES = [*vocabulary_files(), SHAPES_FILE]
CASE_NS = ID_BASE + "health-trainers/"
ORIENTATIONS = {URIRef(CASE_NS + "orientation/" + o) for o in ("community", "nhs-medical", "neutral")}
DIMENSION_NS = CASE_NS + "dimension/"


def _scheme(dimension: str) -> URIRef:
    return URIRef(f"{CASE_NS}scheme/{dimension}")


def _concept(dimension: str, code: str) -> URIRef:
    return URIRef(f"{CASE_NS}concept/{dimension}/{code}")


def _dimension_ids(g: Graph) -> set[str]:
    return {str(g.value(d, PG.identifier)) for d in g.subjects(RDF.type, PG.Dimension)}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

#: Table 2 of Mathers, Taylor & Parry (2014), columns 3-10: the headers verbatim (facts file §2).
TABLE2_HEADERS = {
    3: "Provider/s",
    4: "Funding",
    5: "Senior Buy-in?^b",
    6: "Primary Referral Source/s",
    7: "Health Trainers",
    8: "Geographical/Population Service Targeting?",
    9: "Formal PM^c System Established?",
    10: "Health Trainer / Service User Interaction",
}


def _copy(graph: Graph) -> Graph:
    copy = Graph()
    copy += graph
    return copy


def _rel(path: Path) -> str:
    return str(path.relative_to(REPO))


# ---------------------------------------------------------------------------------------------
# (a) two independent parsers
# ---------------------------------------------------------------------------------------------


def _literal_nt(lexical: str, language: str | None, datatype: str) -> str:
    text = json.dumps(lexical, ensure_ascii=False)
    return f"{text}@{language.lower()}" if language else f"{text}^^<{datatype}>"


def _rdflib_nt(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    assert isinstance(term, Literal), term
    return _literal_nt(str(term), term.language, str(term.datatype or XSD_STRING))


def _oxigraph_nt(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    assert isinstance(term, ox.Literal), term
    return _literal_nt(term.value, term.language, term.datatype.value)


def _to_rdflib(term: object) -> Node:
    """An Oxigraph term as an rdflib term (for the isomorphism check of graphs with blank nodes)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    assert isinstance(term, ox.Literal), term
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = None if term.datatype.value == XSD_STRING else URIRef(term.datatype.value)
    return Literal(term.value, datatype=datatype)


def _parse_both(path: Path, fmt: str) -> tuple[Graph, list[ox.Quad]]:
    ox_format = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}[fmt]
    return Graph().parse(path, format=fmt), list(ox.parse(path=str(path), format=ox_format))


def _assert_same_graph(path: Path, fmt: str) -> int:
    """Both parsers read `path` to the same graph; returns the triple count."""
    rdflib_graph, quads = _parse_both(path, fmt)
    assert len(rdflib_graph) == len(quads) > 0, f"{path.name}: rdflib {len(rdflib_graph)} vs oxigraph {len(quads)}"
    assert all(q.graph_name == ox.DefaultGraph() for q in quads)

    def ground_rdflib() -> set[str]:
        return {
            " ".join(_rdflib_nt(t) for t in triple)
            for triple in rdflib_graph
            if not any(isinstance(t, BNode) for t in triple)
        }

    def ground_oxigraph() -> set[str]:
        return {
            " ".join(_oxigraph_nt(t) for t in (q.subject, q.predicate, q.object))
            for q in quads
            if not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.predicate, q.object))
        }

    # Triples without blank nodes: equal as sets of canonical N-Triples lines (lexical forms kept).
    only_rdflib = ground_rdflib() - ground_oxigraph()
    only_oxigraph = ground_oxigraph() - ground_rdflib()
    assert not only_rdflib and not only_oxigraph, (sorted(only_rdflib)[:5], sorted(only_oxigraph)[:5])
    # The whole graph, blank nodes included: isomorphic.
    converted = Graph()
    for q in quads:
        converted.add((_to_rdflib(q.subject), _to_rdflib(q.predicate), _to_rdflib(q.object)))
    assert _isomorphic(rdflib_graph, converted), f"{path.name}: the two parsers disagree"
    return len(quads)


def _isomorphic(left: Graph, right: Graph) -> bool:
    """Graph isomorphism, fast: the ground triples must be equal, and the (small) rest isomorphic.
    Ground triples have no blank node to map, so together the two checks are exactly isomorphism."""

    def split(graph: Graph) -> tuple[set[tuple[Node, Node, Node]], Graph]:
        ground: set[tuple[Node, Node, Node]] = set()
        blank = Graph()
        for triple in graph:
            if any(isinstance(t, BNode) for t in triple):
                blank.add(triple)
            else:
                ground.add(triple)
        return ground, blank

    left_ground, left_blank = split(left)
    right_ground, right_blank = split(right)
    return left_ground == right_ground and isomorphic(left_blank, right_blank)


def test_every_vocabulary_file_is_loaded() -> None:
    on_disk = {p.resolve() for p in (REPO / "ontology").glob("*.ttl")} | {p.resolve() for p in VOCAB_DIR.glob("*.ttl")}
    assert on_disk == {p.resolve() for p in TTL_FILES}, "a .ttl file is neither vocabulary nor shapes"


@pytest.mark.parametrize("path", TTL_FILES, ids=_rel)
def test_turtle_file_parses_identically_with_rdflib_and_oxigraph(path: Path) -> None:
    _assert_same_graph(path, "turtle")


def test_vocabulary_files_without_blank_nodes_stay_so() -> None:
    # The SKOS schemes are plain ground graphs: their set comparison above is then a full isomorphism.
    for path in vocabulary_files():
        if path.parent == VOCAB_DIR:
            graph = Graph().parse(path, format="turtle")
            assert not any(isinstance(t, BNode) for triple in graph for t in triple), path.name


@pytest.mark.parametrize("name", ["graph.ttl", "graph.nt"])
def test_built_case_parses_identically_with_rdflib_and_oxigraph(build_dir: Path, case_graph: Graph,
                                                                 name: str) -> None:
    path = build_dir / name
    count = _assert_same_graph(path, "turtle" if name.endswith(".ttl") else "nt")
    assert count == len(case_graph)
    assert _isomorphic(Graph().parse(path, format="turtle" if name.endswith(".ttl") else "nt"), case_graph)


# ---------------------------------------------------------------------------------------------
# (d) SKOS schemes and Table 2
# ---------------------------------------------------------------------------------------------


def _concepts(g: Graph) -> list[URIRef]:
    return sorted(c for c in g.subjects(RDF.type, SKOS.Concept) if isinstance(c, URIRef))


def _scheme_prefix(scheme: Node) -> str:
    """Shipped concepts sit under their scheme's IRI; a programme's under concept/<dimension>/ (its scheme is
    scheme/<dimension>), its poles under its orientation axis."""
    if str(scheme).startswith(CASE_NS + "scheme/"):
        return CASE_NS + "concept/" + str(scheme).removeprefix(CASE_NS + "scheme/") + "/"
    return str(scheme) + "/"


def test_every_concept_has_one_label_a_definition_and_one_scheme(case_graph: Graph) -> None:
    g = case_graph
    concepts = _concepts(g)
    assert len(concepts) > 50
    for c in concepts:
        assert len(list(g.objects(c, SKOS.prefLabel))) == 1, f"{c}: prefLabel"
        definitions = [d for d in g.objects(c, SKOS.definition) if str(d).strip()]
        assert len(definitions) == 1, f"{c}: definition"
        schemes = list(g.objects(c, SKOS.inScheme))
        assert len(schemes) == 1, f"{c}: inScheme"
        assert (schemes[0], RDF.type, SKOS.ConceptScheme) in g, f"{c}: its scheme is not declared"
        assert str(c).startswith(_scheme_prefix(schemes[0])), f"{c}: IRI outside its scheme"


def test_every_concept_is_placed_in_its_scheme_hierarchy(case_graph: Graph) -> None:
    g = case_graph
    for c in _concepts(g):
        scheme = g.value(c, SKOS.inScheme)
        top = (c, SKOS.topConceptOf, scheme) in g
        assert top == ((scheme, SKOS.hasTopConcept, c) in g), f"{c}: topConceptOf and hasTopConcept disagree"
        broader = list(g.objects(c, SKOS.broader))
        assert top != bool(broader), f"{c}: must be either a top concept or have a broader concept"
        for b in broader:
            assert (b, SKOS.inScheme, scheme) in g, f"{c}: broader concept in another scheme"
            assert (b, SKOS.narrower, c) in g or not list(g.objects(b, SKOS.narrower)), f"{b}: narrower list"


def test_every_scheme_cites_its_source(case_graph: Graph) -> None:
    g = case_graph
    schemes = list(g.subjects(RDF.type, SKOS.ConceptScheme))
    assert len(schemes) >= 8 + 4  # one per dimension + orientation, Atun, FRAME, actor kinds
    for scheme in schemes:
        cited = str(g.value(scheme, DCTERMS.bibliographicCitation) or "").strip() or g.value(scheme, PG.evidence)
        assert cited, f"{scheme}: neither a citation nor evidence"
        assert g.value(scheme, SKOS.prefLabel) is not None, f"{scheme}: no prefLabel"
    for name in ("atun", "frame"):
        assert isinstance(g.value(scheme_iri(name), DCTERMS.source), URIRef), f"{name}: no dct:source"
    # The programme's own schemes cite its sources through evidence (source + locator), like its statements.
    for scheme in (URIRef(CASE_NS + "orientation"), _scheme("funding")):
        evidence = g.value(scheme, PG.evidence)
        assert evidence is not None and g.value(evidence, PG.locator) is not None, scheme


def test_every_concept_coding_a_configuration_has_one_orientation(case_graph: Graph) -> None:
    g = case_graph
    used = set(g.objects(None, PG.codedAs)) | set(g.objects(None, PG.expectsConcept))
    dimension_concepts = {c for d in _dimension_ids(g) for c in g.subjects(SKOS.inScheme, _scheme(d))}
    assert used and used <= dimension_concepts
    for c in sorted(dimension_concepts, key=str):
        orientations = list(g.objects(c, PG.orientation))
        assert len(orientations) == 1 and orientations[0] in ORIENTATIONS, f"{c}: orientation {orientations}"


def test_dimensions_are_the_columns_of_table_2(case_graph: Graph) -> None:
    g = case_graph
    dimensions = list(g.subjects(RDF.type, PG.Dimension))
    by_column = {int(str(g.value(d, PG.columnOrder))): d for d in dimensions}
    assert len(by_column) == len(dimensions) == 8
    assert {c: str(g.value(d, PG.columnHeader)) for c, d in by_column.items()} == TABLE2_HEADERS
    for d in dimensions:
        ident = str(d).removeprefix(DIMENSION_NS)
        assert str(g.value(d, PG.identifier)) == ident
        assert list(g.objects(d, PG.codedBy)) == [_scheme(ident)], f"{d}: scheme"
        assert g.value(d, SKOS.definition) is not None and g.value(d, RDFS.label) is not None


def _configuration_rows() -> list[dict[str, str]]:
    with (CASE / "configurations.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _codes(cell: str) -> list[str]:
    return [c.strip() for c in cell.split(";") if c.strip()]


def test_dimension_schemes_code_every_cell_of_configurations_csv(case_graph: Graph) -> None:
    g = case_graph
    rows = _configuration_rows()
    assert {r["dimension"] for r in rows} == _dimension_ids(g)
    coding: dict[tuple[str, str], list[str]] = {}
    for n, row in enumerate(rows, start=2):
        where = f"configurations.csv:{n}"
        if row["status"] == "unknown":
            assert not row["verbatim"] and not row["codes"], f"{where}: an unknown cell is never guessed"
            continue
        assert row["status"] == "known" and row["verbatim"] and row["codes"], where
        for code in _codes(row["codes"]):
            concept = _concept(row["dimension"], code)
            assert (concept, SKOS.inScheme, _scheme(row["dimension"])) in g, f"{where}: {code} not coded"
        # The same cell text is always coded the same way.
        key = (row["dimension"], row["verbatim"])
        assert coding.setdefault(key, _codes(row["codes"])) == _codes(row["codes"]), f"{where}: {key}"
    # Every distinct known cell text of rows A-D has been seen and coded (8 dimensions x 8 rows).
    assert sum(1 for r in rows if r["status"] == "known") == 65  # 64 cells of A-D + E's start-up provider


# ---------------------------------------------------------------------------------------------
# (e) the generated reference
# ---------------------------------------------------------------------------------------------


def test_reference_is_current_via_the_command_line() -> None:
    result = subprocess.run([sys.executable, "-m", "policygraph.ontology.docs", "--check"], cwd=REPO,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr + "\nrun `python -m ontology.docs` and commit REFERENCE.md"


def test_reference_check_fails_on_a_stale_file_and_write_repairs_it(tmp_path: Path) -> None:
    stale = tmp_path / "REFERENCE.md"
    stale.write_text(REFERENCE_FILE.read_text(encoding="utf-8").replace("pg:Expectation", "pg:Expect"))
    assert docs_main(["--check", "--output", str(stale)]) == 1
    assert docs_main(["--check", "--output", str(tmp_path / "missing.md")]) == 1
    assert docs_main(["--output", str(stale)]) == 0
    assert docs_main(["--check", "--output", str(stale)]) == 0


def test_reference_is_deterministic() -> None:
    assert render_reference() == render_reference()
    text = render_reference()
    assert not re.search(r"20\d\d-\d\d-\d\dT\d\d:", text), "no timestamps in generated docs"


def test_reference_mentions_every_term_of_the_vocabulary() -> None:
    g = vocabulary_graph()
    text = REFERENCE_FILE.read_text(encoding="utf-8")
    kinds = [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.Concept, SKOS.ConceptScheme, PG.Dimension,
             PG.KnowledgeStatus]
    terms = {t for kind in kinds for t in g.subjects(RDF.type, kind) if isinstance(t, URIRef)}
    assert len(terms) > 100
    missing = sorted(str(t) for t in terms if f"`{t}`" not in text)
    assert missing == []
    for cited in g.objects(None, DCTERMS.bibliographicCitation):
        assert str(cited) in text


def test_every_class_and_property_is_labelled_and_the_core_ones_defined() -> None:
    """The reference is only as good as the ontology's own labels and definitions."""
    g = vocabulary_graph()
    core = Graph().parse(ONTOLOGY_FILE, format="turtle")
    unlabelled, undefined = [], []
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        for term in g.subjects(RDF.type, kind):
            if g.value(term, RDFS.label) is None:
                unlabelled.append(str(term))
            if (term, RDF.type, kind) in core and g.value(term, SKOS.definition) is None:
                undefined.append(str(term))
    assert (sorted(unlabelled), sorted(undefined)) == ([], [])


# ---------------------------------------------------------------------------------------------
# (f) the glossary
# ---------------------------------------------------------------------------------------------

GLOSSARY_TERMS = [
    "Programme", "Policy document", "Policy intent", "Expectation", "Dimension", "Concept / code",
    "Orientation", "Service", "Case study", "Period", "Configuration", "Configuration value / cell",
    "Verbatim", "Known / unknown", "Evidence", "Source", "Locator", "Finding", "Observation / figure",
    "Typed period / interval", "Referral pathway", "Adaptation",
    "Fidelity", "Medicalisation", "Drift", "Trace", "Hop", "Actor / organisation / role", "Commissioner",
    "Provider", "TSO", "PCT", "DCRS", "PHP", "Health trainer", "Health trainer champion", "Build",
    "Release", "Store", "Named query",
]


def _glossary() -> str:
    return GLOSSARY.read_text(encoding="utf-8")


def _glossary_prefixes(text: str) -> dict[str, str]:
    rows = re.findall(r"^\| `([a-z][a-z-]*):` \| `([^`]+)` \|", text, flags=re.MULTILINE)
    return dict(rows)


def _sections(text: str) -> dict[str, str]:
    parts = re.split(r"^### (.+)$", text, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def test_glossary_defines_every_domain_term_once_with_its_ontology_term_and_synonyms_to_avoid() -> None:
    sections = _sections(_glossary())
    assert sorted(sections) == sorted(GLOSSARY_TERMS)
    for title, body in sections.items():
        assert "- **Ontology:**" in body, f"{title}: no ontology term"
        assert "- **Avoid:**" in body, f"{title}: no words to avoid"
        meaning = body.strip().split("\n\n")[0]
        assert len(meaning) > 40, f"{title}: no meaning given"
    for word in ("entity", "node", "resource", "subject"):
        assert re.search(rf"\|[^\n]*\b{word}\b[^\n]*\|", _glossary()), f"say which word replaces '{word}'"


def test_glossary_prefixes_agree_with_the_ontology() -> None:
    prefixes = _glossary_prefixes(_glossary())
    assert {"pg", "dimension", "service", "intent", "configuration"} <= set(prefixes)
    consoles = query_prefixes("health-trainers")
    assert {prefix: consoles.get(prefix) for prefix in prefixes} == prefixes  # what the consoles declare
    assert prefixes["vocab"] == VOCAB
    assert prefixes["service"] == CASE_NS + "service/"


def _glossary_terms(text: str, prefixes: dict[str, str]) -> Iterable[tuple[str, URIRef]]:
    body = text.split("## General words", 1)[1]  # after the prefix table
    for token in re.findall(r"`([^`\s]+)`", body):
        if token.startswith("<") and token.endswith(">"):
            yield token, URIRef(token[1:-1])
            continue
        match = re.fullmatch(r"([a-z][a-z0-9]*):((?:[A-Za-z0-9_.-]|\\/)+)", token)
        if match and "://" not in token:
            prefix, local = match.groups()
            assert prefix in prefixes, f"GLOSSARY.md: `{token}` uses an undeclared prefix"
            yield token, URIRef(prefixes[prefix] + local.replace("\\/", "/"))


def test_every_term_the_glossary_names_exists(case_graph: Graph) -> None:
    text = _glossary()
    prefixes = _glossary_prefixes(text)
    vocab = vocabulary_graph()
    ours = (str(PG), VOCAB)
    used_anywhere = {t for triple in vocab for t in triple if isinstance(t, URIRef)}
    named = list(_glossary_terms(text, prefixes))
    assert len(named) > 80
    missing = []
    for token, iri in named:
        if str(iri).startswith(ID_BASE):
            ok = (iri, None, None) in case_graph
        elif str(iri).startswith(ours):
            ok = (iri, None, None) in vocab  # defined by the vocabulary, not merely mentioned
        else:
            ok = iri in used_anywhere  # an external term (SKOS, PROV-O) the vocabulary uses
        if not ok:
            missing.append(token)
    assert sorted(set(missing)) == []
