"""Run a function in a child process that is killed at a time limit: the one way every console (CLI, explorer,
SPARQL endpoint) bounds an ad-hoc query, whose cost no check can foresee.

Children come from a fork server (multiprocessing's 'forkserver'): a clean process, started once per process
that asks, which imports the project's modules loaded so far and then forks a child per call in
milliseconds. Never a fork of the caller itself, which may run threads (the explorer, the endpoint). The
function and its arguments are pickled by reference (so the function lives in an importable module, never in
`__main__`), its result or exception pickled back.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import resource
import signal
import sys
import tempfile
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)


class ChildTimeout(RuntimeError):
    """The child ran past its time limit and was killed."""


class ChildDied(RuntimeError):
    """The child ended without an answer (killed, out of memory, or a crash); `exitcode` as multiprocessing
    gives it (-N: killed by signal N)."""

    def __init__(self, message: str, exitcode: int | None, said: list[str] | None = None) -> None:
        super().__init__(message)
        self.exitcode, self.said = exitcode, said or []  # `said`: its last lines on stderr


_context: list[ForkServerContext] = []
_context_lock = threading.Lock()


def _preload() -> list[str]:
    """What the fork server imports once: the project modules this process has imported, after child_server
    (which stops the children from re-running the caller's main module)."""
    ours = [name for name in list(sys.modules) if name == "policygraph" or name.startswith("policygraph.")]
    return [f"{__package__}.child_server", __name__, *ours]


def context() -> ForkServerContext:
    """This process's fork-server context (its preload list fixed at the first call)."""
    with _context_lock:
        if not _context:
            ctx = mp.get_context("forkserver")
            ctx.set_forkserver_preload(_preload())
            _context.append(ctx)
        return _context[0]


def _child(fn: Callable[..., Any], args: tuple[Any, ...], memory_bytes: int | None, stderr_path: str,
           conn: Connection) -> None:
    # What native code prints as it fails (Rust's "memory allocation of N bytes failed", a C++ terminate) goes
    # to a file the parent reads, not onto the console or the server's log.
    captured = os.open(stderr_path, os.O_WRONLY | os.O_APPEND)
    os.dup2(captured, 2)
    os.close(captured)
    try:
        if memory_bytes is not None:
            # RLIMIT_DATA (heap and private mappings) rather than RLIMIT_AS: the address space holds several
            # hundred MB of shared libraries and reservations that no query uses.
            resource.setrlimit(resource.RLIMIT_DATA, (memory_bytes, memory_bytes))
        outcome: tuple[bool, object] = (True, fn(*args))
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
        outcome = (False, exc)
    try:
        conn.send(outcome)
    except Exception as exc:  # noqa: BLE001 - an answer or an error that does not pickle is still reported
        conn.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()


_running: set[BaseProcess] = set()
_running_lock = threading.Lock()


def kill_running() -> None:
    """Kill every child still running (a server that stops)."""
    with _running_lock:
        for proc in _running:
            proc.kill()


def _describe_exit(exitcode: int | None) -> str:
    if exitcode is None:
        return "still running"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


def _tail(path: Path, max_bytes: int = 4096) -> list[str]:
    """The last lines a child wrote on its stderr (a child that floods it is not read whole)."""
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - max_bytes))
        return [line for line in handle.read().decode("utf-8", "replace").splitlines() if line.strip()][-5:]


def run_killable(fn: Callable[..., T], *args: Any, timeout_s: float, memory_bytes: int | None = None) -> T:
    """`fn(*args)` in a child process, killed after `timeout_s` seconds; its exception is raised here.
    `memory_bytes`: the child's data limit (heap and private mappings; an allocation beyond it fails in the
    child: a MemoryError in Python, an abort in native code)."""
    ctx = context()
    handle, name = tempfile.mkstemp(prefix="policygraph-child-", suffix=".stderr")
    os.close(handle)
    stderr_path = Path(name)
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(fn, args, memory_bytes, name, send), daemon=True)
    try:
        proc.start()
        send.close()
        with _running_lock:
            _running.add(proc)
        try:
            if not receive.poll(timeout_s):
                raise ChildTimeout(f"stopped at the {timeout_s:g} s limit")
            ok, value = receive.recv()
        except EOFError as exc:
            proc.join(5)  # its exit code (a signal when it crashed) says why
            raise ChildDied(f"the query process ended without an answer ({_describe_exit(proc.exitcode)})",
                            proc.exitcode, _tail(stderr_path)) from exc
        finally:
            if proc.is_alive():
                proc.kill()
            proc.join(5)
            receive.close()
            with _running_lock:
                _running.discard(proc)
        for line in _tail(stderr_path):
            log.warning("query process: %s", line)
    finally:
        stderr_path.unlink()
    if not ok:
        assert isinstance(value, BaseException)
        raise value
    return value  # type: ignore[no-any-return]
