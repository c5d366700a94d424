"""A build killed at any point leaves the previous build serving as before; the next build converges."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import CASE, REPO, run_cli

GOLDEN = (REPO / "tests" / "golden" / "table2.csv").read_text(encoding="utf-8")


def _start_build(build_dir: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "POLICYGRAPH_BUILD": str(build_dir)}
    return subprocess.Popen([sys.executable, "-m", "policygraph.app.cli", "build", "--data", str(CASE)],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


@pytest.fixture(scope="module")
def reference_nt(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    build_dir = tmp_path_factory.mktemp("reference")
    assert run_cli("build", build_dir=build_dir).returncode == 0
    return (build_dir / "graph.nt").read_bytes()


@pytest.fixture(scope="module")
def build_seconds(tmp_path_factory: pytest.TempPathFactory) -> float:
    """How long a whole build process takes here (a rebuild, as in the test), so the kills land inside it."""
    build_dir = tmp_path_factory.mktemp("timed")
    assert run_cli("build", build_dir=build_dir).returncode == 0
    started = time.perf_counter()
    assert _start_build(build_dir).wait() == 0
    return time.perf_counter() - started


@pytest.mark.parametrize("at", [0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95])
def test_sigkill_mid_build_keeps_the_previous_build(tmp_path: Path, reference_nt: bytes, build_seconds: float,
                                                    at: float) -> None:
    """Killed at `at` of a build's duration: from the start of the process to its release swap."""
    assert run_cli("build", build_dir=tmp_path).returncode == 0
    before = (tmp_path / "current").resolve()
    proc = _start_build(tmp_path)
    time.sleep(at * build_seconds)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    # Either the kill came before the swap (old release) or after it (new release, complete): never a mix.
    after = (tmp_path / "current").resolve()
    assert after == before or (after / "manifest.json").exists()
    answer = run_cli("query", "table2", "--format", "csv", build_dir=tmp_path)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout == GOLDEN
    # The next build cleans what the killed one left and converges to the exact same graph.
    assert run_cli("build", build_dir=tmp_path).returncode == 0
    assert not list(tmp_path.glob(".staging-*"))
    assert (tmp_path / "graph.nt").read_bytes() == reference_nt


def test_read_only_build_folder_is_a_clear_failure(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores directory permissions; the disk-full case below covers the write failure path")
    tmp_path.chmod(0o500)
    try:
        result = run_cli("build", build_dir=tmp_path / "b")
    finally:
        tmp_path.chmod(0o700)
    assert result.returncode == 1
    assert "could not write the build" in result.stderr


def test_unwritable_build_folder_is_a_clear_failure(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run_cli("build", build_dir=blocker / "build")
    assert result.returncode == 1
    assert "could not write the build" in result.stderr
    assert "Traceback" not in result.stderr


def test_disk_full_is_a_clear_failure_and_keeps_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from policygraph.app.build import pipeline
    from policygraph.app.cli import main

    assert run_cli("build", build_dir=tmp_path).returncode == 0
    before = (tmp_path / "current").resolve()

    def full(*_args: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pipeline, "bulk_load_each", full)
    result = CliRunner().invoke(main, ["--build-dir", str(tmp_path), "build"])
    assert result.exit_code == 1
    assert "No space left on device" in result.output
    assert "previous build is intact" in result.output
    assert (tmp_path / "current").resolve() == before
