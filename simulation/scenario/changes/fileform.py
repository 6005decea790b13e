"""The file form of the what-if changes: ``{kind: {...}}`` entries of a ``changes:`` list.

:func:`parse_change` reads one (with the bare-value shorthands people write,
``{delay_start: 10}``), :func:`change_to_data` writes one back so that
:func:`parse_change` reads it equal. Errors name the entry and the field,
``changes[2].add_items.items[0].effort.high: must be >= mode``.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from simulation.scenario.changes.types import CHANGE_TYPES, Change, ChangeBase, SetField
from simulation.scenario.errors import ScenarioError
from simulation.scenario.validation import format_errors, join_path, problems_error, suggest

#: Most changes one variant file may list.
MAX_CHANGES = 500


def _validation(
    exc: ValidationError, prefix: str, strip: str | None = None, source: str | None = None
) -> ScenarioError:
    """A pydantic error as a ScenarioError under ``prefix``.

    ``strip`` is the field a shorthand filled in (``{delay_start: 10}`` fills
    ``days``): paths under it are reported as the user wrote them.
    """
    raw = format_errors(exc).problems
    problems = []
    for path, msg in raw:
        if msg.startswith("Tuple should have at least") and any(
            other.startswith(path + "[") for other, _ in raw
        ):
            continue  # an element failed, so the list came out short: one problem
        if strip and (path == strip or path.startswith((strip + ".", strip + "["))):
            path = path[len(strip) :].lstrip(".")
        problems.append((join_path(prefix, path), msg))
    return problems_error(problems, source)


def parse_change(data: Any, where: str = "change", source: str | None = None) -> Change:
    """Build one change from its file form.

    Accepts ``{add_items: {at_day: 30, items: [...]}}``, the bare-value
    shorthands (``{delay_start: 10}``, ``{set_approach: big_bang}``,
    ``{freeze_scope: 60}``, ``{remove_items: [a, b]}``, ``{reorder: [b, a]}``,
    ``{remove_risk: id}``, ``{add_items: [...]}``, ``{add_risk: {id: ..., ...}}``),
    the flat form with a ``kind`` key, or a change object (returned as is).

    Raises
    ------
    ScenarioError
        Naming ``where`` and the field, e.g.
        ``changes[2].add_items.items[0].effort.high: must be >= mode``.
    """
    if isinstance(data, ChangeBase):
        return data
    if not isinstance(data, dict):
        raise problems_error(
            [(where, "expected a change like {delay_start: {days: 10}}, got " + kind_of(data))],
            source,
        )
    if "kind" in data:
        kind = data["kind"]
        body: Any = {k: v for k, v in data.items() if k != "kind"}
        prefix = where
    else:
        if len(data) != 1:
            keys = ", ".join(str(k) for k in data) or "none"
            raise problems_error(
                [
                    (
                        where,
                        "a change is a mapping with exactly one key, its type "
                        f"(one of {', '.join(CHANGE_TYPES)}); got keys: {keys}",
                    )
                ],
                source,
            )
        kind, body = next(iter(data.items()))
        prefix = f"{where}.{kind}"
    if kind not in CHANGE_TYPES:
        raise problems_error(
            [
                (
                    where,
                    f"unknown change '{kind}'"
                    + suggest(str(kind), CHANGE_TYPES)
                    + f" (known: {', '.join(CHANGE_TYPES)})",
                )
            ],
            source,
        )
    cls = CHANGE_TYPES[kind]
    if body is None:
        raise problems_error([(prefix, f"needs its settings, e.g. {_EXAMPLES[kind]}")], source)
    body, strip = cls.expand(body)
    if not isinstance(body, dict):
        raise problems_error(
            [(prefix, f"expected settings like {_EXAMPLES[kind]}, got " + kind_of(body))], source
        )
    body = {**body, "kind": kind}
    try:
        return cls.model_validate(body)
    except ValidationError as exc:
        raise _validation(exc, prefix, strip, source) from None


_EXAMPLES = {
    "add_items": "{at_day: 30, items: [{id: x, effort: 5}]}",
    "remove_items": "{at_day: 20, ids: [reports]}",
    "resize_items": "{items: [{id: ingest, factor: 1.5}]}",
    "reorder": "{ids: [approvals, inventory]} or a bare list of ids",
    "delay_start": "{days: 10} or a bare number of days",
    "add_risk": "{risk: {id: r1, probability: 0.3, window: [0, 40], impact: {...}}}",
    "remove_risk": "{id: vendor-env}",
    "add_people": "{at_day: 40, count: 2}",
    "set_approach": "big_bang",
    "freeze_scope": "{at_day: 60} or a bare day",
    "set_iteration": "{misfit_probability: 0.3}",
    "set": "{path: team.size, value: 6}",
}


def kind_of(value: Any) -> str:
    """What a user wrote instead of a change, in a few words (for messages)."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text '{value[:40]}'"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {value!r}"[:60]


def parse_changes(
    data: Any, source: str | None = None, where: str = "changes"
) -> tuple[Change, ...]:
    """Build the list of changes of a variant file (``changes[i]`` in messages)."""
    if data is None:
        return ()
    if not isinstance(data, (list, tuple)):
        raise problems_error([(where, "expected a list of changes, got " + kind_of(data))], source)
    if len(data) > MAX_CHANGES:
        raise problems_error([(where, f"at most {MAX_CHANGES} changes in one variant")], source)
    return tuple(parse_change(item, f"{where}[{i}]", source) for i, item in enumerate(data))


def change_to_data(change: ChangeBase) -> dict[str, Any]:
    """The file form of a change, ``{kind: {...}}``; :func:`parse_change` reads it back."""
    body = change.model_dump(
        mode="json", exclude={"kind"}, exclude_none=True, exclude_defaults=True
    )
    if isinstance(change, SetField):
        body = {"path": change.path, "value": change.model_dump(mode="json")["value"]}
    return {change.kind: _compact(body)}


def _compact(data: Any) -> Any:
    """Fixed distributions as bare numbers, as people write them."""
    if isinstance(data, dict):
        if data.get("dist") == "fixed" and set(data) == {"dist", "value"}:
            return data["value"]
        return {k: _compact(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_compact(v) for v in data]
    if isinstance(data, float) and data.is_integer() and abs(data) < 1e15:
        return int(data)
    return data
