"""Helpers shared by test modules (imported by name: `conftest` is ambiguous with several conftest.py files)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CASE = REPO / "data" / "health-trainers"


def run_cli(*args: str, build_dir: Path | None = None, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """Run the real `policygraph` command in a subprocess (as a user would)."""
    env = {**os.environ}
    if build_dir is not None:
        env["POLICYGRAPH_BUILD"] = str(build_dir)
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
