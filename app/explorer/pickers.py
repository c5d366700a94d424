"""The node picker of the Network and Path pages: a search by label or identifier (any node kind), a kind
filter, and the matching nodes; the chosen node is kept in the URL by its short name.

A national programme has tens of thousands of nodes: the list holds the SEARCH_LIMIT best matches, and the
search moves the choice to its best match as soon as it is entered (as a graph tool's search box does).
"""

from __future__ import annotations

import streamlit as st

from policygraph.app.explorer.permalink import restore
from policygraph.app.explorer.text import plain
from policygraph.app.read.navigate import SEARCH_LIMIT, Links, Node

ALL = "(all kinds)"
FOCUSED = "focused-node"  # session key: the Network page's last centre, where the Path page starts from


def _kind(key: str) -> str | None:
    kind = st.session_state.get(f"{key}-kind", ALL)
    return None if kind == ALL else str(kind)


def _best_match(found: Links, key: str) -> None:
    """on_change of the search and the kind: the choice moves to the best match, if any."""
    matches, _ = found.search(str(st.session_state.get(f"{key}-search", "")), _kind(key), limit=1)
    if matches:
        st.session_state[key] = matches[0].iri


def node_picker(found: Links, key: str, label: str, default: Node, param: str) -> Node:
    """The search, kind and node widgets (keys `key`-search, `key`-kind and `key`); returns the chosen node,
    restored from the link's `param` (a short name or IRI) on the session's first run of the page."""
    restore(param, key, lambda raw: found.named(raw).iri, default.iri)
    kinds = found.kinds()
    # More nodes than the list holds: it opens on the chosen node's kind.
    st.session_state.setdefault(f"{key}-kind", found.nodes[str(st.session_state[key])].kind
                                if len(found.nodes) > SEARCH_LIMIT else ALL)
    search, kinds_column, choice = st.columns([2, 1, 3])
    text = search.text_input("Search by label or identifier", key=f"{key}-search", on_change=_best_match,
                             args=(found, key), placeholder="part of a label, or an identifier")
    kinds_column.selectbox("Kind", [ALL, *kinds], key=f"{key}-kind", on_change=_best_match, args=(found, key),
                           format_func=lambda k: f"{k} ({len(found.nodes) if k == ALL else kinds[k]})")
    kind = _kind(key)
    matches, total = found.search(text, kind)
    options = [n.iri for n in matches]
    current = str(st.session_state[key])
    if current not in options:  # the node shown stays in the list (first) until another is chosen
        options.insert(0, current)
    chosen = choice.selectbox(label, options, key=key,
                              format_func=lambda iri: f"{found.nodes[iri].label} ({found.nodes[iri].kind})")
    if not matches:
        st.info(plain(f"No node{'' if kind is None else f' of kind {kind}'} has {text!r} in its label or "
                      "identifier."))
    elif total > SEARCH_LIMIT:
        st.caption(f"The list holds the best {SEARCH_LIMIT} of {total} matching nodes: type more of a label "
                   "or choose a kind to narrow it.")
    return found.nodes[str(chosen)]
