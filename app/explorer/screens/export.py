"""Export: the vision-to-practice view (or a neighbourhood) in presentation and analysis formats."""

import streamlit as st

from policygraph.app.explorer.common import cached, plain, require_model
from policygraph.app.exports import MEDIA_TYPES, export_view
from policygraph.app.read.tables import intent_choices, service_ids
from policygraph.app.read.views import vision_view
from policygraph.app.release import Release


def _download(release: Release, intent: str | None, service: str | None, fmt: str) -> bytes:
    return export_view(release, fmt, intent=intent, service=service)


LABELS = {"html": "Offline HTML page", "svg": "SVG (slides)", "png": "PNG (slides)", "pdf": "PDF (slides)",
          "pptx": "PowerPoint deck", "gexf": "GEXF (Gephi)",
          "graphml": "GraphML", "cyjs": "Cytoscape JSON", "ttl": "Turtle (RDF)", "jsonld": "JSON-LD (RDF)",
          "csv": "CSV of the claims with citations"}

release = require_model()
intents: dict[str, str | None] = {"(all intents)": None, **dict(cached(intent_choices, release))}
st.title("Export")
left, right = st.columns(2)
intent = left.selectbox("Intent", sorted(intents, key=lambda k: (intents[k] is not None, k)), key="export-intent")
services = ["(all)", *cached(service_ids, release)]
service = right.selectbox("Service", services, key="export-service")
chosen = (intents[intent], None if service == "(all)" else service)
view = cached(vision_view, release, *chosen)
st.caption(f"{plain(view.title)}: {view.graph.number_of_nodes()} nodes, {view.graph.number_of_edges()} links")
for note in view.notes:
    st.warning(note)
fmt = st.radio("Format", list(MEDIA_TYPES), format_func=LABELS.__getitem__, key="export-format", horizontal=True)
st.download_button(f"Download {LABELS[fmt]}", cached(_download, release, *chosen, fmt), f"policygraph-vision.{fmt}",
                   MEDIA_TYPES[fmt], key="export-download")
