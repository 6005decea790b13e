"""What-if levers: plain widget values -> the engine's change objects (no Streamlit).

Each builder returns a list of changes (usually one) or raises
:class:`simulation.ScenarioError` with a message for the page. The change
objects come from :mod:`simulation.scenario.changes`, so a variant made here is
exactly what a variant file with the same ``changes:`` would give.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from simulation import Scenario, ScenarioError
from simulation.scenario.changes import (
    AddItems,
    AddPeople,
    AddRisk,
    DelayStart,
    FreezeScope,
    RemoveItems,
    ResizeItems,
    SetApproach,
    SetField,
    SetIteration,
    apply_changes,
)
from simulation.scenario.distributions import MAX_PARAMETER
from simulation.scenario.schema import (
    Creep,
    Day,
    Fraction,
    Impact,
    Item,
    ItemValue,
    Iteration,
    PeopleChange,
    Productivity,
    ReleaseCadence,
    Resize,
    ReworkProbability,
    Risk,
    Scope,
    format_errors,
)

from . import fmt
from .bounds import field_bounds, type_bounds
from .editor import cells_to_dist

#: Widget bounds, all from the schema's field types (never retyped here).
DAY = type_bounds(Day)
PEOPLE = type_bounds(PeopleChange)
START_PROD = type_bounds(Productivity)
FRACTION = type_bounds(Fraction)  # mentoring, a risk's chance
CADENCE = type_bounds(ReleaseCadence)
REWORK = type_bounds(ReworkProbability)
MISFIT = field_bounds(Iteration, "misfit_probability")
CREEP_RATE = field_bounds(Creep, "rate_per_week")
CHANGE_CONTROL = field_bounds(Scope, "change_control_days")
FACTOR = field_bounds(Resize, "factor")
VALUE = field_bounds(ItemValue, "per_week")
RISK_PEOPLE = field_bounds(Impact, "people")
MAX_EFFORT = float(MAX_PARAMETER)  # person-days or days, a distribution's limit

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
    "set_creep": "Change scope creep",
    "change_control": "Change-control effort",
    "resize_item": "Re-estimate an item",
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


def add_item(
    sc: Scenario,
    name: str,
    at_day: float,
    low: float | None,
    mode: float | None,
    high: float | None,
    value_per_week: float,
    priority: str = "end",
    depends_on: Sequence[str] = (),
    must_have: bool = False,
    dist: str = "triangular",
) -> list[Any]:
    """A new backlog item arriving on ``at_day`` (effort in person-days)."""
    name = (name or "").strip() or "New item"
    item_data = {
        "id": new_id(name, taken_ids(sc)),
        "name": name[:200],
        "effort": cells_to_dist(dist, low, mode, high),
        "value": {"per_week": value_per_week or 0.0},
        "depends_on": list(depends_on),
        "must_have": must_have,
    }
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


def add_people(
    sc: Scenario,
    at_day: float,
    count: int,
    ramp_up_days: float = 0.0,
    start_productivity: float = 1.0,
    mentoring: float = 0.0,
    raise_wip: bool = False,
) -> list[Any]:
    """People joining on ``at_day``; optionally the WIP limit grows with them.

    With a WIP limit at the team size, newcomers would find no item to work
    on: ``raise_wip`` adds ``count`` to the limit so they can.
    """
    out: list[Any] = [
        _build(
            AddPeople,
            at_day=at_day,
            count=int(count),
            ramp_up_days=ramp_up_days,
            start_productivity=start_productivity,
            mentoring=mentoring,
        )
    ]
    if raise_wip and sc.team.wip_limit is not None and count > 0:
        out.append(_build(SetField, path="team.wip_limit", value=sc.team.wip_limit + int(count)))
    return out


def set_approach(
    approach: str, release_every_days: float | None = None, hardening_days: float | None = None
) -> list[Any]:
    return [
        _build(
            SetApproach,
            approach=approach,
            release_every_days=release_every_days,
            hardening_days=hardening_days,
        )
    ]


def freeze_scope(at_day: float) -> list[Any]:
    return [_build(FreezeScope, at_day=at_day)]


def add_risk(
    sc: Scenario,
    name: str,
    probability: float,
    kind: str,
    window: tuple[float, float] | None,
    low: float | None,
    mode: float | None,
    high: float | None,
    items: Sequence[str] = (),
    people: int | None = None,
    dist: str = "triangular",
) -> list[Any]:
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
    data = {
        "id": new_id(name, {r.id for r in sc.risks}, "risk"),
        "name": name[:200],
        "probability": probability,
        "impact": impact,
    }
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


def set_creep(sc: Scenario, rate_per_week: float, until_day: float | None = None) -> list[Any]:
    """Scope creep's arrival rate (requests a week) and the day it stops (None = never).

    ``set`` changes on the scenario's own ``scope.creep``: a scenario without
    creep has no request size to reuse, so it is refused with the reason.
    """
    creep = sc.scope.creep
    if creep is None:
        raise ScenarioError(
            "this scenario has no scope creep to change; give it a creep "
            "rate on the Scenario page first (Scope changes)"
        )
    out = []
    if abs(rate_per_week - creep.rate_per_week) > 1e-9:
        out.append(_build(SetField, path="scope.creep.rate_per_week", value=rate_per_week))
    if until_day != creep.until_day:
        out.append(_build(SetField, path="scope.creep.until_day", value=until_day))
    if not out:
        raise ScenarioError("these are the current creep settings; change at least one")
    return out


def change_control(sc: Scenario, days: float) -> list[Any]:
    """Team effort (person-days) spent accepting each scope change."""
    if abs(days - sc.scope.change_control_days) < 1e-9:
        raise ScenarioError(f"change control is already {days:g} days per change")
    return [_build(SetField, path="scope.change_control_days", value=days)]


def resize_item(item_id: str | None, factor: float, at_day: float = 0.0) -> list[Any]:
    """Re-estimate one item: its effort times ``factor`` from ``at_day`` (if not done)."""
    if not item_id:
        raise ScenarioError("pick the item to re-estimate")
    if abs(factor - 1) < 1e-9:
        raise ScenarioError("a factor of 1 changes nothing")
    return [_build(ResizeItems, at_day=at_day, items=({"id": item_id, "factor": factor},))]


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
        label = (
            f"{c.count:+d} people on day {c.at_day:g}"
            if c.at_day
            else f"{c.count:+d} people from the start"
        )
    elif k == "set_approach":
        label = fmt.APPROACHES[c.approach][0]
    elif k == "freeze_scope":
        label = f"Freeze scope on day {c.at_day:g}"
    elif k == "add_risk":
        label = f"Risk: {c.risk.label}"
    elif k == "set_iteration":
        text = c.describe().removeprefix("Sets ")
        label = text[:1].upper() + text[1:]
    elif k == "set" and c.path.startswith("scope.creep."):
        label = (
            f"Creep {c.value:g}/week"
            if c.path.endswith("rate_per_week")
            else "Creep until " + ("never" if c.value is None else f"day {c.value:g}")
        )
    elif k == "set" and c.path == "scope.change_control_days":
        label = f"Change control {c.value:g} days"
    elif k == "resize_items":
        rz = c.items[0]
        label = f"{rz.id} x{rz.factor:g}" if rz.factor is not None else f"Re-estimate {rz.id}"
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
