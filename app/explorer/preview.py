"""The Export page's preview: the very bytes the download button offers, shown as the format allows (a page,
an image, the first lines of a text), so what is previewed is what is downloaded."""

from __future__ import annotations

import streamlit as st

from policygraph.app.explorer.text import plain

TEXT_LINES = 40
IMAGES = ("png", "jpeg", "jpg", "gif", "webp")
LANGUAGES = {"csv": None, "ttl": "turtle", "jsonld": "json", "cyjs": "json", "gexf": "xml", "graphml": "xml"}


def _text(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def preview(fmt: str, data: bytes, height: int = 640) -> None:
    """Show `data`, the export in format `fmt`."""
    text = _text(data)
    if fmt == "html" and text is not None:
        st.iframe(text, height=height)
    elif fmt in IMAGES:
        st.image(data)
    elif fmt == "svg" and text is not None:
        st.image(text)  # drawn as an <img>: nothing in an SVG runs
    elif text is not None:
        lines = text.splitlines()
        st.code("\n".join(lines[:TEXT_LINES]), language=LANGUAGES.get(fmt), height=min(height, 24 * TEXT_LINES))
        if len(lines) > TEXT_LINES:
            st.caption(f"The first {TEXT_LINES} of {len(lines):,} lines.")
    else:
        st.caption(plain(f"No preview for {fmt}: {len(data):,} bytes to download."))
