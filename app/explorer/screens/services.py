"""Services over time: Table 2 from the graph, coloured by orientation, with adaptations and measures."""

import pandas as pd
import streamlit as st

from app.explorer.common import require_build, table
from app.page_data import ORIENTATION_COLOURS, adaptations_table, measures_table, services_matrix

build = require_build()
matrix = services_matrix(build)
st.title("Services over time")
st.caption("Cells: green = community-oriented, red = NHS-or-medical-oriented, orange = mixed, "
           "light grey = neutral, dark grey = unknown.")
frame = pd.DataFrame(matrix.rows, columns=matrix.columns)
colours = pd.DataFrame([["", "", *(f"background-color: {ORIENTATION_COLOURS[o]}" for o in row)]
                        for row in matrix.orientations], columns=matrix.columns)
st.dataframe(frame.style.apply(lambda _: colours, axis=None), hide_index=True, width="stretch",
             key="services-matrix")
st.subheader("Adaptations between start-up and follow-up")
table(adaptations_table(build), "services-adaptations")
st.subheader("Fidelity and medicalisation")
table(measures_table(build), "services-measures")
