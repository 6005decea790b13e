"""The trail as a table and in words: how the re-forecasts moved, oldest first.

A trail entry is ``{"as_of": ISO date, "status": the status as written,
"summary": the run summary with the re-forecast's fields}`` (what the store keeps
and ``track --trail --json`` prints).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from simulation.present.text import since_last_record

COLUMNS = (
    "as_of",
    "p50_date",
    "p85_date",
    "on_time_probability",
    "npv_mean",
    "outcome_probability",
    "realised_value",
)


def plan_key(plan: str) -> str:
    """The trail's name for a plan: its file name (``supply-chain.yaml``), wherever it lies."""
    return Path(str(plan)).name


def trail_table(entries: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per entry, oldest as-of date first (dates ISO, money, shares 0..1)."""
    rows = []
    for e in entries:
        s = e["summary"]
        rows.append(
            {
                "as_of": str(e.get("as_of") or s.get("as_of")),
                "p50_date": s["delivery"].get("p50_date"),
                "p85_date": s["delivery"].get("p85_date"),
                "on_time_probability": s["delivery"].get("on_time_probability"),
                "npv_mean": s["value"].get("npv_mean"),
                "outcome_probability": s["value"].get("outcome_probability"),
                "realised_value": s.get("realised_value", 0.0),
            }
        )
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    return df.sort_values("as_of", kind="stable").reset_index(drop=True)


def latest_change(entries: list[dict[str, Any]]) -> str | None:
    """The sentence for the newest entry against the one before it (None with fewer than 2)."""
    if len(entries) < 2:
        return None
    ordered = sorted(entries, key=lambda e: str(e.get("as_of") or e["summary"].get("as_of")))
    return since_last_record(ordered[-2], ordered[-1])


def change_since_record(entries: list[dict[str, Any]], current: dict[str, Any]) -> str | None:
    """The sentence for ``current`` (the re-forecast on screen, recorded or not) against
    the newest record dated before it; without one, :func:`latest_change` of the trail.

    A record of the same as-of date (``current`` itself once recorded, or a second
    record of that week) is not "the last record": the sentence compares weeks.
    """
    day = str(current.get("as_of") or current["summary"].get("as_of"))
    earlier = [e for e in entries if str(e.get("as_of") or e["summary"].get("as_of")) < day]
    if not earlier:
        return latest_change(entries)
    ordered = sorted(earlier, key=lambda e: str(e.get("as_of") or e["summary"].get("as_of")))
    return since_last_record(ordered[-1], current)
