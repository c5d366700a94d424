"""Overview: the programme, its documents and intents, the services, the timeline, data coverage.

The first page a visitor sees: shown from the tables the build stored in the release, without waiting for
the programme's model (which a national programme takes seconds to load)."""

import streamlit as st

from policygraph.app.explorer.common import overview, require_release, table
from policygraph.app.explorer.permalink import share
from policygraph.app.explorer.text import plain

data = overview(require_release())
st.title(plain(data.programme))
st.write(plain(data.description))
if data.headline:
    st.markdown("\n".join(f"- {plain(line)}" for line in data.headline))
st.subheader("Policy documents")
table(data.documents, "overview-documents")
st.subheader("Policy intents")
table(data.intents, "overview-intents")
st.subheader("Services" if data.services_word == "services" else f"Services ({plain(data.services_word)})")
table(data.services, "overview-services")
st.subheader("Data coverage: known vs unknown cells")
table(data.coverage, "overview-coverage")
st.subheader("Timeline")
table(data.timeline, "overview-timeline")
share("overview", {})
