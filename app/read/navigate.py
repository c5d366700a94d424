"""Finding one's way in a programme's graph: every node by label or identifier, the shortest paths between two
nodes with each hop's evidence, and the short names a link to a view gives nodes. Pure functions of a release
(no Streamlit): the explorer's Network and Path pages draw what they return.

The paths are walked on the build's RDF graph as an undirected networkx graph of the programme's resources
(its records and the concepts they use). Links that say nothing about the programme are not walked
(`NOT_WALKED`): every node's class, its programme, its status code, its provenance and its evidence records
would otherwise join any two nodes in two hops. A hop's evidence is the evidence of the record that states
the link.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice, pairwise
from typing import TYPE_CHECKING

import networkx as nx
from rdflib import RDF, URIRef
from rdflib.namespace import DCTERMS, SKOS

from policygraph.app.read.views import View
from policygraph.graph.model import Citation, ProgrammeModel, local_name
from policygraph.graph.results import QueryResult
from policygraph.graph.traces import CONSISTENT, UNKNOWN
from policygraph.ontology import ID_BASE, PG, PROV, VOCAB

if TYPE_CHECKING:
    from policygraph.app.release import Release

NOT_WALKED = frozenset({
    RDF.type, RDF.first, RDF.rest, PG.partOfProgramme, PG.evidence, PG.source, PG.status, PG.decisionStatus,
    PG.reasonStatus, PROV.wasDerivedFrom, PROV.wasGeneratedBy, DCTERMS.source, SKOS.inScheme, SKOS.topConceptOf,
    SKOS.hasTopConcept,
    # What a finding or a commissioning concerns, and the periods and qualifiers statements share: walked, they
    # would be hubs (two services that both started in early 2007 are not linked by it; a finding about all six
    # services is commentary, not a route from vision to practice).
    PG.about, PG.commissions, PG.startedIn, PG.referenceInterval, PG.since, PG.until, PG.valueQualifier,
    PG.findingKind,
})
SEARCH_LIMIT = 1000  # the most nodes a list offers at once; a larger programme opens the list on one kind
MAX_PATHS = 10


@dataclass(frozen=True)
class Node:
    """A resource of the programme as pickers, searches and links name it."""

    iri: str
    label: str
    identifier: str  # its pg:identifier, "" when it has none
    kind: str  # the local name of its class, e.g. Service
    short: str  # its name in a link: the IRI without the programme's base

    def matches(self, text: str) -> int | None:
        """How well `text` (case-folded) names this node: 0 exactly, 1 at the start, 2 inside; None not."""
        names = (self.label.casefold(), self.identifier.casefold(), self.short.casefold())
        if text in names:
            return 0
        if any(n.startswith(text) for n in names):
            return 1
        if any(text in n for n in names):
            return 2
        return None


def _kind(iris: list[str]) -> str:
    # The programme's own class first (OrientationValue rather than skos:Concept), then any other.
    ranked = sorted(iris, key=lambda t: (not t.startswith(str(PG)), t))
    return local_name(ranked[0]) if ranked else "Resource"


@dataclass
class Links:
    """The programme's resources and the links walked between them."""

    base: str  # the programme's IRI base, which short names leave out
    graph: nx.Graph[str]
    nodes: dict[str, Node] = field(default_factory=dict)  # by IRI

    def kinds(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for node in self.nodes.values():
            found[node.kind] = found.get(node.kind, 0) + 1
        return dict(sorted(found.items()))

    def search(self, text: str, kind: str | None = None, limit: int = SEARCH_LIMIT) -> tuple[list[Node], int]:
        """The nodes whose label, identifier or short name contains `text` (any case), best matches first (exact,
        then at the start, then inside; then by label), of one kind if given: at most `limit`, and how many
        matched."""
        wanted = text.strip().casefold()
        ranked = []
        for node in self.nodes.values():
            if kind is not None and node.kind != kind:
                continue
            rank = node.matches(wanted) if wanted else 2
            if rank is not None:
                ranked.append((rank, node.label, node.iri, node))
        ranked.sort(key=lambda r: r[:3])
        return [r[3] for r in ranked[:limit]], len(ranked)

    def named(self, text: str) -> Node:
        """The node a link names: by short name or full IRI."""
        found = self.nodes.get(text) or self.nodes.get(self.base + text)
        if found is None:
            raise KeyError(f"no node {text!r} in this programme")
        return found


def _programme_base(release: Release) -> str:
    return f"{ID_BASE}{release.programme}/"


def links(release: Release) -> Links:
    """Every resource of the programme (its records and the concepts it uses, not its evidence records), and
    the links between them but those in NOT_WALKED."""
    model = release.model()
    g = model.graph
    base = _programme_base(release)
    types: dict[URIRef, list[str]] = {}
    for s, t in g.subject_objects(RDF.type):
        if isinstance(s, URIRef) and str(s).startswith((ID_BASE, VOCAB)):
            types.setdefault(s, []).append(str(t))
    found = Links(base, nx.Graph())
    for s, kinds in types.items():
        if str(PG.Evidence) in kinds:
            continue
        iri = str(s)
        identifier = g.value(s, PG.identifier)
        found.nodes[iri] = Node(iri, model.label(s), "" if identifier is None else str(identifier), _kind(kinds),
                                iri.removeprefix(base))
    found.graph.add_nodes_from(found.nodes)
    for s, p, o in g:
        if p not in NOT_WALKED and str(s) in found.nodes and str(o) in found.nodes and s != o:
            found.graph.add_edge(str(s), str(o))
    return found


def default_node(release: Release, found: Links) -> Node:
    """Where a view opens: the programme's first service, else its first node by label."""
    services = [str(s) for s in release.model().services if str(s) in found.nodes]
    if services:
        return found.nodes[services[0]]
    first, _ = found.search("", limit=1)
    if not first:
        raise KeyError("this programme has no node to show")
    return first[0]


def default_ends(release: Release, found: Links) -> tuple[Node, Node]:
    """Where the path view opens: from the first intent with expectations (else the first node) to the first
    service (else the last node)."""
    model = release.model()
    intents = sorted({str(e.intent) for e in model.expectations if str(e.intent) in found.nodes},
                     key=lambda i: (found.nodes[i].label, i))
    end = default_node(release, found)
    if intents:
        return found.nodes[intents[0]], end
    every, _ = found.search("", limit=len(found.nodes))
    return every[0], every[-1] if every[-1] != every[0] else end


# --- paths ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hop:
    source: str  # IRI of the node the hop leaves (along the path)
    target: str
    relations: tuple[tuple[str, bool], ...]  # (predicate IRI, stated from source to target)
    evidence: tuple[Citation, ...]  # of the records stating the hop's links


@dataclass(frozen=True)
class Paths:
    start: Node
    end: Node
    hops: list[list[Hop]]  # one list per path, each of the same (shortest) length
    more: bool  # more shortest paths exist than were asked for
    labels: dict[str, str]  # IRI -> label of every node on a path

    @property
    def length(self) -> int:
        return len(self.hops[0]) if self.hops else 0


def _hop(model: ProgrammeModel, a: str, b: str) -> Hop:
    g = model.graph
    ua, ub = URIRef(a), URIRef(b)
    relations = sorted({(str(p), True) for p in g.predicates(ua, ub) if p not in NOT_WALKED}
                       | {(str(p), False) for p in g.predicates(ub, ua) if p not in NOT_WALKED})
    stated_by = {ua for _, forward in relations if forward} | {ub for _, forward in relations if not forward}
    evidence = sorted({c for s in stated_by for c in model.evidence(s)})
    return Hop(a, b, tuple(relations), tuple(evidence))


def shortest_paths(release: Release, found: Links, start: str, end: str, max_paths: int = 3) -> Paths:
    """The shortest paths (at most `max_paths`, in a stable order) between two nodes, each hop with the
    links it follows and their evidence; none if the nodes are not linked."""
    if not 1 <= max_paths <= MAX_PATHS:
        raise ValueError(f"ask for 1 to {MAX_PATHS} paths, not {max_paths}")
    first, last = found.named(start), found.named(end)
    model = release.model()
    routes: list[list[str]] = []
    more = False
    if first.iri != last.iri:
        try:
            walked: Iterator[list[str]] = nx.all_shortest_paths(found.graph, first.iri, last.iri)
            routes = list(islice(walked, max_paths + 1))
        except nx.NetworkXNoPath:
            routes = []
        more = len(routes) > max_paths
        routes = sorted(routes[:max_paths], key=lambda r: [found.nodes[n].label for n in r])
    hops = [[_hop(model, a, b) for a, b in pairwise(route)] for route in routes]
    labels = {n: found.nodes[n].label for route in routes for n in route} or {first.iri: first.label,
                                                                             last.iri: last.label}
    return Paths(first, last, hops, more, labels)


def _citations(evidence: tuple[Citation, ...]) -> str:
    return "; ".join(f"{sid} ({locator})" for sid, locator in evidence) or "none recorded"


def path_table(paths: Paths) -> QueryResult:
    """One row per hop: path number, hop number, from, relation, direction, to, evidence."""
    rows: list[tuple[str | None, ...]] = []
    for n, path in enumerate(paths.hops, start=1):
        for h, hop in enumerate(path, start=1):
            relation = ", ".join(local_name(p) for p, _ in hop.relations)
            direction = "/".join(sorted({"→" if forward else "←" for _, forward in hop.relations}))
            rows.append((str(n), str(h), paths.labels[hop.source], relation, direction, paths.labels[hop.target],
                         _citations(hop.evidence)))
    notes = []
    if not paths.hops and paths.start.iri != paths.end.iri:
        notes.append(f"no path links {paths.start.label} and {paths.end.label} (classes, the programme, status "
                     "codes, provenance and evidence records are not walked)")
    if paths.more:
        notes.append(f"more shortest paths exist than the {len(paths.hops)} shown: ask for more paths")
    return QueryResult(["path", "hop", "from", "relation", "direction", "to", "evidence"], rows, paths.more, notes)


def path_view(release: Release, found: Links, paths: Paths) -> View:
    """The paths as a view to draw: one column per step from the start; links drawn as stated (subject to
    object); nodes and links green when evidence backs them, grey when none is recorded."""
    model = release.model()
    sub: nx.DiGraph[str] = nx.DiGraph()

    def add(iri: str, layer: int) -> None:
        evidence = list(model.evidence(URIRef(iri)))
        sub.add_node(iri, label=found.nodes[iri].label, kind=found.nodes[iri].kind, layer=layer,
                     status=CONSISTENT if evidence else UNKNOWN, iri=iri, evidence=evidence)

    for path in paths.hops:
        for layer, iri in enumerate([paths.start.iri, *(hop.target for hop in path)]):
            add(iri, layer)
        for hop in path:
            for forward in (True, False):
                names = [local_name(p) for p, f in hop.relations if f == forward]
                if names:
                    a, b = (hop.source, hop.target) if forward else (hop.target, hop.source)
                    sub.add_edge(a, b, relation=", ".join(names), status=CONSISTENT if hop.evidence else UNKNOWN,
                                 evidence=list(hop.evidence))
    if not paths.hops:
        add(paths.start.iri, 0)
        add(paths.end.iri, 1)
    steps = "no path" if not paths.hops else f"{paths.length} hop{'s' if paths.length != 1 else ''}"
    view = View(f"Path from {paths.start.label} to {paths.end.label} ({steps})", sub)
    view.notes.extend(path_table(paths).notes)
    return view
