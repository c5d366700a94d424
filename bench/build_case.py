"""Benchmark: build the curated case (validate -> RDF -> SHACL -> files -> Oxigraph), warm, N runs.

    .venv/bin/python bench/build_case.py [--runs 7] [--data data/health-trainers]

Prints the median and p95 of the whole build (in its worker processes) and the median of each phase of
preparing the statements, timed in this process, in seconds.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from itertools import pairwise
from pathlib import Path

from policygraph.app.build import build
from policygraph.app.build.statements import prepare
from policygraph.ingest.programme import load_programme


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--data", type=Path, default=Path("data/health-trainers"))
    args = parser.parse_args()
    build(args.data, Path(tempfile.mkdtemp()))  # warm-up: imports, caches
    totals: list[float] = []
    phases: dict[str, list[float]] = {"records": []}
    lines = 0
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            build(args.data, Path(tmp))
            totals.append(time.perf_counter() - started)
        t0 = time.perf_counter()
        prog = load_programme(args.data)
        phases["records"].append(time.perf_counter() - t0)
        marks: list[tuple[str, float]] = []

        def stage(name: str, marks: list[tuple[str, float]] = marks) -> None:
            marks.append((name, time.perf_counter()))

        lines = len(prepare(prog, stage).lines)
        stage("end")
        for (name, at), (_, nxt) in pairwise(marks):
            phases.setdefault(name, []).append(nxt - at)
    totals.sort()
    p95 = totals[min(len(totals) - 1, round(0.95 * (len(totals) - 1)))]
    print(f"triples (curated + derived): {lines}  runs: {args.runs}")
    print(f"build: median {statistics.median(totals):.3f} s, p95 {p95:.3f} s, min {totals[0]:.3f} s")
    for name, values in phases.items():
        print(f"  {name:<14} median {statistics.median(values):.3f} s")


if __name__ == "__main__":
    main()
