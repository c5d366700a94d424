"""Bad input that the case table (tests/bad_input/cases.yaml) cannot write: symbolic links, folders and
devices in place of a programme file, and an activity extract `validate` must check as `build` does.

Each refusal: exit 2, the file (and line) named with a fix, the target of a link never read nor shown, the
previous build byte-for-byte unchanged.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from activity_helpers import client_row, write_csv
from test_bad_input import BAD_INPUT, CASE, _explain, _invoke, good_build, parse_report, snapshot

from policygraph.ingest.activity_schema import COLUMNS

__all__ = ["good_build"]  # the module-scoped fixture: one good build for the file

SECRET = "TOP-SECRET-CONTENT"


def _outside(tmp: Path, name: str) -> Path:
    target = tmp / "elsewhere" / name
    target.parent.mkdir(exist_ok=True)
    target.write_text(f"sources:\n  - id: {SECRET}\n", encoding="utf-8")
    return target


def _link_outside(data: Path, name: str) -> None:
    (data / name).unlink()
    (data / name).symlink_to(_outside(data.parent, name))


def _link_loop(data: Path, name: str) -> None:
    (data / name).unlink()
    (data / name).symlink_to(data / f".{name}.loop1")
    (data / f".{name}.loop1").symlink_to(data / f".{name}.loop2")
    (data / f".{name}.loop2").symlink_to(data / name)


def _link_device(data: Path, name: str) -> None:
    (data / name).unlink()
    (data / name).symlink_to("/dev/zero")


def _link_dangling(data: Path, name: str) -> None:
    (data / name).unlink()
    (data / name).symlink_to(data.parent / "no-such-file")


def _folder(data: Path, name: str) -> None:
    (data / name).unlink()
    (data / name).mkdir()


def _link_folder(data: Path, name: str) -> None:
    (data / name).unlink()
    (data / name).symlink_to(data.parent, target_is_directory=True)


def _fifo(data: Path, name: str) -> None:
    (data / name).unlink()
    os.mkfifo(data / name)


def _link_inside(data: Path, name: str) -> None:
    (data / name).rename(data / f".{name}.real")
    (data / name).symlink_to(data / f".{name}.real")


MUTATIONS: dict[str, tuple[Callable[[Path, str], None], str | None]] = {
    "link-outside": (_link_outside, "is a symbolic link to a file outside the programme folder"),
    "link-loop": (_link_loop, "is a symbolic link that loops"),
    "link-device": (_link_device, "is a symbolic link to a device, not to a regular file"),
    "link-dangling": (_link_dangling, "is a symbolic link to nothing"),
    "folder": (_folder, "is a folder, not a regular file"),
    "link-folder": (_link_folder, "is a symbolic link to a folder, not to a regular file"),
    "fifo": (_fifo, "is a named pipe, not a regular file"),
    "link-inside": (_link_inside, None),  # a link to a file inside the folder is read
}
FILES = ("sources.yaml", "configurations.csv")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(CASE, folder)
    return folder


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("kind", MUTATIONS)
def test_programme_file_that_is_not_a_regular_file(
        data: Path, kind: str, name: str, good_build: tuple[Path, dict[str, tuple[str, str]]]) -> None:
    mutate, message = MUTATIONS[kind]
    mutate(data, name)
    build_dir, pristine = good_build
    validate = _invoke("--build-dir", str(data.parent / "never"), "validate", "--data", str(data))
    if message is None:
        assert validate.exit_code == 0, _explain(validate)
        return
    assert validate.exit_code == BAD_INPUT, _explain(validate)
    problems = parse_report(validate.stderr, data)
    assert [(p.file, p.line) for p in problems] == [(name, None)], validate.stderr
    assert problems[0].message.startswith(message), validate.stderr
    assert SECRET not in validate.stderr and "elsewhere" not in validate.stderr and "/dev/zero" not in validate.stderr
    assert problems[0].fix
    built = _invoke("--build-dir", str(build_dir), "build", "--data", str(data))
    assert built.exit_code == BAD_INPUT, _explain(built)
    assert message in built.stderr and SECRET not in built.stderr
    assert snapshot(build_dir) == pristine
    assert not (data.parent / "never").exists()


# ---------------------------------------------------------------------------------------------
# The activity extract: `validate` checks what `build` checks


def _with_extract(data: Path, rows: list[list[str]]) -> Path:
    with (data / "programme.yaml").open("a", encoding="utf-8") as handle:
        handle.write("activity:\n  file: activity.csv\n  source: S1\n  locator: client-level extract\n")
    write_csv(data / "activity.csv", rows)
    return data / "activity.csv"


def _rows(n: int = 12) -> list[list[str]]:
    rng = random.Random(17)
    return [client_row(rng, "ABCDEF"[i % 6], "2009-Q1") for i in range(n)]


def test_validate_reads_a_good_extract(data: Path) -> None:
    _with_extract(data, [list(COLUMNS), *_rows()])
    result = _invoke("validate", "--data", str(data))
    assert result.exit_code == 0, _explain(result)
    assert "warning" not in result.stderr


@pytest.mark.parametrize(("header", "fragment"), [
    ([c for c in COLUMNS if c != "quarter"], "missing column(s) quarter"),
    ([*COLUMNS, "colour"], "unknown column(s) colour"),
    ([], "the file is empty"),
])
def test_validate_refuses_the_extract_build_refuses(
        data: Path, header: list[str], fragment: str,
        good_build: tuple[Path, dict[str, tuple[str, str]]]) -> None:
    extract = _with_extract(data, [header, *_rows()] if header else [])
    build_dir, pristine = good_build
    for args in (("validate",), ("--build-dir", str(build_dir), "build")):
        result = _invoke(*args, "--data", str(data))
        assert result.exit_code == BAD_INPUT, _explain(result)
        assert f"{extract}:1 (row 1): " in result.stderr and fragment in result.stderr, result.stderr
    assert snapshot(build_dir) == pristine


def test_validate_warns_of_rows_build_skips_and_strict_refuses_them(data: Path) -> None:
    rows = _rows()
    rows[2][1] = "Z"  # line 4: not a service of the programme
    _with_extract(data, [list(COLUMNS), *rows])
    lenient = _invoke("validate", "--data", str(data))
    assert lenient.exit_code == 0, _explain(lenient)
    assert "activity.csv:4 (row 4): " in lenient.stderr and "build skips this row" in lenient.stderr
    strict = _invoke("validate", "--strict", "--data", str(data))
    assert strict.exit_code == BAD_INPUT, _explain(strict)
    assert [(p.file, p.row) for p in parse_report(strict.stderr, data)] == [("activity.csv", 4)]


def test_validate_refuses_an_extract_linked_from_outside(data: Path) -> None:
    _with_extract(data, [list(COLUMNS), *_rows()])
    (data / "activity.csv").rename(data.parent / "activity.csv")
    (data / "activity.csv").symlink_to(data.parent / "activity.csv")
    result = _invoke("validate", "--data", str(data))
    assert result.exit_code == BAD_INPUT, _explain(result)
    assert "is a symbolic link to a file outside the programme folder" in result.stderr


def test_extract_with_a_repeated_header_row(data: Path) -> None:
    rows = _rows()
    rows[3] = list(COLUMNS)  # line 5: the header again (two extracts joined)
    _with_extract(data, [list(COLUMNS), *rows])
    result = _invoke("validate", "--strict", "--data", str(data))
    assert result.exit_code == BAD_INPUT, _explain(result)
    problems = parse_report(result.stderr, data)
    assert [(p.file, p.row, p.message) for p in problems] == [("activity.csv", 5, "row 5 repeats the header")]
