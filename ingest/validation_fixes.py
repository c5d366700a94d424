"""The fix to show a curator for any pydantic error on the records of `policygraph.ingest.models`."""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from policygraph.ingest.models import URL_PATTERN, Invalid
from policygraph.ingest.text_rules import non_ascii


def _unwrap(tp: Any) -> Any:
    """Strip Annotated[...] and `| None` from a type annotation."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            rest = [a for a in get_args(tp) if a is not type(None)]
            if len(rest) != 1:
                return tp
            tp = rest[0]
        else:
            return tp


def type_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> Any:
    """The (unwrapped) type expected at `loc` inside `model`, or None if the path leaves it."""
    tp: Any = model
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(part, int):
            if get_origin(tp) is not list:
                return None
            tp = get_args(tp)[0]
        elif isinstance(tp, type) and issubclass(tp, BaseModel) and part in tp.model_fields:
            tp = tp.model_fields[part].annotation
        else:
            return None
    return _unwrap(tp)


def _keys(model: Any) -> str:
    if isinstance(model, type) and issubclass(model, BaseModel):
        return ", ".join(model.model_fields)
    return "(none)"


def describe_input(value: object) -> str:
    """A short, readable rendering of a given value for an error message."""
    text = repr(value)
    if isinstance(value, str) and len(value) <= 64 and " " not in value and non_ascii(value):
        return text + non_ascii(value).replace("; it holds", ", which holds")  # a homoglyph in an id
    if isinstance(value, str) and len(value) > 60:
        return f"{len(value)} characters: {text[:50]}...'"
    if isinstance(value, dict):
        return "a mapping"
    if len(text) > 80:
        return text[:77] + "..."
    return text


_INT_FIX = "write a whole number without quotes, e.g. order: 1"
_FIXED: dict[str, str] = {
    "int_type": _INT_FIX,
    "int_parsing": _INT_FIX,
    "int_from_float": _INT_FIX,
    "string_too_short": "write the text, or remove the key if it is optional",
    "finite_number": "write a finite number (not .nan or .inf)",
}


def _string_type_fix(value: object) -> str:
    if isinstance(value, bool):
        return ("YAML reads yes/no/on/off/true/false as booleans: put the text in quotes, "
                "e.g. \"yes\"")
    if isinstance(value, int | float):
        return "this field is text: put the value in quotes, e.g. year: \"2014\""
    if value is None:
        return "write a value here (an empty value reads as null) or remove the key if optional"
    if isinstance(value, list | dict):
        return "this field is one text value, not a list or mapping"
    return "write plain text here"


@dataclass(frozen=True)
class _Err:
    name: str
    loc: tuple[str | int, ...]
    ctx: dict[str, Any]
    value: object
    model: type[BaseModel]


def _pattern_fix(e: _Err) -> str:
    if e.ctx.get("pattern") == URL_PATTERN:
        return "write a full http(s) URL without spaces, quotes or angle brackets"
    return "an id is 1-64 letters, digits, '-' or '_', starting with a letter or digit (no spaces)"


def _too_short_fix(e: _Err) -> str:
    if e.name == "evidence":
        return "cite at least one source: evidence: [{source: S1, locator: where in S1}]"
    return f"give at least {e.ctx.get('min_length', 1)} item(s) in {e.name!r}"


def _mapping_fix(e: _Err) -> str:
    if not e.loc:
        return f"the file must be a mapping with the top-level key(s): {_keys(e.model)}"
    return f"write {e.name!r} as a mapping (key: value lines); keys: {_keys(type_at(e.model, e.loc))}"


_BUILDERS: dict[str, Callable[[_Err], str]] = {
    "string_type": lambda e: _string_type_fix(e.value),
    "extra_forbidden": lambda e: (f"remove or rename {e.name!r}; the keys allowed here are: "
                                  f"{_keys(type_at(e.model, e.loc[:-1]))}"),
    "missing": lambda e: (f"add {e.name!r} here; the keys allowed here are: "
                          f"{_keys(type_at(e.model, e.loc[:-1]))}"),
    "literal_error": lambda e: f"use one of: {e.ctx.get('expected')}",
    "string_too_long": lambda e: (f"shorten the text to at most {e.ctx.get('max_length')} "
                                  "characters (cite the source for the full text)"),
    "string_pattern_mismatch": _pattern_fix,
    "too_short": _too_short_fix,
    "greater_than_equal": lambda e: f"use a number of at least {e.ctx.get('ge')}",
    "list_type": lambda e: f"write {e.name!r} as a list: [a, b] or one '- item' per line",
    "dict_type": _mapping_fix,
    "model_type": _mapping_fix,
    "model_attributes_type": _mapping_fix,
}


def fix_for(err: ErrorDetails, model: type[BaseModel]) -> str:
    """How to fix one pydantic error on `model` (at err['loc']), said concretely."""
    kind, loc = err["type"], tuple(err["loc"])
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    error = ctx.get("error")
    if isinstance(error, Invalid):
        return error.fix
    if kind in _FIXED:
        return _FIXED[kind]
    name = str(loc[-1]) if loc else "the value"
    builder = _BUILDERS.get(kind)
    if builder is not None:
        return builder(_Err(name, loc, ctx, err.get("input"), model))
    return f"correct the value of {name!r}: {err['msg']}"
