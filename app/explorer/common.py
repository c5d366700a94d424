"""Shared page helpers: which programme (build) this browser session shows, the programme chooser,
caches per build, and tables as DataFrames.

The explorer may be started on several builds (`policygraph explore --programme DIR ...`, passed in
POLICYGRAPH_BUILDS as a JSON list of [label or null, path]; otherwise POLICYGRAPH_BUILD, one build).
The choice is kept in the session's st.session_state, never in a module global, so people using the
same explorer never see each other's programme. What is shared between sessions is only what a build
determines (parsed graphs, page tables), keyed by the build's path and its graph's hash.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

import pandas as pd
import streamlit as st

from app.explorer import startup
from app.release_cache import Overview, stored_overview
from graph.results import QueryResult, render

if TYPE_CHECKING:
    from app.analysis import LoadedBuild
    from app.snapshot import Parsed

log = logging.getLogger(__name__)

BUILDS_ENV = "POLICYGRAPH_BUILDS"
PROGRAMME_KEY = "programme"  # st.session_state key of the chosen build (its path)
T = TypeVar("T")

# Markdown that st.title / st.write / st.caption would act on: inline syntax anywhere (emphasis, code,
# links and images, raw HTML, entities, $math$, :colour[] and :emoji:, tables) and block syntax at a
# line's start (headings, lists, rules).
_INLINE = re.compile(r"([\\`*_\[\]<>$~:|&{}])")
_BLOCK = re.compile(r"^(\s*)(\d+(?=[.)])|)([#+\-=.)])", re.M)


def plain(text: str) -> str:
    """Data text (labels, descriptions) for the Markdown-reading Streamlit calls, escaped so that it shows
    as written: no emphasis, link, image, math or colour from data."""
    return _BLOCK.sub(r"\1\2\\\3", _INLINE.sub(r"\\\1", text))


# --- which programme ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Programme:
    path: Path
    label: str
    built: bool  # a readable manifest.json is there


def configured_builds() -> list[tuple[str | None, Path]]:
    """(label or None, build folder) of every programme the explorer was started with, first = default."""
    raw = os.environ.get(BUILDS_ENV)
    if not raw:
        return [(None, Path(os.environ.get("POLICYGRAPH_BUILD", "build")))]
    try:
        entries = json.loads(raw)
        found = [(None if label is None else str(label), Path(str(path))) for label, path in entries]
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{BUILDS_ENV} must be a JSON list of [label or null, build folder] pairs: {exc}") from exc
    if not found:
        raise ValueError(f"{BUILDS_ENV} lists no build")
    return found


def _manifest_programme(path: Path) -> str | None:
    try:
        value = json.loads((path / "manifest.json").read_text(encoding="utf-8"))["programme"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return str(value)


def programmes() -> list[Programme]:
    """The configured builds with their labels: the given name, else the manifest's programme; a folder
    without a readable build says so in its label."""
    found = []
    for label, path in configured_builds():
        programme = _manifest_programme(path)
        found.append(Programme(path, label or programme or f"{path} (no build)", programme is not None))
    counts: dict[str, int] = {}
    for p in found:
        counts[p.label] = counts.get(p.label, 0) + 1
    return [Programme(p.path, f"{p.label} ({p.path})", p.built) if counts[p.label] > 1 else p for p in found]


def _session_choice() -> str | None:
    try:
        chosen = st.session_state.get(PROGRAMME_KEY)
    except Exception:  # noqa: BLE001 - outside a Streamlit run (plain Python), there is no session
        return None
    return chosen if isinstance(chosen, str) else None


def build_dir() -> Path:
    """The build this session shows: its choice in the sidebar, else the first configured."""
    choices = configured_builds()
    chosen = _session_choice()
    for _, path in choices:
        if str(path) == chosen:
            return path
    return choices[0][1]


def _forget_page_selections() -> None:
    """A new programme: the pages' widgets start afresh (their options are another programme's)."""
    for key in list(st.session_state):
        if key != PROGRAMME_KEY:
            del st.session_state[key]


def programme_chooser() -> None:
    """The sidebar's programme selectbox (a caption when there is only one), and loading every programme
    in the background if this process has not started that yet (`policygraph explore` does it at start),
    so that choosing one later does not wait for its graph."""
    try:
        found = programmes()
    except ValueError as exc:
        st.error(str(exc))
        st.stop()
    prewarm([p.path for p in found if p.built])
    if len(found) == 1:
        st.sidebar.caption(f"Programme: {plain(found[0].label)}")
        return
    labels = {str(p.path): p.label for p in found}
    st.sidebar.selectbox("Programme", list(labels), format_func=labels.__getitem__, key=PROGRAMME_KEY,
                         on_change=_forget_page_selections)


# --- loading a build, once per process -------------------------------------------------------------------

_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()
_LOADED: set[str] = set()
_WARMING = threading.Lock()  # one background load at a time: they share the two cores with the sessions


def release(path: Path) -> str:
    """What identifies the build's content: the hash of the graph the pages read."""
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    return str(manifest.get("core_nt_sha256") or manifest.get("graph_nt_sha256"))


def _cache_key(path: Path) -> str:
    return f"{path.resolve()}@{release(path)}"


_GC_GUARD = threading.Lock()
_GC_PAUSES = [0]  # loads under way


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a graph is parsed (millions of new objects: each full collection
    walks them all), then the parsed graph frozen out of later collections: with a national programme
    loaded, a full collection took ~3.5 s and stalled whichever page run triggered it."""
    with _GC_GUARD:
        _GC_PAUSES[0] += 1
        gc.disable()
    try:
        yield
    finally:
        with _GC_GUARD:
            _GC_PAUSES[0] -= 1
            if not _GC_PAUSES[0]:
                gc.freeze()  # the graph lives as long as the process (app.analysis caches it)
                gc.enable()


def _load(path: Path, wanted: bool = True) -> bool:
    """Load the build once per process (concurrent callers wait for the first): from its analytics snapshot
    when it has a usable one, else parsed, and then completed and snapshotted in the background (the pages
    that need more than the model compute it on first use meanwhile); True if it was loaded now. `wanted`:
    a page waits for it (else a background load, which lets the first page run first: startup.py)."""
    key = _cache_key(path)
    if key in _LOADED:
        return False
    with _LOCKS_GUARD:
        lock = _LOCKS.setdefault(key, threading.Lock())
    startup.wait(startup.MODEL, want=wanted)
    from app.snapshot import explorer_build  # noqa: PLC0415 - the model's libraries, once serve.py has imported them

    with lock:
        if key in _LOADED:
            return False
        with _collector_paused():
            loaded, parsed = explorer_build(path)
        _LOADED.add(key)
    if parsed is not None:
        threading.Thread(target=_complete, args=(loaded, parsed), name="policygraph-snapshot", daemon=True).start()
    return True


def _complete(loaded: LoadedBuild, parsed: Parsed) -> None:
    from app.snapshot import write_snapshot  # noqa: PLC0415 - imported by now (see _load)

    startup.settle()  # seconds of work holding the GIL: not while the first page is drawn
    with _collector_paused():
        try:
            write_snapshot(*parsed, loaded)
        except Exception:  # a cache: the explorer works without it
            log.exception("analytics snapshot of %s not written", parsed[0].parent)


def _warm(paths: Sequence[Path]) -> None:
    for path in paths:
        try:
            _load(path, wanted=False)
        except Exception:  # noqa: BLE001, S112 - the page that needs it reports the problem
            continue


def _warm_all(paths: Sequence[Path]) -> None:
    with _WARMING:
        _warm(paths)


def warm(path: Path) -> None:
    """Load this build now, in this background thread (serve.py's preparation); a failure is left for the
    page that needs the build to report."""
    _warm([path])


def prewarm(paths: Sequence[Path]) -> None:
    """Load these builds in a background thread (the first session after start triggers it)."""
    todo = [p for p in paths if not _is_loaded(p)]
    if todo and not _WARMING.locked():
        threading.Thread(target=_warm_all, args=(todo,), name="policygraph-prewarm", daemon=True).start()


def _is_loaded(path: Path) -> bool:
    try:
        return _cache_key(path) in _LOADED
    except (OSError, ValueError):
        return True  # nothing to warm: the page will say what is wrong


def require_manifest() -> Path:
    """The session's build folder, or stop the page with a clear message if there is no build in it."""
    path = build_dir()
    if not (path / "manifest.json").exists():
        st.error(f"No build in {path}. Run `policygraph build` first (for another folder: "
                 f"`policygraph --build-dir {path} build --data DIR`).")
        st.stop()
    return path


def require_build() -> Path:
    """The session's build, loaded, or stop the page with a clear message if it is missing or unreadable."""
    path = require_manifest()
    try:
        if not _is_loaded(path):
            with st.spinner(f"Loading {plain(_manifest_programme(path) or str(path))} (once per build; a national "
                            "programme takes a while)…"):
                _load(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable build: say which and why, never a traceback
        st.error(f"Could not read the build in {path}: {type(exc).__name__}: {exc}. Rebuild it with "
                 f"`policygraph --build-dir {path} build --data DIR`.")
        st.stop()
    return path


def overview(path: Path) -> Overview:
    """The Overview's tables: as the explorer stored them for this build when it has (no wait for the model,
    nor for the libraries it needs), else computed from the model (and stored for the next start)."""
    found = stored_overview(path)
    if found is not None:
        return found
    startup.wait(startup.MODEL)
    from app.page_data import overview_stored  # noqa: PLC0415 - the model's libraries: only when nothing is stored

    return cached(overview_stored, require_build())


@st.cache_resource(show_spinner=False, max_entries=256)
def _per_build(_fn: Callable[..., object], name: str, build: str, key: str, args: tuple[object, ...]) -> object:
    del name, key  # the cache key: which function, which build content
    return _fn(Path(build), *args)


def cached(fn: Callable[..., T], path: Path, *args: object) -> T:
    """`fn(path, *args)`, computed once per build content and arguments, shared by every session
    (so results are read-only)."""
    return cast(T, _per_build(fn, f"{fn.__module__}.{fn.__qualname__}", str(path), _cache_key(path), args))


# --- tables ----------------------------------------------------------------------------------------------


def frame(result: QueryResult) -> pd.DataFrame:
    return pd.DataFrame(result.rows, columns=result.columns)


def table(result: QueryResult, key: str) -> None:
    st.dataframe(frame(result), hide_index=True, width="stretch", key=key)
    for note in result.notes:
        st.warning(note)


def result_table(result: QueryResult, filename: str, key: str) -> None:
    """A query result with its notes and a CSV download."""
    for note in result.notes:
        st.warning(note)
    st.dataframe(frame(result), hide_index=True, key=f"{key}-result")
    st.download_button("Download CSV", render(result, "csv"), filename, "text/csv", key=f"{key}-csv")
