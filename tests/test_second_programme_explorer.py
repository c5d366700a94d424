"""Every explorer page under AppTest on the made-up second programme (tests/programmes/community-pantries):
each renders without an exception, shows the programme's own headers, words and measure, and no page says
anything of the first programme."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from second_programme import (
    PERIODS,
    SERVICES,
    TITLE,
    UNKNOWN_SERVICE,
    build_pantries,
    dimensions,
    first_programme_words,
)
from streamlit.testing.v1 import AppTest
from support import REPO

ENTRY = REPO / "app" / "explorer" / "main.py"
BASE = "https://w3id.org/policygraph/id/community-pantries/"


@pytest.fixture(scope="module")
def pantries(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_pantries(tmp_path_factory.mktemp("pantries-explorer") / "build")


@pytest.fixture
def app(pantries: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("POLICYGRAPH_BUILDS", json.dumps([["Pantries", str(pantries)]]))
    started = AppTest.from_file(str(ENTRY), default_timeout=90).run()
    _ok(started)
    return started


def _ok(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]
    shown = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning")
             for e in getattr(app, kind)]
    shown += [str(c) for df in app.dataframe for c in _frame(df.value).columns]
    shown += [str(v) for df in app.dataframe for v in _frame(df.value).astype(str).to_numpy().ravel()]
    assert first_programme_words(" ".join(shown)) == []


def _frame(value: object) -> object:
    return value.data if hasattr(value, "data") else value  # a Styler holds its frame in .data


def _page(app: AppTest, name: str) -> AppTest:
    app.switch_page(f"screens/{name}.py").run()
    _ok(app)
    return app


def test_overview(app: AppTest) -> None:
    assert app.title[0].value == TITLE
    assert any("Programme: Pantries" in c.value for c in app.sidebar.caption)
    services = app.dataframe[2].value
    assert list(services["service"]) == SERVICES
    assert services.set_index("service").loc[UNKNOWN_SERVICE, "description (verbatim)"] == "unknown"
    coverage = app.dataframe[3].value.set_index("service")
    assert coverage.loc[UNKNOWN_SERVICE, "known share"] == "0%"
    assert coverage.loc["P1", "known cells"] == "21"


def test_services_over_time_uses_the_programmes_headers_and_measure(app: AppTest) -> None:
    _page(app, "services")
    assert app.selectbox(key="services-service").options == ["(all)", *SERVICES]
    matrix, _adaptations, measures, findings = (df.value for df in app.dataframe)
    assert list(findings["about"]) == ["P1, community-pantries"]  # its one finding, about P1 and the programme
    frame = _frame(matrix)
    assert list(frame.columns)[2:] == [d["header"] for d in dimensions()]
    assert (frame[frame["service"] == UNKNOWN_SERVICE].iloc[:, 2:] == "unknown").all().all()
    assert list(frame[frame["service"] == "P1"]["period"]) == ["Launch", "Year one", "Year three"]
    measures = measures.set_index(["service", "period"])
    assert measures.loc[("P1", "year-three"), "statutorisation"] == "100.0%"
    assert measures.loc[(UNKNOWN_SERVICE, PERIODS[0]), "statutorisation"] == "insufficient data"


def test_vision_network_and_path(app: AppTest) -> None:
    _page(app, "vision")
    app.selectbox(key="vision-service").select("P1").run()
    _ok(app)
    assert app.selectbox(key="vision-node").options
    _page(app, "network")
    assert app.selectbox(key="network-centre").value == f"{BASE}service/P1"
    app.text_input(key="network-centre-search").input("Fourth pantry").run()
    _ok(app)
    assert app.selectbox(key="network-centre").value == f"{BASE}service/{UNKNOWN_SERVICE}"
    _page(app, "path")  # from the node last focused on to the first pantry
    assert app.selectbox(key="path-from").value == f"{BASE}service/{UNKNOWN_SERVICE}"
    assert app.selectbox(key="path-to").value == f"{BASE}service/P1"


def test_query_and_export(app: AppTest) -> None:
    _page(app, "query")
    names = {option.split(":")[0] for option in app.selectbox(key="query-name").options}
    assert {"configuration-table", "drift", "frame-adaptations"} <= names
    assert "table2" not in names
    app.selectbox(key="query-name").select("configuration-table").run()
    app.text_input(key="param-configuration-table-service").input(UNKNOWN_SERVICE).run()
    app.button(key="query-run").click().run()
    _ok(app)
    result = app.dataframe[0].value
    assert len(result) == len(PERIODS) * 7
    assert set(result["value"]) == {"unknown"}
    _page(app, "export")
    app.selectbox(key="export-service").select("P2").run()
    app.radio(key="export-format").set_value("csv").run()
    _ok(app)
    assert "Hilltop pantry" in app.main.code[0].value
