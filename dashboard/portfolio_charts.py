"""Portfolio page charts: the roadmap and the stacked portfolio value (pure builders)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.charts import DATE_FORMAT, HEIGHT, MONEY_FORMAT, PADDING
from simulation.present.charts import DEADLINE, PROJECT

#: Height of one initiative's row on the roadmap, in pixels.
ROW_PX = 50


def roadmap_chart(table: pd.DataFrame) -> alt.LayerChart:
    """Each initiative's P50-P85 delivery as a bar (priority order, top first), its
    deadline as a tick. ``table``: :func:`dashboard.portfolio_view.roadmap_table`."""
    order = list(table["initiative"])
    # Every initiative's name shows, however tight the rows (Vega hides overlaps by default).
    y = alt.Y("initiative:N", sort=order, title=None, axis=alt.Axis(labelOverlap=False))
    base = alt.Chart(table)
    bars = base.mark_bar(color=PROJECT).encode(
        x=alt.X("p50:T", title="Delivery, P50 to P85", axis=alt.Axis(format="%-d %b %Y")),
        x2="p85:T",
        y=y,
        tooltip=[
            alt.Tooltip("initiative:N", title="Initiative"),
            alt.Tooltip("p50:T", title="P50", format=DATE_FORMAT),
            alt.Tooltip("p85:T", title="P85", format=DATE_FORMAT),
            alt.Tooltip("deadline:T", title="Deadline", format=DATE_FORMAT),
            alt.Tooltip("on_time:Q", title="On time", format=".0%"),
        ],
    )
    ticks = (
        base.transform_filter("isValid(datum.deadline)")
        .mark_tick(color=DEADLINE, thickness=3)
        .encode(
            x="deadline:T",
            y=y,
            tooltip=[alt.Tooltip("deadline:T", title="Deadline", format=DATE_FORMAT)],
        )
    )
    return alt.layer(bars, ticks).properties(height=max(ROW_PX * len(order), 80), padding=PADDING)


def stacked_value_chart(weekly: pd.DataFrame) -> alt.Chart:
    """Mean value earned per week, stacked by initiative (priority order).

    ``weekly``: :func:`dashboard.portfolio_view.weekly_value_table`.
    """
    order = list(dict.fromkeys(weekly["initiative"].astype(str)))
    return (
        alt.Chart(
            weekly.assign(
                initiative=weekly["initiative"].astype(str),
                priority=weekly["initiative"].astype(str).map(order.index),
            )
        )
        .mark_area()
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y("value:Q", title="Value per week (mean)", stack="zero").axis(
                format=MONEY_FORMAT
            ),
            color=alt.Color("initiative:N", sort=order, title="Initiative"),
            # Stacked in priority order, the first initiative at the bottom.
            order=alt.Order("priority:Q"),
            tooltip=[
                alt.Tooltip("initiative:N", title="Initiative"),
                alt.Tooltip("date:T", title="Week ending", format=DATE_FORMAT),
                alt.Tooltip("value:Q", title="Value", format=",.0f"),
            ],
        )
        .properties(height=HEIGHT, padding=PADDING)
    )
