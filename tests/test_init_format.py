"""Starting a programme (`policygraph init`), its canonical form (`policygraph format`) and the warnings of
`policygraph validate` (files it does not read, files not in the canonical form)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import CASE, copy_programme, replace_once, run_cli

from policygraph.app.build import build
from policygraph.app.cli import main
from policygraph.ingest import formatting
from policygraph.ingest.errors import IngestError
from policygraph.ingest.folder_contents import READ_FILES, unread_files
from policygraph.ingest.formatting import format_programme, non_canonical_files
from policygraph.ingest.programme import load_programme
from policygraph.ingest.scaffold import write_new_programme

FIRST_CASE_WORDS = ("case stud", "medicalis", "nhs-medical", "table 2", "health trainer", "health-trainers")


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def _copy_case(tmp_path: Path) -> Path:
    return copy_programme(CASE, tmp_path)


def _shuffle(folder: Path) -> None:
    """Keys out of order in two files, a list not indented under its key, configuration rows swapped."""
    replace_once(folder / "services.yaml", "  - id: B\n    label: Case study B\n",
             "  - label: Case study B\n    id: B\n")
    text = (folder / "programme.yaml").read_text(encoding="utf-8")
    periods = text.index("periods:\n")  # the periods first, then the header comment and the programme
    (folder / "programme.yaml").write_text(text[periods:] + text[:periods], encoding="utf-8")
    timeline = folder / "timeline.yaml"
    timeline.write_text(re.sub(r"(?m)^  ", "", timeline.read_text(encoding="utf-8")), encoding="utf-8")
    rows = (folder / "configurations.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    rows[1], rows[-1] = rows[-1], rows[1]
    (folder / "configurations.csv").write_text("".join(rows), encoding="utf-8")


# --- init -------------------------------------------------------------------------------------------

def test_init_writes_a_programme_that_validates_and_builds(tmp_path: Path) -> None:
    folder = tmp_path / "new-programme"
    made = run_cli("init", str(folder))
    assert made.returncode == 0, made.stderr
    assert sorted(p.name for p in folder.iterdir()) == sorted([*READ_FILES, "README.md"])
    checked = run_cli("validate", "--data", str(folder))
    assert checked.returncode == 0, checked.stderr
    assert "new-programme: valid" in checked.stdout
    assert "warning" not in checked.stderr  # canonical, and nothing unread
    built = run_cli("build", "--data", str(folder), build_dir=tmp_path / "build")
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "build" / "graph.nt").is_file()


def test_init_examples_are_placeholders_citing_the_example_source(tmp_path: Path) -> None:
    write_new_programme(tmp_path / "example-prog")
    for path in (tmp_path / "example-prog").iterdir():
        text = path.read_text(encoding="utf-8").lower()
        assert not [w for w in FIRST_CASE_WORDS if w in text], path.name
        if path.suffix == ".yaml":
            assert text.count("\n#") + text.startswith("#") >= 1, f"{path.name} explains its records"
    programme = load_programme(tmp_path / "example-prog")
    assert programme.id == "example-prog"
    assert [s.id for s in programme.sources.sources] == ["example-source"]
    assert all(s.url.startswith("https://example.org/") for s in programme.sources.sources)
    cited = re.findall(r"source: (\S+)", "".join(p.read_text() for p in (tmp_path / "example-prog").glob("*.yaml")))
    assert set(cited) == {"example-source"}
    assert {r.row.source for r in programme.configurations} == {"example-source"}
    vocabulary = programme.vocabulary.file
    assert len(vocabulary.dimensions) == 1 and len(vocabulary.orientation.poles) == 2
    assert vocabulary.drift.towards in {p.id for p in vocabulary.orientation.poles}


def test_init_id_option_sets_the_programme_id(tmp_path: Path) -> None:
    code, out, err = _invoke("init", str(tmp_path / "Some Folder"), "--id", "my-prog")
    assert code == 0, err
    assert "created" in out
    assert load_programme(tmp_path / "Some Folder").id == "my-prog"


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "prog").mkdir()
    (tmp_path / "prog" / "notes.txt").write_text("mine", encoding="utf-8")
    result = run_cli("init", str(tmp_path / "prog"))
    assert result.returncode == 2
    assert "the folder is not empty (it holds notes.txt)" in result.stderr
    assert "fix: choose a new folder name" in result.stderr
    assert [p.name for p in (tmp_path / "prog").iterdir()] == ["notes.txt"]


def test_init_accepts_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = _invoke("init", str(tmp_path / "empty"))
    assert code == 0, err
    assert (tmp_path / "empty" / "programme.yaml").is_file()


@pytest.mark.parametrize(("name", "extra", "message", "fix"), [
    ("My Programme", [], "the folder name 'My Programme' is not a programme id", "pass --id my-programme"),
    ("prog", ["--id", "bad id!"], "--id 'bad id!' is not a programme id", "pass --id bad-id"),
    ("prog", ["--id", "x" * 65], "is not a programme id", "pass --id " + "x" * 64),
])
def test_init_refuses_an_id_that_is_not_one(tmp_path: Path, name: str, extra: list[str], message: str,
                                            fix: str) -> None:
    code, _, err = _invoke("init", str(tmp_path / name), *extra)
    assert code == 2
    assert message in err and f"fix: {fix}" in err
    assert not (tmp_path / name).exists()


def test_init_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "prog").write_text("a file", encoding="utf-8")
    code, _, err = _invoke("init", str(tmp_path / "prog"))
    assert code == 2
    assert "exists and is not a folder" in err


# --- format -----------------------------------------------------------------------------------------

def test_the_case_is_canonical_and_format_changes_nothing(tmp_path: Path) -> None:
    assert non_canonical_files(load_programme(CASE)) == []
    folder = _copy_case(tmp_path)
    before = _digests(folder)
    code, out, err = _invoke("format", str(folder))
    assert code == 0, err
    assert "already in the canonical form" in out
    assert _digests(folder) == before


def test_format_check_lists_a_shuffled_copy_then_format_fixes_it(tmp_path: Path) -> None:
    folder = _copy_case(tmp_path)
    _shuffle(folder)
    before = _digests(folder)
    checked = run_cli("format", "--check", str(folder))
    assert checked.returncode == 1
    listed = re.findall(r"^(\S+?):(\d+)", checked.stdout, re.M)
    assert sorted(Path(p).name for p, _ in listed) == ["configurations.csv", "programme.yaml", "services.yaml",
                                                       "timeline.yaml"]
    assert f"services.yaml:{_line_of(folder / 'services.yaml', '  - label: Case study B')}: key 'label' is out" \
        in checked.stdout
    assert "timeline.yaml:2: not in the canonical layout" in checked.stdout
    assert "configurations.csv:2 (row 2): row out of the canonical order" in checked.stdout
    assert checked.stdout.count(f"fix: run `policygraph format {folder}`") == 4
    assert _digests(folder) == before  # --check writes nothing

    built_before = build(folder, tmp_path / "before").triples
    formatted = run_cli("format", str(folder))
    assert formatted.returncode == 0, formatted.stderr
    assert "4 file(s) rewritten" in formatted.stdout
    assert run_cli("format", "--check", str(folder)).returncode == 0
    assert _digests(folder) == _digests(CASE)  # the shuffled copy is back to the case, byte for byte
    assert build(folder, tmp_path / "after").triples == built_before
    assert (tmp_path / "after" / "graph.nt").read_bytes() == (tmp_path / "before" / "graph.nt").read_bytes()
    assert not list(folder.glob(".*"))  # no temporary file left behind


def _line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")
    return next(i + 1 for i, line in enumerate(lines) if line.startswith(text))


def test_format_refuses_a_folder_that_does_not_validate(tmp_path: Path) -> None:
    folder = _copy_case(tmp_path)
    _shuffle(folder)
    replace_once(folder / "services.yaml", "    status: known\n    description: Citywide", "    status: maybe\n    "
             "description: Citywide")
    before = _digests(folder)
    for args in (("format", str(folder)), ("format", "--check", str(folder))):
        result = run_cli(*args)
        assert result.returncode == 2
        assert "services.yaml:" in result.stderr and "status" in result.stderr
        assert "nothing was written" in result.stderr
    assert _digests(folder) == before


def test_format_refuses_a_missing_folder(tmp_path: Path) -> None:
    code, _, err = _invoke("format", str(tmp_path / "nowhere"))
    assert code == 2
    assert "not a folder" in err


def test_format_keeps_comments_values_and_fixes_the_layout(tmp_path: Path) -> None:
    folder = tmp_path / "prog"
    write_new_programme(folder)
    documents = folder / "documents.yaml"
    documents.write_text(
        "\ufeff# my note on the file\n"
        "documents:\n"
        "    # the only document\n"
        "    -\n"
        "        description: |-\n"
        "            Two lines,\n"
        "            kept as written.\n"
        "        evidence: [{locator: 'Section 1', source: example-source}]  # cited once\n"
        "        id: example-policy\n"
        "        published_by: example-organisation\n"
        "        implements:\n"
        "        - example-policy-b\n"
        "        title: \"Quoted: title\"\n"
        "        kind: guidance\n"
        "        date: 2000-01\n"
        "    - {id: example-policy-b, title: Other, kind: act, date: '2001', published_by: example-organisation,\n"
        "       description: Two\n"
        "         lines of plain text., evidence: [{source: example-source, locator: x}]}\n", encoding="utf-8")
    before = load_programme(folder).documents
    assert [p.location.path.name for p in non_canonical_files(load_programme(folder))] == ["documents.yaml"]
    assert format_programme(load_programme(folder)) == [documents]
    assert documents.read_text(encoding="utf-8") == (
        "# my note on the file\n"
        "documents:\n"
        "  # the only document\n"
        "  - id: example-policy\n"
        "    title: \"Quoted: title\"\n"
        "    kind: guidance\n"
        "    date: 2000-01\n"
        "    published_by: example-organisation\n"
        "    implements: [example-policy-b]\n"
        "    description: |-\n"
        "      Two lines,\n"
        "      kept as written.\n"
        "    evidence:\n"
        "      - source: example-source\n"
        "        locator: 'Section 1'\n"
        "  - id: example-policy-b\n"
        "    title: Other\n"
        "    kind: act\n"
        "    date: '2001'\n"
        "    published_by: example-organisation\n"
        "    description: \"Two lines of plain text.\"\n"
        "    evidence:\n"
        "      - source: example-source\n"
        "        locator: x\n")
    after = load_programme(folder)
    assert after.documents == before
    assert non_canonical_files(after) == []


def test_an_end_of_line_comment_is_canonical_as_it_is(tmp_path: Path) -> None:
    folder = tmp_path / "prog"
    write_new_programme(folder)
    replace_once(folder / "services.yaml", "    status: known\n", "    status: known   # as the source says\n")
    assert non_canonical_files(load_programme(folder)) == []  # an end-of-line comment is canonical as it is


def test_format_csv_layout_byte_order_mark_and_line_breaks(tmp_path: Path) -> None:
    folder = tmp_path / "prog"
    write_new_programme(folder)
    table = folder / "configurations.csv"
    canonical = table.read_bytes()
    table.write_bytes(b"\xef\xbb\xbf" + canonical.replace(b"\n", b"\r\n") + b"\r\n")
    problems = non_canonical_files(load_programme(folder))
    assert [(p.location.path.name, p.location.line) for p in problems] == [("configurations.csv", 1)]
    assert "not in the canonical layout" in problems[0].message
    format_programme(load_programme(folder))
    assert table.read_bytes() == canonical


def test_format_replaces_no_file_when_one_would_not_read_back_the_same(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _copy_case(tmp_path)
    _shuffle(folder)
    before = _digests(folder)
    real_layout = formatting.layout

    def lossy(text: str, *args: object, **kwargs: object) -> tuple[str, object]:
        out, misplaced = real_layout(text, *args, **kwargs)
        return (out.replace("Case study", "Case-study") if "services:" in out else out), misplaced

    monkeypatch.setattr(formatting, "layout", lossy)
    with pytest.raises(IngestError, match="would not read back as the same data") as caught:
        format_programme(load_programme(folder))
    assert [p.location.path.name for p in caught.value.problems] == ["services.yaml"]
    assert _digests(folder) == before
    assert not list(folder.glob(".*"))


# --- validate's warnings ----------------------------------------------------------------------------

def test_validate_warns_about_unread_and_non_canonical_files(tmp_path: Path) -> None:
    folder = _copy_case(tmp_path)
    replace_once(folder / "services.yaml", "  - id: B\n    label: Case study B\n",
                 "  - label: Case study B\n    id: B\n")
    (folder / "notes.txt").write_text("my notes", encoding="utf-8")
    (folder / "documents.yml").write_text("documents: []\n", encoding="utf-8")
    (folder / "drafts").mkdir()
    (folder / ".editor-state").write_text("hidden", encoding="utf-8")
    (folder / "README.md").write_text("# notes\n", encoding="utf-8")
    result = run_cli("validate", "--data", str(folder))
    assert result.returncode == 0, result.stderr
    assert "health-trainers: valid" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 4, result.stderr
    assert f"warning: {folder / 'notes.txt'}: policygraph does not read notes.txt" in result.stderr
    assert "fix: rename it to one of programme.yaml, " in result.stderr
    assert f"warning: {folder / 'documents.yml'}: policygraph does not read documents.yml" in result.stderr
    assert "fix: rename it to documents.yaml if that is what it holds, or remove it" in result.stderr
    assert f"warning: {folder / 'drafts'}: policygraph does not read the folder drafts/" in result.stderr
    line = _line_of(folder / "services.yaml", "  - label: Case study B")
    assert f"warning: {folder / 'services.yaml'}:{line}: key 'label' is out of the canonical order" in result.stderr
    assert f"fix: run `policygraph format {folder}`" in result.stderr
    assert str(folder / "README.md") not in result.stderr and ".editor-state" not in result.stderr
    assert str(folder / "queries") not in result.stderr  # the programme's queries/ folder is read


def test_validate_names_the_misspelt_file_of_a_missing_one(tmp_path: Path) -> None:
    folder = _copy_case(tmp_path)
    (folder / "observations.yaml").rename(folder / "observation.yaml")
    result = run_cli("validate", "--data", str(folder))
    assert result.returncode == 2
    assert f"warning: {folder / 'observation.yaml'}: policygraph does not read observation.yaml" in result.stderr
    assert "fix: rename it to observations.yaml if that is what it holds, or remove it" in result.stderr
    assert "observations.yaml: file is missing" in result.stderr


def test_the_activity_extract_named_by_the_programme_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "prog"
    write_new_programme(folder)
    (folder / "activity.csv").write_text("x\n", encoding="utf-8")
    assert [p.location.path.name for p in unread_files(folder)] == ["activity.csv"]
    with (folder / "programme.yaml").open("a", encoding="utf-8") as handle:
        handle.write("activity:\n  file: activity.csv\n  source: example-source\n  locator: the extract\n")
    assert unread_files(folder) == []
