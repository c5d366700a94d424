"""The Python API as a researcher uses it: docs/example.ipynb, executed cell by cell in a real Jupyter kernel
(nbclient) on the case's build, gives the answers the CLI gives."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from support import REPO

NOTEBOOK = REPO / "docs" / "example.ipynb"


def _text(cell: nbformat.NotebookNode) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.append(output.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def test_the_example_notebook_runs_on_the_case(build_dir: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYGRAPH_BUILD", str(build_dir))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(not any(o.get("output_type") == "error" for o in cell.get("outputs", [])) for cell in code)
    outputs = [_text(cell) for cell in code]
    assert "health-trainers" in outputs[0] and "Release(" in outputs[0]
    assert "Case study D" in outputs[2]  # the services, from SPARQL
    assert "roll-up: 4 of 6 services" in outputs[4]  # drift's note, as `policygraph drift` prints it
    assert "consistent" in outputs[5] and "departed" in outputs[6]  # a trace's hops; the graph's statuses
    assert (tmp_path / "vision.svg").read_bytes().startswith(b"<?xml")
    assert "no Neo4j" in outputs[-1]
