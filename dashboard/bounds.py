"""Widget bounds, defaults and choices read from the schema (no Streamlit, no retyping).

The scenario schema (:mod:`simulation.scenario.schema`) owns every limit: pydantic
``Field(ge=..., le=...)`` on a section's fields and the named ``Annotated``
types (``Day``, ``Productivity``, ...), and the vocabularies as ``Literal``
types. The pages ask here instead of typing the numbers again, so a widget
can never accept what the schema refuses (or refuse what it accepts).

>>> from simulation.scenario.schema import Team
>>> field_bounds(Team, "size")
Bounds(ge=1, le=500, default=None)
"""

from __future__ import annotations

import typing
from typing import Any, NamedTuple

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined


class Bounds(NamedTuple):
    """A field's lowest and highest accepted value and its default (None if none).

    ``gt``/``lt`` bounds (exclusive) are reported as ``ge``/``le``: a widget
    has only inclusive bounds, and the schema still refuses the end itself.
    """

    ge: Any
    le: Any
    default: Any


def _constraints(metadata: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for meta in metadata:
        if isinstance(meta, FieldInfo):
            out.update(_constraints(list(meta.metadata)))
        elif isinstance(meta, (Ge, Gt)):
            out["ge"] = meta.ge if isinstance(meta, Ge) else meta.gt
        elif isinstance(meta, (Le, Lt)):
            out["le"] = meta.le if isinstance(meta, Le) else meta.lt
    return out


def _from_annotation(annotation: Any) -> dict[str, Any]:
    """Bounds inside an annotation: ``Annotated[...]`` or an ``X | None`` of one."""
    found = _constraints(list(getattr(annotation, "__metadata__", ())))
    if found:
        return found
    for arg in typing.get_args(annotation):
        if arg is type(None):
            continue
        inner = _from_annotation(arg)
        if inner:
            return inner
    return {}


def type_bounds(annotated: Any) -> Bounds:
    """Bounds of a named schema type, e.g. ``type_bounds(Day) == (0, 5200, None)``."""
    found = _from_annotation(annotated)
    return Bounds(found.get("ge"), found.get("le"), None)


def field_bounds(model: type[BaseModel], name: str) -> Bounds:
    """``(ge, le, default)`` of a pydantic model's field.

    Looks at the field's own constraints first, then inside its annotation
    (``Day | None`` keeps its bounds in the ``Day`` part).
    """
    info = model.model_fields[name]
    found = _constraints(list(info.metadata)) or _from_annotation(info.annotation)
    default = None if info.default is PydanticUndefined else info.default
    return Bounds(found.get("ge"), found.get("le"), default)


def choices(model: type[BaseModel], name: str) -> tuple[str, ...]:
    """The values a ``Literal`` field accepts, in the schema's order."""
    annotation = model.model_fields[name].annotation
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Literal:
        return tuple(args)
    for arg in args:  # Literal[...] | None
        if typing.get_origin(arg) is typing.Literal:
            return tuple(typing.get_args(arg))
    raise TypeError(f"{model.__name__}.{name} is not a Literal field")


def literal_values(literal: Any) -> tuple[str, ...]:
    """The values of a named ``Literal`` type (``Approach``, ``Priority``)."""
    return tuple(typing.get_args(literal))
