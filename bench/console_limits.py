"""Benchmark: how fast the SPARQL consoles cut off hostile queries and clients, and what they hold meanwhile.

    .venv/bin/python bench/console_limits.py [--build-dir build]

Runs the real CLI and a real `policygraph serve` on the current build and prints one line per figure:
  - `policygraph sparql` on an 878 KB query with --timeout 5: wall time of the whole command, and of `ASK {}`;
  - `policygraph sparql` on ORDER BY over a cartesian product (default --memory): wall time to the cut, and the
    largest resident size any of its processes reached (sampled every 10 ms from /proc);
  - the endpoint with 4 runaway queries holding every slot: how long a cheap query waits for its 503, and the
    Retry-After it gets;
  - the endpoint with 200 idle connections: threads held, a query's latency meanwhile, and seconds until the
    idle ones are closed;
  - the endpoint after 20 clients that leave early: lines added to its stderr.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

CLI = [sys.executable, "-m", "policygraph.app.cli"]
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
ORDER_BY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
HUGE = "SELECT * WHERE { ?s ?p ?o FILTER(" + " || ".join(f"?o = {i}" for i in range(63_500)) + ") }"


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        found += [int(c) for c in children]
        todo += [int(c) for c in children]
    return found


def _rss_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)


def run_cli(build_dir: Path, *args: str) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in MB over the command's child processes, last stderr line)."""
    started = time.monotonic()
    proc = subprocess.Popen([*CLI, "--build-dir", str(build_dir), *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        peak = max([peak, *(_rss_kb(p) for p in _descendants(proc.pid))])
        time.sleep(0.01)
    wall = time.monotonic() - started
    err = (proc.stderr.read() if proc.stderr else "").strip().splitlines()
    return wall, peak // 1024, err[-1][:100] if err else ""


def _query(url: str, text: str) -> tuple[int, float, str | None]:
    started = time.monotonic()
    req = urllib.request.Request(url, data=text.encode(), headers={"Content-Type": "application/sparql-query"})
    try:
        with urllib.request.urlopen(req, timeout=120) as response:
            status, retry = response.status, response.headers.get("Retry-After")
    except urllib.error.HTTPError as exc:
        status, retry = exc.code, exc.headers.get("Retry-After")
    return status, time.monotonic() - started, retry


def _threads(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("Threads:")))


def endpoint_figures(build_dir: Path, port: int, stderr: Path) -> None:
    with stderr.open("wb") as err:
        server = subprocess.Popen([*CLI, "--build-dir", str(build_dir), "serve", "--port", str(port),
                                   "--timeout", "10"], stdout=subprocess.DEVNULL, stderr=err)
    url = f"http://127.0.0.1:{port}/query"
    try:
        for _ in range(300):
            try:
                _query(url, "ASK {}")
                break
            except OSError:
                time.sleep(0.1)
        runaways = [threading.Thread(target=_query, args=(url, RUNAWAY)) for _ in range(4)]
        for thread in runaways:
            thread.start()
        time.sleep(0.5)
        status, waited, retry = _query(url, "ASK {}")
        print(f"endpoint, 4 runaways (--timeout 10): cheap query answered {status} after {waited:.2f} s, "
              f"Retry-After {retry}")
        for thread in runaways:
            thread.join()

        baseline = _threads(server.pid)
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(200)]
        time.sleep(1)
        held = _threads(server.pid) - baseline
        status, latency, _ = _query(url, "ASK {}")
        started = time.monotonic()
        while _threads(server.pid) > baseline and time.monotonic() - started < 60:
            time.sleep(0.1)
        print(f"endpoint, 200 idle connections: {held} threads held; a query meanwhile {status} in {latency:.2f} s; "
              f"all closed {time.monotonic() - started + 1:.1f} s after they opened")
        for sock in idle:
            sock.close()

        before = len(stderr.read_bytes().splitlines())
        for _ in range(20):
            sock = socket.create_connection(("127.0.0.1", port))
            body = b"SELECT * WHERE { ?s ?p ?o }"
            sock.sendall(b"POST /query HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                         b"Content-Length: %d\r\n\r\n" % len(body) + body)
            sock.close()
        time.sleep(3)
        added = stderr.read_bytes().splitlines()[before:]
        tracebacks = sum(b"Traceback" in line for line in added)
        print(f"endpoint, 20 clients leaving early: {len(added)} stderr lines, {tracebacks} tracebacks")
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", type=Path, default=Path("build"))
    parser.add_argument("--port", type=int, default=17979)
    args = parser.parse_args()
    os.environ.setdefault("RUST_BACKTRACE", "0")
    with tempfile.TemporaryDirectory() as tmp:
        huge = Path(tmp) / "huge.rq"
        huge.write_text(HUGE)
        wall, _, _ = run_cli(args.build_dir, "sparql", "ASK {}")
        print(f"sparql ASK {{}}: {wall:.2f} s (the command's own start-up)")
        wall, peak, said = run_cli(args.build_dir, "sparql", str(huge), "--timeout", "5")
        print(f"sparql, {huge.stat().st_size / 1000:.0f} KB query, --timeout 5: {wall:.2f} s, {peak} MB peak; {said}")
        wall, peak, said = run_cli(args.build_dir, "sparql", ORDER_BY, "--timeout", "60")
        print(f"sparql, ORDER BY over a cartesian product, --timeout 60, default --memory: {wall:.2f} s, "
              f"{peak} MB peak; {said}")
        endpoint_figures(args.build_dir, args.port, Path(tmp) / "serve.stderr")


if __name__ == "__main__":
    main()
