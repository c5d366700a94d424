"""A view's state in its URL (app/explorer/permalink.py) under Streamlit's AppTest: every page shows the link to
its view, a new session opened with that link's parameters shows the same view, the entry page follows a
link's `page=`, and a link the explorer cannot show is said, never a traceback."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from policygraph.app.explorer.permalink import PAGES

EXPLORER = Path(__file__).resolve().parents[1] / "app" / "explorer"
BASE = "https://w3id.org/policygraph/id/health-trainers/"


@pytest.fixture(autouse=True)
def _build_env(build_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYGRAPH_BUILD", str(build_dir))
    monkeypatch.delenv("POLICYGRAPH_BUILDS", raising=False)


def _open(script: str, params: dict[str, str] | None = None) -> AppTest:
    app = AppTest.from_file(str(EXPLORER / script), default_timeout=90)
    for name, value in (params or {}).items():
        app.query_params[name] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _page(name: str, params: dict[str, str] | None = None) -> AppTest:
    return _open(f"screens/{name}.py", params)


def _link(app: AppTest) -> tuple[str, dict[str, str]]:
    """The page's shared link: its path and its parameters."""
    codes = [c.value for c in app.sidebar.code]
    assert len(codes) == 1, codes
    url = urlsplit(codes[0])
    return url.path, dict(parse_qsl(url.query))


def _reopen(app: AppTest) -> AppTest:
    """A new session opened with the page's link, through the entry page as a browser would."""
    _, params = _link(app)
    return _open("main.py", params)


def _iframe(app: AppTest) -> str:
    frames = list(app.get("iframe"))
    assert frames, "no iframe on the page"
    return str(frames[0].proto.srcdoc)


def _warnings(app: AppTest) -> list[str]:
    return [w.value for w in app.warning]


def test_every_page_shows_the_link_to_its_view() -> None:
    for name in PAGES:
        path, params = _link(_page(name))
        assert path == "/"
        assert params.get("page") == (None if name == "overview" else name)


def test_network_link_reopens_the_same_view() -> None:
    app = _page("network")
    app.text_input(key="network-centre-search").input("Case study D").run()
    app.slider(key="network-hops").set_value(2).run()
    app.slider(key="network-cap").set_value(40).run()
    assert _link(app)[1] == {"page": "network", "node": "service/D", "depth": "2", "cap": "40"}
    assert dict(app.query_params) == {"node": "service/D", "depth": "2", "cap": "40"}  # the page's own URL too
    again = _reopen(app)
    assert again.title[0].value == "Network"
    assert again.selectbox(key="network-centre").value == f"{BASE}service/D"
    assert again.slider(key="network-hops").value == 2
    assert _iframe(again) == _iframe(app)
    assert _warnings(again) == _warnings(app)


def test_path_link_reopens_the_same_paths() -> None:
    app = _page("path")
    app.text_input(key="path-from-search").input("GP referrals").run()
    app.text_input(key="path-to-search").input("Case study E").run()
    app.slider(key="path-max").set_value(2).run()
    params = _link(app)[1]
    assert params == {"page": "path", "from": "concept/primary-referral-sources/gp-referral",
                      "to": "service/E", "paths": "2"}
    again = _reopen(app)
    assert again.title[0].value == "Path between nodes"
    assert _iframe(again) == _iframe(app)
    assert again.dataframe[0].value.equals(app.dataframe[0].value)


@pytest.mark.parametrize(("page", "params", "widgets"), [
    ("vision", {"intent": "peer-support-from-next-door", "service": "D"},
     {"vision-intent": "Peer support from next door", "vision-service": "D"}),
    ("services", {"service": "C"}, {"services-service": "C"}),
    ("services", {"service": "all"}, {"services-service": "(all)"}),
    ("export", {"intent": "peer-support-from-next-door", "service": "B", "format": "csv"},
     {"export-intent": "Peer support from next door", "export-service": "B", "export-format": "csv"}),
    ("query", {"query": "drift"}, {"query-name": "drift"}),
])
def test_a_link_restores_each_pages_choices(page: str, params: dict[str, str], widgets: dict[str, str]) -> None:
    app = _page(page, params)
    assert not _warnings(app)
    for key, value in widgets.items():
        assert app.session_state[key] == value
    assert _link(app)[1] == {"page": page, **params}
    again = _reopen(app)
    for key, value in widgets.items():
        assert again.session_state[key] == value


@pytest.mark.parametrize(("page", "params", "said", "key", "default"), [
    ("network", {"node": "service/Z"}, "node='service/Z' cannot be shown (no node 'service/Z' in this programme)",
     "network-centre", f"{BASE}service/A"),
    ("network", {"depth": "9"}, "depth='9' cannot be shown (not a number from 1 to 3)", "network-hops", 1),
    ("network", {"depth": "two"}, "depth='two' cannot be shown (not a whole number)", "network-hops", 1),
    ("network", {"cap": "15"}, "cap='15' cannot be shown (not a number from 10 to 300 in steps of 10)",
     "network-cap", 80),
    ("path", {"to": "nowhere"}, "to='nowhere' cannot be shown (no node 'nowhere' in this programme)", "path-to",
     f"{BASE}service/A"),
    ("path", {"paths": "0"}, "paths='0' cannot be shown (not a number from 1 to 10)", "path-max", 3),
    ("vision", {"intent": "world-peace"}, "intent='world-peace' cannot be shown (not one of ", "vision-intent",
     "Peer support from next door"),
    ("services", {"service": "Z"}, "service='Z' cannot be shown (not one of all, A, B, C, D, E, F)",
     "services-service", "(all)"),
    ("export", {"format": "docx"}, "format='docx' cannot be shown (not one of html, svg", "export-format", "html"),
    ("query", {"query": "drop"}, "query='drop' cannot be shown (not one of ", "query-name", "adaptations"),
])
def test_a_link_the_page_cannot_show_is_said_and_the_default_shown(page: str, params: dict[str, str], said: str,
                                                                   key: str, default: object) -> None:
    app = _page(page, params)
    refused = [w.replace("\\", "") for w in _warnings(app) if "cannot be shown" in w]  # Markdown escapes off
    assert len(refused) == 1, _warnings(app)
    assert refused[0].startswith(f"The link's {said}")
    assert refused[0].endswith("; showing the default instead.")
    assert app.session_state[key] == default


def test_a_link_with_markup_shows_it_as_text() -> None:
    app = _page("network", {"node": "**bold** <img src=x>"})
    warning = app.warning[0].value
    assert "\\*\\*bold\\*\\*" in warning
    assert "\\<img src=x\\>" in warning


def test_the_entry_page_follows_a_links_page() -> None:
    app = _open("main.py", {"page": "network", "node": "service/C", "depth": "2"})
    assert app.title[0].value == "Network"
    assert app.selectbox(key="network-centre").value == f"{BASE}service/C"
    assert dict(app.query_params) == {"node": "service/C", "depth": "2", "cap": "80"}  # page= done with


def test_the_entry_page_says_when_a_links_page_is_unknown() -> None:
    app = _open("main.py", {"page": "nowhere", "node": "service/C"})
    assert app.title[0].value == "National Health Trainers Service (England)"
    assert _warnings(app) == ["The link's page='nowhere' is not a page of the explorer (one of overview, vision, "
                              "services, network, path, query, export); showing the Overview."]
    assert dict(app.query_params) == {}  # the Overview has no state of its own


def test_the_overview_by_name_is_the_overview() -> None:
    app = _open("main.py", {"page": "overview"})
    assert app.title[0].value == "National Health Trainers Service (England)"
    assert not _warnings(app)
