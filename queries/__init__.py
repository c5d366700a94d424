"""Named queries: `<name>.rq` (SPARQL) and `<name>.cypher` files with a header, loaded by name. The generic
ones ship here; a programme may add its own in `data/<programme>/queries/` (the build copies them into the
release).

Header lines at the top of each file, one per key::

    # title: Drift table: fidelity and drift per service and period
    # question: How faithful to the policy intents was each service in each period?
    # param: service string optional  Restrict to one service by its identifier
    # columns: service, period, fidelity, ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENGINES = {"sparql": ".rq", "cypher": ".cypher"}
PARAM_TYPES = ("string", "iri")
_HEADER = re.compile(r"^(?:#|//)\s*(title|question|param|columns):\s*(.*)$")


class QueryNotFound(KeyError):
    pass


class BadParameters(ValueError):
    pass


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    question: str
    params: tuple[Param, ...]
    columns: tuple[str, ...]
    texts: dict[str, str]

    def text(self, engine: str) -> str:
        if engine not in self.texts:
            raise QueryNotFound(f"query {self.name!r} has no {engine} version")
        return self.texts[engine]

    def bind(self, given: dict[str, str]) -> dict[str, str]:
        """Check given parameters against the header: unknown or missing ones are errors."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise BadParameters(f"query {self.name!r} has no parameter(s) {', '.join(unknown)}; "
                                f"it takes: {', '.join(known) or 'none'}")
        missing = [p.name for p in self.params if p.required and p.name not in given]
        if missing:
            raise BadParameters(f"query {self.name!r} needs --param {missing[0]}=...")
        return dict(given)


def parse_header(name: str, text: str) -> NamedQuery:
    fields: dict[str, str] = {}
    params: list[Param] = []
    for line in text.splitlines():
        match = _HEADER.match(line.strip())
        if not match:
            if line.strip() and not line.lstrip().startswith(("#", "//")):
                break
            continue
        key, value = match.groups()
        if key == "param":
            pname, ptype, required, *desc = value.split(None, 3)
            if ptype not in PARAM_TYPES or required not in ("required", "optional"):
                raise ValueError(f"{name}: bad param line {line!r}")
            params.append(Param(pname, ptype, required == "required", " ".join(desc)))
        else:
            fields[key] = value.strip()
    for key in ("title", "question", "columns"):
        if key not in fields:
            raise ValueError(f"query {name}: header lacks '# {key}:'")
    columns = tuple(c.strip() for c in fields["columns"].split(","))
    _check_projected(name, text, params)
    return NamedQuery(name, fields["title"], fields["question"], tuple(params), columns, {})


_SELECT_LINE = " (the SELECT line)"
_PROJECTION = re.compile(r"^\s*SELECT\s+(.*?)\s*(?:WHERE\b|\{)", re.IGNORECASE | re.MULTILINE | re.DOTALL)


def _check_projected(name: str, text: str, params: list[Param]) -> None:
    """A SPARQL parameter is bound only to a variable of the SELECT line (pyoxigraph's substitutions are)."""
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(("#", "//")))
    match = _PROJECTION.search(body)
    if match is None or match.group(1).strip().upper().removeprefix("DISTINCT").strip() == "*":
        return
    projected = set(re.findall(r"[?$]([A-Za-z_][A-Za-z0-9_]*)", match.group(1)))
    for param in params:
        if param.name not in projected:
            raise ValueError(f"query {name}: parameter {param.name!r} is not a variable the query returns, so it "
                             f"could not be bound; add ?{param.name} to the variables it returns" + _SELECT_LINE)


def load_folder(folder: Path) -> dict[str, NamedQuery]:
    """The named queries of one folder, by name (header taken from the SPARQL file)."""
    found: dict[str, NamedQuery] = {}
    for path in sorted(folder.glob("*.rq")):
        name = path.stem
        base = parse_header(name, path.read_text(encoding="utf-8"))
        texts = {eng: (folder / f"{name}{ext}").read_text(encoding="utf-8")
                 for eng, ext in ENGINES.items() if (folder / f"{name}{ext}").exists()}
        found[name] = NamedQuery(base.name, base.title, base.question, base.params, base.columns, texts)
    return found


@cache
def all_queries() -> dict[str, NamedQuery]:
    """Every generic named query shipped with policygraph, by name."""
    return load_folder(HERE)


def with_programme(folder: Path | None) -> dict[str, NamedQuery]:
    """The shipped queries and a programme's own (`<programme>/queries/`); a programme adds names, it never
    replaces a shipped query (so a query name means the same thing in every programme)."""
    queries = dict(all_queries())
    if folder is None or not folder.is_dir():
        return queries
    for name, query in load_folder(folder).items():
        if name in queries:
            raise ValueError(f"{folder / (name + '.rq')}: the name {name!r} is a shipped query; "
                             "fix: rename the programme's query")
        queries[name] = query
    return queries


def find(queries: dict[str, NamedQuery], name: str) -> NamedQuery:
    if name not in queries:
        raise QueryNotFound(f"no named query {name!r}; `policygraph query --list` shows them")
    return queries[name]
