"""A view's state in its URL, so that a copied link reopens the same view in a new browser session.

Each page restores its widgets from `st.query_params` on the session's first run of it (`restore`, before the
widget is made; a value the page cannot show is said and replaced by the page's default) and writes them back
on every run (`keep`). `share` shows the link to the view in the sidebar: the explorer's root URL with `page=`
and the page's parameters (the root loads without Streamlit's probe of a page's own path; a page's own URL with
the same parameters opens the same view too). The programme is the parameter `programme` when the explorer
offers several.

Light on purpose: main.py imports it before the pages' libraries are ready.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar
from urllib.parse import urlencode

import streamlit as st

from policygraph.app.explorer.text import plain

PAGE_PARAM, PROGRAMME_PARAM = "page", "programme"
# Screen file (without .py) = its URL path, and its title in the sidebar; the first is the default page.
PAGES = {"overview": "Overview", "vision": "Vision → practice", "services": "Services over time",
         "network": "Network", "path": "Path between nodes", "query": "Query", "export": "Export"}
T = TypeVar("T")


def restore(param: str, key: str, parse: Callable[[str], T], default: T) -> None:
    """Before the widget `key` is made: its value from the link's `param` on the session's first run of the
    page (else `default`). `parse` turns the text into the widget's value, raising KeyError or ValueError
    (with the reason) when the page cannot show it."""
    if key in st.session_state:
        return
    raw = st.query_params.get(param)
    value = default
    if raw is not None:
        try:
            value = parse(raw)
        except (KeyError, ValueError) as exc:
            reason = exc.args[0] if exc.args else type(exc).__name__
            st.warning(plain(f"The link's {param}={raw!r} cannot be shown ({reason}); showing the default instead."))
    st.session_state[key] = value


def one_of(options: Mapping[str, str] | Sequence[str]) -> Callable[[str], str]:
    """A `parse` for a choice: the link's text must be one of `options` (a list, or link text -> value)."""
    choices = dict(options) if isinstance(options, Mapping) else {o: o for o in options}

    def parse(raw: str) -> str:
        if raw not in choices:
            names = list(choices)
            shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
            raise KeyError(f"not one of {shown}")
        return choices[raw]
    return parse


ALL_SERVICES = "(all)"


def service_options(ids: Sequence[str]) -> dict[str, str]:
    """A service picker's options by their text in a link: "all", then each service's identifier."""
    return {"all": ALL_SERVICES, **{i: i for i in ids}}


def number(low: int, high: int, step: int = 1) -> Callable[[str], int]:
    """A `parse` for a slider: a whole number from `low` to `high`, in steps of `step` from `low`."""
    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise ValueError("not a whole number") from None
        if not low <= value <= high or (value - low) % step:
            raise ValueError(f"not a number from {low} to {high}" + (f" in steps of {step}" if step > 1 else ""))
        return value
    return parse


def keep(params: Mapping[str, str]) -> None:
    """The page's state in the URL: `params`, with the programme's (another page's parameters dropped)."""
    current = st.query_params.to_dict()
    wanted = {k: v for k, v in current.items() if k == PROGRAMME_PARAM} | dict(params)
    if current != wanted:
        st.query_params.from_dict(wanted)


def link(page: str, params: Mapping[str, str]) -> str:
    """The URL that reopens `page` with `params` (and the programme): absolute when the browser said where
    the explorer is, else from the root."""
    url = st.context.url or ""
    root = url.removesuffix(f"/{page}").rstrip("/")
    query = {PAGE_PARAM: page} if page != next(iter(PAGES)) else {}
    programme = st.query_params.get(PROGRAMME_PARAM)
    if programme is not None:
        query[PROGRAMME_PARAM] = programme
    return f"{root}/?{urlencode(query | dict(params))}".removesuffix("?")


def share(page: str, params: Mapping[str, str]) -> None:
    """Keep the page's state in the URL and show the link to this view in the sidebar (with a copy button)."""
    keep(params)
    with st.sidebar.container(key="share"):
        st.caption("Link to this view (copy it to reopen the same view):")
        st.code(link(page, params), language=None, wrap_lines=True)
