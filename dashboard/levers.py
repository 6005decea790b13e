"""What-if levers: plain widget values -> the engine's change objects (no Streamlit).

Each builder returns a list of changes (usually one) or raises
:class:`simulation.ScenarioError` with a message for the page. The change
objects come from :mod:`simulation.changes`, so a variant made here is
exactly what a variant file with the same ``changes:`` would give.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from simulation import Scenario, ScenarioError
from simulation.changes import (
    AddItems,
    AddPeople,
    AddRisk,
    DelayStart,
    FreezeScope,
    RemoveItems,
    SetApproach,
    SetField,
    SetIteration,
    apply_changes,
)
from simulation.schema import Item, Risk, format_errors

from . import fmt
from .editor import cells_to_dist

#: The levers offered on the What-if page, in menu order: key -> label.
LEVERS = {
    "add_item": "Add an item",
    "remove_items": "Remove items",
    "delay_start": "Delay the start",
    "add_people": "Add people",
    "set_approach": "Switch approach",
    "freeze_scope": "Freeze scope",
    "add_risk": "Add a risk",
    "set_iteration": "Change iteration",
}


def _build(factory, **kwargs: Any):
    """Construct a change, turning pydantic's errors into a ScenarioError."""
    try:
        return factory(**kwargs)
    except ValidationError as exc:
        raise format_errors(exc) from None


def new_id(name: str, taken: set[str], prefix: str = "item") -> str:
    """A valid, unused id from a name: ``Near-real-time refresh`` -> ``near-real-time-refresh``."""
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].strip("-") or prefix
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base}-{n}"
        n += 1
    return candidate


def taken_ids(sc: Scenario) -> set[str]:
    return {it.id for _, it in sc.all_items()}


def add_item(sc: Scenario, name: str, at_day: float, low: float | None, mode: float | None,
             high: float | None, value_per_week: float, priority: str = "end",
             depends_on: Sequence[str] = (), must_have: bool = False,
             dist: str = "triangular") -> list[Any]:
    """A new backlog item arriving on ``at_day`` (effort in person-days)."""
    name = (name or "").strip() or "New item"
    item_data = {"id": new_id(name, taken_ids(sc)), "name": name[:200],
                 "effort": cells_to_dist(dist, low, mode, high),
                 "value": {"per_week": value_per_week or 0.0},
                 "depends_on": list(depends_on), "must_have": must_have}
    try:
        item = Item.model_validate(item_data)
    except ValidationError as exc:
        raise format_errors(exc) from None
    return [_build(AddItems, at_day=at_day, items=(item,), priority=priority)]


def remove_items(ids: Sequence[str], at_day: float = 0.0) -> list[Any]:
    if not ids:
        raise ScenarioError("pick at least one item to remove")
    return [_build(RemoveItems, at_day=at_day, ids=tuple(ids))]


def delay_start(days: float) -> list[Any]:
    if not days:
        raise ScenarioError("a delay of 0 days changes nothing")
    return [_build(DelayStart, days=days)]


def add_people(sc: Scenario, at_day: float, count: int, ramp_up_days: float = 0.0,
               start_productivity: float = 1.0, mentoring: float = 0.0,
               raise_wip: bool = False) -> list[Any]:
    """People joining on ``at_day``; optionally the WIP limit grows with them.

    With a WIP limit at the team size, newcomers would find no item to work
    on: ``raise_wip`` adds ``count`` to the limit so they can.
    """
    out: list[Any] = [_build(AddPeople, at_day=at_day, count=int(count),
                             ramp_up_days=ramp_up_days, start_productivity=start_productivity,
                             mentoring=mentoring)]
    if raise_wip and sc.team.wip_limit is not None and count > 0:
        out.append(_build(SetField, path="team.wip_limit", value=sc.team.wip_limit + int(count)))
    return out


def set_approach(approach: str, release_every_days: float | None = None,
                 hardening_days: float | None = None) -> list[Any]:
    return [_build(SetApproach, approach=approach, release_every_days=release_every_days,
                   hardening_days=hardening_days)]


def freeze_scope(at_day: float) -> list[Any]:
    return [_build(FreezeScope, at_day=at_day)]


def add_risk(sc: Scenario, name: str, probability: float, kind: str,
             window: tuple[float, float] | None, low: float | None, mode: float | None,
             high: float | None, items: Sequence[str] = (), people: int | None = None,
             dist: str = "triangular") -> list[Any]:
    """A new risk; ``low``/``mode``/``high`` are days stopped or person-days added."""
    name = (name or "").strip() or "New risk"
    impact: dict[str, Any] = {"kind": kind}
    spread = cells_to_dist(dist, low, mode, high)
    if kind == "extra_work":
        impact.update(items=list(items), effort=spread)
    else:
        impact["days"] = spread
        if kind == "capacity_loss":
            impact["people"] = people
    data = {"id": new_id(name, {r.id for r in sc.risks}, "risk"), "name": name[:200],
            "probability": probability, "impact": impact}
    if kind != "extra_work":
        data["window"] = list(window) if window else None
    try:
        risk = Risk.model_validate(data)
    except ValidationError as exc:
        raise format_errors(exc) from None
    return [_build(AddRisk, risk=risk)]


def set_iteration(**settings: float | None) -> list[Any]:
    """Iteration settings; ``None`` values are left as they are."""
    given = {k: v for k, v in settings.items() if v is not None}
    return [_build(SetIteration, **given)]


def variant_scenario(base: Scenario, changes: Sequence[Any]) -> Scenario:
    """The baseline with a variant's changes applied (ScenarioError if they no longer fit)."""
    return apply_changes(base, changes)


def short_label(changes: Sequence[Any]) -> str:
    """A short legend name for a variant from its first change."""
    if not changes:
        return "Variant"
    c = changes[0]
    k = c.kind
    if k == "add_items":
        label = f"Add {c.items[0].label}" + (f" (day {c.at_day:g})" if c.at_day else "")
    elif k == "remove_items":
        label = "Remove " + ", ".join(c.ids)
    elif k == "delay_start":
        label = f"Start {c.days:g} days later"
    elif k == "add_people":
        label = (f"{c.count:+d} people on day {c.at_day:g}" if c.at_day
                 else f"{c.count:+d} people from the start")
    elif k == "set_approach":
        label = fmt.APPROACHES[c.approach][0]
    elif k == "freeze_scope":
        label = f"Freeze scope on day {c.at_day:g}"
    elif k == "add_risk":
        label = f"Risk: {c.risk.label}"
    elif k == "set_iteration":
        text = c.describe().removeprefix("Sets ")
        label = text[:1].upper() + text[1:]
    else:
        label = c.describe()
    label = label if len(label) <= 48 else label[:47] + "…"
    return label


def unique_name(name: str, taken: Sequence[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)``... if it is already used."""
    name = name.strip() or "Variant"
    if name not in taken:
        return name
    n = 2
    while f"{name} ({n})" in taken:
        n += 1
    return f"{name} ({n})"
