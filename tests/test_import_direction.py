"""Imports point one way (DESIGN.md): app -> ingest, graph, queries -> ontology. Ingest ends at RDF and never
imports graph or app; graph never imports ingest or app; nothing in the product imports bench or the tests; and
every import of the product's own code goes through the `policygraph` namespace (a bare `import graph` would
find a user's own module of that name first).

Every import statement counts, at module level or inside a function, so a lazy import cannot hide a violation.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LAYERS = ("app", "graph", "ingest", "ontology", "queries")
ALLOWED: dict[str, frozenset[str]] = {
    "app": frozenset({"app", "ingest", "graph", "queries", "ontology"}),
    "ingest": frozenset({"ingest", "ontology"}),
    "graph": frozenset({"graph", "ontology"}),
    "queries": frozenset({"queries", "ontology"}),
    "ontology": frozenset({"ontology"}),
    "": frozenset(LAYERS),  # the namespace's own __init__ (the notebook door) may reach the app
}
FOREIGN = ("bench", "tests", "support", "conftest")


def _sources() -> list[Path]:
    return [REPO / "__init__.py", *sorted(p for layer in LAYERS for p in (REPO / layer).rglob("*.py"))]


def _layer(path: Path) -> str:
    rel = path.relative_to(REPO)
    return rel.parts[0] if len(rel.parts) > 1 else ""


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [(node.lineno, node.module)]
            if node.module == "policygraph":  # `from policygraph import graph`
                found += [(node.lineno, f"policygraph.{alias.name}") for alias in node.names]
    return found


def violations(path: Path, text: str | None = None) -> list[str]:
    """What `path` (a product module, or `text` as if it were there) imports against the rule."""
    tree = ast.parse(path.read_text(encoding="utf-8") if text is None else text)
    layer = _layer(path)
    where = path.relative_to(REPO)
    found = []
    for line, module in _imported(tree):
        top, _, rest = module.partition(".")
        if top in LAYERS or top in FOREIGN:
            found.append(f"{where}:{line}: imports {module!r} outside the policygraph namespace")
        elif top == "policygraph" and rest:
            target = rest.split(".")[0]
            if target in FOREIGN:
                found.append(f"{where}:{line}: the product imports {module!r}")
            elif target in LAYERS and target not in ALLOWED[layer]:
                found.append(f"{where}:{line}: {layer} imports {target} ({module}); imports point "
                             "app -> ingest, graph, queries -> ontology")
    return found


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(REPO)))
def test_imports_point_one_way(path: Path) -> None:
    assert violations(path) == []


@pytest.mark.parametrize(("module", "text", "expected"), [
    ("ingest/rdf.py", "from policygraph.graph.model import Cell\n", "ingest imports graph"),
    ("graph/derive.py", "def f():\n    from policygraph.ingest import nt\n", "graph imports ingest"),
    ("graph/traces.py", "import policygraph.app.release\n", "graph imports app"),
    ("ontology/__init__.py", "from policygraph import graph\n", "ontology imports graph"),
    ("queries/__init__.py", "from policygraph.app.read import tables\n", "queries imports app"),
    ("app/release.py", "from queries import all_queries\n", "outside the policygraph namespace"),
    ("app/cli/build.py", "import bench.generate_national\n", "outside the policygraph namespace"),
])
def test_a_planted_violation_is_caught(module: str, text: str, expected: str) -> None:
    found = violations(REPO / module, text)
    assert len(found) == 1 and expected in found[0], found


def test_allowed_imports_pass() -> None:
    assert violations(REPO / "app" / "release.py", "from policygraph.graph.model import ProgrammeModel\n") == []
    assert violations(REPO / "ingest" / "rdf.py", "from policygraph.ontology import ntriples\n") == []
