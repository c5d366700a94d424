"""Read YAML strictly: duplicate keys rejected, no implicit dates, every node keeps its line.

Curated files are plain YAML: no aliases (a few lines of anchors and aliases can expand into
billions of values), no tags beyond the safe ones, at most MAX_DEPTH levels of nesting (checked
while composing, before Python's recursion limit is anywhere near).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from policygraph.ingest.errors import Location, fail
from policygraph.ingest.text_rules import REFUSED, forbidden_character, refusal, resolve_plain

MAX_FILE_BYTES = 5_000_000
MAX_DEPTH = 40
MAX_NODES = 200_000
MAX_INT = 2**63 - 1  # the graph stores (Neo4j) hold 64-bit integers

# (fragments of PyYAML's or libyaml's message, the fix to show)
_SYNTAX_HINTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("mapping values are not allowed",), "put text that contains ': ' in quotes"),
    (("tab character",), "indent with spaces, never tabs"),
    (("cannot start any token",), "quote text that starts with @, ` or another reserved sign"),
    (("end of stream",), "close the quote or bracket that is opened here"),
    (("another document",), "keep one document per file: remove the second '---' and what follows"),
    (("constructor for the tag",), "remove the '!' tag: curated files hold plain YAML values"),
    (("flow sequence",), "close the '[' list with ']' (or quote items containing ',' ':' ']')"),
    (("flow mapping",), "close the '{' mapping with '}' (or quote values containing ',' ':' '}')"),
    (("could not find expected ':'",), "write 'key: value'; quote text with ':' or '#'"),
    (("expected <block end>", "did not find expected key"),
     "align this line's indentation with its siblings"),
)
_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})
_DEFAULT_HINT = "fix the YAML syntax at this position (indentation, quotes, colons)"


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


def _mark_location(path: Path, mark: Any) -> Location:
    if mark is None:
        return Location(path, 1)
    return Location(path, mark.line + 1, mark.column + 1)


class _Strict(Composer):
    """Composition that refuses aliases and bounds nesting while the document is composed.

    Mixed into a loader before the parser. Plain scalars are typed as YAML 1.2's core schema does
    (ingest/text_rules.py): the YAML 1.1 booleans, integers, floats and timestamps PyYAML would read
    are dropped, and the forms readers disagree on are tagged to be refused. Dates stay text and the
    models type them.
    """

    path: Path
    depth: int

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event: yaml.Event = cast(Any, self).peek_event()  # the parser's, mixed in beside
        if isinstance(event, yaml.AliasEvent):
            raise fail(_mark_location(self.path, event.start_mark),
                       f"YAML alias '*{event.anchor}': aliases are not allowed in curated "
                       "files (a few nested aliases can expand into billions of values)",
                       "write the value out in full where it is used (a tool that writes these "
                       "files must dump without aliases)")
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise fail(_mark_location(self.path, event.start_mark),
                           f"nesting deeper than {MAX_DEPTH} levels",
                           "flatten the structure: curated records nest only a few levels deep")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode and implicit[0] and isinstance(value, str):
            tag = resolve_plain(value)
            if tag is not None:
                return tag
        return cast(str, super().resolve(kind, value, implicit))  # type: ignore[misc]


_DROPPED = frozenset({"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                      "tag:yaml.org,2002:float"})
_Strict.yaml_implicit_resolvers = {  # type: ignore[attr-defined]
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _DROPPED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _PureLoader(_Strict, yaml.SafeLoader):
    """The strict loader on PyYAML's pure-Python scanner and parser."""

    def __init__(self, stream: str, path: Path) -> None:
        yaml.SafeLoader.__init__(self, stream)
        self.path, self.depth = path, 0


if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _FastLoader(_Strict, CParser, SafeConstructor, Resolver):
        """The strict loader on libyaml's scanner and parser (about 15x faster); composition
        stays in Python so that the checks above apply."""

        def __init__(self, stream: str, path: Path) -> None:
            CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            Composer.__init__(self)
            self.path, self.depth = path, 0

    _StrictLoader: type[_PureLoader | _FastLoader] = _FastLoader
else:  # pragma: no cover - PyYAML built without libyaml
    _StrictLoader = _PureLoader


def _convert(node: yaml.Node, key: tuple[str | int, ...], located: Located,
             loader: _PureLoader | _FastLoader) -> Any:
    located.record(key, node.start_mark.line + 1, node.start_mark.column + 1)
    located.nodes += 1
    here = _mark_location(located.path, node.start_mark)
    if len(key) > MAX_DEPTH:
        raise fail(here, f"nesting deeper than {MAX_DEPTH} levels", "flatten the structure")
    if located.nodes > MAX_NODES:
        raise fail(here, f"more than {MAX_NODES} YAML values in one file",
                   "split the programme's records over smaller files")
    if isinstance(node, yaml.CollectionNode) and node.tag not in _PLAIN_TAGS:
        # A tag on a list or mapping would otherwise be dropped silently.
        raise fail(here, f"YAML tag {node.tag!r} is not allowed here",
                   "remove the '!' tag: curated files hold plain YAML values")
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            where = _mark_location(located.path, key_node.start_mark)
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise fail(where, "YAML merge key '<<' is not allowed in curated files",
                           "write the merged keys out in full in this mapping")
            _refuse(key_node, where)
            name = loader.construct_object(key_node)
            if not isinstance(name, str):
                raise fail(where, f"mapping key {name!r} is not text",
                           "write keys as plain words (quote a key YAML reads as a number or "
                           "boolean)")
            if name in result:
                raise fail(where, f"duplicate key {name!r} (first at line {first_line[name]})",
                           f"keep one {name!r} entry in this mapping")
            first_line[name] = key_node.start_mark.line + 1
            result[name] = _convert(value_node, (*key, name), located, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(child, (*key, i), located, loader) for i, child in enumerate(node.value)]
    return _scalar(node, here, loader)


def _refuse(node: yaml.Node, here: Location) -> None:
    if node.tag == REFUSED:
        message, fix = refusal(str(node.value))
        raise fail(here, message, fix)


def _scalar(node: yaml.Node, here: Location, loader: _PureLoader | _FastLoader) -> Any:
    _refuse(node, here)
    try:
        value = loader.construct_object(node)
    except ValueError as exc:  # e.g. Python's limit on the digits of an int
        raise fail(here, f"unreadable value ({exc})",
                   "write a shorter number or a real date, or quote the value as text") from exc
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
        raise fail(here, f"integer of {len(str(node.value))} characters is out of range "
                   f"(at most {MAX_INT})", "write a smaller number, or quote it if it is text")
    return value


def _syntax_problem(path: Path, text: str, exc: yaml.MarkedYAMLError) -> tuple[Location, str, str]:
    problem, context = exc.problem_mark, exc.context_mark
    mark = problem or context
    # An unclosed quote or bracket is reported at the end of the file; point at where it opens.
    if problem is not None and context is not None and problem.index >= len(text.rstrip()):
        mark = context
    what = exc.problem or exc.context or "unreadable YAML"
    if exc.context and exc.problem:
        where = f" at line {context.line + 1}" if context is not None else ""
        what = f"{exc.problem} ({exc.context}{where})"
    if mark is not None and text[mark.index:mark.index + 1] == "\t":
        what = f"a tab character, where YAML allows only spaces ({what})"
    hint = next((fix for needles, fix in _SYNTAX_HINTS if any(n in what for n in needles)),
                _DEFAULT_HINT)
    loc = _mark_location(path, mark) if mark is not None else Location(path, 1)
    return loc, f"YAML syntax error: {what}", hint


def read_limited(path: Path, limit: int | None = None) -> bytes:
    """The file's bytes, refusing (without reading it all) a file over `limit` bytes (MAX_FILE_BYTES).

    The refusal names the longest line of the first `limit` bytes: usually the culprit.
    """
    if limit is None:
        limit = MAX_FILE_BYTES
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
            size = path.stat().st_size
    except OSError as exc:
        raise fail(Location(path), f"cannot read the file ({exc.strerror})",
                   "check the path and permissions") from exc
    if len(raw) <= limit:
        return raw
    lines = raw.split(b"\n")
    longest = max(range(len(lines)), key=lambda i: len(lines[i]))
    raise fail(Location(path, longest + 1),
               f"file is {max(size, len(raw))} bytes, over the {limit}-byte limit (its longest "
               f"line, this one, has {len(lines[longest])}{'+' if longest == len(lines) - 1 else ''}"
               " bytes)",
               "split the file or remove the oversized value")


def decode_utf8(path: Path, raw: bytes) -> str:
    """The file's text; a byte that is not UTF-8 is reported with its line and column."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw[: exc.start].count(b"\n") + 1
        raise fail(Location(path, line, exc.start - line_start + 1),
                   f"byte 0x{raw[exc.start]:02x} is not UTF-8 (the file has another encoding, "
                   "e.g. Latin-1 or Windows-1252)",
                   "save the file as UTF-8 (in a text editor: 'Save with encoding' > UTF-8)") from exc
    return text.removeprefix("\ufeff")


def compose_yaml(text: str, path: Path) -> yaml.Node | None:
    """The node tree of a YAML text (strictly: no aliases, bounded nesting), with each node's position in
    `text`; None for a text without a document. For a file already read by `read_yaml`."""
    loader = _StrictLoader(text, path)
    try:
        node: yaml.Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()


def read_yaml(path: Path, expected_keys: Sequence[str] = ()) -> tuple[Any, Located]:
    """Parse one YAML file into plain Python data plus the position of every node."""
    located = Located(path)
    wanted = (f"its top-level key(s) {', '.join(k + ':' for k in expected_keys)} with their records"
              if expected_keys else "its top-level key(s) and records")
    raw = read_limited(path)
    text = decode_utf8(path, raw)
    if not text.strip():
        raise fail(Location(path, 1), "the file is empty", f"write {wanted}")
    bad = forbidden_character(text)
    if bad:
        at, message, fix = bad
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        raise fail(Location(path, line, column), message, fix)
    loader = _StrictLoader(text, path)
    try:
        node = loader.get_single_node()
        if node is None:
            raise fail(Location(path, 1), "the file holds only comments, no YAML document",
                       f"write {wanted}")
        data = _convert(node, (), located, loader)
    except yaml.MarkedYAMLError as exc:
        loc, message, hint = _syntax_problem(path, text, exc)
        raise fail(loc, message, hint) from exc
    except yaml.YAMLError as exc:
        raise fail(Location(path, 1), f"YAML error: {' '.join(str(exc).split())}",
                   _DEFAULT_HINT) from exc
    finally:
        loader.dispose()
    return data, located
