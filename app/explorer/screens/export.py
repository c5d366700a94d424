"""Export: the vision-to-practice view (or a neighbourhood) in presentation and analysis formats."""

import streamlit as st

from app.analysis import loaded_build
from app.explorer.common import plain, require_build
from app.exports import MEDIA_TYPES, export
from app.views import vision_view

LABELS = {"html": "Offline HTML page", "svg": "SVG (slides)", "png": "PNG (slides)", "gexf": "GEXF (Gephi)",
          "graphml": "GraphML", "cyjs": "Cytoscape JSON", "ttl": "Turtle (RDF)", "jsonld": "JSON-LD (RDF)",
          "csv": "CSV of the claims with citations"}

build = require_build()
model = loaded_build(build).model
intents = {"(all intents)": None, **{model.label(i): model.ident(i) for i in {e.intent for e in model.expectations}}}
st.title("Export")
left, right = st.columns(2)
intent = left.selectbox("Intent", sorted(intents, key=lambda k: (intents[k] is not None, k)), key="export-intent")
services = ["(all)", *(model.ident(s) for s in model.services)]
service = right.selectbox("Service", services, key="export-service")
view = vision_view(build, intents[intent], None if service == "(all)" else service)
st.caption(f"{plain(view.title)}: {view.graph.number_of_nodes()} nodes, {view.graph.number_of_edges()} links")
fmt = st.radio("Format", list(MEDIA_TYPES), format_func=LABELS.__getitem__, key="export-format", horizontal=True)
st.download_button(f"Download {LABELS[fmt]}", export(build, view, fmt), f"policygraph-vision.{fmt}",
                   MEDIA_TYPES[fmt], key="export-download")
