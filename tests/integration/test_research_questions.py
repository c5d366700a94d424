"""docs/research-questions.md: every question's SPARQL (Oxigraph) and Cypher (Neo4j) give exactly the rows its
`csv` block states, read from the document itself.

A question is a `## Q<n>. <question>` section holding one ```sparql, one ```cypher and one ```csv block (the
csv's first row is the column names). The rows are compared as a multiset of text rows, in order when the block
is ```csv ordered. Both engines' cells are text; a missing value (None) and an empty csv cell are the same.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from policygraph.app.read.queries import run_cypher, run_sparql
from policygraph.app.release import Release
from policygraph.graph.neo4j_store import Neo4jSettings
from policygraph.graph.results import Cell, QueryResult

DOC = Path(__file__).resolve().parents[2] / "docs" / "research-questions.md"
SECTION = re.compile(r"^## (Q\d+)\. (.+)$", re.MULTILINE)
FENCE = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
MIN_QUESTIONS = 25


@dataclass(frozen=True)
class Question:
    qid: str
    title: str
    answer: str
    sparql: str
    cypher: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    ordered: bool


def parse(text: str) -> list[Question]:
    """The questions of the document, each checked to open with its answer in words and to have exactly one block
    of each kind."""
    heads = list(SECTION.finditer(text))
    questions = []
    for head, following in zip(heads, [*heads[1:], None], strict=True):
        body = text[head.end():following.start() if following else len(text)]
        blocks: dict[str, list[tuple[str, str]]] = {}
        for fence in FENCE.finditer(body):
            blocks.setdefault(fence.group(1), []).append((fence.group(2).strip(), fence.group(3)))
        qid = head.group(1)
        answer = body.split("```", 1)[0].strip()
        assert answer.startswith("**Answer.** "), f"{qid}: the answer in words comes first"
        assert sorted(blocks) == ["csv", "cypher", "sparql"], f"{qid}: blocks {sorted(blocks)}"
        assert all(len(found) == 1 for found in blocks.values()), f"{qid}: one block of each kind"
        (flag, table), = blocks["csv"]
        assert flag in ("", "ordered"), f"{qid}: ```csv takes only 'ordered', not {flag!r}"
        header, *rows = list(csv.reader(io.StringIO(table)))
        assert all(len(row) == len(header) for row in rows), f"{qid}: a csv row has the wrong number of cells"
        questions.append(Question(qid, head.group(2), answer, blocks["sparql"][0][1], blocks["cypher"][0][1],
                                  tuple(header), tuple(tuple(row) for row in rows), flag == "ordered"))
    return questions


QUESTIONS = parse(DOC.read_text(encoding="utf-8"))


def texts(rows: list[tuple[Cell, ...]]) -> list[tuple[str, ...]]:
    return [tuple("" if cell is None else cell for cell in row) for row in rows]


def mismatch(question: Question, engine: str, result: QueryResult) -> str | None:
    """Why `result` is not exactly the question's expected rows (None when it is)."""
    if tuple(result.columns) != question.columns:
        return f"{engine}: columns {result.columns}, expected {list(question.columns)}"
    if result.truncated or result.notes:
        return f"{engine}: truncated or noted: {result.notes}"
    got = texts(result.rows)
    if question.ordered:
        return None if got == list(question.rows) else f"{engine}: rows in order\n{got}\nexpected\n{question.rows}"
    missing, extra = Counter(question.rows) - Counter(got), Counter(got) - Counter(question.rows)
    if not missing and not extra:
        return None
    return f"{engine}: missing rows {sorted(missing.elements())}, unexpected rows {sorted(extra.elements())}"


def test_the_document_asks_enough_questions() -> None:
    assert len(QUESTIONS) >= MIN_QUESTIONS
    assert [q.qid for q in QUESTIONS] == [f"Q{n}" for n in range(1, len(QUESTIONS) + 1)]
    for q in QUESTIONS:
        assert q.rows, f"{q.qid}: no expected rows"
        assert "PREFIX pg:" in q.sparql, f"{q.qid}: the SPARQL declares its prefixes (paste into any tool)"
        if q.ordered:
            assert "ORDER BY" in q.sparql and "ORDER BY" in q.cypher, f"{q.qid}: ordered rows need ORDER BY"


def test_a_changed_expected_row_is_reported() -> None:
    """The comparison can fail: one changed cell, one dropped row, a swapped order are each a mismatch."""
    q = next(q for q in QUESTIONS if q.ordered and len(q.rows) > 1)
    exact = QueryResult(columns=list(q.columns), rows=[tuple(row) for row in q.rows])
    assert mismatch(q, "sparql", exact) is None
    changed = [(*q.rows[0][:-1], q.rows[0][-1] + "x"), *q.rows[1:]]
    for rows in (changed, list(q.rows[1:]), [q.rows[1], q.rows[0], *q.rows[2:]]):
        assert mismatch(q, "sparql", QueryResult(columns=list(q.columns), rows=list(rows))) is not None
    unordered = next(q for q in QUESTIONS if not q.ordered and len(q.rows) > 1)
    shuffled = QueryResult(columns=list(unordered.columns), rows=[tuple(r) for r in reversed(unordered.rows)])
    assert mismatch(unordered, "sparql", shuffled) is None
    doubled = QueryResult(columns=list(unordered.columns), rows=[*shuffled.rows, shuffled.rows[0]])
    assert mismatch(unordered, "sparql", doubled) is not None


@pytest.mark.neo4j
@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.qid)
def test_both_engines_give_the_documented_answer(question: Question, build_dir: Path,
                                                 case_in_neo4j: Neo4jSettings) -> None:
    release = Release.current(build_dir)
    problems = [mismatch(question, "sparql", run_sparql(release, question.sparql)),
                mismatch(question, "cypher", run_cypher(release, question.cypher))]
    assert not any(problems), f"{question.qid} {question.title}\n" + "\n".join(p for p in problems if p)
