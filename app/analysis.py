"""Analytics over a build, shaped for the CLI and the explorer (tables of text cells)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path

import networkx as nx
from rdflib import URIRef

from app.build import read_manifest
from graph.case_model import CaseModel
from graph.drift import Change, Measure, all_measures, changes, rollup
from graph.indexed_store import load_ntriples
from graph.results import QueryResult
from graph.traces import DEFAULT_HOP_CAP, DEFAULT_RESULT_CAP, TraceResult, trace, trace_graph
from ontology import ID_BASE


@dataclass(frozen=True)
class LoadedBuild:
    programme: str
    model: CaseModel
    trace_graph: nx.DiGraph[str]


@cache
def _load(ntriples: Path, sha256: str, programme: str) -> LoadedBuild:
    del sha256  # cache key: a rebuilt graph has a new hash
    model = CaseModel(load_ntriples(ntriples))
    return LoadedBuild(programme, model, trace_graph(model))


def core_graph(build_dir: Path, manifest: dict[str, object] | None = None) -> tuple[Path, str]:
    """The build's N-Triples without the activity cube (which can be millions of triples), and its hash."""
    manifest = read_manifest(build_dir) if manifest is None else manifest
    core = build_dir / "core.nt"
    if core.exists():
        return core.resolve(), str(manifest["core_nt_sha256"])
    return (build_dir / "graph.nt").resolve(), str(manifest["graph_nt_sha256"])


def loaded_build(build_dir: Path) -> LoadedBuild:
    """The current build's graph, model and trace graph, parsed once per build."""
    manifest = read_manifest(build_dir)
    path, sha = core_graph(build_dir, manifest)
    return _load(path, sha, str(manifest["programme"]))


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
