"""Benchmark: the build pipeline against a raw pyoxigraph bulk load of the same N-Triples, on a programme
folder (the synthetic national one), with the peak memory of the whole process tree.

    .venv/bin/python bench/generate_national.py --out build/synthetic/national
    .venv/bin/python bench/national_build.py --data build/synthetic/national --runs 3

Each run: `policygraph build` as a subprocess (time, stage times from its -v log, peak RSS summed over the
build and its worker processes, sampled every 50 ms), then the engine's own limit: a fresh process that
bulk-loads the build's graph.nt into a new Oxigraph store (`Store.bulk_load`, nothing else), timed and
sampled the same way. Ratio = pipeline triples/s / raw bulk-load triples/s (target >= 0.5), from wall time;
the CPU time (user + system, the process and its workers) of both is printed too, being far less sensitive
to other jobs on the machine than wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
STAGE = re.compile(r"build: (.+?) \(([\d.]+) s\)")
RAW_LOAD = """
import sys, pyoxigraph as ox
store = ox.Store(sys.argv[1])
store.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_TRIPLES)
store.flush()
"""


@dataclass
class Sample:
    seconds: float
    cpu_seconds: float  # user + system of the process and its workers: less sensitive to other jobs
    peak_tree_mb: float
    peak_process_mb: float
    stages: dict[str, float] = field(default_factory=dict)


def _tree_rss(root: psutil.Process) -> tuple[float, float]:
    total = largest = 0.0
    try:
        tree = [root, *root.children(recursive=True)]
    except psutil.Error:  # a process of the tree ended while psutil listed it: sample again next time
        return 0.0, 0.0
    for proc in tree:
        try:
            rss = proc.memory_info().rss / 2**20
        except psutil.Error:
            continue
        total += rss
        largest = max(largest, rss)
    return total, largest


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[Sample, str]:
    """Run a command, sampling the RSS of its process tree; fail loudly if it fails."""
    started = time.perf_counter()
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env, cwd=REPO)
    root = psutil.Process(proc.pid)
    peaks = [0.0, 0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            with_tree = _tree_rss(root)
            peaks[0], peaks[1] = max(peaks[0], with_tree[0]), max(peaks[1], with_tree[1])
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = proc.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{output[-3000:]}")
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return Sample(seconds, cpu, peaks[0], peaks[1]), output


def pipeline(data: Path, build_dir: Path) -> tuple[Sample, int]:
    shutil.rmtree(build_dir, ignore_errors=True)
    sample, output = timed([str(Path(PYTHON).parent / "policygraph"), "-v", "--build-dir", str(build_dir), "build",
                            "--data", str(data)])
    first = {name: float(at) for name, at in reversed(STAGE.findall(output))}  # stage -> when it started
    marks = [*sorted(first.items(), key=lambda mark: mark[1]), ("end", sample.seconds)]
    sample.stages = {name: round(nxt - at, 1) for (name, at), (_, nxt) in pairwise(marks)}
    triples = int(json.loads((build_dir / "manifest.json").read_text())["triples"])
    return sample, triples


def raw_load(ntriples: Path) -> Sample:
    with tempfile.TemporaryDirectory(dir=ntriples.resolve().parent.parent) as tmp:
        sample, _ = timed([PYTHON, "-c", RAW_LOAD, str(Path(tmp) / "store"), str(ntriples.resolve())])
    return sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="programme folder to build")
    parser.add_argument("--build-dir", type=Path, default=REPO / "build" / "bench-national")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows: list[tuple[Sample, Sample, int]] = []
    for run in range(1, args.runs + 1):
        built, triples = pipeline(args.data, args.build_dir)
        raw = raw_load(args.build_dir / "graph.nt")
        rows.append((built, raw, triples))
        print(f"run {run}: pipeline {built.seconds:.1f} s (peak {built.peak_tree_mb:.0f} MB tree, "
              f"{built.peak_process_mb:.0f} MB largest process, CPU {built.cpu_seconds:.1f} s) stages {built.stages};"
              f" raw bulk load {raw.seconds:.1f} s (peak {raw.peak_tree_mb:.0f} MB, CPU {raw.cpu_seconds:.1f} s); "
              f"ratio {raw.seconds / built.seconds:.2f} (CPU {raw.cpu_seconds / built.cpu_seconds:.2f}); "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
    triples = rows[0][2]
    pipe = statistics.median(r[0].seconds for r in rows)
    raw = statistics.median(r[1].seconds for r in rows)
    ratios = [r[1].seconds / r[0].seconds for r in rows]
    print(f"\n{triples:,} triples, {len(rows)} runs, machine: {os.cpu_count()} CPUs\n")
    print("| measure | runs | median |")
    print("|---|---|---|")
    print(f"| pipeline (s) | {', '.join(f'{r[0].seconds:.1f}' for r in rows)} | {pipe:.1f} "
          f"({triples / pipe:,.0f} triples/s) |")
    print(f"| raw pyoxigraph bulk load (s) | {', '.join(f'{r[1].seconds:.1f}' for r in rows)} | {raw:.1f} "
          f"({triples / raw:,.0f} triples/s) |")
    print(f"| ratio pipeline ÷ raw (triples/s) | {', '.join(f'{x:.2f}' for x in ratios)} | "
          f"**{statistics.median(ratios):.2f}** |")
    print(f"| CPU time, build + workers (s) | {', '.join(f'{r[0].cpu_seconds:.1f}' for r in rows)} | "
          f"{statistics.median(r[0].cpu_seconds for r in rows):.1f} |")
    print(f"| CPU time, raw bulk load (s) | {', '.join(f'{r[1].cpu_seconds:.1f}' for r in rows)} | "
          f"{statistics.median(r[1].cpu_seconds for r in rows):.1f} |")
    print(f"| peak RSS, build + workers summed (MB) | {', '.join(f'{r[0].peak_tree_mb:.0f}' for r in rows)} | "
          f"{statistics.median(r[0].peak_tree_mb for r in rows):.0f} |")
    print(f"| peak RSS, raw bulk load (MB) | {', '.join(f'{r[1].peak_tree_mb:.0f}' for r in rows)} | "
          f"{statistics.median(r[1].peak_tree_mb for r in rows):.0f} |")


if __name__ == "__main__":
    main()
