"""Network: the neighbourhood of any node, expandable, capped, with positions that stay put."""

import streamlit as st

from app.explorer.common import require_build
from app.netview import render_html
from app.page_data import node_choices
from app.views import neighbourhood_view

build = require_build()
choices = node_choices(build)
labels = [label for label, _ in choices]
st.title("Network")
centre = st.selectbox("Centre node", labels, index=labels.index("Case study D") if "Case study D" in labels else 0,
                      key="network-centre")
left, right = st.columns(2)
hops = left.slider("Hops", 1, 3, 1, key="network-hops")
cap = right.slider("Node cap", 10, 300, 80, step=10, key="network-cap")
view = neighbourhood_view(build, dict(choices)[centre], hops, cap)
st.caption(f"{view.graph.number_of_nodes()} nodes, {view.graph.number_of_edges()} links")
for note in view.notes:
    st.warning(note)
st.iframe(render_html(view, height="620px"), height=720)
