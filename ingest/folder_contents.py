"""What a programme folder holds besides the files policygraph reads: a misspelt file name is otherwise
silently ignored (`unread_files` finds it; `policygraph validate` warns)."""

from __future__ import annotations

import difflib
from pathlib import Path

from policygraph.ingest.errors import IngestError, Location, Problem
from policygraph.ingest.programme import CONFIGURATIONS, FILES
from policygraph.ingest.yaml_source import read_yaml

READ_FILES = (*FILES, CONFIGURATIONS)
QUERIES_FOLDER = "queries"  # the programme's own named queries (read by the build)
ALLOWED_FILES = frozenset({"README.md"})  # the curators' own notes


def _activity_file(folder: Path) -> str | None:
    """The activity extract programme.yaml names (read leniently: the folder may not validate)."""
    try:
        data, _ = read_yaml(folder / "programme.yaml")
    except IngestError:
        return None
    activity = data.get("activity") if isinstance(data, dict) else None
    name = activity.get("file") if isinstance(activity, dict) else None
    return name if isinstance(name, str) else None


def unread_files(folder: Path) -> list[Problem]:
    """A warning for each file or folder in `folder` that policygraph does not read. Hidden names (starting
    with '.'), README.md, the queries/ folder and the activity extract programme.yaml names are not warned
    about."""
    if not folder.is_dir():
        return []
    expected = [*READ_FILES, *filter(None, [_activity_file(folder)])]
    found = []
    for path in sorted(folder.iterdir()):
        name = path.name
        if name.startswith(".") or name in ALLOWED_FILES or name in expected:  # a read name: the reader reports
            continue  # it if it is not a regular file
        if name == QUERIES_FOLDER and path.is_dir():
            continue
        if path.is_dir():
            found.append(Problem(Location(path), f"policygraph does not read the folder {name}/ (only "
                                 f"{QUERIES_FOLDER}/ is read, for the programme's named queries)",
                                 f"rename it to {QUERIES_FOLDER}/ if it holds named queries, or move it out of "
                                 "the programme folder"))
            continue
        close = difflib.get_close_matches(name, expected, n=1, cutoff=0.6)
        if close:
            fix = f"rename it to {close[0]} if that is what it holds, or remove it"
        else:
            fix = f"rename it to one of {', '.join(expected)}, or remove it (README.md is allowed)"
        found.append(Problem(Location(path), f"policygraph does not read {name} (it is not one of the "
                             "programme's files)", fix))
    return found
