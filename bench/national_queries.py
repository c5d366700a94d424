"""Benchmark: every named query (SPARQL on the embedded store; Cypher on Neo4j when NEO4J_URI is set and
holds this build) and traces, on a national build: p50 / p95 per query, warm.

    .venv/bin/policygraph --build-dir build/national build --data build/synthetic/national
    NEO4J_URI=bolt://127.0.0.1:7687 .venv/bin/policygraph --build-dir build/national load neo4j   # optional
    .venv/bin/python bench/national_queries.py --build-dir build/national --runs 20

Parameters are those a researcher would pass on a national programme: one service (the first), one period,
one intent, one configuration value; queries without parameters run over the whole programme. Each timing
is a whole `run_named` / `run_trace` call (open the store or a Bolt session, bind, run, read the rows).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from app.analysis import loaded_build, run_trace
from app.named import run_named
from queries import all_queries

TARGET_QUERY_MS, TARGET_TRACE_MS = 100.0, 200.0


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(call: Callable[[], object], runs: int) -> tuple[list[float], object]:
    result = call()  # warm: caches, first connection
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings, result


def parameters(build_dir: Path) -> dict[str, str]:
    model = loaded_build(build_dir).model
    service, period = model.ident(model.services[0]), model.ident(model.periods[0])
    dimension = model.ident(model.dimensions[0])
    return {"case": service, "period": period, "intent": model.ident(model.expectations[0].intent),
            "node": f"configuration/{service}/{period}/{dimension}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    started = time.perf_counter()
    values = parameters(args.build_dir)
    print(f"analytics model loaded in {time.perf_counter() - started:.1f} s; parameters {values}; "
          f"load average {os.getloadavg()[0]:.1f}")
    engines = ["sparql", *(["cypher"] if os.environ.get("NEO4J_URI") else [])]
    print("\n| query | parameters | rows | " + " | ".join(f"{e} p50 / p95 (ms)" for e in engines) + " |")
    print("|---|---|---|" + "---|" * len(engines))
    for name, query in sorted(all_queries().items()):
        bound = {p.name: values[p.name] for p in query.params if p.name in values}
        cells, rows = [], 0
        for engine in engines:
            timings, result = timed(lambda n=name, b=bound, e=engine: run_named(args.build_dir, n, b, engine=e),
                                    args.runs)
            rows = len(getattr(result, "rows", []))
            mark = "" if p95(timings) <= TARGET_QUERY_MS else " (over)"
            cells.append(f"{statistics.median(timings):.1f} / {p95(timings):.1f}{mark}")
        shown = ", ".join(f"{k}={v}" for k, v in bound.items()) or "-"
        print(f"| {name} | {shown} | {rows} | " + " | ".join(cells) + " |")
    model = loaded_build(args.build_dir).model
    starts = sorted({model.ident(e.intent) for e in model.expectations})
    services = [model.ident(s) for s in model.services[:10]]
    trace_times: list[float] = []
    for start in starts:
        for service in [None, *services]:
            timings, _ = timed(lambda s=start, v=service: run_trace(args.build_dir, s, service=v), args.runs)
            trace_times += timings
    print(f"\ntraces: {len(trace_times)} ({len(starts)} intents x (all + {len(services)} services) x {args.runs} "
          f"runs): p50 {statistics.median(trace_times):.1f} ms, p95 {p95(trace_times):.1f} ms, "
          f"max {max(trace_times):.1f} ms (target p95 <= {TARGET_TRACE_MS:.0f} ms)")


if __name__ == "__main__":
    main()
