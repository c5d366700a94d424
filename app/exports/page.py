"""Self-contained HTML pages holding one or more views: no request leaves the page (scripts and styles
inlined), and every id of a view starts with that view's own id, so views can share a page or be embedded
in another one (docs/embedding.md)."""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Sequence


def script_json(value: object) -> str:
    """JSON to put inside a <script> element: '<', '>' and '&' escaped so that no label can close it."""
    return (json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def dom_id(*parts: str) -> str:
    """A stable id for a view from what identifies it (kind, filters, the build): 'pg-' and 10 hex digits."""
    return "pg-" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:10]


def unique_ids(ids: Sequence[str]) -> list[str]:
    """`ids` with a suffix added to any repeated one (the same view twice on a page)."""
    seen: dict[str, int] = {}
    out = []
    for found in ids:
        seen[found] = seen.get(found, 0) + 1
        out.append(found if seen[found] == 1 else f"{found}-{seen[found]}")
    return out


BASE_CSS = """
body { font-family: system-ui, "DejaVu Sans", sans-serif; margin: 0.6rem; color: #212121; }
.pg-view { margin: 0 0 1.5rem 0; } .pg-view h2 { font-size: 1.25rem; margin: 0.2rem 0; }
.pg-note { color: #b71c1c; margin: 0.2rem 0; }
"""


def render_page(title: str, sections: Sequence[str], *, css: Sequence[str] = (), scripts: Sequence[str] = ()) -> str:
    """A complete offline page of `sections` (each from a view's section function)."""
    inline = "".join(f"<script>{s}</script>" for s in scripts)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<meta name="generator" content="policygraph">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<style>{BASE_CSS}{''.join(css)}</style>{inline}</head>\n<body>\n{chr(10).join(sections)}\n</body></html>\n")
