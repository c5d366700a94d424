"""Network: search a node by label or identifier, focus on it: its neighbourhood to a chosen depth, capped,
with positions that stay put. The view is kept in the URL (node, depth, cap)."""

import streamlit as st

from policygraph.app.explorer.common import cached, require_model
from policygraph.app.explorer.permalink import number, restore, share
from policygraph.app.explorer.pickers import FOCUSED, node_picker
from policygraph.app.explorer.zoom import at_readable_zoom
from policygraph.app.exports.html import drawn_neighbourhood
from policygraph.app.read.navigate import default_node, links

release = require_model()
found = cached(links, release)
st.title("Network")
centre = node_picker(found, "network-centre", "Centre node", default_node(release, found), "node")
st.session_state[FOCUSED] = centre.iri
restore("depth", "network-hops", number(1, 3), 1)
restore("cap", "network-cap", number(10, 300, 10), 80)
left, right = st.columns(2)
hops = left.slider("Depth (hops from the centre)", 1, 3, key="network-hops")
cap = right.slider("Node cap", 10, 300, step=10, key="network-cap")
drawn = cached(drawn_neighbourhood, release, centre.iri, hops, cap)
st.caption(f"{drawn.view.graph.number_of_nodes()} nodes, {drawn.view.graph.number_of_edges()} links")
for note in drawn.view.notes:
    st.warning(note)
st.iframe(at_readable_zoom(drawn.html, centre.iri), height=720)
share("network", {"node": centre.short, "depth": str(hops), "cap": str(cap)})
