"""Fixtures for the Neo4j integration tests: one real server per session (see neo4j_fixture.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import Driver
from neo4j_fixture import acquire, clear, ensure_loaded, release

from policygraph.graph.neo4j_store import ENV_URI, Neo4jSettings


@pytest.fixture(scope="session")
def neo4j_settings() -> Iterator[Neo4jSettings]:
    settings = acquire()
    previous = os.environ.get(ENV_URI)
    os.environ[ENV_URI] = settings.uri  # so the CLI and app.named reach the same server
    yield settings
    if previous is None:
        os.environ.pop(ENV_URI, None)
    else:
        os.environ[ENV_URI] = previous
    release()


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_settings: Neo4jSettings) -> Iterator[Driver]:
    with neo4j_settings.driver() as driver:
        yield driver


@pytest.fixture
def empty_neo4j(neo4j_driver: Driver) -> Driver:
    """The database emptied before the test."""
    clear(neo4j_driver)
    return neo4j_driver


@pytest.fixture
def case_in_neo4j(neo4j_settings: Neo4jSettings, build_dir: Path) -> Neo4jSettings:
    """The case build loaded (skipped when Neo4j already holds exactly it)."""
    ensure_loaded(neo4j_settings, build_dir)
    return neo4j_settings
