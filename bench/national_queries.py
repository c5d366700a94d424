"""Benchmark: every named query (SPARQL on the embedded store; Cypher on Neo4j when NEO4J_URI is set and
holds this build) and traces, on a national build: p50 / p95 per query, warm.

    .venv/bin/policygraph --build-dir build/national build --data build/synthetic/national
    NEO4J_URI=bolt://127.0.0.1:7687 .venv/bin/policygraph --build-dir build/national load neo4j   # optional
    NEO4J_URI=bolt://127.0.0.1:7687 .venv/bin/python bench/national_queries.py --build-dir build/national \\
        --runs 20 --repeat 3 --markdown figures.md

Two tables. The first, against the target (p95 <= 100 ms): each query with the parameters a researcher
would pass on a national programme (one service, one period, one intent, one configuration value), timed
for the first and for the last service (period, intent) and pooled; a query that takes no parameter, as it
is. The second: the queries whose parameters are optional, run without them over the whole programme
(thousands of rows: no 100 ms target by nature). A call whose warm-up took over 1 s is timed
--runs-whole times instead of --runs. Traces are computed from the analytics model, not by either engine:
one figure. Each timing is a whole `run_named` / `run_trace` call (bind, check the store or the Bolt
connection and the loaded build, run, read the rows; `run_named` keeps the store and the Neo4j driver open
between calls, so the warm-up call opens them). With --repeat N the whole measurement is made N times and
each cell is the median of the N p50s and of the N p95s; the load average is read before each repetition.
--engine-only times the engines alone instead (no connectivity or build check), to tell query time from
overhead. --drop-param leaves a parameter out (e.g. trace-paths with an intent but no case).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from policygraph import queries
from policygraph.app.read.queries import resolve_iri, run_named
from policygraph.app.read.tables import run_trace
from policygraph.app.release import Release
from policygraph.graph.neo4j_store import Neo4jSettings, Neo4jStore
from policygraph.graph.oxigraph_store import OxigraphStore
from policygraph.graph.results import QueryResult
from policygraph.queries import NamedQuery, all_queries, get_query

TARGET_QUERY_MS, TARGET_TRACE_MS = 100.0, 200.0
SLOW_WARM_UP_S = 1.0


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(call: Callable[[], object], runs: int, slow_runs: int | None = None) -> tuple[list[float], object]:
    """Timings (ms) of `runs` calls after a warm one; `slow_runs` calls instead if the warm one was slow."""
    started = time.perf_counter()
    result = call()  # warm: caches, first connection
    if slow_runs is not None and time.perf_counter() - started > SLOW_WARM_UP_S:
        runs = slow_runs
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings, result


def parameter_sets(build_dir: Path) -> list[dict[str, str]]:
    """The first and the last service, period and intent of the programme (two sets of values)."""
    model = Release.current(build_dir).model()
    intents = sorted({model.ident(e.intent) for e in model.expectations})
    dimension = model.ident(model.dimensions[0])
    sets = []
    for pick in (0, -1):
        service, period = model.ident(model.services[pick]), model.ident(model.periods[pick])
        sets.append({"service": service, "period": period, "intent": intents[pick],
                     "node": f"configuration/{service}/{period}/{dimension}"})
    return sets


@dataclass
class Cell:
    """One query on one engine: the p50 and p95 of each repetition, and the row counts seen."""

    p50: list[float] = field(default_factory=list)
    p95: list[float] = field(default_factory=list)
    rows: set[int] = field(default_factory=set)
    error: str = ""

    def add(self, timings: list[float], rows: list[int]) -> None:
        self.p50.append(statistics.median(timings))
        self.p95.append(p95(timings))
        self.rows.update(rows)

    def text(self, target: float | None) -> str:
        if self.error:
            return f"failed: {self.error}"
        if not self.p50:
            return "-"
        p50, top = statistics.median(self.p50), statistics.median(self.p95)
        mark = "" if target is None else (" ✓" if top <= target else " ✗")
        return f"{p50:,.1f} / {top:,.1f}{mark}"


@dataclass
class Figures:
    engines: list[str]
    sets: list[dict[str, str]]
    with_param: dict[tuple[str, str], Cell] = field(default_factory=dict)
    whole: dict[tuple[str, str], Cell] = field(default_factory=dict)
    traces: Cell = field(default_factory=Cell)
    trace_count: str = ""
    loads: list[float] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


class EngineOnly:
    """The engine's time alone: the store and the Bolt connection opened once, parameters bound as
    `run_named` binds them (no store opening, connectivity check or build check per call)."""

    def __init__(self, build_dir: Path) -> None:
        self.build_dir = build_dir
        self.oxigraph = OxigraphStore(Release.current(build_dir).store_dir)
        self.neo4j = Neo4jStore(Neo4jSettings.from_env()) if os.environ.get("NEO4J_URI") else None

    def run(self, name: str, params: dict[str, str], *, engine: str, max_rows: int) -> QueryResult:
        named = get_query(name)
        bound = named.bind(params)
        for p in named.params:
            if p.type == "iri" and p.name in bound:
                bound[p.name] = resolve_iri(self.build_dir, bound[p.name])
        if engine == "cypher":
            assert self.neo4j is not None, "NEO4J_URI is not set"
            given: dict[str, str | None] = {p.name: None for p in named.params}
            return self.neo4j.run(named.text(engine), given | bound, max_rows=max_rows)
        return self.oxigraph.run(named.text(engine), bound, max_rows=max_rows)


def measure_query(build_dir: Path, name: str, sets: list[dict[str, str]], engine: str, runs: int,
                  slow_runs: int, engine_only: EngineOnly | None = None) -> tuple[list[float], list[int]]:
    timings: list[float] = []
    rows: list[int] = []
    for bound in sets:
        call: Callable[[], object] = (
            partial(engine_only.run, name, bound, engine=engine, max_rows=10**7) if engine_only is not None
            else partial(run_named, build_dir, name, bound, engine=engine, max_rows=10**7))
        got, result = timed(call, runs, slow_runs)
        timings += got
        rows.append(len(getattr(result, "rows", [])))
    return timings, rows


def measure_queries(args: argparse.Namespace, named: dict[str, NamedQuery], figures: Figures) -> None:
    engine_only = EngineOnly(args.build_dir) if args.engine_only else None
    measure = partial(measure_query, engine_only=engine_only)
    for name, query in named.items():
        names = [p.name for p in query.params]
        for engine in figures.engines:
            # With its parameters; a query without any is measured as it is, in the same table.
            given = [n for n in names if n not in figures.dropped]
            bound = [{k: v for k, v in s.items() if k in given} for s in figures.sets] if given else [{}]
            runs = [] if args.whole_only and names else [(figures.with_param, bound, args.runs)]
            if names and not any(p.required for p in query.params) and not args.no_whole:
                runs.append((figures.whole, [{}], args.runs_whole))
            for cells, sets, count in runs:
                cell = cells.setdefault((name, engine), Cell())
                try:
                    timings, rows = measure(args.build_dir, name, sets, engine, count, args.runs_whole)
                except Exception as exc:  # noqa: BLE001 - a failing query is a figure too (e.g. a timeout)
                    cell.error = "timed out" if "TimedOut" in str(exc) else type(exc).__name__
                    print(f"  {name} {engine} {sets}: failed: {exc}", file=sys.stderr)
                    continue
                cell.add(timings, rows)
                print(f"  {name} {engine} {sets}: p50 {statistics.median(timings):.1f} p95 {p95(timings):.1f} "
                      f"rows {rows}", file=sys.stderr)


def measure_traces(build_dir: Path, runs: int, figures: Figures) -> None:
    model = Release.current(build_dir).model()
    starts = sorted({model.ident(e.intent) for e in model.expectations})
    services = [model.ident(s) for s in model.services[:10]]
    timings: list[float] = []
    for start in starts:
        for service in [None, *services]:
            got, _ = timed(partial(run_trace, build_dir, start, service=service), runs)
            timings += got
    figures.traces.add(timings, [])
    figures.trace_count = (f"{len(timings)} per repetition: {len(starts)} intents x (all services, then "
                           f"{len(services)} services one by one) x {runs} runs")


def table(figures: Figures, cells: dict[tuple[str, str], Cell], named: dict[str, NamedQuery],
          target: float | None, with_params: bool) -> list[str]:
    head = " | ".join(f"{e} p50 / p95 (ms)" for e in figures.engines)
    lines = [f"| query |{' parameter |' if with_params else ''} rows | {head} |",
             "|---|" + ("---|" if with_params else "") + "---|" + "---|" * len(figures.engines)]
    for name, query in named.items():
        here = [cells[(name, e)] for e in figures.engines if (name, e) in cells]
        if not here:
            continue
        rows = " / ".join(f"{r:,}" for r in sorted(set().union(*(c.rows for c in here))))
        values = ", ".join(f"{p.name}={' or '.join(s[p.name] for s in figures.sets)}"
                           for p in query.params if p.name in figures.sets[0] and p.name not in figures.dropped
                           ) or "(none)"
        shown = " | ".join(cells[(name, e)].text(target) if (name, e) in cells else "-" for e in figures.engines)
        lines.append(f"| {name} |{f' {values} |' if with_params else ''} {rows} | {shown} |")
    return lines


def render(figures: Figures, named: dict[str, NamedQuery]) -> str:
    lines = [f"- Load average (1 min) before each repetition: {', '.join(f'{x:.1f}' for x in figures.loads)}; "
             f"Python {platform.python_version()}, {os.cpu_count()} CPUs", "",
             "With a parameter, or as it is when the query takes none (target p95 ≤ 100 ms):", "",
             *table(figures, figures.with_param, named, TARGET_QUERY_MS, with_params=True)]
    if figures.whole:
        lines += ["", "Whole programme, without the optional parameter (no target: the answer is the programme):",
                  "", *table(figures, figures.whole, named, None, with_params=False)]
    if figures.traces.p50:
        lines += ["", f"Traces ({figures.trace_count}): p50 / p95 {figures.traces.text(TARGET_TRACE_MS)} ms "
                      f"(target p95 ≤ {TARGET_TRACE_MS:.0f} ms)"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=20, help="timed runs per query and parameter value")
    parser.add_argument("--runs-whole", type=int, default=3,
                        help="timed runs of a whole-programme query, or of a call whose warm-up took over 1 s")
    parser.add_argument("--repeat", type=int, default=1, help="repeat the whole measurement; cells are medians")
    parser.add_argument("--engines", default=None,
                        help="comma-separated: sparql,cypher (default: sparql, and cypher when NEO4J_URI is set)")
    parser.add_argument("--only", nargs="*", default=None, help="these named queries only")
    parser.add_argument("--drop-param", nargs="*", default=[], metavar="PARAM",
                        help="never pass these parameters (e.g. case, to time trace-paths with an intent only)")
    parser.add_argument("--no-whole", action="store_true", help="skip the whole-programme runs")
    parser.add_argument("--whole-only", action="store_true",
                        help="only the whole-programme runs of the queries that have (optional) parameters")
    parser.add_argument("--no-traces", action="store_true")
    parser.add_argument("--engine-only", action="store_true",
                        help="time the engines alone (store and connection opened once), not `run_named`")
    parser.add_argument("--queries-dir", type=Path, default=None,
                        help="named queries from another folder (e.g. an older version, to compare)")
    parser.add_argument("--markdown", type=Path, default=None, help="also write the tables to this file")
    parser.add_argument("--json", type=Path, default=None, help="also write every repetition's figures")
    args = parser.parse_args()
    if args.queries_dir is not None:
        queries.HERE = args.queries_dir.resolve()
        all_queries.cache_clear()
    named = {n: q for n, q in sorted(all_queries().items()) if args.only is None or n in args.only}
    started = time.perf_counter()
    figures = Figures(engines=(args.engines.split(",") if args.engines
                               else ["sparql", *(["cypher"] if os.environ.get("NEO4J_URI") else [])]),
                      sets=parameter_sets(args.build_dir), dropped=args.drop_param)
    print(f"analytics model loaded in {time.perf_counter() - started:.1f} s; parameter values {figures.sets}",
          file=sys.stderr)
    for repetition in range(args.repeat):
        figures.loads.append(os.getloadavg()[0])
        print(f"repetition {repetition + 1}/{args.repeat}, load average {figures.loads[-1]:.1f}", file=sys.stderr)
        measure_queries(args, named, figures)
        if not args.no_traces:
            measure_traces(args.build_dir, args.runs, figures)
    text = render(figures, named)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    if args.json:
        cells = {"with_parameter": figures.with_param, "whole": figures.whole}
        args.json.write_text(json.dumps({
            "loads": figures.loads, "engines": figures.engines, "parameters": figures.sets,
            **{key: {f"{n}|{e}": {"p50": c.p50, "p95": c.p95, "rows": sorted(c.rows)} for (n, e), c in part.items()}
               for key, part in cells.items()},
            "errors": {f"{n}|{e}": c.error for part in cells.values() for (n, e), c in part.items() if c.error},
            "traces": {"p50": figures.traces.p50, "p95": figures.traces.p95},
        }, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
