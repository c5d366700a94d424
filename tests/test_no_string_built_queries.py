"""No query text is built from values: named and ad-hoc queries take parameters bound by the engine.

Scans every product module for f-strings, `%`-formatting, `.format()` and `+` concatenation that put a
value into SPARQL or Cypher text. The only exceptions are Cypher labels, relationship types and
property keys (which Cypher cannot take as parameters); each such line carries the marker
`# query-built: <why it is safe>` and must take its names from the validated mapping.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("app", "graph", "ingest", "ontology", "queries")
KEYWORDS = re.compile(r"\b(SELECT|CONSTRUCT|ASK\s*\{|DESCRIBE|INSERT|DELETE|MATCH|MERGE|CREATE|UNWIND|RETURN|"
                      r"WHERE\s*\{|OPTIONAL\s+MATCH|CALL\s)\b")
MARKER = "# query-built:"


def _sources() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (REPO / pkg).rglob("*.py"))


def _literal_text(node: ast.AST) -> str:
    return " ".join(v.value for v in ast.walk(node) if isinstance(v, ast.Constant) and isinstance(v.value, str))


def _built(node: ast.AST) -> bool:
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return any(isinstance(side, ast.Name | ast.Call | ast.Attribute | ast.Subscript | ast.JoinedStr)
                   for side in (node.left, node.right))
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
            and isinstance(node.func.value, ast.Constant))


def offending_lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    found = []
    for node in ast.walk(ast.parse(text)):
        if not _built(node) or not KEYWORDS.search(_literal_text(node)):
            continue
        span = lines[node.lineno - 1: (node.end_lineno or node.lineno)]
        context = lines[max(0, node.lineno - 3): node.lineno]
        if not any(MARKER in line for line in [*span, *context]):
            where = path.relative_to(REPO) if path.is_relative_to(REPO) else path
            found.append(f"{where}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    return found


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_query_text_is_built_from_values(path: Path) -> None:
    assert offending_lines(path) == []


def test_the_scanner_catches_string_built_queries(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text('def q(store, name):\n    return store.query(f"SELECT ?s WHERE {{ ?s ?p \\"{name}\\" }}")\n'
                   'def c(session, x):\n    return session.run("MATCH (n) WHERE n.name = \'" + x + "\' RETURN n")\n')
    assert len(offending_lines(bad)) == 2
    good = tmp_path / "good.py"
    good.write_text('def q(store, name):\n    return store.query("SELECT ?s WHERE { ?s ?p ?name }", {"name": name})\n')
    assert offending_lines(good) == []
