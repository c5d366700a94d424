"""Activity data ingest on bad input: strict mode fails with every bad row and writes nothing, lenient mode
skips and reports them; missing columns, bytes that are not UTF-8, CSV errors, a byte order mark.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from activity_helpers import (
    ORIGIN,
    PROGRAMME,
    QUARTERS,
    SERVICES,
    client_row,
    pandas_counts,
    write_csv,
)

from policygraph.ingest.activity import aggregate_activity, ingest_activity
from policygraph.ingest.activity_schema import COLUMNS, DIMENSIONS
from policygraph.ingest.errors import IngestError

# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------

BAD = {  # line in the file -> (column, value, what the fix says)
    3: ("quarter", "2009-Q5", "YYYY-Qn"),
    5: ("service", "T99", "services.yaml"),
    6: ("deprivation_quintile", "6", "1 (most deprived)"),
    8: ("goal_achieved", "fully", "leave goal_achieved empty"),
}


def _bad_file(path: Path) -> list[list[str]]:
    rng = random.Random(7)
    rows = [client_row(rng, SERVICES[n % 3], QUARTERS[0]) for n in range(12)]
    rows[1][2], rows[3][1], rows[4][4] = "2009-Q5", "T99", "6"
    rows[6][8:10] = ["no", "fully"]
    write_csv(path, [list(COLUMNS), *rows])
    data = path.read_bytes().splitlines(keepends=True)
    data[9] = data[9].replace(b"DCRS-", b"DCRS\xa7-")  # line 10: Latin-1
    data[10] = data[10].rstrip(b"\n") + b",extra\n"  # line 11: a cell too many
    path.write_bytes(b"".join(data))
    return rows


def test_strict_mode_fails_with_every_bad_row_and_writes_nothing(tmp_path: Path) -> None:
    _bad_file(tmp_path / "a.csv")
    out = tmp_path / "out.nt"
    out.write_bytes(b"previous\n")
    with pytest.raises(IngestError) as caught:
        ingest_activity(tmp_path / "a.csv", out, programme=PROGRAMME, services=SERVICES, **ORIGIN, strict=True)
    problems = caught.value.problems
    assert [p.location.row for p in problems] == [3, 5, 6, 8, 10, 11]
    for p in problems:
        if p.location.row in BAD:
            column, value, fix = BAD[p.location.row]
            assert f"column {column!r}" in p.message and repr(value) in p.message and fix in p.fix
    assert "not UTF-8" in problems[4].message and "cells where the header has" in problems[5].message
    assert "a.csv:3 (row 3)" in str(caught.value)
    assert out.read_bytes() == b"previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "out.nt"]


def test_lenient_mode_skips_bad_rows_and_reports_them(tmp_path: Path) -> None:
    rows = _bad_file(tmp_path / "a.csv")
    out = tmp_path / "out.nt"
    summary = ingest_activity(tmp_path / "a.csv", out, programme=PROGRAMME, services=SERVICES, **ORIGIN,
                              max_problems=3)
    assert (summary.rows_read, summary.rows_used, summary.rows_skipped) == (12, 6, 6)
    assert summary.problem_count == 6 and [p.location.row for p in summary.problems] == [3, 5, 6]
    assert "6 problem(s) in skipped rows, the first 3" in summary.render()
    good = [r for n, r in enumerate(rows, start=2) if n not in (*BAD, 10, 11)]
    write_csv(tmp_path / "good.csv", [list(COLUMNS), *good])
    expected = pandas_counts(tmp_path / "good.csv")
    agg = aggregate_activity(tmp_path / "a.csv", SERVICES)
    assert {(s, q, d, c): n for (s, q) in agg.slots for d in DIMENSIONS
            for c, n in agg.group(s, q, d).items() if n} == expected
    assert out.exists() and summary.triples == len(out.read_bytes().splitlines())


@pytest.mark.parametrize("strict", [True, False])
def test_a_missing_column_fails_in_either_mode(tmp_path: Path, strict: bool) -> None:
    header = [c for c in COLUMNS if c != "sex"]
    write_csv(tmp_path / "a.csv", [header, ["x"] * len(header)])
    with pytest.raises(IngestError, match=r"a.csv:1 \(row 1\): the header row is wrong: missing column\(s\) sex"):
        ingest_activity(tmp_path / "a.csv", tmp_path / "out.nt", programme=PROGRAMME, services=SERVICES,
                        **ORIGIN, strict=strict)
    assert not (tmp_path / "out.nt").exists()


def test_a_file_that_is_not_utf8_is_reported_per_row(tmp_path: Path) -> None:
    rows = [list(COLUMNS), *(client_row(random.Random(n), "T01", "2009-Q1") for n in range(6))]
    write_csv(tmp_path / "a.csv", rows)
    latin = (tmp_path / "a.csv").read_bytes().replace(b"female", "f\xe9male".encode("latin-1"))
    (tmp_path / "b.csv").write_bytes(latin)
    agg = aggregate_activity(tmp_path / "b.csv", SERVICES)
    bad_rows = [n for n, r in enumerate(rows[1:], start=2) if r[6] == "female"]
    assert bad_rows and [p.location.row for p in agg.problems] == bad_rows
    assert agg.rows_used == 6 - len(bad_rows)
    assert all("byte 0xe9" in p.message and "UTF-8" in p.fix for p in agg.problems)
    (tmp_path / "c.csv").write_bytes(latin.replace(b"sex", "s\xe9x".encode("latin-1"), 1))
    for strict in (True, False):  # a header that is not UTF-8 is fatal in either mode
        with pytest.raises(IngestError, match=r"c.csv:1 \(row 1\): byte 0xe9 at column 75 is not UTF-8"):
            aggregate_activity(tmp_path / "c.csv", SERVICES, strict=strict)


def test_a_csv_error_is_reported_and_reading_resumes_on_the_next_row(tmp_path: Path) -> None:
    rows = [client_row(random.Random(n), "T01", "2009-Q1") for n in range(6)]
    write_csv(tmp_path / "a.csv", [list(COLUMNS), *rows])
    lines = (tmp_path / "a.csv").read_bytes().splitlines(keepends=True)
    lines[3] = lines[3].replace(b",T01,", b',"T01"x,')  # line 4: text after a closing quote
    (tmp_path / "a.csv").write_bytes(b"".join(lines))
    agg = aggregate_activity(tmp_path / "a.csv", SERVICES)
    assert (agg.rows_read, agg.rows_used, agg.total("T01", "2009-Q1")) == (6, 5, 5)
    assert [(p.location.row, p.message.split(":")[0]) for p in agg.problems] == [(4, "CSV error")]


def test_a_byte_order_mark_and_blank_lines_are_accepted(tmp_path: Path) -> None:
    rows = [list(COLUMNS), *(client_row(random.Random(n), "T01", "2009-Q1") for n in range(8))]
    write_csv(tmp_path / "a.csv", rows)
    (tmp_path / "b.csv").write_bytes(b"\xef\xbb\xbf" + (tmp_path / "a.csv").read_bytes().replace(b"\n", b"\r\n\r\n", 1))
    agg = aggregate_activity(tmp_path / "b.csv", SERVICES, strict=True)
    assert (agg.rows_read, agg.rows_used, agg.total("T01", "2009-Q1")) == (8, 8, 8)
