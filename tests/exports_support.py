"""Builds of the case with other words in it, for the export tests: every label and verbatim cell passed
through a function, written as a build folder with the project's own functions (curated YAML refuses some
of these strings by design, so the fixture starts from the case's validated graph)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from rdflib import RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS
from support import CASE, canonical_ntriples

from policygraph.app.build import validate_folder
from policygraph.app.build.statements import count_instances
from policygraph.graph.oxigraph_store import bulk_load
from policygraph.ontology import PG

Rewrite = Callable[[URIRef, str], str]


def rewritten_build(build_dir: Path, rewrite: Rewrite, *, verbatim: Rewrite | None = None) -> Path:
    """The case with every rdfs:label / skos:prefLabel passed through `rewrite(node, text)` (and every verbatim
    cell through `verbatim`), as a build folder that `Release.current` opens."""
    programme, graph = validate_folder(CASE)
    for predicate, change in ((RDFS.label, rewrite), (SKOS.prefLabel, rewrite), (PG.verbatim, verbatim)):
        if change is None:
            continue
        for node, text in list(graph.subject_objects(predicate)):
            if isinstance(node, URIRef) and isinstance(text, Literal):
                graph.remove((node, predicate, text))
                graph.add((node, predicate, Literal(change(node, str(text)), lang=text.language)))
    return write_build(graph, programme.id, build_dir)


def write_build(graph: Graph, programme: str, build_dir: Path, data_dir: Path = CASE) -> Path:
    """`graph` as one release folder in `build_dir` (what `Release.current` opens)."""
    build_dir.mkdir(parents=True, exist_ok=True)
    nt = canonical_ntriples(graph)
    (build_dir / "graph.nt").write_text(nt, encoding="utf-8")
    graph.serialize(build_dir / "graph.ttl", format="turtle", encoding="utf-8")
    triples = bulk_load(build_dir / "store", build_dir / "graph.nt")
    manifest = {
        "programme": programme, "data_dir": str(data_dir.resolve()), "triples": triples,
        "graph_nt_sha256": hashlib.sha256(nt.encode("utf-8")).hexdigest(), "built_at": "2026-01-02T03:04:05+00:00",
        "policygraph_version": version("policygraph"), "counts": count_instances(nt.splitlines(keepends=True)),
    }
    (build_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return build_dir
