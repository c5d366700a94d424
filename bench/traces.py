"""Benchmark: trace latency on a build (every intent and document, every site), warm, N rounds.

    .venv/bin/python bench/traces.py [--build-dir build] [--rounds 50]

Prints p50 / p95 / max in milliseconds over all (start, site) combinations and rounds.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from rdflib import URIRef

from policygraph.app.read.tables import run_trace
from policygraph.app.release import Release


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build-dir", type=Path, default=Path("build"))
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    release = Release.current(args.build_dir)
    model = release.model()
    starts = sorted(model.ident(URIRef(n)) for n, d in model.trace_graph.nodes(data=True)
                    if d.get("kind") in ("intent", "document"))
    sites = [None, *(model.ident(s) for s in model.services)]
    timings: list[float] = []
    paths = 0
    for _ in range(args.rounds):
        for start in starts:
            for site in sites:
                t0 = time.perf_counter()
                result = run_trace(release, start, service=site)
                timings.append((time.perf_counter() - t0) * 1000)
                paths += len(result.paths)
    timings.sort()
    p95 = timings[round(0.95 * (len(timings) - 1))]
    print(f"traces: {len(timings)} ({len(starts)} starts x {len(sites)} site filters x {args.rounds} rounds), "
          f"{paths // args.rounds} paths per round")
    print(f"p50 {statistics.median(timings):.2f} ms  p95 {p95:.2f} ms  max {timings[-1]:.2f} ms")


if __name__ == "__main__":
    main()
