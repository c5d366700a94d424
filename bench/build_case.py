"""Benchmark: build the curated case (validate -> RDF -> SHACL -> files -> Oxigraph), warm, N runs.

    .venv/bin/python bench/build_case.py [--runs 7] [--data data/health-trainers]

Prints the median and p95 of the whole build and the median of each phase, in seconds.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from app.build import build, canonical_ntriples
from ingest.programme import load_programme
from ingest.rdf import build_graph
from ingest.shacl import shacl_violations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--data", type=Path, default=Path("data/health-trainers"))
    args = parser.parse_args()
    build(args.data, Path(tempfile.mkdtemp()))  # warm-up: imports, caches
    totals: list[float] = []
    phases: dict[str, list[float]] = {"read+validate": [], "rdf": [], "shacl": [], "n-triples": []}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            build(args.data, Path(tmp))
            totals.append(time.perf_counter() - started)
        t0 = time.perf_counter()
        prog = load_programme(args.data)
        t1 = time.perf_counter()
        graph = build_graph(prog)
        t2 = time.perf_counter()
        shacl_violations(graph)
        t3 = time.perf_counter()
        canonical_ntriples(graph)
        t4 = time.perf_counter()
        for name, seconds in zip(phases, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            phases[name].append(seconds)
    totals.sort()
    p95 = totals[min(len(totals) - 1, round(0.95 * (len(totals) - 1)))]
    print(f"triples: {len(graph)}  runs: {args.runs}")
    print(f"build: median {statistics.median(totals):.3f} s, p95 {p95:.3f} s, min {totals[0]:.3f} s")
    for name, values in phases.items():
        print(f"  {name:<14} median {statistics.median(values):.3f} s")


if __name__ == "__main__":
    main()
