"""The Overview's tables from a case model: what the explorer's first page shows of a programme.

One function for both places that compute them: the explorer, from the parsed graph, and the build, from
the model its curated worker already holds (its context graph and the configuration table made from the
records), so the first start after a build finds them stored (app/release_cache.py, docs/decisions/0007).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from rdflib import RDF, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from app.release_cache import Overview
from graph.case_model import CaseModel
from graph.results import QueryResult
from ontology import PG

Rows = list[tuple[str | None, ...]]
CellKey = tuple[URIRef, URIRef, URIRef]  # (service, period, dimension)


def text_of(model: CaseModel, node: Node | None, predicate: URIRef) -> str:
    """A node's value for `predicate` as text ("" when it has none)."""
    value = model.graph.value(node, predicate)
    return "" if value is None else str(value)


def overview_of(model: CaseModel, known: Mapping[CellKey, bool], programme_id: str) -> Overview:
    """The Overview of the programme `model` holds; `known`: whether each configuration cell is known;
    `programme_id` names the programme if the graph has no Programme node."""
    g = model.graph
    programme = g.value(None, RDF.type, PG.Programme)
    docs: Rows = sorted((text_of(model, d, PG.date), model.label(d), text_of(model, d, DCTERMS.type),  # type: ignore[arg-type]
                         "; ".join(sorted(model.label(i) for i in g.objects(d, PG.statesIntent))))  # type: ignore[arg-type]
                        for d in g.subjects(RDF.type, PG.PolicyDocument))
    intents: Rows = sorted((model.label(i), text_of(model, i, DCTERMS.description),  # type: ignore[arg-type]
                            "; ".join(sorted(f"{sid} ({loc})" for sid, loc in model.evidence(i))))  # type: ignore[arg-type]
                           for i in g.subjects(RDF.type, PG.PolicyIntent))
    services: Rows = [(model.ident(s), text_of(model, s, PG.verbatim) or "unknown",
                       "; ".join(f"{sid} ({loc})" for sid, loc in model.evidence(s))) for s in model.services]
    timeline: Rows = sorted((text_of(model, e, PG.date), model.label(e),  # type: ignore[arg-type]
                             "; ".join(sorted(sid for sid, _ in model.evidence(e))))  # type: ignore[arg-type]
                            for e in g.subjects(RDF.type, PG.TimelineEvent))
    cells, known_count = Counter[URIRef](), Counter[URIRef]()  # one pass over the cells, not one per service
    for (svc, _, _), is_known in known.items():
        cells[svc] += 1
        known_count[svc] += is_known
    coverage: Rows = [(model.ident(s), str(known_count[s]), str(cells[s] - known_count[s]),
                       f"{100 * known_count[s] / cells[s]:.0f}%" if cells[s] else "n/a") for s in model.services]
    return Overview(
        programme=model.label(programme) if isinstance(programme, URIRef) else programme_id,
        description=text_of(model, programme, DCTERMS.description),
        documents=QueryResult(["date", "document", "kind", "intents stated"], docs),
        intents=QueryResult(["intent", "description", "evidence"], intents),
        services=QueryResult(["service", "description (verbatim)", "evidence"], services),
        timeline=QueryResult(["date", "event", "sources"], timeline),
        coverage=QueryResult(["service", "known cells", "unknown cells", "known share"], coverage),
    )
