"""`policygraph sparql` under hostile input, as a user runs it (real CLI subprocesses on a real build): what
the QUERY argument is, unreadable query files, deep nesting, huge queries and memory-hungry ones. Each is a
clean message (exit 2 for bad input, 1 for a stopped query), never a traceback."""

from __future__ import annotations

import errno
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_queries import BIG_QUERIES, MEMORY_HUNGRY, NESTED
from support import run_cli

from policygraph.app.cli.query_source import MAX_QUERY_FILE_BYTES
from policygraph.graph import child
from policygraph.graph.sparql_guard import QueryFailed, QueryOutOfMemory, RefusedQuery, check_read_only, run_guarded

MB = 2**20


def assert_clean(result: subprocess.CompletedProcess[str], code: int, *phrases: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("error: "), result.stderr
    for phrase in phrases:
        assert phrase in result.stderr


# --- the QUERY argument: a file only when it is one -------------------------------------------------------

QUERY_TEXTS = {  # each has a stretch longer than a file name may be (255 bytes), or a path longer than 4096
    "a 300-character literal": 'ASK { FILTER("' + "x" * 300 + '" = "y") }',
    "a long IRI": "ASK { <http://example.org/" + "a" * 300 + "> ?p ?o }",
    "5,000 characters with slashes": 'ASK { FILTER("' + "/".join(["y" * 99] * 50) + '" = "y") }',
    "a long query on several lines": "ASK {\n" + "  FILTER(1 = 1)\n" * 40 + '  FILTER("' + "z" * 400 + '" = "z")\n}',
}


@pytest.mark.parametrize("kind", sorted(QUERY_TEXTS))
def test_long_query_text_is_a_query_not_a_file(build_dir: Path, kind: str) -> None:
    result = run_cli("sparql", QUERY_TEXTS[kind], "--format", "csv", build_dir=build_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] in ("true", "false")


@pytest.mark.parametrize("name", ["missing.rq", "queries/nope.sparql", "./q", "../elsewhere/q.txt"])
def test_a_file_name_that_names_no_file_is_exit_2(build_dir: Path, tmp_path: Path, name: str) -> None:
    result = run_cli("sparql", name, build_dir=build_dir, cwd=tmp_path)
    assert_clean(result, 2, f"{name}: no such query file", "give the query's text")


@pytest.mark.parametrize("target", ["folder", "/dev/null", "/dev/zero"])
def test_a_path_that_is_not_a_regular_file_is_exit_2(build_dir: Path, tmp_path: Path, target: str) -> None:
    path = str(tmp_path) if target == "folder" else target
    assert_clean(run_cli("sparql", path, build_dir=build_dir), 2, f"{path} is not a regular file")


def test_an_oversized_query_file_is_exit_2(build_dir: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.rq"
    with big.open("wb") as handle:  # sparse: no disk used
        handle.truncate(MAX_QUERY_FILE_BYTES + 1)
    assert_clean(run_cli("sparql", str(big), build_dir=build_dir), 2, "big.rq", "limited to 16 MB")


# --- query files that are not UTF-8 -----------------------------------------------------------------------

NOT_UTF8 = {  # bytes -> the line the error must name
    "Latin-1 accent": (b'ASK { ?s ?p "caf\xe9" }', 1),
    "Windows-1252 quotes": (b"# a \x93quoted\x94 note\nASK {}", 1),
    "UTF-16 with its BOM": ("ASK {}".encode("utf-16"), 1),
    "a lone continuation byte on line 3": (b"PREFIX ex: <http://example.org/>\n\nASK { ex:a\x80 ?p ?o }", 3),
    "a sequence cut at the end": (b"ASK { ?s ?p ?o } # \xe2\x82", 1),
}


@pytest.mark.parametrize("kind", sorted(NOT_UTF8))
def test_a_query_file_that_is_not_utf8_is_exit_2_naming_file_and_fix(build_dir: Path, tmp_path: Path,
                                                                     kind: str) -> None:
    data, line = NOT_UTF8[kind]
    path = tmp_path / "query.rq"
    path.write_bytes(data)
    assert_clean(run_cli("sparql", str(path), build_dir=build_dir), 2, f"{path}:{line}:", "is not UTF-8",
                 "save the file as UTF-8")


def test_a_utf8_bom_is_read(build_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "bom.rq"
    path.write_bytes(b"\xef\xbb\xbfASK { ?s ?p ?o }")
    result = run_cli("sparql", str(path), "--format", "csv", build_dir=build_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:] == ["true"]


# --- shapes of query: empty, deep, huge, memory-hungry ----------------------------------------------------

@pytest.mark.parametrize("text", ["", " \n ", "# only a comment", "PREFIX ex: <http://example.org/>"])
def test_an_empty_query_is_exit_2_not_an_update(build_dir: Path, text: str) -> None:
    assert_clean(run_cli("sparql", text, build_dir=build_dir), 2, "the query is empty")


@pytest.mark.parametrize("kind", sorted(NESTED))
def test_deep_nesting_is_refused_by_the_check(kind: str) -> None:
    with pytest.raises(RefusedQuery, match="nested too deeply"):
        check_read_only(NESTED[kind])


@pytest.mark.parametrize("kind", ["braces", "parentheses", "blank-node brackets"])
def test_deep_nesting_is_exit_2(build_dir: Path, tmp_path: Path, kind: str) -> None:
    path = tmp_path / "deep.rq"
    path.write_text(NESTED[kind])
    assert_clean(run_cli("sparql", str(path), build_dir=build_dir), 2, "nested too deeply", "fewer levels")


def _elapsed(*args: str, build_dir: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    result = run_cli(*args, build_dir=build_dir)
    return result, time.monotonic() - started


@pytest.mark.parametrize("kind", sorted(BIG_QUERIES))
def test_timeout_bounds_parse_check_and_run_of_a_huge_query(build_dir: Path, tmp_path: Path, kind: str) -> None:
    path = tmp_path / "huge.rq"
    path.write_text(BIG_QUERIES[kind])
    _, start_up = _elapsed("sparql", "ASK {}", build_dir=build_dir)  # the command's own cost, whatever the query
    result, elapsed = _elapsed("sparql", str(path), "--timeout", "3", build_dir=build_dir)
    assert_clean(result, 1, "3 s limit", "--timeout")
    assert elapsed < start_up + 3 + 3  # limit + start-up + a margin for a busy machine; unbounded: 1-2 minutes


@pytest.mark.parametrize("kind", sorted(MEMORY_HUNGRY))
def test_memory_bound_stops_a_query_cleanly(build_dir: Path, kind: str) -> None:
    result, elapsed = _elapsed("sparql", MEMORY_HUNGRY[kind], "--memory", "256", "--timeout", "120",
                               build_dir=build_dir)
    assert_clean(result, 1, "more than 256 MB", "--memory")
    assert elapsed < 30  # the memory bound stopped it, long before the time limit


# --- the bound itself, in the killable child --------------------------------------------------------------

def _allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * MB))


def _die(signum: int) -> None:
    os.kill(os.getpid(), signum)


def _allocate_past_own_data(bound_mb: int, past_mb: int) -> int:
    """Allocate so that the child's data segment ends `past_mb` past `bound_mb` (negative: short of it)."""
    status = Path("/proc/self/status").read_text()
    data_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmData:"))
    return _allocate(bound_mb - data_kb // 1024 + past_mb)


@pytest.mark.parametrize(("past_mb", "fits"), [(-64, True), (-16, True), (16, False), (256, False)])
def test_the_memory_bound_is_the_figure_given(past_mb: int, fits: bool) -> None:
    """512 MB of data (heap and private mappings) per child: what ends short of it is allocated, what ends past
    it is refused with the figure."""
    if fits:
        assert run_guarded(_allocate_past_own_data, 512, past_mb, timeout_s=60, memory_mb=512) > 0
    else:
        with pytest.raises(QueryOutOfMemory, match="more than 512 MB"):
            run_guarded(_allocate_past_own_data, 512, past_mb, timeout_s=60, memory_mb=512)


@pytest.mark.parametrize(("allocate_mb", "fits"), [(128, True), (2048, False)])
def test_the_memory_bound_in_absolute_figures(allocate_mb: int, fits: bool) -> None:
    if fits:
        assert run_guarded(_allocate, allocate_mb, timeout_s=60, memory_mb=512) == allocate_mb * MB
    else:
        with pytest.raises(QueryOutOfMemory, match="more than 512 MB"):
            run_guarded(_allocate, allocate_mb, timeout_s=60, memory_mb=512)


@pytest.mark.parametrize(("signum", "error", "phrase"), [
    (signal.SIGABRT, QueryOutOfMemory, "more than 512 MB"),  # how native code (Oxigraph) fails an allocation
    (signal.SIGSEGV, QueryFailed, "nested or chained too deeply"),
    (signal.SIGKILL, QueryFailed, "killed by SIGKILL"),
])
def test_a_child_that_dies_is_a_clean_error(signum: int, error: type[Exception], phrase: str) -> None:
    with pytest.raises(error, match=phrase):
        run_guarded(_die, signum, timeout_s=60, memory_mb=512)


def _say(exit_code: int | None) -> int:
    os.write(2, b"native: something broke\n")  # as native code writes: on the file descriptor, not sys.stderr
    if exit_code is not None:
        os._exit(exit_code)
    return 1


def test_what_a_dying_child_prints_is_in_the_error_not_on_the_console(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(QueryFailed, match=r"\(exit code 3\); it said: native: something broke"):
        run_guarded(_say, 3, timeout_s=60, memory_mb=512)
    assert "something broke" not in capfd.readouterr().err


def test_what_a_child_that_answers_prints_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="policygraph.graph.child"):
        assert run_guarded(_say, None, timeout_s=60, memory_mb=512) == 1
    assert "query process: native: something broke" in caplog.text


def test_no_room_for_a_query_process_is_a_clean_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(**_: object) -> tuple[int, str]:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(child.tempfile, "mkstemp", full_disk)
    with pytest.raises(QueryFailed, match=r"could not run: .*No space left on device"):
        run_guarded(_allocate, 1, timeout_s=60, memory_mb=512)


SCRIPT = """
import os, sys
with open(sys.argv[1], "a") as marker:
    marker.write(__name__ + "\\n")
if __name__ == "__main__":
    from policygraph.graph.sparql_guard import run_guarded
    print(run_guarded(os.getpid, timeout_s=60, memory_mb=None) != os.getpid())
"""


def test_children_do_not_rerun_the_callers_main_script(tmp_path: Path) -> None:
    """A caller run as a script (Streamlit runs each page so): its child runs the function, not the script."""
    script, marker = tmp_path / "page.py", tmp_path / "marker.txt"
    script.write_text(SCRIPT)
    result = subprocess.run([sys.executable, str(script), str(marker)], capture_output=True, text=True,
                            timeout=120, check=False)
    assert (result.returncode, result.stdout.strip()) == (0, "True"), result.stderr
    assert marker.read_text().splitlines() == ["__main__"]
