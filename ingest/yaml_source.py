"""Read YAML strictly: duplicate keys rejected, no implicit dates, every node keeps its line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ingest.errors import Location, fail

MAX_FILE_BYTES = 5_000_000
MAX_DEPTH = 40
MAX_NODES = 200_000


class Located:
    """Maps a path inside a parsed document (tuple of keys/indices) to its file position."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._marks: dict[tuple[str | int, ...], tuple[int, int]] = {}
        self.nodes = 0

    def record(self, key: tuple[str | int, ...], line: int, column: int) -> None:
        self._marks[key] = (line, column)

    def at(self, key: tuple[str | int, ...]) -> Location:
        """The position of `key`, or of its nearest recorded ancestor."""
        probe = key
        while probe not in self._marks and probe:
            probe = probe[:-1]
        line, column = self._marks.get(probe, (1, 1))
        return Location(self.path, line, column)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader without timestamp resolution (dates stay text; the models type them)."""


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _convert(node: yaml.Node, key: tuple[str | int, ...], located: Located, loader: _StrictLoader) -> Any:
    located.record(key, node.start_mark.line + 1, node.start_mark.column + 1)
    located.nodes += 1
    here = Location(located.path, node.start_mark.line + 1, node.start_mark.column + 1)
    if len(key) > MAX_DEPTH:
        raise fail(here, f"nesting deeper than {MAX_DEPTH} levels", "flatten the structure")
    if located.nodes > MAX_NODES:
        # Aliases can expand a small file into millions of nodes ("billion laughs").
        raise fail(here, f"more than {MAX_NODES} YAML nodes", "remove anchors/aliases or split the file")
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            name = loader.construct_object(key_node)
            where = Location(located.path, key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if not isinstance(name, str):
                raise fail(where, f"mapping key {name!r} is not text", "write keys as plain words")
            if name in result:
                raise fail(where, f"duplicate key {name!r}", f"keep one {name!r} entry in this mapping")
            result[name] = _convert(value_node, (*key, name), located, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(child, (*key, i), located, loader) for i, child in enumerate(node.value)]
    return loader.construct_object(node)


def read_yaml(path: Path) -> tuple[Any, Located]:
    """Parse one YAML file into plain Python data plus the position of every node."""
    located = Located(path)
    where = Location(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise fail(where, f"cannot read the file ({exc.strerror})", "check the path and permissions") from exc
    if len(raw) > MAX_FILE_BYTES:
        raise fail(where, f"file is {len(raw)} bytes, over the {MAX_FILE_BYTES}-byte limit",
                   "split the file or remove the oversized value")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise fail(Location(path, line), f"byte 0x{raw[exc.start]:02x} is not UTF-8",
                   "save the file as UTF-8") from exc
    if not text.strip():
        raise fail(Location(path, 1), "the file is empty", "add the file's top-level key or delete the file")
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise fail(Location(path, 1), "the file holds no YAML document", "add the file's content")
        data = _convert(node, (), located, loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        raise fail(loc, f"YAML syntax error: {exc.problem or exc.context}",
                   "fix the YAML syntax at this position (indentation, quotes, colons)") from exc
    except yaml.YAMLError as exc:
        raise fail(where, f"YAML error: {exc}", "fix the YAML syntax") from exc
    finally:
        loader.dispose()
    return data, located
