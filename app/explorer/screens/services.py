"""Services over time: Table 2 from the graph, coloured by orientation, with adaptations and measures.

Every service at once up to ALL_AT_ONCE services; a national programme (150 services x 36 quarters)
opens on its first service, and "(all)" stays one click away."""

import pandas as pd
import streamlit as st

from policygraph.app.explorer.common import cached, require_model, table
from policygraph.app.read.tables import (
           ORIENTATION_COLOURS,
           adaptations_table,
           measures_table,
           service_ids,
           services_matrix,
)

ALL_AT_ONCE = 20

release = require_model()
ids = cached(service_ids, release)
st.title("Services over time")
options = ["(all)", *ids]
picked = st.selectbox("Service", options, index=0 if len(ids) <= ALL_AT_ONCE else 1, key="services-service")
service = None if picked == "(all)" else picked
matrix = cached(services_matrix, release, service)
st.caption("Cells: green = community-oriented, red = NHS-or-medical-oriented, orange = mixed, "
           "light grey = neutral, dark grey = unknown.")
frame = pd.DataFrame(matrix.rows, columns=matrix.columns)
colours = pd.DataFrame([["", "", *(f"background-color: {ORIENTATION_COLOURS[o]}" for o in row)]
                        for row in matrix.orientations], columns=matrix.columns)
st.dataframe(frame.style.apply(lambda _: colours, axis=None), hide_index=True, width="stretch",
             key="services-matrix")
st.subheader("Adaptations between start-up and follow-up")
table(cached(adaptations_table, release, service), "services-adaptations")
st.subheader("Fidelity and medicalisation")
table(cached(measures_table, release, service), "services-measures")
