"""The strict YAML reader: positions, duplicate keys, no implicit dates, hostile input.

Every test runs on both parser back ends (libyaml's, used when PyYAML has it, and PyYAML's
pure-Python one), which must agree.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from policygraph.ingest import yaml_source
from policygraph.ingest.errors import IngestError, Location
from policygraph.ingest.yaml_source import MAX_DEPTH, read_yaml

CASE = Path(__file__).resolve().parents[1] / "data" / "health-trainers"
BACKENDS = ["pure", *(["libyaml"] if yaml.__with_libyaml__ else [])]


@pytest.fixture(params=BACKENDS, autouse=True)
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "pure":
        monkeypatch.setattr(yaml_source, "_StrictLoader", yaml_source._PureLoader)
    else:
        monkeypatch.setattr(yaml_source, "_StrictLoader", yaml_source._FastLoader)
    return str(request.param)


def write(tmp_path: Path, text: str | bytes, name: str = "f.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def refused(path: Path) -> tuple[Location, str, str]:
    """(location, message, fix) of the single problem reading `path` raises."""
    with pytest.raises(IngestError) as caught:
        read_yaml(path)
    problems = caught.value.problems
    assert len(problems) == 1, caught.value.render()
    p = problems[0]
    assert p.location.path == path
    assert p.fix.strip(), "every problem says how to fix it"
    return p.location, p.message, p.fix


NESTED = """\
programme:
  id: x
  label: "A label"
periods:
  - id: start-up
    order: 1
  - id: follow-up
    order: 2
    note: >-
      folded
      text
"""


def test_positions_of_nested_keys(tmp_path: Path) -> None:
    data, located = read_yaml(write(tmp_path, NESTED))
    assert data["periods"][1]["note"] == "folded text"
    # A scalar value: its own line and column (1-based).
    assert located.at(("programme", "id")) == Location(located.path, 2, 7)
    assert located.at(("programme", "label")) == Location(located.path, 3, 10)
    assert located.at(("periods", 1, "order")) == Location(located.path, 8, 12)
    # A block value starts on the next line; a list item at its first key.
    assert located.at(("programme",)) == Location(located.path, 2, 3)
    assert located.at(("periods", 0)) == Location(located.path, 5, 5)
    assert located.at(("periods", 1)) == Location(located.path, 7, 5)
    assert located.at(("periods", 1, "note")) == Location(located.path, 9, 11)
    assert located.at(()) == Location(located.path, 1, 1)


def test_missing_key_falls_back_to_nearest_ancestor(tmp_path: Path) -> None:
    # pydantic reports a missing field at a path that does not exist in the file.
    _, located = read_yaml(write(tmp_path, NESTED))
    assert located.at(("periods", 0, "label")) == located.at(("periods", 0))
    assert located.at(("periods", 0, "evidence", 3, "source")) == Location(located.path, 5, 5)
    assert located.at(("nowhere", 1)) == Location(located.path, 1, 1)


def test_flow_collections_keep_item_columns(tmp_path: Path) -> None:
    _, located = read_yaml(write(tmp_path, "a:\n  implements: [x, yy, zzz]\n"))
    assert [located.at(("a", "implements", i)).column for i in range(3)] == [16, 19, 23]
    assert {located.at(("a", "implements", i)).line for i in range(3)} == {2}


def test_duplicate_key_position(tmp_path: Path) -> None:
    text = "periods:\n  - id: a\n    order: 1\n    label: A\n    order: 2\n"
    where, message, fix = refused(write(tmp_path, text))
    assert (where.line, where.column) == (5, 5)  # the second 'order', not the first
    assert message == "duplicate key 'order' (first at line 3)"
    assert "keep one 'order'" in fix


def test_duplicate_top_level_key(tmp_path: Path) -> None:
    where, message, _ = refused(write(tmp_path, "events: []\nsources: []\nevents: []\n"))
    assert (where.line, where.column) == (3, 1)
    assert "duplicate key 'events'" in message


def test_duplicate_key_in_flow_mapping(tmp_path: Path) -> None:
    where, message, _ = refused(write(tmp_path, "x:\n  - {a: 1, b: 2, a: 3}\n"))
    assert (where.line, where.column) == (2, 18)
    assert "duplicate key 'a'" in message


def test_equal_keys_in_different_mappings_are_fine(tmp_path: Path) -> None:
    data, _ = read_yaml(write(tmp_path, "- id: a\n- id: b\n"))
    assert data == [{"id": "a"}, {"id": "b"}]


@pytest.mark.parametrize("value", ["2005-03-09", "2004-11-01T10:00:00", "2004-11-01 10:00:00Z"])
def test_no_timestamp_resolution(tmp_path: Path, value: str) -> None:
    data, _ = read_yaml(write(tmp_path, f"date: {value}\n"))
    assert data == {"date": value}
    assert isinstance(data["date"], str)
    # Plain PyYAML would have made a date: the check above is not vacuous.
    assert not isinstance(yaml.safe_load(f"date: {value}"), str)
    assert isinstance(yaml.safe_load(f"date: {value}")["date"], datetime.date)


def test_other_scalars_still_typed(tmp_path: Path) -> None:
    text = 'i: 69\nf: 0.5\nb: true\nn: null\ny: "2014"\nym: 2004-11\nt: !!str 2014\n'
    data, _ = read_yaml(write(tmp_path, text))
    assert data == {"i": 69, "f": 0.5, "b": True, "n": None, "y": "2014", "ym": "2004-11",
                    "t": "2014"}
    assert type(data["i"]) is int


def test_reads_the_case_like_safe_load_except_dates() -> None:
    def undate(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: undate(v) for k, v in value.items()}
        if isinstance(value, list):
            return [undate(v) for v in value]
        if isinstance(value, datetime.date):
            return value.isoformat()
        return value

    files = sorted(CASE.glob("*.yaml"))
    assert len(files) >= 8
    for path in files:
        data, located = read_yaml(path)
        assert data == undate(yaml.safe_load(path.read_text(encoding="utf-8"))), path.name
        assert located.nodes > 10


def test_backends_agree_on_positions(monkeypatch: pytest.MonkeyPatch, backend: str) -> None:
    path = CASE / "intents.yaml"
    _, here = read_yaml(path)
    other = yaml_source._PureLoader if backend == "libyaml" else getattr(
        yaml_source, "_FastLoader", yaml_source._PureLoader)
    monkeypatch.setattr(yaml_source, "_StrictLoader", other)
    _, there = read_yaml(path)
    keys = [("intents", 0, "id"), ("intents", 1, "expectations", 0, "expects", 2),
            ("intents", 2, "evidence", 0, "locator"), ("intents", 0, "description")]
    assert [here.at(k) for k in keys] == [there.at(k) for k in keys]
    assert len({here.at(k).line for k in keys}) == len(keys)


@pytest.mark.parametrize(("literal", "fragment"), [
    ("9" * 5000, "unreadable value"),  # Python refuses to parse ints over 4300 digits
    ("0x" + "f" * 5000, "hexadecimal"),  # refused as a YAML 1.1 form before its size matters
    (str(2**63), "out of range"),
    (str(-(2**63)), "out of range"),
])
def test_huge_integers_refused(tmp_path: Path, literal: str, fragment: str) -> None:
    where, message, _ = refused(write(tmp_path, f"a: 1\nb: {literal}\n"))
    assert (where.line, where.column) == (2, 4)
    assert fragment in message


def test_largest_integer_accepted(tmp_path: Path) -> None:
    data, _ = read_yaml(write(tmp_path, f"a: {2**63 - 1}\nb: {-(2**63 - 1)}\n"))
    assert data == {"a": 2**63 - 1, "b": -(2**63 - 1)}


def test_non_text_key_refused(tmp_path: Path) -> None:
    where, message, _ = refused(write(tmp_path, "a: 1\n2005: x\n"))
    assert (where.line, where.column) == (2, 1)
    assert "mapping key 2005 is not text" in message


def test_alias_refused_at_its_position(tmp_path: Path) -> None:
    where, message, _ = refused(write(tmp_path, "a: &x [1, 2]\nb:\n  c: *x\n"))
    assert (where.line, where.column) == (3, 6)
    assert "YAML alias '*x'" in message


def test_merge_key_refused(tmp_path: Path) -> None:
    where, message, _ = refused(write(tmp_path, "a:\n  x: 1\n  <<: {y: 2}\n"))
    assert (where.line, where.column) == (3, 3)
    assert "merge key '<<'" in message


def test_anchor_without_alias_is_harmless(tmp_path: Path) -> None:
    data, _ = read_yaml(write(tmp_path, "a: &x [1, 2]\n"))
    assert data == {"a": [1, 2]}


def test_billion_laughs_refused_quickly(tmp_path: Path) -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]"
              for i in range(8)]
    where, message, _ = refused(write(tmp_path, "\n".join(lines) + "\n"))
    assert where.line == 2
    assert "alias '*a'" in message


def test_collection_tags_refused(tmp_path: Path) -> None:
    where, message, _ = refused(write(
        tmp_path, "x: 1\ny: !!python/object/apply:os.system [echo]\n"))
    assert where.line == 2
    assert "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'" in message


def test_scalar_code_tags_refused(tmp_path: Path) -> None:
    where, message, _ = refused(write(tmp_path, "x: 1\ny: !!python/name:os.system\n"))
    assert where.line == 2
    assert "could not determine a constructor" in message


@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH])
def test_depth_boundary(tmp_path: Path, depth: int) -> None:
    # `depth` nested lists around a scalar: depth + 1 nodes deep.
    path = write(tmp_path, "[" * depth + "1" + "]" * depth + "\n")
    if depth + 1 <= MAX_DEPTH:
        data, _ = read_yaml(path)
        for _ in range(depth):
            data = data[0]
        assert data == 1
    else:
        where, message, _ = refused(path)
        assert message == f"nesting deeper than {MAX_DEPTH} levels"
        assert where.line == 1


def test_very_deep_nesting_is_an_error_not_a_crash(tmp_path: Path) -> None:
    where, message, _ = refused(write(tmp_path, "x: " + "[" * 20000 + "]" * 20000 + "\n"))
    assert "nesting deeper" in message
    assert (where.line, where.column) == (1, 4 + MAX_DEPTH - 1)


def test_node_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_source, "MAX_NODES", 10)
    read_yaml(write(tmp_path, "[1, 2, 3, 4, 5, 6, 7, 8]\n"))  # 9 nodes
    where, message, _ = refused(write(tmp_path, "[1, 2, 3, 4, 5, 6, 7, 8,\n 9, 10]\n"))
    assert "more than 10 YAML values" in message
    assert (where.line, where.column) == (2, 5)


def test_oversize_file_names_its_longest_line(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_source, "MAX_FILE_BYTES", 100)
    where, message, _ = refused(write(tmp_path, "a: 1\nb: " + "x" * 120 + "\nc: 2\n"))
    assert where.line == 2
    assert "over the 100-byte limit" in message


@pytest.mark.parametrize(("text", "expected"), [("", "the file is empty"),
                                                ("  \n\n", "the file is empty"),
                                                ("# only a comment\n", "only comments")])
def test_empty_files(tmp_path: Path, text: str, expected: str) -> None:
    where, message, fix = refused(write(tmp_path, text))
    assert where.line == 1
    assert expected in message
    assert fix.startswith("write")


def test_expected_keys_named_in_fix(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as caught:
        read_yaml(write(tmp_path, ""), expected_keys=("organisations", "roles"))
    assert "organisations:, roles:" in caught.value.problems[0].fix


def test_byte_order_mark_accepted(tmp_path: Path) -> None:
    data, located = read_yaml(write(tmp_path, b"\xef\xbb\xbfa: 1\nb: 2\n"))
    assert data == {"a": 1, "b": 2}
    assert located.at(("b",)).line == 2


def test_non_utf8_position(tmp_path: Path) -> None:
    where, message, _ = refused(write(tmp_path, b"a: 1\nb: caf\xe9\n"))
    assert (where.line, where.column) == (2, 7)
    assert "byte 0xe9 is not UTF-8" in message


def test_control_character_position(tmp_path: Path) -> None:
    where, message, _ = refused(write(tmp_path, "a: 1\nb: x\x07y\n"))
    assert (where.line, where.column) == (2, 5)
    assert "U+0007" in message


def test_unclosed_quote_points_at_its_opening(tmp_path: Path) -> None:
    where, message, fix = refused(write(tmp_path, "a: 1\nb: 'open\nc: 2\nd: 3\n"))
    assert (where.line, where.column) == (2, 4)
    assert "quoted scalar" in message
    assert "close the quote" in fix


def test_unquoted_colon(tmp_path: Path) -> None:
    where, message, fix = refused(write(tmp_path, "a: 1\nb: Start-up: first\n"))
    assert (where.line, where.column) == (2, 12)
    assert "mapping values are not allowed" in message
    assert "quotes" in fix


def test_tab_indentation(tmp_path: Path) -> None:
    where, message, fix = refused(write(tmp_path, "a:\n  b: 1\n\tc: 2\n"))
    assert where.line == 3
    assert "tab character" in message
    assert "spaces" in fix


def test_second_document_refused(tmp_path: Path) -> None:
    where, message, _ = refused(write(tmp_path, "a: 1\n---\nb: 2\n"))
    assert where.line == 2
    assert "another document" in message


def test_unreadable_path(tmp_path: Path) -> None:
    where, message, _ = refused(tmp_path / "missing.yaml")
    assert where.line is None
    assert "cannot read the file" in message


# --- issue 17: YAML 1.2 core scalars only; the YAML 1.1 forms are refused, never converted -----------------

@pytest.mark.parametrize(("literal", "fragment", "fix"), [
    ("017", "a number with a leading zero", "plain decimal"),  # YAML 1.1: 15
    ("010", "a number with a leading zero", "plain decimal"),  # YAML 1.1: 8
    ("-017", "a number with a leading zero", "plain decimal"),
    ("1:30", "a base-60 number", "plain decimal"),  # YAML 1.1: 90
    ("1:30.5", "a base-60 number", "plain decimal"),
    ("0x1F", "hexadecimal, octal or binary", "plain decimal"),  # YAML 1.1: 31
    ("0o17", "hexadecimal, octal or binary", "plain decimal"),  # YAML 1.2: 15
    ("0b101", "hexadecimal, octal or binary", "plain decimal"),
    ("1_000", "underscores", "plain decimal"),  # YAML 1.1: 1000
    ("1_000.5", "underscores", "plain decimal"),
    ("yes", "YAML 1.1 boolean (read as True)", "write true or false"),
    ("No", "YAML 1.1 boolean (read as False)", "write true or false"),
    ("ON", "YAML 1.1 boolean (read as True)", "write true or false"),
    ("off", "YAML 1.1 boolean (read as False)", "write true or false"),
    ("\u0662\u0660\u0660\u0665", "U+0662 ARABIC-INDIC DIGIT TWO", "ASCII digits"),
    ("\uff12\uff10\uff10\uff15", "U+FF12 FULLWIDTH DIGIT TWO", "ASCII digits"),
    ("\uff12\uff10\uff10\uff15-03-09", "non-ASCII digits", "ASCII digits"),
])
def test_yaml11_forms_refused(tmp_path: Path, literal: str, fragment: str, fix: str) -> None:
    where, message, hint = refused(write(tmp_path, f"a: 1\nb: {literal}\n"))
    assert (where.line, where.column) == (2, 4)
    assert fragment in message and repr(literal) in message
    assert fix in hint


def test_yaml11_form_as_a_key_refused(tmp_path: Path) -> None:
    where, message, _ = refused(write(tmp_path, "a: 1\nyes: 2\n"))
    assert (where.line, message) == (2, "'yes' is a YAML 1.1 boolean (read as True); policygraph reads YAML 1.2, "
                                        "where only true and false are booleans")


@pytest.mark.parametrize(("literal", "value"), [
    ("0", 0), ("-3", -3), ("+4", 4), ("69", 69), ("0.5", 0.5), (".5", 0.5), ("1e3", 1000.0), ("2.5E-1", 0.25),
    ("true", True), ("False", False), ("null", None), ("~", None),
    ('"017"', "017"), ("'1:30'", "1:30"), ('"yes"', "yes"), ("1.2.3", "1.2.3"), ("_1", "_1"), ("v1", "v1"),
    ("2005-03-09", "2005-03-09"), ("Phase \uff12", "Phase \uff12"),
])
def test_yaml12_core_scalars(tmp_path: Path, literal: str, value: object) -> None:
    data, _ = read_yaml(write(tmp_path, f"a: {literal}\n"))
    assert data == {"a": value} and type(data["a"]) is type(value)


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85"])
@pytest.mark.parametrize("quoted", [False, True])
def test_yaml_line_breaks_beyond_lf_refused_at_their_line(tmp_path: Path, char: str, quoted: bool) -> None:
    # YAML counts U+2028, U+2029 and NEL as line breaks: every later line number would be off by one.
    value = f'"a{char}b"' if quoted else f"a{char}b"
    where, message, fix = refused(write(tmp_path, f"a: 1\nb: 2\nc: {value}\nd: [\n"))
    assert (where.line, where.column) == (3, 6 if quoted else 5)  # the character itself
    assert f"U+{ord(char):04X}" in message and "line break" in message
    assert "delete it" in fix


@pytest.mark.parametrize("char", ["\u202a", "\u202e", "\u2066", "\u2069"])
def test_bidirectional_controls_refused_anywhere(tmp_path: Path, char: str) -> None:
    where, message, _ = refused(write(tmp_path, f"a: 1\n# a comment {char}\nb: 2\n"))
    assert (where.line, where.column) == (2, 13)
    assert message.startswith(f"bidirectional control U+{ord(char):04X}")


@pytest.mark.parametrize("char", ["\ufdd0", "\ufdef", "\ufffe", "\uffff", "\x9b", "\x80"])
def test_non_characters_and_c1_controls_refused(tmp_path: Path, char: str) -> None:
    where, message, _ = refused(write(tmp_path, f"a: 1\nb: x{char}\n"))
    assert (where.line, where.column) == (2, 5)
    assert f"U+{ord(char):04X} is not allowed" in message
