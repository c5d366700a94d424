"""Bad input: malformed programmes are refused with file:line, the fix, exit code 2, no writes.

Each case of tests/bad_input/cases.yaml mutates a copy of data/health-trainers. The real CLI
(`app.cli.main`, in process through click's runner; a few cases also through the installed
console script) must exit 2, name the file and line (or CSV row) with the expected message and a
`fix:` line, and leave a folder that already holds a good build byte-for-byte unchanged.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from policygraph.app.cli import main
from policygraph.ingest.errors import IngestError
from policygraph.ingest.programme import load_programme

REPO = Path(__file__).resolve().parents[1]
CASE = REPO / "data" / "health-trainers"
CASES_FILE = Path(__file__).resolve().parent / "bad_input" / "cases.yaml"
BAD_INPUT = 2

# ---------------------------------------------------------------------------------------------
# The corpus


@dataclass(frozen=True)
class Case:
    name: str
    file: str
    spec: dict[str, Any]

    @property
    def expect(self) -> dict[str, Any]:
        expect: dict[str, Any] = self.spec["expect"]
        return expect

    @property
    def expect_file(self) -> str:
        return str(self.expect.get("file", self.file))


def _load_cases() -> list[Case]:
    raw = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
    return [Case(c["name"], c["file"], c) for c in raw["cases"]]


CASES = _load_cases()
SUBPROCESS_CASES = [c for c in CASES if c.spec.get("subprocess")]
OPERATIONS = ("replace", "append", "write", "delete")


def _segments(spec: Any) -> bytes:
    """SEGMENTS of the case format -> bytes."""
    if isinstance(spec, str):
        return spec.encode("utf-8")
    if isinstance(spec, dict) and "repeat" in spec:
        return (str(spec["repeat"]) * int(spec["times"])).encode("utf-8")
    if isinstance(spec, dict) and "hex" in spec:
        return bytes.fromhex(str(spec["hex"]))
    if isinstance(spec, list):
        return b"".join(_segments(part) for part in spec)
    raise ValueError(f"bad segment spec {spec!r}")


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def apply_case(case: Case, data_dir: Path) -> int | None:
    """Mutate the copy in `data_dir`; return the line the error must name (None: file-level)."""
    ops = [op for op in OPERATIONS if op in case.spec]
    assert len(ops) == 1, f"{case.name}: exactly one of {OPERATIONS} expected, got {ops}"
    path = data_dir / case.file
    edit_line = 1
    if "delete" in case.spec:
        path.unlink()
        new = b""
    else:
        old = path.read_bytes() if path.exists() else b""
        if "replace" in case.spec:
            needle = case.spec["replace"]["old"].encode("utf-8")
            count = old.count(needle)
            assert count == 1, f"{case.name}: {needle!r} occurs {count} times in {case.file}"
            at = old.index(needle)
            new = old[:at] + _segments(case.spec["replace"]["new"]) + old[at + len(needle):]
            edit_line = _line_of(new, at)
        elif "append" in case.spec:
            assert old.endswith(b"\n"), f"{case.file} must end with a newline"
            new = old + _segments(case.spec["append"])
            edit_line = _line_of(new, len(old))
        else:
            new = _segments(case.spec["write"])
        path.write_bytes(new)
    return _expected_line(case, new, edit_line)


def _expected_line(case: Case, new: bytes, edit_line: int) -> int | None:
    spec = case.expect.get("line")
    if spec is None or isinstance(spec, int):
        return spec
    if isinstance(spec, str):
        match = re.fullmatch(r"edit(?:\+(\d+))?", spec)
        assert match, f"{case.name}: bad line spec {spec!r}"
        return edit_line + int(match.group(1) or 0)
    needle = str(spec["at"]).encode("utf-8")
    occurrence = int(spec.get("occurrence", 1))
    hits = [m.start() for m in re.finditer(re.escape(needle), new)]
    if "occurrence" not in spec:
        assert len(hits) == 1, f"{case.name}: {needle!r} occurs {len(hits)} times"
    assert len(hits) >= occurrence, f"{case.name}: {needle!r} occurs {len(hits)} times"
    return _line_of(new, hits[occurrence - 1])


# ---------------------------------------------------------------------------------------------
# Reading the report


@dataclass(frozen=True)
class Reported:
    file: str  # file name inside the data folder ("" for the folder itself)
    line: int | None
    row: int | None
    message: str
    fix: str


_PROBLEM = re.compile(
    r"(?:/(?P<file>[^/:]+))?(?::(?P<line>\d+)(?::(?P<col>\d+))?)?(?: \(row (?P<row>\d+)\))?: "
    r"(?P<message>.+)")


def parse_report(stderr: str, data_dir: Path, trailer: tuple[str, ...] = ()) -> list[Reported]:
    """The problems of an `error: N problem(s)` report; checks its shape on the way.

    After the problems, stderr holds exactly the `trailer` lines.
    """
    lines = stderr.splitlines()
    assert lines, "nothing on stderr"
    head = re.fullmatch(r"error: (\d+) problem\(s\) in the curated data:", lines[0])
    assert head, f"unexpected first line: {lines[0]!r}"
    prefix = str(data_dir)
    problems: list[Reported] = []
    i = 1
    while i < len(lines) and lines[i].startswith(prefix):
        match = _PROBLEM.fullmatch(lines[i][len(prefix):])
        assert match, f"unparsable problem line: {lines[i]!r}"
        assert i + 1 < len(lines), f"problem without a fix line: {lines[i]!r}"
        fix = re.fullmatch(r"    fix: (.*)", lines[i + 1])
        assert fix, f"problem not followed by a fix line: {lines[i]!r} / {lines[i + 1]!r}"
        assert fix.group(1).strip(), f"empty fix for {lines[i]!r}"
        problems.append(Reported(match["file"] or "", int(match["line"]) if match["line"] else None,
                                 int(match["row"]) if match["row"] else None, match["message"],
                                 fix.group(1)))
        i += 2
    assert len(problems) == int(head.group(1)), f"header says {head.group(1)}, found {len(problems)}:\n{stderr}"
    assert tuple(lines[i:]) == trailer, f"unexpected lines after the problems: {lines[i:]}"
    return problems


def check_report(case: Case, stderr: str, data_dir: Path, line: int | None,
                 trailer: tuple[str, ...] = ()) -> list[Reported]:
    problems = parse_report(stderr, data_dir, trailer)
    assert "Traceback" not in stderr
    if "problems" in case.expect:
        assert len(problems) == case.expect["problems"], stderr
    fragment = case.expect["message"]
    wanted = [p for p in problems if p.file == case.expect_file and p.line == line
              and fragment in p.message]
    assert wanted, (f"no problem at {case.expect_file}:{line} with {fragment!r}; got:\n{stderr}")
    for p in wanted:
        if case.expect_file.endswith(".csv") and line is not None:
            assert p.row == line, f"a CSV problem names its row: {p}"
    for p in problems:
        assert p.fix.strip() != p.message.strip(), f"the fix only repeats the message: {p}"
    return problems


# ---------------------------------------------------------------------------------------------
# The state of a folder, byte for byte


def snapshot(root: Path) -> dict[str, tuple[str, str]]:
    """Every entry under root: directories, files (sha256 and mode), symlinks (their target)."""
    state: dict[str, tuple[str, str]] = {".": ("dir", oct(root.stat().st_mode))}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                state[rel] = ("link", str(path.readlink()))
            elif path.is_dir():
                state[rel] = ("dir", oct(path.stat().st_mode))
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                state[rel] = ("file", f"{digest} {oct(path.stat().st_mode)}")
    return state


@pytest.fixture(scope="module")
def good_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, tuple[str, str]]]]:
    """A folder holding a good build of the case (made by the real CLI), and its snapshot."""
    build_dir = tmp_path_factory.mktemp("bad-input-build") / "build"
    done = subprocess.run([sys.executable, "-m", "policygraph.app.cli", "--build-dir", str(build_dir), "build",
                           "--data", str(CASE)], cwd=REPO, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    state = snapshot(build_dir)
    assert any(kind == "link" for kind, _ in state.values()), "the good build has its symlinks"
    assert any(rel.endswith("graph.nt") and kind == "file" for rel, (kind, _) in state.items())
    yield build_dir, state
    # Whatever ran in between, the build is still the one made at the start.
    assert snapshot(build_dir) == state


@pytest.fixture
def mutated(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Case, Path, int | None]:
    case: Case = request.param
    data_dir = tmp_path / "data"
    shutil.copytree(CASE, data_dir)
    line = apply_case(case, data_dir)
    return case, data_dir, line


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=True)


def _explain(result: Result) -> str:
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return "".join(traceback.format_exception(result.exception))
    return str(result.stderr)


# ---------------------------------------------------------------------------------------------
# Tests


def test_corpus_is_complete() -> None:
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)), "case names are unique"
    assert len(CASES) >= 18
    for c in CASES:
        assert (CASE / c.file).exists(), f"{c.name}: {c.file} is not a file of the case"
        assert c.expect.get("message"), f"{c.name}: expect.message is required"
    # The kinds of malformation the issue lists, each present at least once.
    required = {"yaml-syntax-error", "duplicate-key", "unknown-key", "dangling-stated-in",
                "dangling-evidence-source", "dangling-csv-service", "duplicate-id",
                "wrong-type-order", "wrong-type-observation-value", "bad-date-month",
                "bad-date-day", "unknown-concept-yaml", "unknown-concept-csv",
                "csv-cell-without-source", "entity-without-evidence", "empty-file",
                "non-utf8-yaml", "csv-missing-column", "huge-string-yaml", "huge-file",
                "markup-label", "cycle-implements", "cycle-sub-organisation",
                "known-cell-empty-verbatim", "unknown-cell-with-code", "billion-laughs",
                "deep-nesting-flow", "missing-yaml-file"}
    assert required <= set(names), required - set(names)


def test_unmutated_copy_is_valid(tmp_path: Path) -> None:
    # The baseline the mutations start from passes, so each failure below is the mutation's.
    shutil.copytree(CASE, tmp_path / "data")
    result = _invoke("--build-dir", str(tmp_path / "nobuild"), "validate", "--data",
                     str(tmp_path / "data"))
    assert result.exit_code == 0, _explain(result)
    assert not (tmp_path / "nobuild").exists()


@pytest.mark.parametrize("mutated", CASES, ids=[c.name for c in CASES], indirect=True)
def test_build_refuses_and_leaves_build_untouched(
        mutated: tuple[Case, Path, int | None],
        good_build: tuple[Path, dict[str, tuple[str, str]]]) -> None:
    case, data_dir, line = mutated
    build_dir, pristine = good_build
    before = snapshot(build_dir)
    data_before = snapshot(data_dir)
    result = _invoke("--build-dir", str(build_dir), "build", "--data", str(data_dir))
    assert result.exit_code == BAD_INPUT, _explain(result)
    assert result.stdout == ""
    check_report(case, result.stderr, data_dir, line, (f"nothing was changed under {build_dir}",))
    assert snapshot(build_dir) == before == pristine
    assert snapshot(data_dir) == data_before


@pytest.mark.parametrize("mutated", CASES, ids=[c.name for c in CASES], indirect=True)
def test_validate_refuses_and_writes_nothing(mutated: tuple[Case, Path, int | None],
                                             tmp_path: Path) -> None:
    case, data_dir, line = mutated
    build_dir = tmp_path / "never-created"
    data_before = snapshot(data_dir)
    result = _invoke("--build-dir", str(build_dir), "validate", "--data", str(data_dir))
    assert result.exit_code == BAD_INPUT, _explain(result)
    assert result.stdout == ""
    check_report(case, result.stderr, data_dir, line)
    assert not build_dir.exists()
    assert snapshot(data_dir) == data_before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


@pytest.mark.parametrize("mutated", CASES, ids=[c.name for c in CASES], indirect=True)
def test_every_problem_has_a_location_and_a_fix(mutated: tuple[Case, Path, int | None]) -> None:
    case, data_dir, line = mutated
    with pytest.raises(IngestError) as caught:
        load_programme(data_dir)
    problems = caught.value.problems
    assert problems
    for p in problems:
        assert p.message.strip(), p
        assert p.fix.strip(), f"empty fix: {p}"
        assert p.fix.strip() != p.message.strip(), p
        assert p.location.path.parent == data_dir, p
        rendered = str(p).splitlines()
        assert len(rendered) >= 2, p
        assert rendered[-1].startswith("    fix: ") and rendered[-1][len("    fix: "):].strip()
    assert any(p.location.path.name == case.expect_file and p.location.line == line
               and case.expect["message"] in p.message for p in problems), caught.value.render()


def _console_script() -> list[str]:
    script = Path(sys.executable).parent / "policygraph"
    return [str(script)] if script.exists() else [sys.executable, "-m", "policygraph.app.cli"]


@pytest.mark.parametrize("mutated", SUBPROCESS_CASES, ids=[c.name for c in SUBPROCESS_CASES],
                         indirect=True)
def test_console_script_exits_2(mutated: tuple[Case, Path, int | None],
                                good_build: tuple[Path, dict[str, tuple[str, str]]]) -> None:
    # The installed entry point, in its own process: exit status, stderr and no traceback.
    case, data_dir, line = mutated
    build_dir, pristine = good_build
    done = subprocess.run([*_console_script(), "--build-dir", str(build_dir), "build", "--data",
                           str(data_dir)], cwd=REPO, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == BAD_INPUT, done.stderr
    assert done.stdout == ""
    check_report(case, done.stderr, data_dir, line, (f"nothing was changed under {build_dir}",))
    assert snapshot(build_dir) == pristine


def test_not_a_folder(tmp_path: Path) -> None:
    result = _invoke("--build-dir", str(tmp_path / "b"), "validate", "--data",
                     str(tmp_path / "missing"))
    assert result.exit_code == BAD_INPUT, _explain(result)
    assert "not a folder" in result.stderr
    assert "    fix: " in result.stderr
    assert not (tmp_path / "b").exists()


def test_data_file_that_is_a_folder(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(CASE, data_dir)
    (data_dir / "documents.yaml").unlink()
    (data_dir / "documents.yaml").mkdir()
    result = _invoke("--build-dir", str(tmp_path / "b"), "validate", "--data", str(data_dir))
    assert result.exit_code == BAD_INPUT, _explain(result)
    problems = parse_report(result.stderr, data_dir)
    assert [(p.file, p.message) for p in problems] == [("documents.yaml", "is a folder, not a regular file")]
