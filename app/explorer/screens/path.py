"""Path between nodes: the shortest paths linking two nodes of the programme's graph, drawn and as a table
of hops with each hop's evidence. The view is kept in the URL (from, to, paths)."""

import streamlit as st

from policygraph.app.explorer.common import cached, frame, require_model
from policygraph.app.explorer.permalink import number, restore, share
from policygraph.app.explorer.pickers import FOCUSED, node_picker
from policygraph.app.explorer.zoom import at_readable_zoom
from policygraph.app.exports.html import render_html
from policygraph.app.read.navigate import MAX_PATHS, default_ends, links, path_table, path_view, shortest_paths
from policygraph.graph.results import render

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
    st.iframe(at_readable_zoom(render_html(view, height="400px"), start.iri), height=500)
    st.subheader("Hops and their evidence")
    hops = path_table(paths)
    for note in hops.notes:
        st.warning(note)
    # Narrow numbers and arrows, so that the evidence is in view at slide width.
    st.dataframe(frame(hops), hide_index=True, key="path-result", column_config={
        "path": st.column_config.TextColumn(width=50), "hop": st.column_config.TextColumn(width=40),
        "direction": st.column_config.TextColumn(width=70), "from": st.column_config.TextColumn(width=220),
        "relation": st.column_config.TextColumn(width=120), "to": st.column_config.TextColumn(width=220),
        "evidence": st.column_config.TextColumn(width="large")})
    st.download_button("Download CSV", render(hops, "csv"), "path.csv", "text/csv", key="path-csv")
share("path", {"from": start.short, "to": end.short, "paths": str(most)})
