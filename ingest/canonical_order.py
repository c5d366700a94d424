"""The canonical order of a programme folder's records (data/README.md, "canonical form").

A YAML record's keys go: its own fields in model order, then `evidence`, then its nested records (and lists
of them). The rows of configurations.csv go by service, then period order, then dimension order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel


def holds_records(annotation: Any) -> bool:
    """Whether a field's type is a record model, or a list or union of them."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(holds_records(a) for a in getattr(annotation, "__args__", ()))


def record_model(model: type[BaseModel], name: str) -> type[BaseModel] | None:
    """The record model of field `name` of `model` (of the field itself, or of its list's items), or None."""
    field = model.model_fields.get(name)
    if field is None:
        return None
    inner = getattr(field.annotation, "__args__", (field.annotation,))
    direct = next((t for t in inner if isinstance(t, type) and issubclass(t, BaseModel)), None)
    if direct is not None:
        return direct
    items = [a for t in inner for a in getattr(t, "__args__", ())]
    return next((t for t in items if isinstance(t, type) and issubclass(t, BaseModel)), None)


def canonical_keys(model: type[BaseModel], present: Iterable[str]) -> list[str]:
    """The keys `present` in a mapping that `model` describes, in canonical order (keys the model does not
    know, which a valid file never has, go last in the order given)."""
    given = list(present)
    nested = [k for k, f in model.model_fields.items() if k != "evidence" and holds_records(f.annotation)]
    own = [k for k in model.model_fields if k not in ("evidence", *nested)]
    order = [k for k in [*own, "evidence", *nested] if k in given]
    return order + [k for k in given if k not in order]


def key_orders(data: Any, model: type[BaseModel], where: str) -> list[tuple[str, list[str], list[str]]]:
    """(where, keys as written, keys in canonical order) for every mapping of `data` that a model describes."""
    if not isinstance(data, Mapping):
        return []
    found = [(where, list(data), canonical_keys(model, data))]
    for name in model.model_fields:
        sub = record_model(model, name)
        value = data.get(name)
        if sub is None:
            continue
        if isinstance(value, Mapping):
            found += key_orders(value, sub, f"{where}.{name}")
        elif isinstance(value, list):
            for i, entry in enumerate(value):
                found += key_orders(entry, sub, f"{where}.{name}[{i}]")
    return found


def configuration_sort_key(service: str, period: str, dimension: str, period_order: Mapping[str, int],
                           dimension_order: Mapping[str, int]) -> tuple[str, int, int]:
    """Where a configurations.csv row goes: by service, then period order, then dimension order (unknown
    periods and dimensions, which a valid table never has, last)."""
    last = 1 << 31
    return service, period_order.get(period, last), dimension_order.get(dimension, last)
