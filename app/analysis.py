"""Analytics over a build, shaped for the CLI and the explorer (tables of text cells)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import networkx as nx
from rdflib import URIRef

from app.release_cache import core_of, core_release, release_manifest
from graph.case_model import CaseModel
from graph.drift import Change, Measure, all_measures, changes, rollup
from graph.indexed_store import load_ntriples
from graph.results import QueryResult
from graph.traces import DEFAULT_HOP_CAP, DEFAULT_RESULT_CAP, TraceResult, trace, trace_graph
from ontology import ID_BASE


class LoadedBuild:
    """A build's graph model and its trace graph (computed on first use: a national programme's takes
    seconds, and the pages a visitor opens first do not need it)."""

    def __init__(self, programme: str, model: CaseModel, trace: nx.DiGraph[str] | None = None) -> None:
        self.programme = programme
        self.model = model
        self._trace = trace

    @property
    def trace_graph(self) -> nx.DiGraph[str]:
        if self._trace is None:
            with _TRACE_LOCK:
                if self._trace is None:
                    self._trace = trace_graph(self.model)
        return self._trace

    def complete(self) -> LoadedBuild:
        """Compute everything the pages read (the model's tables, the trace graph) now, not on first use."""
        model = self.model
        _ = (model.services, model.periods, model.dimensions, model.cells, model.expectations, self.trace_graph)
        return self


_TRACE_LOCK = threading.Lock()  # one trace graph computed at a time (a concurrent caller waits for it)
Loader = Callable[[Path, str, str], LoadedBuild]  # (core N-Triples, their hash, programme) -> the loaded build
_BUILDS: dict[tuple[Path, str], LoadedBuild] = {}


def parse_build(ntriples: Path, sha256: str, programme: str) -> LoadedBuild:
    """The build's N-Triples parsed into a model (its tables and the trace graph computed on first use)."""
    del sha256  # the caller's cache key
    return LoadedBuild(programme, CaseModel(load_ntriples(ntriples)))


def core_graph(build_dir: Path) -> tuple[Path, str]:
    """The build's N-Triples without the activity cube (which can be millions of triples), and its hash."""
    return core_release(build_dir)


def loaded_build(build_dir: Path, load: Loader = parse_build) -> LoadedBuild:
    """The current build's model and trace graph, loaded once per build content (a rebuilt graph has a new
    hash) by `load` (parsed, unless the caller has a faster way: the explorer's snapshot, app/snapshot.py)."""
    release, manifest = release_manifest(build_dir)
    path, sha = core_of(release, manifest)
    found = _BUILDS.get((path, sha))
    if found is None:
        found = _BUILDS.setdefault((path, sha), load(path, sha, str(manifest["programme"])))
    return found


def start_node(loaded: LoadedBuild, ident: str) -> URIRef:
    """An intent or document id (or a full IRI) as the node a trace starts from."""
    if ident.startswith(("http://", "https://")):
        return URIRef(ident)
    base = f"{ID_BASE}{loaded.programme}/"
    for kind in ("intent", "document"):
        candidate = f"{base}{kind}/{ident}"
        if candidate in loaded.trace_graph:
            return URIRef(candidate)
    known = sorted(loaded.model.ident(URIRef(n)) for n, attrs in loaded.trace_graph.nodes(data=True)
                   if attrs.get("kind") in ("intent", "document"))
    raise KeyError(f"no intent or document {ident!r}; choose one of: {', '.join(known)}")


def run_trace(build_dir: Path, ident: str, *, service: str | None = None, period: str | None = None,
              hop_cap: int = DEFAULT_HOP_CAP, result_cap: int = DEFAULT_RESULT_CAP) -> TraceResult:
    loaded = loaded_build(build_dir)
    return trace(loaded.trace_graph, start_node(loaded, ident), service=service, period=period,
                 hop_cap=hop_cap, result_cap=result_cap)


def trace_table(result: TraceResult) -> QueryResult:
    """One row per hop: path number, hop number, from, relation, to, status, sources with locators."""
    rows: list[tuple[str | None, ...]] = []
    for n, path in enumerate(result.paths, start=1):
        for h, hop in enumerate(path.hops, start=1):
            rows.append((str(n), str(h), result.labels[hop.source], hop.relation, result.labels[hop.target],
                         hop.status, "; ".join(f"{sid} ({loc})" for sid, loc in hop.evidence)))
    notes = []
    if result.truncated:
        notes.append(f"truncated: more paths exist beyond the cap of {result.result_cap} paths / "
                     f"{result.hop_cap} hops (raise --max-paths / --max-hops)")
    return QueryResult(["path", "hop", "from", "relation", "to", "status", "evidence"], rows, result.truncated, notes)


def _pct(value: Fraction | None) -> str:
    return "n/a" if value is None else f"{float(value) * 100:.1f}%"


def _delta(value: Fraction | None) -> str:
    return "n/a" if value is None else f"{float(value) * 100:+.1f} pts"


def drift_table(build_dir: Path, service: str | None = None) -> QueryResult:
    """Per service and period: fidelity, medicalisation, their coverage, and the change that drove them."""
    model = loaded_build(build_dir).model
    moves = {(c.service, c.after.period): c for c in changes(model)}
    rows: list[tuple[str | None, ...]] = []
    for m in all_measures(model):
        if service is not None and model.ident(m.service) != service:
            continue
        rows.append(_drift_row(model, m, moves.get((m.service, m.period))))
    roll = rollup(changes(model))
    notes = [f"roll-up: {roll.sufficient} of {roll.services} services with sufficient data; medicalisation rose in "
             f"{roll.medicalised} (mean {_delta(roll.mean_medicalisation_delta)}), fidelity fell in "
             f"{roll.less_faithful} (mean {_delta(roll.mean_fidelity_delta)})"]
    return QueryResult(["service", "period", "fidelity", "fidelity_coverage", "medicalisation",
                        "medicalisation_coverage", "change_fidelity", "change_medicalisation", "drivers"], rows,
                       notes=notes)


def _drift_row(model: CaseModel, m: Measure, move: Change | None) -> tuple[str | None, ...]:
    insufficient = "insufficient data"
    return (
        model.ident(m.service),
        model.ident(m.period),
        _pct(m.fidelity) if m.sufficient else insufficient,
        f"{m.fidelity_known}/{m.fidelity_dimensions}",
        _pct(m.medicalisation) if m.sufficient else insufficient,
        f"{m.medicalisation_known}/{m.dimensions}",
        _delta(move.fidelity_delta) if move else "",
        _delta(move.medicalisation_delta) if move else "",
        " | ".join(move.drivers) if move else "",
    )
