"""Overview: the programme, its documents and intents, the services, the timeline, data coverage."""

import streamlit as st

from app.explorer.common import cached, plain, require_build, table
from app.page_data import overview

data = cached(overview, require_build())
st.title(plain(data.programme))
st.write(plain(data.description))
st.subheader("Policy documents")
table(data.documents, "overview-documents")
st.subheader("Policy intents")
table(data.intents, "overview-intents")
st.subheader("Services (case studies)")
table(data.services, "overview-services")
st.subheader("Data coverage: known vs unknown cells")
table(data.coverage, "overview-coverage")
st.subheader("Timeline")
table(data.timeline, "overview-timeline")
