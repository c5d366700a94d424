"""Run a build step in a forked worker process: in parallel with the others, and with its memory given
back to the system when it ends (a build's peak memory is the sum over its processes).

The worker inherits the parent's memory (fork: nothing is pickled on the way in, only the result and
any exception on the way out) and is killed with its parent, so a killed build leaves no worker
holding the build lock or writing into a staging folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Mapping
from multiprocessing.connection import Connection, wait
from typing import Generic, TypeVar, cast

log = logging.getLogger(__name__)

T = TypeVar("T")
PR_SET_PDEATHSIG = 1  # prctl(2)


class WorkerDied(RuntimeError):
    """The worker ended without a result (killed, or out of memory)."""


def _die_with_parent(parent: int) -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


class Worker(Generic[T]):
    """`fn(*args)` running in a forked process; `result()` waits for it and re-raises its error."""

    def __init__(self, fn: Callable[..., T], *args: object) -> None:
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        parent = os.getpid()

        def main() -> None:
            _die_with_parent(parent)
            try:
                outcome: tuple[str, object] = ("ok", fn(*args))
            except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
                outcome = ("error", exc)
            try:
                send.send(outcome)
            except Exception as exc:  # noqa: BLE001 - an error that does not pickle still gets reported
                send.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))

        self.process = context.Process(target=main, name=getattr(fn, "__name__", "worker"), daemon=True)
        self.process.start()
        send.close()

    @property
    def ready(self) -> Connection:
        """Readable (for multiprocessing.connection.wait) once the worker has finished."""
        return self._receive

    def result(self) -> T:
        try:
            kind, value = self._receive.recv()
        except EOFError as exc:
            self.process.join()
            raise WorkerDied(f"build worker {self.process.name} ended without a result "
                             f"(exit code {self.process.exitcode})") from exc
        self.process.join()
        if kind == "error":
            assert isinstance(value, BaseException)
            raise value
        return cast(T, value)

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self._receive.close()


@contextlib.contextmanager
def worker(fn: Callable[..., T], *args: object) -> Iterator[Worker[T]]:
    """A worker that is killed if the block is left before its result was taken (e.g. on an error)."""
    running = Worker(fn, *args)
    try:
        yield running
    finally:
        running.stop()


class Note:
    """One message a worker sends its parent while it still runs, e.g. "my file is written" before its
    last checks end (a pipe made before the fork; `send` is called in the worker)."""

    def __init__(self) -> None:
        self._receive, self._send = multiprocessing.get_context("fork").Pipe(duplex=False)

    def send(self) -> None:
        self._send.send(True)

    @property
    def ready(self) -> Connection:
        return self._receive

    def close(self) -> None:
        self._receive.close()
        self._send.close()


def as_ready(workers: Mapping[Worker[T], Note | None]) -> Iterator[tuple[Worker[T], bool]]:
    """(worker, finished) in the order things happen: (w, False) when w sends its note, (w, True) when it
    has finished (a result or an error to take, or the process gone). A worker's note, if it sent one, is
    always reported before its end; one that finished without sending its note is reported once, finished."""
    waiting: dict[object, tuple[Worker[T], bool]] = {}
    for running, note in workers.items():
        waiting[running.ready] = (running, True)
        if note is not None:
            waiting[note.ready] = (running, False)
    while waiting:
        ready = wait(list(waiting))  # type: ignore[arg-type]  # typeshed: a list of connections
        # A note is sent before the result, so when both are readable the note goes first.
        for conn in sorted(ready, key=lambda c: waiting[c][1]):
            running, finished = waiting.pop(conn)
            if finished:
                for other, (same, _) in list(waiting.items()):
                    if same is running:  # its note never came (an error before it): nothing to wait for
                        del waiting[other]
            yield running, finished

