"""policygraph explorer: the entry file only sets up navigation between the pages (and the sidebar's
programme chooser, when the explorer was started on several builds); once a page has run, the others are
prepared in the background (app/explorer/startup.py).

Every page answers at its own URL path (/vision, /network, ...). The Overview, the default page, is served
at the root; /overview is a hidden page running the same screen, since Streamlit gives a default page no
path of its own. A link from `permalink.share` opens the root with `page=`: it is switched to here.
"""

from pathlib import Path

import streamlit as st

from policygraph.app.explorer import permalink, startup
from policygraph.app.explorer.text import plain

SCREENS = Path(__file__).resolve().parent / "screens"
HOME, *OTHERS = permalink.PAGES

st.set_page_config(page_title="policygraph explorer", layout="wide")
pages = {name: st.Page(SCREENS / f"{name}.py", title=title, url_path=name) for name, title in permalink.PAGES.items()}
# The default page's own url_path is reserved though unused: the visible Overview takes "home" and is served at
# the root; the hidden alias answers /overview.
pages[HOME] = st.Page(SCREENS / f"{HOME}.py", title=permalink.PAGES[HOME], url_path="home", default=True)
alias = st.Page(SCREENS / f"{HOME}.py", title=permalink.PAGES[HOME], url_path=HOME, visibility="hidden")
navigation = st.navigation([*pages.values(), alias])
wanted = st.query_params.get(permalink.PAGE_PARAM)
if wanted is not None and navigation.url_path == "":
    rest = {k: v for k, v in st.query_params.to_dict().items() if k != permalink.PAGE_PARAM}
    if wanted in OTHERS:
        st.switch_page(pages[wanted], query_params=rest)
    st.query_params.from_dict(rest)
    if wanted != HOME:
        st.warning(plain(f"The link's page={wanted!r} is not a page of the explorer (one of "
                         f"{', '.join(permalink.PAGES)}); showing the Overview."))
if navigation.url_path not in ("", HOME):  # the Overview needs nothing the preparation imports
    startup.wait(startup.PAGES)
from policygraph.app.explorer.common import prepare_pages, programme_chooser  # noqa: E402 - after the wait above

programme_chooser()
navigation.run()
startup.begin(prepare_pages)
