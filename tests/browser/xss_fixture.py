"""A build of the case whose labels carry markup, for the XSS test.

Curated YAML refuses markup by design (docs/decisions/0004), so the fixture starts from the case's
validated graph, swaps some labels and verbatim cells for hostile strings, and writes a build folder
the explorer reads (graph.nt, graph.ttl, store/, manifest.json) with the project's own functions.
"""

from __future__ import annotations

from pathlib import Path

from exports_support import write_build as write_release
from rdflib import RDFS, Graph, Literal, URIRef

from policygraph.app.build import validate_folder
from policygraph.app.build.programme_queries import copy_into
from policygraph.ontology import PG

IMG = "<img src=x onerror=alert(1)>"
TAGS = '"quotes" & <b>tags</b>'
# Streamlit's titles, captions and st.write read Markdown: data must not become an image (a request
# off the machine), emphasis, a link, math or a colour there either.
MARKDOWN = "**bold** ![x](https://example.invalid/x.png) [link](javascript:alert(2)) $5 to $10 :red[red]"

BASE = "https://w3id.org/policygraph/id/health-trainers/"
INTENT = URIRef(BASE + "intent/reach-hard-to-reach-in-community")
OTHER_INTENT = URIRef(BASE + "intent/peer-support-from-next-door")
SERVICE = URIRef(BASE + "service/D")
PROGRAMME = URIRef(BASE.rstrip("/"))
# D's follow-up referral sources: the departed cell of the case.
VALUE = URIRef(BASE + "configuration/D/follow-up/primary-referral-sources")

#: What the explorer shows in place of the originals.
INTENT_LABEL = IMG
SERVICE_LABEL = f"Case study D {TAGS}"
SERVICE_DESCRIPTION = f"{IMG} {TAGS}"
VALUE_VERBATIM = TAGS
PROGRAMME_DESCRIPTION = f"Fixture programme: {IMG} and {TAGS}; {MARKDOWN}"


def _replace(graph: Graph, subject: URIRef, predicate: URIRef, text: str) -> None:
    assert (subject, predicate, None) in graph, f"{subject} has no {predicate} to replace"
    graph.set((subject, predicate, Literal(text)))


def hostile_graph(case_dir: Path) -> tuple[str, Graph]:
    """(programme id, graph) of the case with markup in two intents' labels, a service's label and
    description, a configuration value's verbatim text and the programme's description."""
    prog, graph = validate_folder(case_dir)
    _replace(graph, INTENT, RDFS.label, INTENT_LABEL)
    _replace(graph, OTHER_INTENT, RDFS.label, MARKDOWN)
    _replace(graph, SERVICE, RDFS.label, SERVICE_LABEL)
    _replace(graph, SERVICE, PG.verbatim, SERVICE_DESCRIPTION)
    _replace(graph, VALUE, PG.verbatim, VALUE_VERBATIM)
    dcterms_description = URIRef("http://purl.org/dc/terms/description")
    _replace(graph, PROGRAMME, dcterms_description, PROGRAMME_DESCRIPTION)
    return prog.id, graph


def write_build(case_dir: Path, build_dir: Path) -> Path:
    """Write the hostile build into `build_dir` as one release folder (what `Release.current` opens) and return
    it."""
    programme, graph = hostile_graph(case_dir)
    write_release(graph, programme, build_dir, data_dir=case_dir)
    copy_into(case_dir, build_dir)  # the programme's own queries (table2), as a real build ships them
    return build_dir
