"""Fuzzing the ingest: whatever a curated folder holds, the result is a valid programme or an IngestError
whose every problem names a file in the folder (and a line for YAML/CSV content) - never another exception.

CI runs a few hundred generated cases; the nightly-style run (`pytest -m slow tests/test_fuzz_ingest.py`)
runs 10,000 YAML and 10,000 CSV mutations, checks that many were tried and prints the counts and times.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import CASE

from policygraph.ingest.errors import IngestError
from policygraph.ingest.programme import load_programme

T = TypeVar("T")
YAML_FILES = sorted(p.name for p in CASE.glob("*.yaml"))
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20),
    st.sampled_from(["", " ", "<b>x</b>", "2005-13", "2005-02-30", "S999", "A", "unknown", "yes", "~", "null",
                     "&anchor", "*alias", "!!python/object:os.system", "{", "[", "'", '"', "\t", "\x00", "x" * 5000]),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                             max_size=4), max_leaves=12)


def _paths(node: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*prefix, i))
    return found


def _set(node: object, path: tuple[object, ...], value: object) -> object:
    if not path:
        return value
    head, *rest = path
    node[head] = _set(node[head], tuple(rest), value)  # type: ignore[index]
    return node


def _check(folder: Path) -> None:
    try:
        load_programme(folder)
    except IngestError as exc:
        problems = exc.problems
    else:
        return
    assert problems
    for problem in problems:
        assert folder in problem.location.path.parents or problem.location.path == folder, problem
        assert problem.message and problem.fix, problem


@st.composite
def yaml_mutation(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(st.sampled_from(YAML_FILES))
    data = yaml.safe_load((CASE / name).read_text(encoding="utf-8"))
    path = draw(st.sampled_from(_paths(data)))
    mutated = _set(data, path, draw(VALUES))
    text = yaml.safe_dump(mutated, allow_unicode=True, sort_keys=False)
    if draw(st.booleans()):  # sometimes raw text damage on top of structure damage
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.text(max_size=10)) + text[cut:]
    return name, text


@st.composite
def csv_mutation(draw: st.DrawFn) -> str:
    lines = (CASE / "configurations.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    i = draw(st.integers(0, len(lines) - 1))
    cells = lines[i].rstrip("\n").split(",")
    j = draw(st.integers(0, len(cells) - 1))
    odd = st.sampled_from(['"', '""', "a,b", "\r", "S4", "known", "x" * 5000])
    cells[j] = draw(st.one_of(st.text(max_size=30), odd))
    lines[i] = ",".join(cells) + "\n"
    return "".join(lines)


def _fuzz_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "prog"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(CASE, folder)
    return folder


def _mutate_and_check(tmp_path: Path, name: str, text: str) -> None:
    folder = _fuzz_folder(tmp_path)
    (folder / name).write_text(text, encoding="utf-8")
    _check(folder)


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
NIGHTLY_CASES = 10_000  # each, by `pytest -m slow tests/test_fuzz_ingest.py`
NIGHTLY = settings(max_examples=NIGHTLY_CASES, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FAST
@given(mutation=yaml_mutation())
def test_yaml_mutations_give_located_errors(tmp_path: Path, mutation: tuple[str, str]) -> None:
    _mutate_and_check(tmp_path, *mutation)


@FAST
@given(text=csv_mutation())
def test_csv_mutations_give_located_errors(tmp_path: Path, text: str) -> None:
    _mutate_and_check(tmp_path, "configurations.csv", text)


def _run_cases(strategy: st.SearchStrategy[T], check: Callable[[T], None]) -> int:
    """Run `check` on NIGHTLY_CASES generated inputs (hypothesis); the number of inputs actually tried."""
    tried = 0

    @NIGHTLY
    @given(value=strategy)
    def run(value: T) -> None:
        nonlocal tried
        tried += 1
        check(value)

    run()
    return tried


def _report(capsys: pytest.CaptureFixture[str], name: str, tried: int, started: float) -> None:
    with capsys.disabled():
        print(f"\n{name}: {tried} generated cases in {time.perf_counter() - started:.0f} s, no uncaught exception")
    assert tried >= NIGHTLY_CASES


@pytest.mark.slow
def test_yaml_mutations_nightly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    tried = _run_cases(yaml_mutation(), lambda mutation: _mutate_and_check(tmp_path, *mutation))
    _report(capsys, "YAML mutations", tried, started)


@pytest.mark.slow
def test_csv_mutations_nightly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    tried = _run_cases(csv_mutation(), lambda text: _mutate_and_check(tmp_path, "configurations.csv", text))
    _report(capsys, "CSV mutations", tried, started)
