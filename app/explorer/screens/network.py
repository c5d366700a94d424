"""Network: the neighbourhood of any node, expandable, capped, with positions that stay put.

The centre is picked by kind and label; a national programme has ~19,000 nodes, so the list holds at
most MAX_OPTIONS of them (the filter narrows it) and opens on the services."""

from collections import Counter

import streamlit as st

from policygraph.app.explorer.common import cached, require_model
from policygraph.app.exports.html import drawn_neighbourhood
from policygraph.app.read.tables import node_choices

MAX_OPTIONS = 500
ALL = "(all)"

release = require_model()
choices = cached(node_choices, release)
kinds = Counter(c.kind for c in choices)
st.title("Network")
kind_options = [ALL, *sorted(kinds)]
start_kind = kind_options.index("Service") if len(choices) > MAX_OPTIONS and "Service" in kinds else 0
left, right = st.columns(2)
kind = left.selectbox("Kind", kind_options, index=start_kind, key="network-kind",
                      format_func=lambda k: f"{k} ({len(choices) if k == ALL else kinds[k]})")
text = right.text_input("Filter by label", key="network-filter").strip().lower()
matching = [c for c in choices if kind in (ALL, c.kind) and text in c.label.lower()]
if not matching:
    st.info("No node of this kind has that text in its label.")
    st.stop()
shown = matching[:MAX_OPTIONS]
labels = {c.iri: c.label for c in shown}
# No default centre of our own: the first node listed (the choice is the user's).
centre = st.selectbox("Centre node", list(labels), index=0, format_func=labels.__getitem__,
                      key="network-centre")
if len(matching) > MAX_OPTIONS:
    st.caption(f"The list holds the first {MAX_OPTIONS} of {len(matching)} matching nodes: choose a kind or "
               "type part of a label to narrow it.")
left, right = st.columns(2)
hops = left.slider("Hops", 1, 3, 1, key="network-hops")
cap = right.slider("Node cap", 10, 300, 80, step=10, key="network-cap")
drawn = cached(drawn_neighbourhood, release, centre, hops, cap)
st.caption(f"{drawn.view.graph.number_of_nodes()} nodes, {drawn.view.graph.number_of_edges()} links")
for note in drawn.view.notes:
    st.warning(note)
st.iframe(drawn.html, height=720)
