"""Calibration: the history's cycle times written into a scenario's backlog efforts."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

import pandas as pd

from simulation.scenario.distributions import MAX_SAMPLES
from simulation.scenario.schema import Scenario, parse_scenario

from .common import HistoryError
from .reading import History


# -------------------------------------------------------------- calibration
def calibrate(
    scenario: Scenario,
    history: History,
    mapping: Mapping[str, str | None] | None = None,
    *,
    focus: float | None = None,
) -> Scenario:
    """Backlog efforts from the history: ``empirical`` samples of cycle time x focus.

    Parameters
    ----------
    scenario : Scenario
    history : History
    mapping : mapping of item id -> history type, optional
        Which history type each backlog item is like; ``None`` (or the value
        ``None``/``""``) for an item means "all types". Items not in the mapping
        keep their effort. Without a mapping every planned item gets all done items'
        cycle times.
    focus : float, optional
        Share of time the team spends on the work (default ``scenario.team.focus``).
        The model's duration is effort / (focus x productivity), so effort = cycle
        time x focus gives one person's full-productivity duration = cycle time.

    Returns
    -------
    Scenario
        A new validated scenario; the samples (person-days, the latest
        :data:`~simulation.scenario.distributions.MAX_SAMPLES` done items) are written in,
        so it no longer needs the export.
    """
    f = scenario.team.focus if focus is None else float(focus)
    if not 0 < f <= 1:
        raise HistoryError(f"focus: must be > 0 and <= 1, got {focus}")
    known = [it.id for it in scenario.items]
    if mapping is None:
        mapping = dict.fromkeys(known)
    types = history.types()
    samples_of: dict[str | None, list[float]] = {}
    for item_id, kind in mapping.items():
        if item_id not in known:
            close = difflib.get_close_matches(str(item_id), known, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise HistoryError(f"mapping: '{item_id}' is not a planned backlog item{hint}")
        key = kind or None
        if key is not None and key not in types:
            raise HistoryError(
                f"mapping: {item_id}: no done item of type '{key}' in the "
                f"history (types: {', '.join(types) or 'none'})"
            )
        if key not in samples_of:
            ct = history.cycle_times(key)[-MAX_SAMPLES:]
            if ct.size == 0:
                raise HistoryError(
                    f"mapping: {item_id}: the history has no done item"
                    + (f" of type '{key}'" if key else "")
                )
            samples_of[key] = [round(float(x) * f, 4) for x in ct]
    data = scenario.model_dump(mode="json", exclude_none=True)
    for item in data["items"]:
        if item["id"] in mapping:
            item["effort"] = {
                "dist": "empirical",
                "samples": samples_of[mapping[item["id"]] or None],
            }
    return parse_scenario(data)


def suggest_mapping(scenario: Scenario, history: History) -> dict[str, str | None]:
    """Each planned item's history type, where its id or name names one.

    A type (``Bug``, ``Spike``) that appears as a word (or its plural) in an item's
    id or name, case aside, is that item's type; with several, the first in the history's
    order; with none, ``None`` (all types). So items are calibrated per type where
    the names say it, and team-wide otherwise.
    """
    types = [t for t in history.types() if history.cycle_times(t).size]
    out: dict[str, str | None] = {}
    for item in scenario.items:
        words = set(re.findall(r"[a-z0-9]+", f"{item.id} {item.name}".lower()))
        out[item.id] = next((t for t in types if _forms(t) & words), None)
    return out


def _forms(kind: str) -> set[str]:
    """A type's word and its plural (``story`` / ``stories``, ``bug`` / ``bugs``)."""
    w = kind.lower()
    return {w, w + "s", w[:-1] + "ies" if w.endswith("y") else w + "es"}


def calibration_table(before: Scenario, after: Scenario) -> pd.DataFrame:
    """Each item's effort before and after calibration: what "Use for the backlog" changes.

    Columns ``item``, ``name``, ``before`` and ``after`` (the distributions in
    words), ``mean_before`` and ``mean_after`` (person-days) and ``changed``.
    """
    rows = []
    new = {it.id: it for it in after.items}
    for it in before.items:
        a = new[it.id].effort
        rows.append(
            {
                "item": it.id,
                "name": it.name,
                "before": it.effort.describe(),
                "mean_before": round(float(it.effort.expected()), 2),
                "after": a.describe(),
                "mean_after": round(float(a.expected()), 2),
                "changed": a != it.effort,
            }
        )
    return pd.DataFrame(rows)
