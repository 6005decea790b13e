"""A status's progress read from a work-item export (``docs/reference/track.md``).

The export is read by History's reader (``simulation.history.read_history``); a
row whose id, or else whose name, matches an item of the plan (case, spaces and
punctuation aside) gives that item's ``started`` and ``done`` dates as of the
as-of date. Rows that match no item are returned, never silently dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from simulation.scenario.schema import Scenario


@dataclass(frozen=True)
class ExportProgress:
    """Items in the status file's form, and the export rows that matched no item."""

    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    unmatched: list[dict[str, Any]] = field(default_factory=list)  # row, id, name


def _norm(text: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


def progress_from_export(
    history: Any, plan: Scenario, as_of: dt.date, added: tuple = ()
) -> ExportProgress:
    """Match an export's rows to the plan's items and read their progress on ``as_of``.

    Parameters
    ----------
    history : simulation.history.History
        The export as History's reader returns it (``items`` with ``row``, ``id``,
        ``name``, ``start``, ``done``).
    plan : Scenario
        The plan being tracked; ``added`` are items added since (schema items).
    as_of : date
        A start or done date after it does not count yet.
    """
    items = [it for _, it in plan.all_items()] + list(added)
    by_id = {_norm(it.id): it.id for it in items}
    by_name = {_norm(it.label): it.id for it in items}
    out: dict[str, dict[str, Any]] = {}
    unmatched: list[dict[str, Any]] = []
    for row in history.items.itertuples(index=False):
        iid = by_id.get(_norm(row.id)) or by_name.get(_norm(getattr(row, "name", "") or ""))
        if iid is None:
            unmatched.append({"row": int(row.row), "id": str(row.id), "name": str(row.name)})
            continue
        start = None if pd.isna(row.start) else pd.Timestamp(row.start).date()
        done = None if pd.isna(row.done) else pd.Timestamp(row.done).date()
        if start is not None and start > as_of:
            continue  # not started yet on the as-of date
        if done is not None and done <= as_of:
            out[iid] = {"done": done} | ({"started": start} if start else {})
        elif start is not None:
            out[iid] = {"started": start}
    return ExportProgress(out, unmatched)
