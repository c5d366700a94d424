"""Path between nodes: the shortest paths linking two nodes of the programme's graph, drawn and as a table
of hops with each hop's evidence. The view is kept in the URL (from, to, paths)."""

import streamlit as st

from policygraph.app.explorer.common import cached, require_model, result_table
from policygraph.app.explorer.permalink import number, restore, share
from policygraph.app.explorer.pickers import FOCUSED, node_picker
from policygraph.app.exports.html import render_html
from policygraph.app.read.navigate import MAX_PATHS, default_ends, links, path_table, path_view, shortest_paths

release = require_model()
found = cached(links, release)
st.title("Path between nodes")
start, end = default_ends(release, found)
focused = st.session_state.get(FOCUSED)  # from the node last focused on the Network page
if isinstance(focused, str) and focused in found.nodes and focused != end.iri:
    start = found.nodes[focused]
st.subheader("From")
start = node_picker(found, "path-from", "From node", start, "from")
st.subheader("To")
end = node_picker(found, "path-to", "To node", end, "to")
restore("paths", "path-max", number(1, MAX_PATHS), 3)
most = st.slider("Shortest paths shown at most", 1, MAX_PATHS, key="path-max")
if start.iri == end.iri:
    st.info("Choose two different nodes to see the paths between them.")
else:
    paths = shortest_paths(release, found, start.iri, end.iri, most)
    view = path_view(release, found, paths)
    st.caption(f"{len(paths.hops)} shortest path{'s' if len(paths.hops) != 1 else ''} of {paths.length} hops. "
               "Links: green = evidence recorded, grey = none recorded. Classes, the programme, status codes, "
               "provenance and evidence records are not walked.")
    st.iframe(render_html(view, height="520px"), height=620)
    st.subheader("Hops and their evidence")
    result_table(path_table(paths), "path.csv", "path")
share("path", {"from": start.short, "to": end.short, "paths": str(most)})
