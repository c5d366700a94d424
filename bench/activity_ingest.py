"""Benchmark the activity data ingest: client rows/s and peak memory at national scale.

    .venv/bin/python bench/activity_ingest.py [--rows 1000000] [--services 150] [--quarters 36] [--seed 42]
        [--runs 1] [--min-count 5] [--keep DIR]

Generates a SYNTHETIC client-level file (seeded: the same arguments give the same bytes) into a temporary
folder, then runs ingest.activity.ingest_activity on it (read, check, count, suppress, write N-Triples)
``--runs`` times, printing each run's client rows/s (end to end, and per phase: read + check + count,
suppression, N-Triples writing) and, at the end, the medians and the process's peak RSS
(resource.getrusage ru_maxrss). The generator streams, so the peak is the ingest's.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import os
import platform
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

from policygraph.ingest.activity import aggregate_activity, release_activity, write_atomically
from policygraph.ingest.activity_schema import AGE_BANDS, COLUMNS, SEXES

REFERRALS = ["self-community", "gp-referral", "gp-referral-prioritised", "cvd-risk-assessment", "smoking-cessation",
             "local-public-sector-project", "pharmacy", "community-outreach"]
GOALS = ["diet", "physical-activity", "weight", "smoking", "alcohol", "mental-wellbeing"]


def _picker(items: list[str], weights: list[float]) -> list[str]:
    """A weighted choice as a 1000-slot lookup table (index it with a seeded randrange(1000))."""
    cumulative = list(itertools.accumulate(weights))
    return [items[bisect.bisect(cumulative, (i + 0.5) / 1000 * cumulative[-1])] for i in range(1000)]


def generate(path: Path, rows: int, services: int, quarters: int, seed: int) -> None:
    rng = random.Random(seed)
    service_ids = [f"S{n:03d}" for n in range(1, services + 1)]
    quarter_ids = [f"{2005 + q // 4}-Q{q % 4 + 1}" for q in range(quarters)]
    # services differ in size (a few large, many small) and in when they start
    size = [rng.choice([0.2, 0.5, 1, 1, 2, 4]) for _ in service_ids]
    start = [rng.randrange(0, 16) for _ in service_ids]
    slots = [(s, q) for i, s in enumerate(service_ids) for j, q in enumerate(quarter_ids) if j >= start[i]]
    slot_ids = [f"{s},{q}" for s, q in slots]
    slot_weights = list(itertools.accumulate(size[service_ids.index(s)] for s, _ in slots))
    slot_total = slot_weights[-1]
    referral = _picker(REFERRALS, [40, 25, 8, 8, 7, 6, 4, 2])
    quintile = _picker(list("12345"), [38, 27, 15, 12, 8])
    age = _picker(list(AGE_BANDS), [12, 20, 20, 18, 15, 10, 5])
    sex = _picker(list(SEXES), [58, 40, 1, 1])
    goal = _picker(GOALS, [25, 25, 20, 12, 8, 10])
    outcome = _picker(["yes,fully", "yes,partly", "yes,not", "no,"], [38, 18, 24, 20])
    r, uniform, find = rng.randrange, rng.random, bisect.bisect
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(COLUMNS) + "\n")
        lines = []
        for n in range(rows):
            slot = slot_ids[find(slot_weights, uniform() * slot_total)]
            lines.append(f"c{n:07d}x{r(1 << 20):05x},{slot},{referral[r(1000)]},{quintile[r(1000)]},"
                         f"{age[r(1000)]},{sex[r(1000)]},{goal[r(1000)]},{outcome[r(1000)]}\n")
            if len(lines) == 10_000:
                handle.writelines(lines)
                lines.clear()
        handle.writelines(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--services", type=int, default=150)
    parser.add_argument("--quarters", type=int, default=36)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="write the CSV and the N-Triples here and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pg-activity-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        source, out = folder / "activity.csv", folder / "activity.nt"
        started = time.perf_counter()
        generate(source, args.rows, args.services, args.quarters, args.seed)
        print(f"generated {args.rows:,} client rows ({source.stat().st_size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - started:.1f} s")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        services = [f"S{n:03d}" for n in range(1, args.services + 1)]
        rates: list[float] = []
        cpu_rates: list[float] = []
        phases: list[tuple[float, float, float]] = []
        for run in range(1, args.runs + 1):
            cpu0, t0 = time.process_time(), time.perf_counter()
            agg = aggregate_activity(source, services)
            t1 = time.perf_counter()
            release = release_activity(agg, programme="national-synthetic", source="SYN", locator="activity.csv",
                                       min_count=args.min_count)
            t2 = time.perf_counter()
            triples = write_atomically(release.lines(), out)
            t3, cpu = time.perf_counter(), time.process_time() - cpu0
            stats = release.statistics()
            rates.append(agg.rows_read / (t3 - t0))
            cpu_rates.append(agg.rows_read / cpu)
            phases.append((agg.rows_read / (t1 - t0), t2 - t1, triples / (t3 - t2)))
            print(f"run {run}: {t3 - t0:.2f} s = read+count {t1 - t0:.2f} s ({phases[-1][0]:,.0f} rows/s) + "
                  f"suppress {t2 - t1:.2f} s + write {t3 - t2:.2f} s ({phases[-1][2]:,.0f} triples/s); "
                  f"{rates[-1]:,.0f} client rows/s end to end ({cpu_rates[-1]:,.0f} per CPU second)")
        print(f"output: {stats['observations']:,} observations ({stats['published']:,} published, "
              f"{stats['suppressed_primary']:,} primary, {stats['suppressed_secondary']:,} secondary) over "
              f"{stats['slots']:,} service-quarters ({stats['slots_small']:,} small, {stats['groups_withheld']:,} "
              f"breakdowns withheld); {triples:,} triples, {out.stat().st_size / 1e6:.0f} MB of N-Triples")
        print(f"median: {statistics.median(rates):,.0f} client rows/s end to end "
              f"({statistics.median(cpu_rates):,.0f} per CPU second); read+count "
              f"{statistics.median(p[0] for p in phases):,.0f} rows/s; suppress "
              f"{statistics.median(p[1] for p in phases):.2f} s; write {statistics.median(p[2] for p in phases):,.0f} "
              f"triples/s ({args.runs} run(s))")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"peak RSS: {peak / 1024:.0f} MB (after generation and imports: {rss_before / 1024:.0f} MB)")
        print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPU(s), {platform.system()} "
              f"{platform.release()}, Python {platform.python_version()}; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
