"""One-line descriptions of the what-if changes, for people.

``change.describe()`` looks its kind up in :data:`DESCRIPTIONS`; the text is
stable (tests and the dashboard show it next to the numbers), e.g.
``Adds 'Near-real-time refresh' (8-25 person-days, 2,500/week) on day 30``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from simulation.scenario.distributions import Distribution
from simulation.scenario.schema import Item, Risk

if TYPE_CHECKING:  # annotations only: types imports this module
    from simulation.scenario.changes import types

#: Each delivery approach in words (the dashboard's labels come from here too).
APPROACH_TEXT = {
    "continuous": "continuous delivery (each item goes live when done)",
    "incremental": "incremental releases",
    "big_bang": "a big-bang launch",
}


# ------------------------------------------------------------------- text
def _num(x: float) -> str:
    """A number for people: thousands separators, no trailing zeros."""
    text = f"{x:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _pct(p: float) -> str:
    return f"{round(p * 100, 1):g}%"


def _span(d: Distribution) -> str:
    """The range of a distribution in a few characters: ``8-25``, ``6``, ``about 4``."""
    k = d.dist
    if k == "fixed":
        return _num(d.value)
    if k in ("triangular", "pert", "uniform"):
        return _num(d.low) if d.low == d.high else f"{_num(d.low)}-{_num(d.high)}"
    if k == "empirical":
        lo, hi = min(d.samples), max(d.samples)
        return _num(lo) if lo == hi else f"{_num(lo)}-{_num(hi)}"
    return f"about {_num(round(d.expected(), 1))}"


def _when(at_day: float) -> str:
    return "before work starts" if at_day == 0 else f"on day {_num(at_day)}"


def _and(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _quoted(ids: Iterable[str]) -> str:
    return _and([f"'{i}'" for i in ids])


def _item_text(it: Item) -> str:
    worth = f"{_num(it.value.per_week)}/week" if it.value.per_week else "no direct value"
    return f"'{it.label}' ({_span(it.effort)} person-days, {worth})"


def _risk_text(risk: Risk) -> str:
    imp = risk.impact
    window = ""
    if risk.window and risk.window[0] == risk.window[1]:
        window = f", on day {_num(risk.window[0])}"
    elif risk.window:
        window = f", some time in days {_num(risk.window[0])}-{_num(risk.window[1])}"
    if imp.kind == "blocker":
        effect = f"stops all work for {_span(imp.days)} days{window}"
    elif imp.kind == "extra_work":
        effect = f"adds {_span(imp.effort)} person-days to {_quoted(imp.items)}"
    else:
        who = "1 person" if imp.people == 1 else f"{imp.people} people"
        effect = f"takes {who} away for {_span(imp.days)} days{window}"
    return f"'{risk.label}' ({_pct(risk.probability)} chance: {effect})"


_ITERATION_TEXT = {
    "rework_probability": ("rework probability", _pct),
    "rework_fraction": ("rework size", lambda x: f"{_pct(x)} of the effort"),
    "misfit_probability": ("misfit probability", _pct),
    "misfit_value_factor": ("misfit items earn", lambda x: f"{_pct(x)} of their value"),
    "feedback_lag_days": ("feedback lag", lambda x: f"{_num(x)} days"),
    "fix_fraction": ("fix size", lambda x: f"{_pct(x)} of the effort"),
}


#: Plain names of the fields people most often set, for descriptions.
_FIELD_NAMES = {
    "team.size": "the team size",
    "team.wip_limit": "the WIP limit",
    "team.focus": "the team's focus",
    "team.cost_per_person_day": "the cost per person-day",
    "deadline": "the deadline",
    "start_date": "the start date",
    "delivery.release_every_days": "the release cadence",
    "delivery.discovery_days": "the discovery phase",
    "delivery.hardening_days": "the hardening days",
    "scope.change_control_days": "the change-control effort",
    "scope.freeze_day": "the scope freeze day",
    "value.horizon_weeks": "the value horizon",
    "value.discount_rate_annual": "the discount rate",
    "value.outcome.target_fraction": "the outcome target",
    "value.outcome.by": "the outcome date",
}


# ------------------------------------------------------------ per change
def add_items(change: types.AddItems) -> str:
    if len(change.items) <= 3:
        what = _and([_item_text(it) for it in change.items])
    else:
        effort = sum(it.effort.expected() for it in change.items)
        value = sum(it.value.per_week for it in change.items)
        what = (
            f"{len(change.items)} items (about {_num(round(effort))} person-days, "
            f"{_num(value)}/week)"
        )
    top = ", at the top of the backlog" if change.priority == "top" else ""
    return f"Adds {what} {_when(change.at_day)}{top}"


def remove_items(change: types.RemoveItems) -> str:
    if change.at_day == 0:
        return f"Removes {_quoted(change.ids)} from scope before work starts"
    return (
        f"Removes {_quoted(change.ids)} from scope on day {_num(change.at_day)} "
        "(if not started by then)"
    )


def resize_items(change: types.ResizeItems) -> str:
    parts = [
        f"'{rz.id}' x{_num(rz.factor)}"
        if rz.factor is not None
        else f"'{rz.id}' to {_span(rz.effort)} person-days"
        for rz in change.items
    ]
    return f"Re-estimates {_and(parts)} {_when(change.at_day)}"


def reorder(change: types.Reorder) -> str:
    rest = "" if len(change.ids) == 1 else ", in that order"
    return f"Builds {_quoted(change.ids)} first{rest}"


def delay_start(change: types.DelayStart) -> str:
    unit = "working day" if change.days == 1 else "working days"
    return f"Delays the start of build work by {_num(change.days)} {unit}"


def add_risk(change: types.AddRisk) -> str:
    return f"Adds risk {_risk_text(change.risk)}"


def remove_risk(change: types.RemoveRisk) -> str:
    return f"Removes risk '{change.id}'"


def add_people(change: types.AddPeople) -> str:
    n = abs(change.count)
    who = "1 person" if n == 1 else f"{n} people"
    if change.count < 0:
        return f"Removes {who} from the team {_when(change.at_day)}"
    text = f"Adds {who} {_when(change.at_day)}"
    if change.ramp_up_days > 0 and change.start_productivity < 1:
        text += (
            f", ramping up from {_pct(change.start_productivity)} to full "
            f"productivity over {_num(change.ramp_up_days)} days"
        )
    else:
        text += ", fully productive at once"
    if change.mentoring > 0 and change.ramp_up_days > 0:
        text += (
            f", each taking {_pct(change.mentoring)} of an experienced person's "
            "time while ramping up"
        )
    return text


def set_approach(change: types.SetApproach) -> str:
    text = f"Switches to {APPROACH_TEXT[change.approach]}"
    extras = []
    # Only what the new approach uses: continuous delivery has neither.
    if change.release_every_days is not None and change.approach == "incremental":
        extras.append(f"a release every {_num(change.release_every_days)} days")
    if change.hardening_days is not None and change.approach != "continuous":
        extras.append(f"{_num(change.hardening_days)} hardening days")
    return text + (f" ({_and(extras)})" if extras else "")


def freeze_scope(change: types.FreezeScope) -> str:
    return f"Freezes scope {_when(change.at_day)}: later requests wait until after closure"


def set_iteration(change: types.SetIteration) -> str:
    parts = []
    for key, value in change.settings().items():
        label, fmt = _ITERATION_TEXT[key]
        parts.append(f"{label} {fmt(value)}")
    return "Sets " + ", ".join(parts)


def _value_text(v: Any) -> str:
    if v is None:
        return "nothing (null)"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return _num(v)
    return f"'{v}'"


def set_field(change: types.SetField) -> str:
    text = _value_text(change.value)
    name = _FIELD_NAMES.get(change.path)
    return f"Sets {name} ({change.path}) to {text}" if name else f"Sets {change.path} to {text}"


#: Change kind (its file key) -> its description.
DESCRIPTIONS: dict[str, Callable[[Any], str]] = {
    "add_items": add_items,
    "remove_items": remove_items,
    "resize_items": resize_items,
    "reorder": reorder,
    "delay_start": delay_start,
    "add_risk": add_risk,
    "remove_risk": remove_risk,
    "add_people": add_people,
    "set_approach": set_approach,
    "freeze_scope": freeze_scope,
    "set_iteration": set_iteration,
    "set": set_field,
}


def for_people(change: Any, names: Mapping[str, str]) -> str:
    """``change.describe()`` as the pages show it: items and risks by their names
    (``names``: id -> name), and a field by its plain name, never its path.

    ``Removes 'mobile'`` reads ``Removes 'Mobile app wrapper'``;
    ``Sets the WIP limit (team.wip_limit) to 5`` reads ``Sets the WIP limit to 5``.
    """
    if change.kind == "set":
        field = _FIELD_NAMES.get(change.path)
        if field is None:
            field = "the " + change.path.rsplit(".", 1)[-1].replace("_", " ")
        return f"Sets {field} to {_value_text(change.value)}"
    text = change.describe()
    ids: list[str] = []
    if change.kind in ("remove_items",):
        ids = list(change.ids)
    elif change.kind == "resize_items":
        ids = [rz.id for rz in change.items]
    elif change.kind == "add_risk" and change.risk.impact.kind == "extra_work":
        ids = list(change.risk.impact.items)
    elif change.kind == "remove_risk":
        ids = [change.id]
    for iid in ids:
        if iid in names:
            text = text.replace(f"'{iid}'", f"'{names[iid]}'")
    return text
