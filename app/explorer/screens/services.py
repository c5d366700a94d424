"""Services over time: the configuration table from the graph, coloured by orientation, with adaptations and
measures.

Every service at once up to ALL_AT_ONCE services; a national programme (150 services x 36 quarters)
opens on its first service, and "(all)" stays one click away."""

import pandas as pd
import streamlit as st

from policygraph.app.explorer.common import cached, require_model, table
from policygraph.app.explorer.permalink import ALL_SERVICES, one_of, restore, service_options, share
from policygraph.app.explorer.text import plain
from policygraph.app.read.tables import (
    adaptations_heading,
    adaptations_table,
    findings_table,
    measures_table,
    service_ids,
    services_matrix,
)

ALL_AT_ONCE = 20

release = require_model()
ids = cached(service_ids, release)
st.title("Services over time")
options = service_options(ids)
restore("service", "services-service", one_of(options), ALL_SERVICES if len(ids) <= ALL_AT_ONCE else ids[0])
picked = st.selectbox("Service", list(options.values()), key="services-service")
service = None if picked == ALL_SERVICES else picked
share("services", {"service": service or "all"})
matrix = cached(services_matrix, release, service)
st.caption(plain(matrix.legend.caption()) + ".")
frame = pd.DataFrame(matrix.rows, columns=matrix.columns)
colours = pd.DataFrame([["", "", *(f"background-color: {matrix.legend.colours[o]}" for o in row)]
                        for row in matrix.orientations], columns=matrix.columns)
st.dataframe(frame.style.apply(lambda _: colours, axis=None), hide_index=True, width="stretch",
             key="services-matrix")
st.subheader(plain(adaptations_heading(release)))
table(cached(adaptations_table, release, service), "services-adaptations")
st.subheader(plain(f"Fidelity and {release.model().drift_name}"))
table(cached(measures_table, release, service), "services-measures")
st.subheader("What the sources say" + ("" if service is None else f" about {service}"))
table(cached(findings_table, release, service), "services-findings")
