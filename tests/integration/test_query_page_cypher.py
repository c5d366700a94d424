"""The explorer's Query page on a real Neo4j: named queries on the Cypher engine, ad-hoc Cypher, writes refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from policygraph.graph.neo4j_store import Neo4jSettings

pytestmark = pytest.mark.neo4j
QUERY_PAGE = Path(__file__).resolve().parents[2] / "app" / "explorer" / "screens" / "query.py"


def _page(build_dir: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("POLICYGRAPH_BUILD", str(build_dir))
    app = AppTest.from_file(str(QUERY_PAGE), default_timeout=60).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_named_query_on_cypher(case_in_neo4j: Neo4jSettings, build_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = _page(build_dir, monkeypatch)
    app.selectbox(key="query-name").select("table2").run()
    assert app.radio(key="query-engine").options == ["sparql", "cypher"]
    app.radio(key="query-engine").set_value("cypher").run()
    app.button(key="query-run").click().run()
    assert not app.error, [e.value for e in app.error]
    assert len(app.dataframe[0].value) == 12


def test_adhoc_cypher_reads_and_refuses_writes(case_in_neo4j: Neo4jSettings, build_dir: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    app = _page(build_dir, monkeypatch)
    app.button(key="cypher-run").click().run()
    assert not app.error, [e.value for e in app.error]
    assert list(app.dataframe[0].value["service"]) == list("ABCDEF")
    app.text_area(key="cypher-text").input("MATCH (n) DETACH DELETE n").run()
    app.button(key="cypher-run").click().run()
    assert any("read-only" in e.value or "refused" in e.value for e in app.error)
    app.text_area(key="cypher-text").input("MATCH (s:Service) RETURN count(s) AS n").run()
    app.button(key="cypher-run").click().run()
    assert app.dataframe[0].value["n"].tolist() == ["6"]
