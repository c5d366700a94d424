"""The Overview (the explorer's first page) as a release stores it: tables of text, read without rdflib,
networkx or pandas, so that the first page shows before the model's libraries are even imported."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

from policygraph.graph.results import QueryResult

log = logging.getLogger(__name__)

OVERVIEW_TABLES = ("documents", "intents", "services", "timeline", "coverage")


@dataclass(frozen=True)
class Overview:
    programme: str
    description: str
    documents: QueryResult
    intents: QueryResult
    services: QueryResult
    timeline: QueryResult
    coverage: QueryResult
    services_word: str = "services"  # what the programme calls its services
    headline: tuple[str, ...] = ()  # the programme's headline (app/read/headline.py)


def write_overview(path: Path, data: Overview) -> None:
    """The Overview as JSON (one of a release's files, written with the others)."""
    record = {"programme": data.programme, "description": data.description, "services_word": data.services_word,
              "headline": list(data.headline),
              "tables": {name: asdict(getattr(data, name)) for name in OVERVIEW_TABLES}}
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")


def read_overview(path: Path) -> Overview | None:
    """The Overview a release stored, or None when it has none (or an unreadable one: it is then computed)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        tables = {name: QueryResult(list(t["columns"]), [tuple(row) for row in t["rows"]], bool(t["truncated"]),
                                    list(t["notes"])) for name, t in data["tables"].items()}
        return Overview(str(data["programme"]), str(data["description"]), **{n: tables[n] for n in OVERVIEW_TABLES},
                        services_word=str(data.get("services_word", "services")),
                        headline=tuple(str(line) for line in data.get("headline", [])))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("stored overview %s ignored (%s: %s)", path, type(exc).__name__, exc)
        return None
