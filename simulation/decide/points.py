"""The Decide trade-off maps' data: one row per candidate, means and 90% intervals.

Shared by the Decide page and the report, which draw the same maps
(:mod:`simulation.present.maps`).
"""

from __future__ import annotations

import math

import pandas as pd

from simulation.decide.prioritise import Prioritisation

#: Map column -> (metric of the paired differences, scale): probabilities in points.
MAP_METRICS = {
    "delivery": ("delivery_day", 1.0),
    "npv": ("npv", 1.0),
    "on_time": ("on_time", 100.0),
    "outcome": ("outcome", 100.0),
}


def map_points(pr: Prioritisation) -> pd.DataFrame:
    """One row per candidate in rank order: ``candidate``, ``name``, ``verdict``, ``rank``
    and, per map column, the mean Δ and ``<col>_low`` / ``<col>_high`` (90% interval;
    the mean when the interval is unknown). Days, money, percentage points."""
    d = pr.deltas.set_index(["variant", "metric"])[["mean", "ci_low", "ci_high"]]
    rows = []
    for r in pr.table.itertuples():
        row = {"candidate": r.candidate, "name": r.name, "verdict": r.verdict, "rank": r.rank}
        for col, (metric, scale) in MAP_METRICS.items():
            m = d.loc[(r.candidate, metric)]
            row[col] = scale * m["mean"]
            row[f"{col}_low"] = scale * (m["mean"] if math.isnan(m["ci_low"]) else m["ci_low"])
            row[f"{col}_high"] = scale * (m["mean"] if math.isnan(m["ci_high"]) else m["ci_high"])
        rows.append(row)
    return pd.DataFrame(rows)
