"""Vision → practice: a layered view from documents to delivered practice, with evidence."""

import streamlit as st

from policygraph.app.explorer.common import cached, require_model
from policygraph.app.explorer.permalink import ALL_SERVICES, one_of, restore, service_options, share
from policygraph.app.exports.html import drawn_vision
from policygraph.app.read.tables import intent_choices, service_ids

release = require_model()
intents = cached(intent_choices, release)
st.title("From policy vision to delivered practice")
left, right = st.columns(2)
restore("intent", "vision-intent", one_of({ident: label for label, ident in intents}), intents[0][0])
intent_label = left.selectbox("Intent", [label for label, _ in intents], key="vision-intent")
services = service_options(cached(service_ids, release))
restore("service", "vision-service", one_of(services), ALL_SERVICES)
service = right.selectbox("Service", list(services.values()), key="vision-service")
intent = dict(intents)[intent_label]
share("vision", {"intent": intent, "service": next(k for k, v in services.items() if v == service)})
drawn = cached(drawn_vision, release, intent, None if service == "(all)" else service)
view = drawn.view
for note in view.notes:
    st.warning(note)
st.caption("Each mark: a service's value in one period, green = consistent with the intent's expectation, red = "
           "departed, grey = unknown; click one for its evidence. Below the picture, every hop as a network.")
st.iframe(drawn.html, height=1400)

st.subheader("Evidence")
nodes = sorted(view.graph.nodes, key=lambda n: (view.graph.nodes[n]["layer"], view.graph.nodes[n]["label"]))
chosen = st.selectbox("Node", nodes, format_func=lambda n: view.graph.nodes[n]["label"], key="vision-node")
attrs = view.graph.nodes[chosen]
st.markdown(f"**Status:** {attrs['status']}")
st.dataframe([{"source": sid, "locator": locator} for sid, locator in attrs["evidence"]], hide_index=True,
             key="vision-evidence")
incoming = [(a, view.graph.edges[a, chosen]) for a in view.graph.predecessors(chosen)]
if incoming:
    st.dataframe([{"from": view.graph.nodes[a]["label"], "relation": e["relation"], "status": e["status"],
                   "evidence": "; ".join(f"{sid} ({loc})" for sid, loc in e["evidence"])} for a, e in incoming],
                 hide_index=True, key="vision-edges")
