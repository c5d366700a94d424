"""Integration tests: a real Neo4j 5.26 server provisioned from Maven Central, over Bolt."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import TYPE_CHECKING

import pytest
from neo4j import GraphDatabase, ManagedTransaction
from support import free_port

from policygraph.graph.neo4j_server import (
    Neo4jServerConfig,
    Neo4jServerError,
    provision,
    start,
    status,
    stop,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = pytest.mark.neo4j



@pytest.fixture(scope="module")
def neo4j_home() -> Path:
    """Provisioned install; skipped locally (never on CI) when java/mvn are missing."""
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing and os.environ.get("CI") != "true":
        pytest.skip(f"Neo4j server tests need {' and '.join(missing)} on PATH")
    return provision()


@pytest.fixture
def config(tmp_path: Path, neo4j_home: Path) -> Iterator[Neo4jServerConfig]:
    """Config with a fresh data dir and free port; any server left running is stopped."""
    cfg = Neo4jServerConfig(data_dir=tmp_path / "neo4j", bolt_port=free_port(), home=neo4j_home)
    yield cfg
    stop(cfg)


def _create_doc(tx: ManagedTransaction, key: str) -> None:
    tx.run("CREATE (:PolicyDoc {key: $key, title: 'persist me'})", key=key).consume()


def _count_docs(tx: ManagedTransaction, key: str) -> int:
    record = tx.run("MATCH (d:PolicyDoc {key: $key}) RETURN count(d) AS n", key=key).single()
    assert record is not None
    n: int = record["n"]
    return n


def test_write_read_stop_restart_persists(config: Neo4jServerConfig) -> None:
    server = start(config)
    assert server.uri == f"bolt://127.0.0.1:{config.bolt_port}"
    assert config.pid_file.exists()
    assert status(config) == server.uri
    with (
        GraphDatabase.driver(server.uri, auth=server.auth) as driver,
        driver.session(database="neo4j") as session,
    ):
        session.execute_write(_create_doc, "doc-1")
        assert session.execute_read(_count_docs, "doc-1") == 1

    assert stop(config) is True
    assert status(config) is None
    assert not config.pid_file.exists()
    assert stop(config) is False

    restarted = start(config)
    assert restarted.pid != server.pid
    with (
        GraphDatabase.driver(restarted.uri, auth=restarted.auth) as driver,
        driver.session(database="neo4j") as session,
    ):
        assert session.execute_read(_count_docs, "doc-1") == 1
    assert stop(config) is True
    assert status(config) is None


def test_second_start_on_same_data_dir_is_refused(config: Neo4jServerConfig) -> None:
    # A stale pid file (its process is gone) must be cleaned up, not block the start.
    dead = subprocess.Popen(["true"])
    dead.wait()
    config.data_dir.mkdir(parents=True)
    config.pid_file.write_text(json.dumps({"pid": dead.pid, "port": config.bolt_port}))

    server = start(config)
    other_port = Neo4jServerConfig(
        data_dir=config.data_dir, bolt_port=free_port(), home=config.home
    )
    with pytest.raises(Neo4jServerError, match="already running"):
        start(other_port)
    assert status(config) == server.uri
    assert stop(config) is True
