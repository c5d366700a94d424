"""Shared page helpers: which programme (build) this browser session shows, the programme chooser, page
tables cached per release, and tables as DataFrames.

The explorer may be started on several builds (`policygraph explore --programme DIR ...`, passed in
POLICYGRAPH_BUILDS as a JSON list of [label or null, path]; otherwise POLICYGRAPH_BUILD, one build).
The choice is kept in the session's st.session_state, never in a module global, so people using the
same explorer never see each other's programme. What is shared between sessions is only what a release
determines (its model, page tables), keyed by the release's folder and its graph's hash.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

import pandas as pd
import streamlit as st

from policygraph.app.explorer import startup
from policygraph.app.explorer.permalink import PROGRAMME_PARAM, keep, one_of, restore
from policygraph.app.explorer.text import plain
from policygraph.app.read.overview import Overview, read_overview
from policygraph.app.release import NoBuild, Release, loaded_models
from policygraph.graph.results import QueryResult, render

log = logging.getLogger(__name__)

BUILDS_ENV = "POLICYGRAPH_BUILDS"
PROGRAMME_KEY = "programme"  # st.session_state key of the chosen build (its path)
T = TypeVar("T")

# --- which programme ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildChoice:
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


def _programme_of(path: Path) -> str | None:
    try:
        return Release.current(path).programme
    except NoBuild:
        return None


def programmes() -> list[BuildChoice]:
    """The configured builds with their labels: the given name, else the manifest's programme; a folder
    without a readable build says so in its label."""
    found = []
    for label, path in configured_builds():
        programme = _programme_of(path)
        found.append(BuildChoice(path, label or programme or f"{path} (no build)", programme is not None))
    counts: dict[str, int] = {}
    for p in found:
        counts[p.label] = counts.get(p.label, 0) + 1
    return [BuildChoice(p.path, f"{p.label} ({p.path})", p.built) if counts[p.label] > 1 else p for p in found]


def _session_choice() -> str | None:
    try:
        chosen = st.session_state.get(PROGRAMME_KEY)
    except Exception:  # noqa: BLE001 - outside a Streamlit run (plain Python), there is no session
        return None
    return chosen if isinstance(chosen, str) else None


def build_dir() -> Path:
    """The build folder this session shows: its choice in the sidebar, else the first configured."""
    choices = configured_builds()
    chosen = _session_choice()
    for _, path in choices:
        if str(path) == chosen:
            return path
    return choices[0][1]


def _forget_page_selections() -> None:
    """A new programme: the pages' widgets and the link's parameters start afresh (their values are another
    programme's)."""
    for key in list(st.session_state):
        if key != PROGRAMME_KEY:
            del st.session_state[key]
    st.query_params.clear()


def programme_chooser() -> None:
    """The sidebar's programme selectbox (a caption when there is only one)."""
    try:
        found = programmes()
    except ValueError as exc:
        st.error(str(exc))
        st.stop()
    if len(found) == 1:
        st.sidebar.caption(f"Programme: {plain(found[0].label)}")
        return
    labels = {str(p.path): p.label for p in found}
    with st.sidebar:
        restore(PROGRAMME_PARAM, PROGRAMME_KEY, one_of({label: path for path, label in labels.items()}),
                str(found[0].path))
        st.selectbox("Programme", list(labels), format_func=labels.__getitem__, key=PROGRAMME_KEY,
                     on_change=_forget_page_selections)
    keep({**st.query_params.to_dict(), PROGRAMME_PARAM: labels[str(st.session_state[PROGRAMME_KEY])]})


# --- loading a release's model, in the background or for a page ---------------------------------------------

MODEL_MODULES = ("policygraph.app.read.tables", "policygraph.app.read.views", "policygraph.app.read.navigate")
PAGE_MODULES = ("policygraph.app.exports", "pandas.io.formats.style")  # Styler: the Services page


def _is_loaded(release: Release) -> bool:
    return release.core_sha256 in loaded_models()


def _warm(path: Path) -> None:
    """Load a build's model and what the pages read of it; a failure is left for the page that needs it."""
    try:
        release = Release.current(path)
        if not _is_loaded(release):
            model = release.model()
            _ = (model.cells, model.expectations, model.trace_graph)
    except Exception:
        log.info("could not load %s in the background", path, exc_info=True)


def prepare_pages() -> None:
    """startup.begin's work: the model's libraries, the default build's model, the drawing libraries, then the
    other builds' models."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
    startup.ready(startup.MODEL)
    builds = [path for _, path in configured_builds()]
    if builds:
        _warm(builds[0])
    for name in PAGE_MODULES:
        importlib.import_module(name)
    startup.ready(startup.PAGES)
    for path in builds[1:]:
        _warm(path)


def require_release() -> Release:
    """The session's current release, or stop the page with a clear message if there is no build."""
    path = build_dir()
    try:
        return Release.current(path)
    except NoBuild:
        st.error(f"No build in {path}. Run `policygraph build` first (for another folder: "
                 f"`policygraph --build-dir {path} build --data DIR`).")
        st.stop()
        raise  # st.stop() raises; for the type checker


def require_model() -> Release:
    """The session's release with its model loaded, or stop the page with a clear message."""
    release = require_release()
    try:
        if not _is_loaded(release):
            with st.spinner(f"Loading {plain(release.programme)} (once per build; a national programme takes a "
                            "while)…"):
                startup.wait(startup.MODEL)
                release.model()
    except Exception as exc:  # noqa: BLE001 - any unreadable build: say which and why, never a traceback
        st.error(f"Could not read the build in {release.path}: {type(exc).__name__}: {exc}. Rebuild it with "
                 f"`policygraph --build-dir {release.build_dir} build --data DIR`.")
        st.stop()
    return release


def overview(release: Release) -> Overview:
    """The Overview's tables: as the build stored them (no wait for the model, nor for the libraries it needs),
    else computed from the model."""
    found = read_overview(release.overview_file)
    if found is not None:
        return found
    startup.wait(startup.MODEL)
    from policygraph.app.read.tables import overview as computed  # noqa: PLC0415 - the model's libraries

    return cached(computed, require_model())


@st.cache_resource(show_spinner=False, max_entries=256)
def _per_release(_fn: Callable[..., object], name: str, path: str, key: str, args: tuple[object, ...]) -> object:
    del name, key  # the cache key: which function, which release content
    return _fn(Release.open(Path(path)), *args)


def cached(fn: Callable[..., T], release: Release, *args: object) -> T:
    """`fn(release, *args)`, computed once per release content and arguments, shared by every session
    (so results are read-only)."""
    return cast(T, _per_release(fn, f"{fn.__module__}.{fn.__qualname__}", str(release.path), release.core_sha256,
                                args))


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
