"""Shared page helpers: which build to show, and tables as DataFrames."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import streamlit as st

from graph.results import QueryResult, render

# Markdown that st.title / st.write / st.caption would act on: inline syntax anywhere (emphasis, code,
# links and images, raw HTML, entities, $math$, :colour[] and :emoji:, tables) and block syntax at a
# line's start (headings, lists, rules).
_INLINE = re.compile(r"([\\`*_\[\]<>$~:|&{}])")
_BLOCK = re.compile(r"^(\s*)(\d+(?=[.)])|)([#+\-=.)])", re.M)


def plain(text: str) -> str:
    """Data text (labels, descriptions) for the Markdown-reading Streamlit calls, escaped so that it shows
    as written: no emphasis, link, image, math or colour from data."""
    return _BLOCK.sub(r"\1\2\\\3", _INLINE.sub(r"\\\1", text))


def build_dir() -> Path:
    return Path(os.environ.get("POLICYGRAPH_BUILD", "build"))


def frame(result: QueryResult) -> pd.DataFrame:
    return pd.DataFrame(result.rows, columns=result.columns)


def require_build() -> Path:
    """The build folder, or stop the page with a clear message if nothing was built."""
    path = build_dir()
    if not (path / "manifest.json").exists():
        st.error(f"No build in {path}. Run `policygraph build` first.")
        st.stop()
    return path


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
