"""Write a curated YAML file in the canonical layout, from its node tree.

Keys in canonical order (`canonical_order`), two-space indentation, block mappings, one record per `- `
list item (the dash two columns in from its key), lists of plain values as `[a, b]`, empty lists `[]`.
Each value keeps its text as written (quotes, `>-` blocks re-indented) where that is safe; otherwise it is
written as a double-quoted string. A comment on a line of its own moves with the key that follows it (at
that key's indentation), a comment at the end of a value's line stays there; blank lines are kept (runs of
them as one). A comment anywhere else (e.g. inside a `[a, b]` list spanning lines) moves to the next key.

The caller checks that the result reads back as the same data (`canonical_yaml` is not trusted blindly).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import yaml
from pydantic import BaseModel

from policygraph.ingest.canonical_order import canonical_keys, record_model

INDENT = 2
_BLOCK_HEADER = re.compile(r"^[|>]-?(\s+#.*)?$")  # clip or strip chomping, no explicit indentation
_VALUE_COMMENT = re.compile(r"^(\s+#.*)$")
_KEY_COMMENT = re.compile(r"^\s*:(\s+#.*)$")
_FLOW_UNSAFE = re.compile(r"[,\[\]{}#]|: ")
_STR = "tag:yaml.org,2002:str"


class Unformattable(ValueError):
    """The file holds a structure the canonical layout has no form for (e.g. a list of lists)."""


@dataclass(frozen=True)
class KeyOutOfOrder:
    """The first key (in file order) that is not where the canonical order puts it."""

    line: int
    key: str
    order: list[str]


@dataclass
class _Writer:
    text: str
    keep_text: bool
    lines: list[str] = field(init=False)
    notes: dict[int, list[str]] = field(default_factory=dict)
    trailing: list[str] = field(default_factory=list)
    out: list[str] = field(default_factory=list)
    misplaced: KeyOutOfOrder | None = None

    def __post_init__(self) -> None:
        self.lines = self.text.split("\n")

    # --- comments and blank lines -----------------------------------------------------------------

    def collect_notes(self, root: yaml.Node) -> None:
        """Comment and blank lines, each run attached to the key line that follows it."""
        anchors: set[int] = set()
        inside: set[int] = set()
        stack = [root]
        while stack:
            node = stack.pop()
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    anchors.add(key.start_mark.line)
                    stack += [key, value]
            elif isinstance(node, yaml.SequenceNode):
                stack += node.value
            elif node.end_mark.line > node.start_mark.line:  # a scalar over several lines: its lines are text
                last = node.end_mark.line if node.end_mark.column else node.end_mark.line - 1
                inside.update(range(node.start_mark.line + 1, last + 1))
        pending: list[str] = []
        for number, line in enumerate(self.lines):
            stripped = line.strip()
            if number in inside or (stripped and not stripped.startswith("#")):
                if number in anchors and pending:
                    self.notes[number] = pending
                    pending = []
                continue
            if stripped or (pending and pending[-1]):
                pending.append(stripped)
        while pending and not pending[-1]:
            pending.pop()
        self.trailing = pending

    def emit_notes(self, line: int, column: int) -> None:
        for note in self.notes.pop(line, []):
            self.out.append(" " * column + note if note else "")

    def _comment_after(self, node: yaml.Node, pattern: re.Pattern[str]) -> str:
        rest = self.lines[node.end_mark.line][node.end_mark.column:]
        match = pattern.match(rest)
        return match.group(1).rstrip() if match else ""

    # --- values -----------------------------------------------------------------------------------

    def scalar(self, node: yaml.ScalarNode, indent: int) -> str:
        """The scalar's text for a value at `indent` (a block scalar's lines indented under it)."""
        written = self.text[node.start_mark.index:node.end_mark.index]
        if self.keep_text and node.style in ("|", ">"):
            block = _reindent_block(written, indent + INDENT)
            if block is not None:
                return block
        elif self.keep_text and "\n" not in written:
            return written + self._comment_after(node, _VALUE_COMMENT)
        return _quoted(node)

    def flow_item(self, node: yaml.Node) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise Unformattable("a list of lists or a mapping inside a [a, b] list")
        written = self.text[node.start_mark.index:node.end_mark.index]
        if self.keep_text and "\n" not in written and (node.style in ("'", '"') or not _FLOW_UNSAFE.search(written)):
            return written
        return _quoted(node)

    def mapping(self, node: yaml.MappingNode, model: type[BaseModel] | None, indent: int,
                item: bool = False) -> None:
        """The mapping's entries at `indent`; as a list item, the first one after the item's `- `."""
        pairs = {key.value: (key, value) for key, value in node.value}
        written = [key.value for key, _ in node.value]
        order = canonical_keys(model, written) if model is not None else written
        self._note_order(node, written, order)
        if item and node.value:
            self.emit_notes(node.value[0][0].start_mark.line, indent - INDENT)
        for n, name in enumerate(order):
            key, value = pairs[name]
            self.emit_notes(key.start_mark.line, indent)
            lead = " " * (indent - INDENT) + "- " if item and n == 0 else " " * indent
            self.entry(f"{lead}{name}:", key, value, model, indent)

    def entry(self, head: str, key: yaml.Node, value: yaml.Node, model: type[BaseModel] | None,
              indent: int) -> None:
        sub = record_model(model, key.value) if model is not None else None
        if isinstance(value, yaml.ScalarNode):
            self.out.append(f"{head} {self.scalar(value, indent)}")
        elif isinstance(value, yaml.SequenceNode):
            self.sequence(head, key, value, sub, indent)
        elif isinstance(value, yaml.MappingNode) and not value.value:
            self.out.append(f"{head} {{}}{self._comment_after(value, _VALUE_COMMENT)}")
        elif isinstance(value, yaml.MappingNode):
            self.out.append(head + self._comment_after(key, _KEY_COMMENT))
            self.mapping(value, sub, indent + INDENT)

    def sequence(self, head: str, key: yaml.Node, node: yaml.SequenceNode, sub: type[BaseModel] | None,
                 indent: int) -> None:
        items = node.value
        if all(isinstance(item, yaml.ScalarNode) for item in items):
            flow = ", ".join(self.flow_item(item) for item in items)
            self.out.append(f"{head} [{flow}]{self._comment_after(node, _VALUE_COMMENT)}")
            return
        self.out.append(head + self._comment_after(key, _KEY_COMMENT))
        for item in items:
            if isinstance(item, yaml.MappingNode) and item.value:
                self.mapping(item, sub, indent + 2 * INDENT, item=True)
            elif isinstance(item, yaml.ScalarNode):
                self.emit_notes(item.start_mark.line, indent + INDENT)
                self.out.append(" " * (indent + INDENT) + "- " + self.scalar(item, indent + 2 * INDENT))
            else:
                raise Unformattable("a list of lists, or an empty mapping in a list of records")

    def _note_order(self, node: yaml.MappingNode, written: list[str], order: list[str]) -> None:
        if written == order:
            return
        first = next(i for i, (a, b) in enumerate(zip(written, order, strict=True)) if a != b)
        line = node.value[first][0].start_mark.line + 1
        if self.misplaced is None or line < self.misplaced.line:
            self.misplaced = KeyOutOfOrder(line, written[first], order)


def _quoted(node: yaml.ScalarNode) -> str:
    if node.tag == _STR:
        return json.dumps(node.value, ensure_ascii=False)
    return " ".join(str(node.value).split())  # a number, boolean or null: its plain text


def _reindent_block(written: str, indent: int) -> str | None:
    """A `|` or `>` block scalar with its lines moved to `indent`, or None when it cannot be moved safely."""
    header, *body = written.split("\n")
    if not _BLOCK_HEADER.match(header.rstrip()):
        return None
    while body and not body[-1].strip():
        body.pop()
    content = [line for line in body if line.strip()]
    if not content:
        return None
    margin = min(len(line) - len(line.lstrip(" ")) for line in content)
    if any(line.strip() == "" and line for line in body):  # spaces on a blank line may be text
        return None
    moved = [" " * indent + line[margin:] if line.strip() else "" for line in body]
    return "\n".join([header.rstrip(), *moved])


def canonical_yaml(text: str, root: yaml.Node | None, model: type[BaseModel], keep_text: bool = True) -> str:
    """The canonical text of a YAML file's `root` (composed from `text`) that `model` describes.

    keep_text: values keep their text as written where safe; False writes every string double-quoted (the
    fallback when the written text does not read back the same).
    """
    return layout(text, root, model, keep_text)[0]


def layout(text: str, root: yaml.Node | None, model: type[BaseModel],
           keep_text: bool = True) -> tuple[str, KeyOutOfOrder | None]:
    """The canonical text, and the first key out of canonical order (None when the order is right)."""
    if root is None:
        raise Unformattable("the file holds no YAML document")
    if not isinstance(root, yaml.MappingNode):
        raise Unformattable("the top level is not a mapping")
    writer = _Writer(text, keep_text)
    writer.collect_notes(root)
    writer.mapping(root, model, 0)
    out = writer.out + writer.trailing
    return "\n".join(out) + "\n", writer.misplaced
