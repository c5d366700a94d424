"""The made-up second programme (tests/programmes/community-pantries): where it is, what its records say, and
the Health Trainers words none of its outputs may contain (shared by its CLI, explorer, browser and Neo4j tests)."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import yaml
from support import REPO, run_cli

PANTRIES = REPO / "tests" / "programmes" / "community-pantries"
TITLE = "Community Food Pantries (made-up test programme)"
SERVICES = ["P1", "P2", "P3", "P4"]
UNKNOWN_SERVICE = "P4"
PERIODS = ["launch", "year-one", "year-three"]
# Words of the first programme: any of them in this programme's output means something is built in.
FIRST_PROGRAMME_WORDS = re.compile(r"case stud(y|ies)|medicali[sz]ation|nhs-medical|table ?2|health[ -]trainer", re.I)


def vocabulary() -> dict[str, Any]:
    vocab: dict[str, Any] = yaml.safe_load((PANTRIES / "vocabulary.yaml").read_text(encoding="utf-8"))
    return vocab


def dimensions() -> list[dict[str, Any]]:
    """The vocabulary's dimensions in their `order`."""
    return sorted(vocabulary()["dimensions"], key=lambda d: d["order"])


def concept_labels(dimension: str) -> set[str]:
    return {c["label"] for d in dimensions() if d["id"] == dimension for c in d["concepts"]}


def configuration_rows() -> list[dict[str, str]]:
    with (PANTRIES / "configurations.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _yaml_locators(node: object) -> set[str]:
    if isinstance(node, dict):
        found = {str(node["locator"])} if "locator" in node and "source" in node else set()
        return found.union(*(_yaml_locators(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_yaml_locators(v) for v in node))
    return set()


def record_locators() -> set[str]:
    """Every locator the curated records hold (YAML evidence and the CSV's locator column)."""
    found = {row["locator"] for row in configuration_rows()}
    for path in PANTRIES.glob("*.yaml"):
        found |= _yaml_locators(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def first_programme_words(text: str) -> list[str]:
    return sorted({m.group() for m in FIRST_PROGRAMME_WORDS.finditer(text)})


def build_pantries(build_dir: Path) -> Path:
    """Build the programme with the real command; fails loudly if it does not build."""
    done = run_cli("--build-dir", str(build_dir), "build", "--data", str(PANTRIES))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("built community-pantries: "), done.stdout
    return build_dir
