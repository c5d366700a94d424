"""Export: the vision-to-practice view in presentation and analysis formats, with a preview of exactly what
the download holds. The view is kept in the URL (intent, service, format)."""

import streamlit as st

from policygraph.app.explorer.common import cached, require_model
from policygraph.app.explorer.permalink import ALL_SERVICES, one_of, restore, service_options, share
from policygraph.app.explorer.preview import preview
from policygraph.app.explorer.text import plain
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

ALL_INTENTS = "(all intents)"

release = require_model()
intents: dict[str, str | None] = {ALL_INTENTS: None, **dict(cached(intent_choices, release))}
st.title("Export")
left, right = st.columns(2)
restore("intent", "export-intent", one_of({"all": ALL_INTENTS, **{i: label for label, i in intents.items() if i}}),
        ALL_INTENTS)
intent = left.selectbox("Intent", sorted(intents, key=lambda k: (intents[k] is not None, k)), key="export-intent")
services = service_options(cached(service_ids, release))
restore("service", "export-service", one_of(services), ALL_SERVICES)
service = right.selectbox("Service", list(services.values()), key="export-service")
chosen = (intents[intent], None if service == ALL_SERVICES else service)
view = cached(vision_view, release, *chosen)
st.caption(f"{plain(view.title)}: {view.graph.number_of_nodes()} nodes, {view.graph.number_of_edges()} links")
for note in view.notes:
    st.warning(note)
restore("format", "export-format", one_of(list(MEDIA_TYPES)), next(iter(MEDIA_TYPES)))
fmt = st.radio("Format", list(MEDIA_TYPES), format_func=lambda f: LABELS.get(f, f.upper()), key="export-format",
               horizontal=True)
data = cached(_download, release, *chosen, fmt)
st.download_button(f"Download {LABELS.get(fmt, fmt.upper())}", data, f"policygraph-vision.{fmt}", MEDIA_TYPES[fmt],
                   key="export-download")
st.subheader("Preview of the download")
preview(fmt, data)
share("export", {"intent": intents[intent] or "all", "service": chosen[1] or "all", "format": fmt})
