"""Shared fixtures: the case built once per session into a temporary build folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from support import CASE

from policygraph.app.build import BuildSummary, build, validate_folder


@pytest.fixture(scope="session")
def case_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildSummary]:
    """(build_dir, summary) of the Health Trainers case, built once."""
    build_dir = tmp_path_factory.mktemp("build")
    return build_dir, build(CASE, build_dir)


@pytest.fixture(scope="session")
def build_dir(case_build: tuple[Path, BuildSummary]) -> Path:
    return case_build[0]


@pytest.fixture(scope="session")
def case_graph() -> Graph:
    """The whole build graph of the case: vocabulary, curated statements and derived ones."""
    return validate_folder(CASE)[1]
