"""Data text for the Markdown-reading Streamlit calls (light: main.py uses it before the pages' libraries are
ready)."""

import re

# Markdown that st.title / st.write / st.caption would act on: inline syntax anywhere (emphasis, code,
# links and images, raw HTML, entities, $math$, :colour[] and :emoji:, tables) and block syntax at a
# line's start (headings, lists, rules).
_INLINE = re.compile(r"([\\`*_\[\]<>$~:|&{}])")
_BLOCK = re.compile(r"^(\s*)(\d+(?=[.)])|)([#+\-=.)])", re.M)


def plain(text: str) -> str:
    """Data text (labels, descriptions, a link's parameters) escaped so that it shows as written: no emphasis,
    link, image, math or colour from data."""
    return _BLOCK.sub(r"\1\2\\\3", _INLINE.sub(r"\\\1", text))
