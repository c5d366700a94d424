"""A programme's own named queries (`<programme>/queries/*.rq` and `*.cypher`): checked with the rest of the
folder, copied into the release, and offered next to the shipped ones by `Release.queries()`."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph

from policygraph.ingest.errors import Location, Problem
from policygraph.queries import ENGINES, NamedQuery, all_queries, parse_header

FOLDER = "queries"
_HEADER_FIX = ("start the file with '# title:', '# question:', optional '# param: name string|iri "
               "required|optional  description' and '# columns: a, b' lines (see queries/drift.rq)")


def problems(data_dir: Path) -> list[Problem]:
    """Every problem with the programme's queries: a bad header, a SPARQL syntax error, a Cypher file without
    its SPARQL twin (the header lives there), a name that a shipped query already has."""
    folder = data_dir / FOLDER
    if not folder.is_dir():
        return []
    found: list[Problem] = []
    shipped = all_queries()
    for path in sorted(folder.iterdir()):
        if path.suffix not in ENGINES.values():
            found.append(Problem(Location(path), "not a named query file (only .rq and .cypher are read)",
                                 "rename it to <name>.rq (SPARQL) or <name>.cypher, or move it out of queries/"))
            continue
        if path.suffix == ".cypher":
            if not path.with_suffix(".rq").is_file():
                found.append(Problem(Location(path), "a Cypher query without its SPARQL version",
                                     f"add {path.with_suffix('.rq').name}: the header and the SPARQL live there"))
            continue
        found += _sparql_problems(path, shipped)
    return found


def _sparql_problems(path: Path, shipped: Mapping[str, NamedQuery]) -> list[Problem]:
    if path.stem in shipped:
        return [Problem(Location(path), f"{path.stem!r} is the name of a shipped query",
                        "rename the file: a programme adds queries, it never replaces a shipped one")]
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return [Problem(Location(path), "not UTF-8 text", "save the file as UTF-8")]
    try:
        parse_header(path.stem, text)
    except ValueError as exc:
        return [Problem(Location(path, line=1), str(exc), _HEADER_FIX)]
    try:
        pyoxigraph.Store().query(text)
    except SyntaxError as exc:
        return [Problem(Location(path), f"SPARQL syntax: {exc}", "correct the query (run it with `policygraph sparql`)")]
    return []


def copy_into(data_dir: Path, release_dir: Path) -> None:
    """Copy the programme's queries into the release (the release is self-contained: a read never goes back to
    the data folder)."""
    source = data_dir / FOLDER
    if source.is_dir():
        shutil.copytree(source, release_dir / FOLDER)
