"""Errors of curated input: each names a file and position, says what is wrong and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Location:
    """Where in a curated file a problem is: a YAML line/column or a CSV row."""

    path: Path
    line: int | None = None
    column: int | None = None
    row: int | None = None

    def __str__(self) -> str:
        if self.row is not None:
            return f"{self.path}:{self.line or self.row} (row {self.row})"
        if self.line is None:
            return str(self.path)
        if self.column is None:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One validation finding."""

    location: Location
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}\n    fix: {self.fix}"


class IngestError(Exception):
    """Curated input is invalid. Carries every problem found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (str(p.location.path), p.location.line or 0))
        super().__init__(self.render())

    def __reduce__(self) -> tuple[type[IngestError], tuple[list[Problem]]]:
        # Rebuilt from its problems, so that it crosses process boundaries (a build's worker) intact.
        return type(self), (self.problems,)

    def render(self) -> str:
        head = f"{len(self.problems)} problem(s) in the curated data:"
        return "\n".join([head, *(str(p) for p in self.problems)])


def fail(location: Location, message: str, fix: str) -> IngestError:
    """Build an IngestError with a single problem."""
    return IngestError([Problem(location, message, fix)])
