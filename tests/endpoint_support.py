"""A real `policygraph serve` for endpoint tests, and plain-HTTP helpers (urllib, raw sockets)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import REPO, free_port


@dataclass(frozen=True)
class Server:
    url: str
    port: int
    pid: int
    stdout: Path
    stderr: Path

    def threads(self) -> int:
        """The server process's threads now (one per open connection, plus the main one)."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("Threads:")))


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    headers: dict[str, str]
    text: str


def _wait_until_listening(proc: subprocess.Popen[bytes], port: int, log: Path, deadline_s: float = 90) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"`policygraph serve` exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.05)  # poll again: the port opens once the store has answered a first query
    pytest.fail(f"`policygraph serve` did not answer within {deadline_s} s:\n{log.read_text()}")


@contextlib.contextmanager
def running_server(build_dir: Path, logs: Path, *options: str) -> Iterator[Server]:
    """`policygraph serve` on a free port with `options`, stopped (SIGTERM) on leaving."""
    port = free_port()
    out, err = logs / "stdout.txt", logs / "stderr.txt"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "policygraph.app.cli", "--build-dir", str(build_dir), "serve",
                                 "--port", str(port), *options], cwd=REPO, stdout=stdout, stderr=stderr)
    try:
        _wait_until_listening(proc, port, err)
        yield Server(f"http://127.0.0.1:{port}/query", port, proc.pid, out, err)
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def request(url: str, *, query: str | None = None, accept: str = "*/*", data: bytes | None = None,
            content_type: str | None = None, host: str | None = None, timeout_s: float = 60) -> Answer:
    """GET url?query=... (or POST `data`), returning the answer whatever its status."""
    if query is not None:
        url += "?" + urllib.parse.urlencode({"query": query})
    req = urllib.request.Request(url, data=data, headers={"Accept": accept})
    if content_type:
        req.add_header("Content-Type", content_type)
    if host:
        req.add_header("Host", host)
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as response:
            return Answer(response.status, response.headers.get_content_type(), dict(response.headers),
                          response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.headers.get_content_type(), dict(exc.headers), exc.read().decode("utf-8"))


def raw_exchange(port: int, data: bytes, *, timeout_s: float = 15, close_write: bool = False) -> bytes:
    """Send `data` as it is on a fresh connection and read until the server closes (or `timeout_s`).
    `close_write`: then half-close, as a client that has nothing more to send."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout_s) as sock:
        sock.sendall(data)
        if close_write:
            sock.shutdown(socket.SHUT_WR)
        received = b""
        with contextlib.suppress(TimeoutError):
            while chunk := sock.recv(65536):
                received += chunk
        return received


def status_of(raw: bytes) -> int:
    """The status code of a raw HTTP answer (0: none came)."""
    first = raw.split(b"\r\n", 1)[0].split()
    return int(first[1]) if len(first) > 1 and first[1].isdigit() else 0


def body_of(raw: bytes) -> str:
    return raw.partition(b"\r\n\r\n")[2].decode("utf-8", "replace")
