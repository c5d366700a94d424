"""Run a function in a child process that is killed at a time limit: the one way every console (CLI, explorer,
SPARQL endpoint) bounds an ad-hoc query, whose cost no check can foresee.

Children come from a fork server (multiprocessing's 'forkserver'): a clean process, started once per process
that asks, which imports the project's modules loaded so far and then forks a child per call in
milliseconds. Never a fork of the caller itself, which may run threads (the explorer, the endpoint). The
function and its arguments are pickled by reference, its result or exception pickled back.
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import signal
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

T = TypeVar("T")


class ChildTimeout(RuntimeError):
    """The child ran past its time limit and was killed."""


class ChildDied(RuntimeError):
    """The child ended without an answer (killed, out of memory, or a crash); `exitcode` as multiprocessing
    gives it (-N: killed by signal N)."""

    def __init__(self, message: str, exitcode: int | None) -> None:
        super().__init__(message)
        self.exitcode = exitcode


_context: list[ForkServerContext] = []
_context_lock = threading.Lock()


def _preload() -> list[str]:
    """What the fork server imports once: the project modules this process has imported, and the main module
    (multiprocessing re-runs it in each child; Python 3.11 ignores '__main__' in the preload list)."""
    main_spec = getattr(sys.modules["__main__"], "__spec__", None)
    ours = [name for name in list(sys.modules) if name == "policygraph" or name.startswith("policygraph.")]
    return [__name__, *ours, *([main_spec.name] if main_spec else [])]


def context() -> ForkServerContext:
    """This process's fork-server context (its preload list fixed at the first call)."""
    with _context_lock:
        if not _context:
            ctx = mp.get_context("forkserver")
            ctx.set_forkserver_preload(_preload())
            _context.append(ctx)
        return _context[0]


def _child(fn: Callable[..., Any], args: tuple[Any, ...], memory_bytes: int | None, conn: Connection) -> None:
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


def run_killable(fn: Callable[..., T], *args: Any, timeout_s: float, memory_bytes: int | None = None) -> T:
    """`fn(*args)` in a child process, killed after `timeout_s` seconds; its exception is raised here.
    `memory_bytes`: the child's data limit (heap and private mappings; an allocation beyond it fails in the
    child: a MemoryError in Python, an abort in native code)."""
    ctx = context()
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(fn, args, memory_bytes, send), daemon=True)
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
                        proc.exitcode) from exc
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        receive.close()
        with _running_lock:
            _running.discard(proc)
    if not ok:
        assert isinstance(value, BaseException)
        raise value
    return value  # type: ignore[no-any-return]
