"""Cross-reference checks of a programme folder: collects every problem found, each with its location and fix."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from policygraph.ingest.errors import Location, Problem


class Checker:
    """Collects cross-reference problems across all files."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def need(self, ok: bool, where: Location, message: str, fix: str | Callable[[], str]) -> None:
        """A problem unless `ok`; `fix` may be a function, called only then (a fix listing the valid ids
        costs a sort, and some checks run once per configuration cell)."""
        if not ok:
            self.problems.append(Problem(where, message, fix if isinstance(fix, str) else fix()))

    def unique(self, items: Iterable[tuple[str, Location]], what: str) -> tuple[set[str], bool]:
        """The ids seen, and whether they were all unique."""
        seen: dict[str, Location] = {}
        clean = True
        for ident, where in items:
            if ident in seen:
                clean = False
                self.problems.append(Problem(
                    where, f"duplicate {what} id {ident!r} (first at line {seen[ident].line} of "
                    f"{seen[ident].path.name})",
                    "give each record its own id (ids are shared by all files of a programme)"))
            seen.setdefault(ident, where)
        return set(seen), clean

    def acyclic(self, edges: dict[str, list[str]], where: dict[str, Location], what: str) -> None:
        state: dict[str, int] = {}

        def visit(node: str, trail: list[str]) -> None:
            state[node] = 1
            for nxt in edges.get(node, []):
                if state.get(nxt) == 1:
                    cycle = " -> ".join([*trail[trail.index(nxt):], nxt]) if nxt in trail else nxt
                    self.problems.append(Problem(
                        where[node], f"{what} forms a cycle: {cycle}",
                        f"remove the {what} link that points back (a record cannot, through "
                        "others, lead to itself)"))
                elif nxt in edges and state.get(nxt) is None:
                    visit(nxt, [*trail, nxt])
            state[node] = 2

        for node in sorted(edges):
            if state.get(node) is None:
                visit(node, [node])
