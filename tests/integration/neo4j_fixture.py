"""One Neo4j server for the whole test session, shared by tests/integration and tests/test_query_parity.py.

If NEO4J_URI is set, that server is used (and never emptied of anything but what the tests load).
Otherwise a server is provisioned (tools/neo4j) and started on a free port with a temporary data
dir, with authentication on (its generated password in the data dir, mode 0600); its address, user
and password are put in NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD for the session, so every test
reaches it through the password path. Without java/mvn the tests skip with one line - except on CI
(CI=true), where they must run.
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
from policygraph.graph.neo4j_load import empty_database
from policygraph.graph.neo4j_server import Neo4jServerConfig, provision, start, stop
from policygraph.graph.neo4j_store import ENV_PASSWORD, ENV_URI, ENV_USER, Neo4jSettings, Neo4jStore

_state: dict[str, object] = {}
_ENV = (ENV_URI, ENV_USER, ENV_PASSWORD)


def installed_home() -> Path:
    """The provisioned Neo4j install; skipped locally (never on CI) when java/mvn are missing."""
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing and os.environ.get("CI") != "true":
        pytest.skip(f"Neo4j tests need {' and '.join(missing)} on PATH")
    return provision()


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
        assert server.auth is not None, "the test server runs with authentication on"
        _state["config"] = config
        _state["environ"] = {name: os.environ.get(name) for name in _ENV}
        settings = Neo4jSettings(uri=server.uri, user=server.auth[0], password=server.auth[1])
        os.environ.update(zip(_ENV, (server.uri, *server.auth), strict=True))
    _state["settings"] = settings
    return settings


def release() -> None:
    """Stop the server this session started (a server given by NEO4J_URI is left running)."""
    config = _state.pop("config", None)
    _state.pop("settings", None)
    environ = _state.pop("environ", None)
    if isinstance(environ, dict):
        for name, value in environ.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    if isinstance(config, Neo4jServerConfig):
        stop(config)
        shutil.rmtree(config.data_dir, ignore_errors=True)


def clear(driver: Driver, database: str = "neo4j") -> None:
    empty_database(driver, database)


def ensure_loaded(settings: Neo4jSettings, build_dir: Path) -> None:
    """Load `build_dir` unless Neo4j already holds exactly it (a completed load of the same sha)."""
    sha = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))["graph_nt_sha256"]
    with Neo4jStore(settings) as store:
        loaded = store.loaded_build() or {}
    if not (loaded.get("complete") and loaded.get("build") == sha):
        Release.current(build_dir).load_neo4j(settings)
