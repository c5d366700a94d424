"""Is a programme file there, and is it a regular file inside the folder? Checked before it is read.

A symbolic link that leaves the programme folder is refused without reading (or naming) its target: a
build must not publish a file from elsewhere on the machine. A link loop, a dangling link, a folder, a
device or a pipe where a file should be each get their own message.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
          (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"))


def _kind(mode: int) -> str | None:
    """What a file of this mode is, when it is not a regular file."""
    return next((what for test, what in _KINDS if test(mode)), None if stat.S_ISREG(mode) else "not a file")


def _linked(path: Path, folder: Path) -> tuple[str, str] | None:
    """What is wrong with the symbolic link `path`, if anything (its target is never read nor named)."""
    fix = f"replace the link with the file {path.name} itself"
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        what = {errno.ELOOP: "that loops (it leads back to itself)",
                errno.ENOENT: "to nothing (its target does not exist)"}.get(
                    exc.errno or 0, f"that cannot be followed ({exc.strerror})")
        return f"is a symbolic link {what}", fix
    kind = _kind(mode)
    if kind is not None:
        return f"is a symbolic link to {kind}, not to a regular file", fix
    target, root = os.path.realpath(path), os.path.realpath(folder)
    if os.path.commonpath([target, root]) != root:
        return ("is a symbolic link to a file outside the programme folder",
                f"copy the file in: replace the link with a copy of the file, named {path.name}")
    return None


def file_problem(path: Path, folder: Path) -> tuple[str, str] | None:
    """(what is wrong, the fix) when `path` is not a regular file inside `folder`; None when it is one. The fix
    is empty for a missing file (the caller knows what the file holds)."""
    if path.is_symlink():
        return _linked(path, folder)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "file is missing", ""
    except OSError as exc:
        return f"cannot read the file ({exc.strerror})", "check the path and permissions"
    kind = _kind(mode)
    if kind is None:
        return None
    return (f"is {kind}, not a regular file",
            f"replace it with the file {path.name} itself" + (" (move the folder out)" if kind == "a folder" else ""))
