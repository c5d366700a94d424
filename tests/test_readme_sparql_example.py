"""The README's SPARQL example gives the answer it promises (services that moved to GP referral: B and D)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from support import REPO, run_cli


def test_the_readme_sparql_example_answers_b_and_d(build_dir: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"\.venv/bin/policygraph sparql '(.*?)'\n```", readme, re.S)
    assert match, "the README has a SPARQL example"
    result = run_cli("sparql", match.group(1), "--format", "json", build_dir=build_dir)
    assert result.returncode == 0, result.stderr
    assert [r["case"] for r in json.loads(result.stdout)["rows"]] == ["B", "D"]
