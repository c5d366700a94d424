"""What a programme calls things (its services, its drift measure), read from its model in this one place.

The programme's vocabulary is moving into data/<programme>/vocabulary.yaml, read by `ProgrammeModel.word()` and
`ProgrammeModel.drift_name`; where a model does not offer them yet, the programme-neutral words are used.
"""

from __future__ import annotations

from policygraph.graph.model import ProgrammeModel


def service_word(model: ProgrammeModel, plural: bool = False) -> str:
    """What the programme calls a service ("service" / "services" when it says nothing)."""
    word = getattr(model, "word", None)
    if callable(word):
        return str(word(plural))
    return "services" if plural else "service"


def drift_name(model: ProgrammeModel) -> str:
    """What the programme calls its drift measure ("drift" when it says nothing)."""
    found = getattr(model, "drift_name", None)
    return found if isinstance(found, str) else "drift"
