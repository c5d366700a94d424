"""`policygraph export` from the command line, its refusals, and the claims CSV made inert for spreadsheets."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from exports_support import rewritten_build
from support import run_cli

from policygraph.app.exports import MEDIA_TYPES, export, make_view
from policygraph.app.exports.claims import HEADER, safe_cell
from policygraph.app.release import Release

SIGNATURES = {"html": b"<!DOCTYPE html>", "svg": b"<?xml", "png": b"\x89PNG", "pdf": b"%PDF",
              "pptx": b"PK\x03\x04", "gexf": b"<gexf", "graphml": b"<graphml", "cyjs": b"{", "ttl": b"@prefix",
              "jsonld": b"[", "csv": b"item,"}


def test_every_format_from_the_cli(build_dir: Path, tmp_path: Path) -> None:
    assert set(SIGNATURES) == set(MEDIA_TYPES)
    for fmt, signature in SIGNATURES.items():
        out = tmp_path / f"view.{fmt}"
        result = run_cli("export", fmt, "--intent", "target-disadvantaged-first", "-o", str(out), build_dir=build_dir)
        assert result.returncode == 0, (fmt, result.stderr)
        assert out.read_bytes().startswith(signature), fmt
        assert "1 expectation x 6 case studies" in result.stdout
        assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize(("args", "message"), [
    (["--service", "Z"], "error: no case study 'Z'; choose one of: A, B, C, D, E, F"),
    (["--period", "later"], "error: no period 'later'; choose one of: start-up, follow-up"),
    (["--intent", "nope"], "error: no intent or document 'nope'"),
    (["--view", "neighbourhood", "--node", "https://example.org/nothing"], "is not in this build"),
    (["--view", "neighbourhood"], "--view neighbourhood needs --node IRI"),
    (["--size", "3:2"], "Invalid value for '--size'"),
    (["--scale", "0"], "Invalid value for '--scale'"),
])
def test_bad_choices_exit_2_and_write_nothing(build_dir: Path, tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "view.png"
    result = run_cli("export", "png", *args, "-o", str(out), build_dir=build_dir)
    assert result.returncode == 2, result.stdout
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_a_missing_output_folder_exits_2(build_dir: Path, tmp_path: Path) -> None:
    result = run_cli("export", "svg", "-o", str(tmp_path / "no" / "such" / "view.svg"), build_dir=build_dir)
    assert result.returncode == 2
    assert f"the folder {tmp_path / 'no' / 'such'} does not exist" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("text", "written"), [
    ("=HYPERLINK(\"https://example.invalid\",\"x\")", "'=HYPERLINK(\"https://example.invalid\",\"x\")"),
    ("+1+2", "'+1+2"), ("-2+3", "'-2+3"), ("@SUM(A1:A2)", "'@SUM(A1:A2)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("Self/community", "Self/community"), ("1-2-1 behavior change", "1-2-1 behavior change"), ("", ""),
])
def test_a_cell_that_could_start_a_formula_is_quoted(text: str, written: str) -> None:
    assert safe_cell(text) == written


@pytest.fixture(scope="module")
def formulas(tmp_path_factory: pytest.TempPathFactory) -> Release:
    """The case with labels and verbatim cells that a spreadsheet would run as formulas."""
    starts = ["=", "+", "-", "@", "\t", "\r"]

    def label(node: object, text: str) -> str:
        return f"{starts[sum(map(ord, str(node))) % len(starts)]}cmd|' /C calc'!A0 {text}"

    return Release.current(rewritten_build(tmp_path_factory.mktemp("formulas"), label,
                                           verbatim=lambda node, text: f"=1+1 {text}"))


def test_the_claims_csv_runs_no_formula(formulas: Release) -> None:
    data = export(formulas, make_view(formulas), "csv").decode("utf-8")
    rows = list(csv.reader(io.StringIO(data, newline="")))
    assert rows[0] == HEADER
    assert {len(row) for row in rows} == {len(HEADER)}  # a CR or a tab in a label never splits a row
    labels = [row[1] for row in rows[1:]]
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert any(label.startswith(f"'{start}cmd|' /C calc'!A0 ") for label in labels), start
    assert not [cell for row in rows[1:] for cell in row if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert any(label.endswith(": =1+1 Universal") for label in labels)  # the text itself kept whole
