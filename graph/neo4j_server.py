# Copyright (c) 2026 policygraph contributors. SPDX-License-Identifier: MIT
"""Start, stop and query a local Neo4j 5.26 Community server for tests and local use.

The server is provisioned from Maven Central by ``tools/neo4j/provision.sh`` (embedded Neo4j
kernel + Bolt, wrapped by a tiny Java launcher) and run by ``tools/neo4j/run.sh`` as a separate
process in its own process group. Bolt listens on 127.0.0.1 only. Authentication is on: the `neo4j`
user's password is generated on the first start and kept in `<data-dir>/password` (mode 0600, never
printed); heap and page cache are sized from the machine and the graph (graph.neo4j_local), and the
settings of the last start are kept in `<data-dir>/server.json`.

Command line (local use)::

    python -m graph.neo4j_server {provision,start,stop,status} [--data-dir D] [--port P] [--heap MB]
        [--pagecache MB]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from policygraph.graph.neo4j_local import (
    ANSWERS,
    AUTH_REFUSED,
    LOCAL_USER,
    ServerSettings,
    ensure_password,
    machine_memory_bytes,
    memory_for,
    probe,
    read_password,
    remember,
    replace_default_password,
    store_exists,
)

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]
TOOLS_DIR = REPO_ROOT / "tools" / "neo4j"
DEFAULT_DATA_DIR = REPO_ROOT / "build" / "neo4j"
PID_FILE_NAME = "neo4j-server.pid"
CONSOLE_LOG_NAME = "console.log"
LAUNCHER_CLASS = "org.policygraph.neo4j.Launcher"
_POLL_INTERVAL = 0.25
_KILL_GRACE = 10.0
_TAIL_LINES = 40
JAVA_OPTS_ENV = "POLICYGRAPH_NEO4J_JAVA_OPTS"

# Servers started by this Python process, so that they can be reaped (no zombies).
_children: dict[int, subprocess.Popen[bytes]] = {}


class Neo4jServerError(RuntimeError):
    """Provisioning, starting or stopping the Neo4j server failed."""


@dataclass(frozen=True)
class Neo4jServerConfig:
    """Where the server keeps its data and which port Bolt listens on."""

    data_dir: Path = DEFAULT_DATA_DIR
    bolt_port: int = 7687
    home: Path | None = None  # provisioned install; ``None`` means run provision()
    heap_mb: int | None = None  # None: sized from the machine (graph.neo4j_local.memory_for)
    pagecache_mb: int | None = None  # None: sized from the graph (graph_bytes) and the machine
    graph_bytes: int | None = None  # size of the graph.nt the server will hold, if known
    auth: bool = True

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / PID_FILE_NAME

    @property
    def console_log(self) -> Path:
        return self.data_dir / "logs" / CONSOLE_LOG_NAME


@dataclass(frozen=True)
class RunningServer:
    """A started server: its Bolt URI, launcher pid (= process group id) and config."""

    uri: str
    pid: int
    config: Neo4jServerConfig
    password: str | None = field(default=None, repr=False)  # the `neo4j` user's; None when auth is off
    settings: ServerSettings = field(default_factory=ServerSettings)

    @property
    def auth(self) -> tuple[str, str] | None:
        return None if self.password is None else (LOCAL_USER, self.password)


def provision() -> Path:
    """Run ``tools/neo4j/provision.sh`` (idempotent) and return the install directory."""
    script = TOOLS_DIR / "provision.sh"
    try:
        result = subprocess.run(["bash", str(script)], capture_output=True, text=True, check=False)
    except OSError as exc:
        msg = f"cannot run {script}: {exc}"
        raise Neo4jServerError(msg) from exc
    if result.stderr.strip():
        log.debug("provision.sh stderr:\n%s", result.stderr.rstrip())
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        tail = "\n".join(result.stderr.strip().splitlines()[-_TAIL_LINES:])
        msg = f"{script} failed (exit {result.returncode}):\n{tail}"
        raise Neo4jServerError(msg)
    home = Path(lines[-1])
    log.info("Neo4j provisioned at %s", home)
    return home


def start(config: Neo4jServerConfig, timeout: float = 180.0) -> RunningServer:
    """Start a server on ``config.data_dir`` and wait until it answers ``RETURN 1`` over Bolt."""
    data_dir = config.data_dir.resolve()
    config = dataclasses.replace(config, data_dir=data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    running = _live_pid(config)
    if running is not None:
        msg = (
            f"a Neo4j server (pid {running}) is already running on data dir {data_dir}; "
            "stop it first"
        )
        raise Neo4jServerError(msg)
    if not _port_free(config.bolt_port):
        msg = f"port 127.0.0.1:{config.bolt_port} is already in use; choose another bolt_port"
        raise Neo4jServerError(msg)
    home = config.home if config.home is not None else provision()
    settings = _sized(config)
    legacy = store_exists(data_dir)  # its users exist already: a store from before auth was on has the default
    password = ensure_password(data_dir) if config.auth else None
    auth = None if password is None else (LOCAL_USER, password)

    config.console_log.parent.mkdir(parents=True, exist_ok=True)
    cmd = ["bash", str(TOOLS_DIR / "run.sh"), str(home), str(data_dir), str(config.bolt_port),
           f"--auth={'true' if config.auth else 'false'}", f"--pagecache={settings.pagecache_mb}m"]
    # Ours first: options given by hand in POLICYGRAPH_NEO4J_JAVA_OPTS come later and win.
    java_opts = f"-Xmx{settings.heap_mb}m {os.environ.get(JAVA_OPTS_ENV, '')}".strip()
    began = time.monotonic()
    with config.console_log.open("wb") as out:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=data_dir,
            env={**os.environ, JAVA_OPTS_ENV: java_opts},
            start_new_session=True,  # own session => own process group (pgid == pid)
        )
    _children[proc.pid] = proc
    _write_pid_file(config, proc.pid)
    remember(data_dir, settings)
    log.info("starting Neo4j (pid %d) on %s, data dir %s, heap %d MB, page cache %d MB", proc.pid, config.uri,
             data_dir, settings.heap_mb, settings.pagecache_mb)

    deadline = began + timeout
    while True:
        if proc.poll() is not None:
            config.pid_file.unlink(missing_ok=True)
            _children.pop(proc.pid, None)
            msg = f"Neo4j exited with code {proc.returncode} before it was ready.\n{_tail(config)}"
            raise Neo4jServerError(msg)
        answer = probe(config.uri, auth)
        if answer == AUTH_REFUSED and legacy and password is not None:
            answer = replace_default_password(config.uri, password)
        if answer == ANSWERS:
            break
        if answer == AUTH_REFUSED:
            stop(config, timeout=_KILL_GRACE)
            msg = (f"the Neo4j store in {data_dir} refuses the password kept in {data_dir / 'password'}; "
                   f"put the store's password in that file (mode 0600), or remove {data_dir / 'data'} to "
                   "start with an empty store")
            raise Neo4jServerError(msg)
        if time.monotonic() >= deadline:
            stop(config, timeout=_KILL_GRACE)
            msg = f"Neo4j did not answer on {config.uri} within {timeout:.0f}s.\n{_tail(config)}"
            raise Neo4jServerError(msg)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=_POLL_INTERVAL)
    log.info("Neo4j ready on %s after %.1fs", config.uri, time.monotonic() - began)
    return RunningServer(uri=config.uri, pid=proc.pid, config=config, password=password, settings=settings)


def _sized(config: Neo4jServerConfig) -> ServerSettings:
    heap, pagecache = memory_for(machine_memory_bytes(), config.graph_bytes)
    return ServerSettings(port=config.bolt_port, heap_mb=config.heap_mb or heap,
                          pagecache_mb=config.pagecache_mb or pagecache)


def stop(config: Neo4jServerConfig, timeout: float = 60.0) -> bool:
    """Stop the server on ``config.data_dir``; return whether a running server was stopped."""
    pid = _live_pid(config)
    if pid is None:
        return False
    log.info("stopping Neo4j (pid %d)", pid)
    _signal_group(pid, signal.SIGTERM)
    if not _wait_dead(pid, timeout):
        log.warning("Neo4j (pid %d) ignored SIGTERM for %.0fs; sending SIGKILL", pid, timeout)
        _signal_group(pid, signal.SIGKILL)
        if not _wait_dead(pid, _KILL_GRACE):
            msg = f"Neo4j (pid {pid}) survived SIGKILL"
            raise Neo4jServerError(msg)
    config.pid_file.unlink(missing_ok=True)
    _children.pop(pid, None)
    return True


def status(config: Neo4jServerConfig) -> str | None:
    """Return the Bolt URI if the server on ``config.data_dir`` is running and answering."""
    port = running_port(config.data_dir)
    if port is None:
        return None
    uri = f"bolt://127.0.0.1:{port}"
    password = read_password(config.data_dir)
    return uri if probe(uri, None if password is None else (LOCAL_USER, password)) == ANSWERS else None


def running_port(data_dir: Path) -> int | None:
    """The Bolt port of the server running on `data_dir` (its launcher process is alive), else None."""
    info = _read_pid_file(Neo4jServerConfig(data_dir=data_dir))
    return info[1] if info is not None and _alive(info[0]) else None


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # ignore TIME_WAIT, like Netty
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _write_pid_file(config: Neo4jServerConfig, pid: int) -> None:
    tmp = config.pid_file.with_suffix(".tmp")
    tmp.write_text(json.dumps({"pid": pid, "port": config.bolt_port}) + "\n", encoding="utf-8")
    tmp.replace(config.pid_file)


def _read_pid_file(config: Neo4jServerConfig) -> tuple[int, int] | None:
    try:
        data = json.loads(config.pid_file.read_text(encoding="utf-8"))
        return int(data["pid"]), int(data["port"])
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        log.warning("ignoring unreadable pid file %s", config.pid_file)
        return None


def _live_pid(config: Neo4jServerConfig) -> int | None:
    """Pid of the server recorded for ``config.data_dir``; removes a stale pid file."""
    info = _read_pid_file(config)
    if info is not None and _alive(info[0]):
        return info[0]
    if config.pid_file.exists():
        log.info("removing stale pid file %s", config.pid_file)
        config.pid_file.unlink(missing_ok=True)
    return None


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a live (non-zombie) launcher process, guarding against pid reuse."""
    child = _children.get(pid)
    if child is not None:
        return child.poll() is None
    proc_dir = Path("/proc") / str(pid)
    if Path("/proc/self").exists():
        try:
            state = (proc_dir / "stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0]
            cmdline = (proc_dir / "cmdline").read_bytes()
        except (OSError, IndexError):
            return False
        return state not in {"Z", "X"} and LAUNCHER_CLASS.encode() in cmdline
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _wait_dead(pid: int, timeout: float) -> bool:
    child = _children.get(pid)
    if child is not None:
        try:
            child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL_INTERVAL)
    return True


def _tail(config: Neo4jServerConfig) -> str:
    parts = []
    for path in (config.console_log, config.data_dir / "logs" / "debug.log"):
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        parts.append(f"--- tail of {path} ---\n" + "\n".join(lines[-_TAIL_LINES:]))
    return "\n".join(parts) if parts else "(no server log written)"


def main(argv: list[str] | None = None) -> int:
    """Tiny CLI for local use; results are reported through logging."""
    parser = argparse.ArgumentParser(prog="python -m graph.neo4j_server")
    parser.add_argument("command", choices=["provision", "start", "stop", "status"])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--port", type=int, default=7687)
    parser.add_argument("--heap", type=int, metavar="MB", help="JVM heap (default: sized from the machine)")
    parser.add_argument("--pagecache", type=int, metavar="MB", help="page cache (default: sized from the machine)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    config = Neo4jServerConfig(data_dir=args.data_dir, bolt_port=args.port, heap_mb=args.heap,
                               pagecache_mb=args.pagecache)
    try:
        if args.command == "provision":
            provision()
        elif args.command == "start":
            server = start(config)
            log.info("%s (pid %d); user neo4j, password in %s", server.uri, server.pid,
                     server.config.data_dir / "password")
        elif args.command == "stop":
            log.info("stopped" if stop(config) else "not running")
        else:
            uri = status(config)
            log.info(uri or "not running")
            return 0 if uri else 3
    except Neo4jServerError:
        log.exception("neo4j_server %s failed", args.command)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
