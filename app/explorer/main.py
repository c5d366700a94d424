"""policygraph explorer: the entry file only sets up navigation between the pages (and the sidebar's
programme chooser, when the explorer was started on several builds); once a page has run, the others are
prepared in the background (app/explorer/startup.py)."""

from pathlib import Path

import streamlit as st

from policygraph.app.explorer import startup

PAGES = Path(__file__).resolve().parent / "screens"

st.set_page_config(page_title="policygraph explorer", layout="wide")
navigation = st.navigation([
    st.Page(PAGES / "overview.py", title="Overview", url_path="overview", default=True),
    st.Page(PAGES / "vision.py", title="Vision → practice", url_path="vision"),
    st.Page(PAGES / "services.py", title="Services over time", url_path="services"),
    st.Page(PAGES / "network.py", title="Network", url_path="network"),
    st.Page(PAGES / "query.py", title="Query", url_path="query"),
    st.Page(PAGES / "export.py", title="Export", url_path="export"),
])
if navigation.url_path != "":  # "": the default page, the Overview, needs nothing the preparation imports
    startup.wait(startup.PAGES)
from policygraph.app.explorer.common import prepare_pages, programme_chooser  # noqa: E402 - after the wait above

programme_chooser()
navigation.run()
startup.begin(prepare_pages)
