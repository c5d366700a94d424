"""Sources cited the way a slide cites them: author-year with the source ids ("Smith et al. 2014 (S1, S3)")."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import RDF, URIRef
from rdflib.namespace import DCTERMS

from policygraph.graph.model import ProgrammeModel
from policygraph.ontology import PG

_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_INITIALS = re.compile(r"^[A-Z]{1,3}$")


def source_order(sid: str) -> tuple[str, int, str]:
    """S2 before S10: the letters, then the number, then the rest."""
    found = re.match(r"^(\D*)(\d+)(.*)$", sid)
    return (found.group(1), int(found.group(2)), found.group(3)) if found else (sid, 0, "")


def _surname(person: str) -> str:
    tokens = person.split()
    if len(tokens) > 1 and _INITIALS.match(tokens[-1]):
        return tokens[0]  # "Smith J"
    return tokens[-1] if tokens else person  # "Jane Smith"


def author_year(authors: str, year: str) -> str:
    """'Jane Smith; Ann Jones; Bo Lee', '2014' -> 'Smith et al. 2014'; an organisation as named."""
    plain = re.sub(r"\s*\([^)]*\)", "", authors).strip() or authors.strip("() ") or "unknown"
    people = [p.strip() for p in plain.split(";") if p.strip()]
    if len(people) > 1:
        names = [_surname(p) for p in people]
        who = f"{names[0]} & {names[1]}" if len(names) == 2 else f"{names[0]} et al."
    else:
        tokens = plain.split()
        who = tokens[0] if len(tokens) == 2 and _INITIALS.match(tokens[1]) else plain
    found = _YEAR.search(year)
    return f"{who} {found.group(1) if found else 'n.d.'}"


def source_names(model: ProgrammeModel) -> dict[str, str]:
    """Each source id of the programme with its author-year."""
    g = model.graph
    out = {}
    for source in g.subjects(RDF.type, PG.Source):
        if isinstance(source, URIRef):
            authors, year = g.value(source, PG.authors), g.value(source, PG.year)
            out[model.ident(source)] = author_year(str(authors or "unknown"), str(year or ""))
    return out


def references(model: ProgrammeModel, sids: Iterable[str]) -> list[str]:
    """'S3. Smith et al. 2014. <title>. <url>' for each source id, in order (speaker notes, reference lists)."""
    g = model.graph
    by_id = {model.ident(s): s for s in g.subjects(RDF.type, PG.Source) if isinstance(s, URIRef)}
    out = []
    for sid in sorted(set(sids), key=source_order):
        source = by_id.get(sid)
        if source is None:
            out.append(f"{sid}. (not among the programme's sources)")
            continue
        authors, year = g.value(source, PG.authors), g.value(source, PG.year)
        title, url = g.value(source, DCTERMS.title), g.value(source, PG.url)
        parts = [f"{sid}. {author_year(str(authors or 'unknown'), str(year or ''))}", str(title or "untitled")]
        out.append(". ".join(parts) + (f". {url}" if url is not None else ""))
    return out


def cite(names: dict[str, str], sids: Iterable[str]) -> str:
    """'Smith et al. 2014 (S1, S2, S3); Ministry of Health 2004 (S10)': sources grouped by author-year, in
    the order of their first source id."""
    groups: dict[str, list[str]] = {}
    for sid in sorted(set(sids), key=source_order):
        groups.setdefault(names.get(sid, ""), []).append(sid)
    return "; ".join(f"{who} ({', '.join(ids)})" if who else ", ".join(ids) for who, ids in groups.items())
