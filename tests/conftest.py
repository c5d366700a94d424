"""Shared fixtures: the case built once per session into a temporary build folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

from app.build import BuildSummary, build, validate_folder

REPO = Path(__file__).resolve().parents[1]
CASE = REPO / "data" / "health-trainers"


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


def run_cli(*args: str, build_dir: Path | None = None, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """Run the real `policygraph` command in a subprocess (as a user would)."""
    env = {**os.environ}
    if build_dir is not None:
        env["POLICYGRAPH_BUILD"] = str(build_dir)
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
