"""RDF literals <-> Neo4j property values (part of the mapping; see docs/neo4j-mapping.md).

A literal's value is its exact lexical form as a string, except canonical xsd:integer (64-bit) and
xsd:boolean, stored as Neo4j integers and booleans; its language tag or datatype goes in the
parallel property '<key>.type'. Several values for one key are a list, sorted by lexical form.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import cache
from typing import NamedTuple

XSD_NS = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD_NS + "string"
XSD_INTEGER = XSD_NS + "integer"
XSD_BOOLEAN = XSD_NS + "boolean"
TYPE_SUFFIX = ".type"  # '<key>.type' holds a property's language tag or datatype

PropertyValue = str | int | bool | list[str] | list[int] | list[bool]


class MappingError(ValueError):
    """The property graph holds something the vocabulary cannot map back to RDF."""


class Lit(NamedTuple):
    """An RDF literal: lexical form, and a language tag or a datatype IRI (None = plain string).
    A NamedTuple rather than a dataclass: loads create one per literal, and tuples are cheaper."""

    lexical: str
    datatype: str | None = None
    lang: str | None = None


Obj = str | Lit  # an IRI, a blank node '_:id', or a literal
Triple = tuple[str, str, Obj]


# --- literals <-> property values -------------------------------------------------------------

def type_marker(lit: Lit) -> str:
    """'' plain string, '@<lang>' language-tagged, 'xsd:<name>' XSD datatype, '<iri>' any other."""
    if lit.lang is not None:
        return f"@{lit.lang}"
    return "" if lit.datatype is None else _datatype_marker(lit.datatype)


@cache
def _datatype_marker(datatype: str) -> str:
    local = datatype[len(XSD_NS):]
    if datatype.startswith(XSD_NS) and re.fullmatch(r"[A-Za-z]+", local):
        return "xsd:" + local
    return f"<{datatype}>"


def literal_from(lexical: str, marker: str) -> Lit:
    if marker == "":
        return Lit(lexical)
    if marker.startswith("@"):
        return Lit(lexical, lang=marker[1:])
    if marker.startswith("xsd:"):
        return Lit(lexical, datatype=XSD_NS + marker[4:])
    if marker.startswith("<") and marker.endswith(">"):
        return Lit(lexical, datatype=marker[1:-1])
    raise MappingError(f"unreadable type marker {marker!r}")


_INT64 = 2**63


def _native(lits: list[Lit]) -> list[str] | list[int] | list[bool]:
    if all(lit.datatype is None for lit in lits):  # the common case: plain or language-tagged text
        return [lit.lexical for lit in lits]
    # Integers and booleans in canonical form are stored as Neo4j numbers/booleans so Cypher can
    # compare and sort them; anything else keeps its exact lexical form as a string.
    if all(lit.datatype == XSD_INTEGER and re.fullmatch(r"-?(0|[1-9][0-9]*)", lit.lexical)
           and -_INT64 <= int(lit.lexical) < _INT64 for lit in lits):
        return [int(lit.lexical) for lit in lits]
    if all(lit.datatype == XSD_BOOLEAN and lit.lexical in ("true", "false") for lit in lits):
        return [lit.lexical == "true" for lit in lits]
    return [lit.lexical for lit in lits]


def encode_literals(key: str, lits: Collection[Lit]) -> dict[str, PropertyValue]:
    """The node properties for the values of one predicate: '<key>' and, if needed, '<key>.type'."""
    ordered = sorted(lits, key=lambda lit: (lit.lexical, type_marker(lit))) if len(lits) > 1 else list(lits)
    values = _native(ordered)
    markers = [type_marker(lit) for lit in ordered]
    props: dict[str, PropertyValue] = {}
    if len(ordered) == 1:
        props[key] = values[0]
        if markers[0]:
            props[key + TYPE_SUFFIX] = markers[0]
    else:
        props[key] = values
        if any(markers):
            props[key + TYPE_SUFFIX] = markers
    return props


def _lexical(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | str):
        return str(value)
    raise MappingError(f"property value {value!r} is not a string, integer or boolean")


def decode_literals(props: dict[str, object], key: str) -> list[Lit]:
    raw = props[key]
    marker_raw = props.get(key + TYPE_SUFFIX, "")
    values = raw if isinstance(raw, list) else [raw]
    markers = marker_raw if isinstance(marker_raw, list) else [marker_raw] * len(values)
    if len(markers) != len(values):
        raise MappingError(f"{key}{TYPE_SUFFIX} has {len(markers)} entries for {len(values)} values")
    return [literal_from(_lexical(v), str(m)) for v, m in zip(values, markers, strict=True)]
