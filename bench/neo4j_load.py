"""Benchmark: policygraph's Neo4j loader vs rdflib-neo4j, and named-query latency on both engines.

Usage (a running Neo4j; the local one by default, or NEO4J_URI):

    .venv/bin/python bench/neo4j_load.py load --triples 500000 --runs 3 [--reuse]
    .venv/bin/python bench/neo4j_load.py queries --build-dir build --runs 30

`load` generates a deterministic synthetic graph shaped like the Health Trainers case (services x
quarterly configurations x 8 dimension values, each value with its coded concept and evidence),
writes it as N-Triples (`--reuse`: keep the file already in --work-dir if it was made for the same
--triples), then for each run empties the database and times each loader from the same file into the
same server, alternating between the loaders; it ends with each loader's median and their ratio.
Before the timed runs, --warmup rounds (default 1) load with each loader untimed, so that neither is
timed on a server still compiling its code paths. `queries` runs every named query on the case with both engines.
The database is emptied: never point this at a database you care about.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from neo4j import Driver

from policygraph.app.release import Release
from policygraph.graph.neo4j_load import empty_database as empty_graph
from policygraph.graph.neo4j_store import Neo4jSettings

PG = "https://w3id.org/policygraph/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
XSD = "http://www.w3.org/2001/XMLSchema#"
BASE = "https://w3id.org/policygraph/id/synthetic/"
VOCAB = "https://w3id.org/policygraph/vocab/"
DIMENSIONS = ("providers", "funding", "senior-buy-in", "primary-referral-sources", "health-trainers",
              "targeting", "formal-pm-system", "interaction")
CONCEPTS_PER_DIMENSION = 5
TRIPLES_PER_CONFIGURATION = 96  # sizing divisor (a configuration is 98 triples: 10 + 8 values x 11)


def pg(local: str) -> ox.NamedNode:
    return ox.NamedNode(PG + local)


def node(path: str) -> ox.NamedNode:
    return ox.NamedNode(BASE + path)


def en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def typed(text: str, datatype: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(XSD + datatype))


def synthetic_triples(target: int) -> list[ox.Triple]:
    """About `target` triples: services x quarters (2005-2013) x 8 values, deterministic."""
    quarters = [(year, q) for year in range(2005, 2014) for q in range(1, 5)]
    services = max(1, round(target / (len(quarters) * TRIPLES_PER_CONFIGURATION)))
    out: list[ox.Triple] = []
    add = out.append
    programme = node("")
    source = node("source/S1")
    add(ox.Triple(source, RDF_TYPE, pg("Source")))
    add(ox.Triple(source, pg("url"), typed("https://example.org/s1", "anyURI")))
    for dim in DIMENSIONS:
        dim_node = ox.NamedNode(f"{VOCAB}dimension/{dim}")
        add(ox.Triple(dim_node, RDF_TYPE, pg("Dimension")))
        add(ox.Triple(dim_node, pg("identifier"), ox.Literal(dim)))
    for index, (year, q) in enumerate(quarters, start=1):
        period = node(f"period/{year}-Q{q}")
        add(ox.Triple(period, RDF_TYPE, pg("Period")))
        add(ox.Triple(period, RDFS_LABEL, en(f"{year} Q{q}")))
        add(ox.Triple(period, pg("periodOrder"), typed(str(index), "integer")))
    for s in range(services):
        service = node(f"service/S{s:04d}")
        add(ox.Triple(service, RDF_TYPE, pg("Service")))
        add(ox.Triple(service, RDFS_LABEL, en(f"Service {s}")))
        add(ox.Triple(service, pg("partOfProgramme"), programme))
        for year, q in quarters:
            conf = node(f"configuration/S{s:04d}/{year}-Q{q}")
            ev = ox.NamedNode(f"{conf.value}/evidence/1")
            for triple in (
                (conf, RDF_TYPE, pg("ServiceConfiguration")),
                (conf, RDFS_LABEL, en(f"Service {s}, {year} Q{q}")),
                (conf, pg("configurationOf"), service),
                (conf, pg("duringPeriod"), node(f"period/{year}-Q{q}")),
                (conf, pg("partOfProgramme"), programme),
                (conf, pg("year"), typed(str(year), "gYear")),
                (conf, pg("evidence"), ev),
                (ev, RDF_TYPE, pg("Evidence")), (ev, pg("source"), source),
                (ev, pg("locator"), ox.Literal(f"return {year} Q{q}, row {s}")),
            ):
                add(ox.Triple(*triple))
            for d, dim in enumerate(DIMENSIONS):
                value = ox.NamedNode(f"{conf.value}/{dim}")
                vev = ox.NamedNode(f"{value.value}/evidence/1")
                concept = ox.NamedNode(f"{VOCAB}{dim}/c{(s + year + d) % CONCEPTS_PER_DIMENSION}")
                known = (s + q + d) % 7 != 0
                add(ox.Triple(conf, pg("hasValue"), value))
                for triple in (
                    (value, RDF_TYPE, pg("ConfigurationValue")),
                    (value, RDFS_LABEL, en(f"Service {s}, {year} Q{q}, {dim}")),
                    (value, pg("onDimension"), ox.NamedNode(f"{VOCAB}dimension/{dim}")),
                    (value, pg("status"), pg("known" if known else "unknown")),
                    (value, pg("verbatim"), ox.Literal(f"value \"{d}\" of {s}\nline 2")),
                    (value, pg("codedAs"), concept),
                    (value, pg("evidence"), vev),
                    (vev, RDF_TYPE, pg("Evidence")), (vev, pg("source"), source),
                    (vev, pg("locator"), ox.Literal(f"return {year} Q{q}, row {s}, column {dim}")),
                ):
                    add(ox.Triple(*triple))
    return out


def write_build(triples: list[ox.Triple], build_dir: Path, target: int) -> Path:
    """A minimal build folder (graph.nt + manifest) that `Release.open` accepts."""
    build_dir.mkdir(parents=True, exist_ok=True)
    nt = build_dir / "graph.nt"
    ox.serialize(triples, output=str(nt), format=ox.RdfFormat.N_TRIPLES)
    manifest = {"programme": "synthetic", "graph_nt_sha256": f"synthetic-{len(triples)}",
                "triples": len(triples), "target": target}
    (build_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return nt


def existing_build(build_dir: Path, target: int) -> tuple[Path, int] | None:
    """The graph.nt a previous run wrote for the same --triples, and its triple count."""
    try:
        manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    nt = build_dir / "graph.nt"
    if manifest.get("target") != target or not nt.exists():
        return None
    return nt, int(manifest["triples"])


def empty_database(driver: Driver) -> None:
    empty_graph(driver)  # relationships in batches first: a hub's links never fall into one transaction
    for record in driver.execute_query("SHOW CONSTRAINTS YIELD name").records:
        driver.execute_query(f"DROP CONSTRAINT `{record['name']}`")
    for record in driver.execute_query("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'").records:
        driver.execute_query(f"DROP INDEX `{record['name']}`")


def time_policygraph(settings: Neo4jSettings, build_dir: Path) -> float:
    started = time.perf_counter()
    Release.open(build_dir).load_neo4j(settings)
    return time.perf_counter() - started


def time_rdflib_neo4j(driver: Driver, nt: Path) -> float:
    from rdflib import Graph  # noqa: PLC0415 - optional benchmark dependency
    from rdflib_neo4j import (  # type: ignore[import-untyped]  # noqa: PLC0415
        HANDLE_MULTIVAL_STRATEGY,
        HANDLE_VOCAB_URI_STRATEGY,
        Neo4jStore,
        Neo4jStoreConfig,
    )

    config = Neo4jStoreConfig(handle_vocab_uri_strategy=HANDLE_VOCAB_URI_STRATEGY.IGNORE,
                              handle_multival_strategy=HANDLE_MULTIVAL_STRATEGY.ARRAY,
                              batching=True, batch_size=5000)
    started = time.perf_counter()
    graph = Graph(store=Neo4jStore(config=config, neo4j_driver=driver))
    graph.parse(str(nt), format="nt")
    graph.close(True)
    return time.perf_counter() - started


def count_elements(driver: Driver) -> tuple[int, int]:
    nodes = driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"]
    rels = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS n").records[0]["n"]
    return int(nodes), int(rels)


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in
                   Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    java = subprocess.run(["java", "-version"], capture_output=True, text=True, check=False).stderr
    return {"cpu": cpu, "cores": len([ln for ln in Path("/proc/cpuinfo").read_text().splitlines()
                                      if ln.startswith("processor")]),
            "python": platform.python_version(), "platform": platform.platform(),
            "java": java.splitlines()[0] if java else ""}


def bench_load(args: argparse.Namespace) -> dict[str, Any]:
    settings = Neo4jSettings.from_env(args.local_data_dir)
    if args.build is not None:  # a policygraph build folder, e.g. the national programme's
        args.work_dir = args.build
        manifest = json.loads((args.build / "manifest.json").read_text(encoding="utf-8"))
        found = args.build / "graph.nt", int(manifest["triples"])
    else:
        found = existing_build(args.work_dir, args.triples) if args.reuse else None
    if found is None:
        triples = synthetic_triples(args.triples)
        found = write_build(triples, args.work_dir, args.triples), len(triples)
    nt, count = found
    print(f"graph: {count} triples -> {nt}", file=sys.stderr)
    results: dict[str, list[float]] = {"policygraph": [], "rdflib-neo4j": []}
    counts: dict[str, tuple[int, int]] = {}
    with settings.driver() as driver:
        for run in range(-args.warmup, args.runs):
            for name in ("policygraph", "rdflib-neo4j") if not args.skip_rdflib else ("policygraph",):
                empty_database(driver)
                seconds = (time_policygraph(settings, args.work_dir) if name == "policygraph"
                           else time_rdflib_neo4j(driver, nt))
                if run < 0:
                    print(f"warm-up: {name} {seconds:.1f} s (not counted)", file=sys.stderr)
                    continue
                results[name].append(seconds)
                counts[name] = count_elements(driver)
                print(f"run {run + 1}: {name} {seconds:.1f} s ({count / seconds:,.0f} triples/s), "
                      f"nodes+relationships {counts[name]}", file=sys.stderr)
        empty_database(driver)
    summary = {name: {"runs_s": [round(s, 2) for s in runs], "median_s": round(statistics.median(runs), 2),
                      "triples_per_s": round(count / statistics.median(runs)),
                      "nodes_relationships": counts.get(name)}
               for name, runs in results.items() if runs}
    result: dict[str, Any] = {"triples": count, "machine": machine(), "server": settings.uri, "warmup": args.warmup,
                              "loaders": summary}
    if len(summary) == 2:
        ratio = summary["rdflib-neo4j"]["median_s"] / summary["policygraph"]["median_s"]
        result["ratio"] = round(ratio, 2)
        print(f"medians: policygraph {summary['policygraph']['median_s']} s, rdflib-neo4j "
              f"{summary['rdflib-neo4j']['median_s']} s: policygraph is {ratio:.2f}x faster", file=sys.stderr)
    return result


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def bench_queries(args: argparse.Namespace) -> dict[str, Any]:
    from policygraph.app.read.queries import run_named  # noqa: PLC0415 - only this benchmark needs the query layer
    from policygraph.queries import all_queries  # noqa: PLC0415

    out: dict[str, Any] = {}
    params = {"evidence": {"node": "configuration/D/follow-up/targeting"}}
    for name in sorted(all_queries()):
        for engine in ("sparql", "cypher"):
            run_named(Release.current(args.build_dir), name, params.get(name, {}), engine=engine)  # warm-up
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                run_named(Release.current(args.build_dir), name, params.get(name, {}), engine=engine)
                times.append((time.perf_counter() - started) * 1000)
            out[f"{name}/{engine}"] = {"p50_ms": round(percentile(times, 50), 1),
                                       "p95_ms": round(percentile(times, 95), 1)}
            print(f"{name:<18} {engine:<6} p50 {out[f'{name}/{engine}']['p50_ms']:>7} ms  "
                  f"p95 {out[f'{name}/{engine}']['p95_ms']:>7} ms", file=sys.stderr)
    return {"runs": args.runs, "machine": machine(), "queries": out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    load = sub.add_parser("load")
    load.add_argument("--triples", type=int, default=500_000)
    load.add_argument("--runs", type=int, default=3)
    load.add_argument("--work-dir", type=Path, default=Path("build/bench-neo4j"))
    load.add_argument("--skip-rdflib", action="store_true")
    load.add_argument("--warmup", type=int, default=1,
                      help="Untimed loads of each loader first (a fresh server compiles its code paths on the "
                           "first loads: the first run was measured up to 2x slower than the next).")
    load.add_argument("--build", type=Path, help="Load this policygraph build folder's graph.nt instead of a "
                      "generated graph (e.g. the national programme's build).")
    load.add_argument("--reuse", action="store_true",
                      help="Reuse the graph.nt in --work-dir if it was generated for the same --triples.")
    queries = sub.add_parser("queries")
    queries.add_argument("--build-dir", type=Path, default=Path("build"))
    queries.add_argument("--runs", type=int, default=30)
    for p in (load, queries):
        p.add_argument("--local-data-dir", type=Path, default=Path("build/neo4j"))
        p.add_argument("--json", type=Path, help="Also write the figures here.")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    result = bench_load(args) if args.command == "load" else bench_queries(args)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
