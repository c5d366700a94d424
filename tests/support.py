"""Helpers shared by test modules (imported by name: `conftest` is ambiguous with several conftest.py files)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Graph

REPO = Path(__file__).resolve().parents[1]
CASE = REPO / "data" / "health-trainers"

# bench/generate_national.py (not a package module): the synthetic national programme's generator.
_spec = importlib.util.spec_from_file_location("generate_national", REPO / "bench" / "generate_national.py")
assert _spec and _spec.loader
generator = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generator)


def build_national(root: Path, **generate: object) -> Path:
    """Generate a small synthetic national programme under root/prog and build it into root/build."""
    from policygraph.app.build import build  # the pipeline's imports only for the tests that build

    generator.generate(root / "prog", **generate)
    build(root / "prog", root / "build")
    return root / "build"


def run_cli(*args: str, build_dir: Path | None = None, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """Run the real `policygraph` command in a subprocess (as a user would)."""
    env = {**os.environ}
    if build_dir is not None:
        env["POLICYGRAPH_BUILD"] = str(build_dir)
    return subprocess.run([sys.executable, "-m", "policygraph.app.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (for a server a test starts)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def assert_isomorphic(got: Graph, expected: Graph) -> None:
    """Fail with the first few differing triples unless the two graphs are isomorphic."""
    import pytest
    from rdflib.compare import graph_diff, isomorphic, to_isomorphic

    if not isomorphic(got, expected):
        _, only_got, only_expected = graph_diff(to_isomorphic(got), to_isomorphic(expected))
        pytest.fail(f"not isomorphic: {len(only_got)} extra, {len(only_expected)} missing; "
                    f"e.g. extra {sorted(only_got)[:3]}, missing {sorted(only_expected)[:3]}")


def canonical_ntriples(graph: Graph) -> str:
    """N-Triples with sorted lines, as a build writes them (for fixtures that write a build by hand)."""
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    return "".join(sorted(line + "\n" for line in text.splitlines() if line.strip()))


def copy_programme(source: Path, tmp_path: Path) -> Path:
    """A copy of the programme folder `source` under `tmp_path`, with the same folder name."""
    folder = tmp_path / source.name
    shutil.copytree(source, folder)
    return folder


def replace_once(path: Path, old: str, new: str) -> int:
    """Replace `old`, which must occur exactly once, in the file; the line number where it started."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1
