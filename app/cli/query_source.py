"""A console's QUERY argument: the query's text, or the path of a file holding it."""

from __future__ import annotations

import re
from pathlib import Path

MAX_QUERY_FILE_BYTES = 16 * 2**20
# One word naming a file: no spaces, braces or quotes, and a folder or a file suffix in it (`q.rq`, `./q`).
_LOOKS_LIKE_PATH = re.compile(r"[^\s{}()\"'<>]*(?:/|\.\w{1,10})[^\s{}()\"'<>]*")


class BadQueryFile(ValueError):
    """The argument names a query file that cannot be read as UTF-8 text."""


def query_text(argument: str) -> str:
    """The query `argument` holds: an existing file's text, else the argument itself (a query).

    An argument that looks like a file name but names no readable text file is an error, not a query.
    """
    path = Path(argument)
    try:
        exists, is_file = path.exists(), path.is_file()
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte: query text
        exists = is_file = False
    if is_file:
        return _read(path)
    if not _LOOKS_LIKE_PATH.fullmatch(argument):
        return argument
    if exists:
        raise BadQueryFile(f"{argument} is not a regular file; give a query file, or the query's text")
    raise BadQueryFile(f"{argument}: no such query file; check the path, or give the query's text")


def _read(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_QUERY_FILE_BYTES:
            raise BadQueryFile(f"{path} is {size:,} bytes; query files are limited to "
                               f"{MAX_QUERY_FILE_BYTES // 2**20} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise BadQueryFile(f"{path}: cannot read the query file ({exc.strerror or exc})") from exc
    try:
        return data.decode("utf-8-sig")  # a byte-order mark (some Windows editors) is not part of the query
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise BadQueryFile(f"{path}:{line}: byte 0x{data[exc.start]:02x} at column {column} is not UTF-8; "
                           f"save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8 {path} > fixed.rq)") from None
