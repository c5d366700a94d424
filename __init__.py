"""policygraph: a knowledge graph of policy, actors and service configurations.

Installed, the repository's top-level folders are the subpackages of this one namespace (`policygraph.app`,
`policygraph.graph`, `policygraph.ingest`, `policygraph.ontology`, `policygraph.queries`), so the tool never
collides with a user's own modules of the same names.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from policygraph.app.release import Release

__all__ = ["open"]


def open(build_dir: str | Path = "build") -> Release:
    """The current release of a build folder: its queries (`.sparql`, `.cypher`, `.query`) return pandas
    DataFrames; `.trace`, `.drift`, `.networkx`, `.export` do what the commands of the same names do
    (docs/python-api.md)."""
    from policygraph.app.release import Release  # noqa: PLC0415 - `import policygraph` stays light

    return Release.current(Path(build_dir))
