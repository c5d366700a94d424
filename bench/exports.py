"""Benchmark: the time to export views of a build, warm (the model loaded and the trace graph made once first).

    .venv/bin/python bench/exports.py [--build-dir build] [--runs 3] [--formats svg,png,pdf,html,pptx,csv]

Views: the whole programme's vision -> practice picture, one intent, one service, and the neighbourhood of the
first service. Prints the median and the maximum in seconds per view and format.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from policygraph.app.exports import export, make_view
from policygraph.app.release import Release


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build-dir", type=Path, default=Path("build"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", default="svg,png,pdf,html,pptx,csv")
    args = parser.parse_args()
    release = Release.current(args.build_dir)
    model = release.model()
    t0 = time.perf_counter()
    model.trace_graph  # noqa: B018 - made once, as the explorer and a long session have it
    print(f"warm-up (model and trace graph): {time.perf_counter() - t0:.2f} s")
    intent = sorted(model.ident(e.intent) for e in model.expectations)[0]
    first = model.services[0]
    views = {"whole programme": {}, f"intent {intent}": {"intent": intent},
             f"service {model.ident(first)}": {"service": model.ident(first)},
             "neighbourhood of the first service": {"view": "neighbourhood", "node": str(first)}}
    print(f"{'view':40} {'format':6} {'median s':>9} {'max s':>7} {'bytes':>10}")
    for name, options in views.items():
        for fmt in args.formats.split(","):
            timings = []
            for _ in range(args.runs):
                started = time.perf_counter()
                data = export(release, make_view(release, **options), fmt)  # type: ignore[arg-type]
                timings.append(time.perf_counter() - started)
            print(f"{name:40} {fmt:6} {statistics.median(timings):9.2f} {max(timings):7.2f} {len(data):10,}")


if __name__ == "__main__":
    main()
