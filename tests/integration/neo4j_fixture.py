"""One Neo4j server for the whole test session, shared by tests/integration and tests/test_query_parity.py.

If NEO4J_URI is set, that server is used (and never emptied of anything but what the tests load).
Otherwise a server is provisioned (tools/neo4j) and started on a free port with a temporary data
dir. Without java/mvn the tests skip with one line - except on CI (CI=true), where they must run.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from neo4j import Driver
from support import free_port

from policygraph.app.release import Release
from policygraph.graph.neo4j_server import Neo4jServerConfig, provision, start, stop
from policygraph.graph.neo4j_store import ENV_URI, Neo4jSettings, Neo4jStore

_state: dict[str, object] = {}



def acquire() -> Neo4jSettings:
    """The session's server (started on first use)."""
    if "settings" in _state:
        settings = _state["settings"]
        assert isinstance(settings, Neo4jSettings)
        return settings
    if os.environ.get(ENV_URI):
        settings = Neo4jSettings.from_env()
    else:
        missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
        if missing and os.environ.get("CI") != "true":
            pytest.skip(f"Neo4j tests need {' and '.join(missing)} on PATH (or NEO4J_URI)")
        data_dir = Path(tempfile.mkdtemp(prefix="policygraph-neo4j-"))
        config = Neo4jServerConfig(data_dir=data_dir, bolt_port=free_port(), home=provision())
        server = start(config)
        _state["config"] = config
        settings = Neo4jSettings(uri=server.uri)
    _state["settings"] = settings
    return settings


def release() -> None:
    """Stop the server this session started (a server given by NEO4J_URI is left running)."""
    config = _state.pop("config", None)
    _state.pop("settings", None)
    if isinstance(config, Neo4jServerConfig):
        stop(config)
        shutil.rmtree(config.data_dir, ignore_errors=True)


def clear(driver: Driver, database: str = "neo4j") -> None:
    driver.execute_query("MATCH (n) DETACH DELETE n", database_=database)


def ensure_loaded(settings: Neo4jSettings, build_dir: Path) -> None:
    """Load `build_dir` unless Neo4j already holds exactly it (a completed load of the same sha)."""
    sha = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))["graph_nt_sha256"]
    with Neo4jStore(settings) as store:
        loaded = store.loaded_build() or {}
    if not (loaded.get("complete") and loaded.get("build") == sha):
        Release.current(build_dir).load_neo4j(settings)
