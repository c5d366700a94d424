"""The offline HTML page: self-contained, every label escaped, each view's ids its own so that several views
(or the same one twice) can share a page; the picture's tooltips hold the full text and the evidence."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from exports_support import rewritten_build

from policygraph.app.exports import export, make_view, page_of
from policygraph.app.release import Release

HOSTILE = "<img src=x onerror=alert(1)></script><b>"


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.starts: list[tuple[str, dict[str, str | None]]] = []
        self.sections: list[str] = []
        self.ids_in: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.starts.append((tag, found))
        if tag == "section":
            self.sections.append(str(found["id"]))
        elif "id" in found and self.sections:
            self.ids_in.setdefault(self.sections[-1], []).append(str(found["id"]))


def parse(text: str) -> _Elements:
    parser = _Elements()
    parser.feed(text)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def case(build_dir: Path) -> Release:
    return Release.current(build_dir)


def test_the_page_is_self_contained(case: Release) -> None:
    text = export(case, make_view(case), "html").decode("utf-8")
    elements = parse(text)
    loads = [(tag, a) for tag, a in elements.starts if tag in ("script", "link", "img", "iframe", "object", "embed")
             and ({"src", "href", "data"} & set(a))]
    assert loads == [], "the offline page loads something"
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", text)  # no web fonts or images from CSS
    assert [tag for tag, _ in elements.starts].count("section") == 2  # the picture, then every hop


def test_every_id_of_a_view_starts_with_the_views_own(case: Release) -> None:
    elements = parse(export(case, make_view(case), "html").decode("utf-8"))
    assert len(elements.sections) == 2
    for section, ids in elements.ids_in.items():
        assert ids
        assert all(i.startswith(f"{section}-") for i in ids), ids


def test_several_views_and_the_same_view_twice_share_a_page(case: Release) -> None:
    views = [make_view(case, intent="peer-support-from-next-door"), make_view(case, service="D"),
             make_view(case, intent="peer-support-from-next-door")]
    text = page_of(views, "Three views")
    elements = parse(text)
    ids = [a["id"] for _, a in elements.starts if "id" in a]
    assert len(ids) == len(set(ids)), "an id is used twice"
    assert len(elements.sections) == 6
    assert elements.sections[4] == elements.sections[0] + "-2"  # the repeated view's picture, renamed
    for section, inner in elements.ids_in.items():
        assert all(i.startswith(f"{section}-") for i in inner)
    # Each script finds its own section by id (no global ids such as "net" or "evidence").
    for section in elements.sections:
        assert f'document.getElementById("{section}-data")' in text


def test_labels_are_escaped_everywhere(tmp_path: Path) -> None:
    hostile = Release.current(rewritten_build(tmp_path / "hostile", lambda node, text: f"{HOSTILE} {text}",
                                              verbatim=lambda node, text: f"{HOSTILE} {text}"))
    text = export(hostile, make_view(hostile), "html").decode("utf-8")
    tags = [tag for tag, _ in parse(text).starts]
    assert "img" not in tags
    assert "b" not in tags
    assert tags.count("script") == 1 + 2 * 2  # vis-network, and a data block and a script per section
    assert "&lt;img src=x onerror=alert(1)&gt;" in text  # shown as text in the table and its tooltips
    blocks = re.findall(r'<script type="application/json" id="[^"]+">(.*?)</script>', text, flags=re.S)
    assert len(blocks) == 2
    for block in blocks:
        assert "<" not in block
        assert HOSTILE in json.dumps(json.loads(block), ensure_ascii=False)  # the data keeps the text as it is


def test_a_marks_tooltip_has_its_value_status_and_evidence(case: Release) -> None:
    text = export(case, make_view(case, service="B"), "html").decode("utf-8")
    block = re.search(r'<script type="application/json" id="pg-[0-9a-f]+-data">(.*?)</script>', text, flags=re.S)
    assert block
    details = json.loads(block[1])
    assert ("Case study B · Health Trainers (expects: “Person next door”)\nFollow-up: Some preference for more "
            "work-ready HTs\nstatus: departed\nS4: Table 2, row B follow-up, column 'Health Trainers'") in details
    assert "Follow-up: Some preference for more work-ready HTs" in text  # the tooltip (title attribute)


def test_the_documented_snippet_runs(build_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "embedding.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", doc, flags=re.S)
    assert code
    monkeypatch.chdir(tmp_path)
    (tmp_path / "build").symlink_to(build_dir)
    exec(compile(code[1], "docs/embedding.md", "exec"), {})  # the documentation's own example
    elements = parse((tmp_path / "two-views.html").read_text(encoding="utf-8"))
    assert len(elements.sections) == 4
    assert len(re.findall(r'<iframe (data-)?src="vision\.html"', doc)) == 2  # the web page's and the deck's
