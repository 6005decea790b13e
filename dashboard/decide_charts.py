"""Decide page charts: the trade-off maps and the best-set frontier (pure builders).

Each takes a small table from :mod:`dashboard.decide` and returns a chart (the
maps as the Vega-Lite dicts the report draws too); none reads Streamlit state.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from simulation.present import maps

#: A verdict's colour in the Markdown key beside a map (Streamlit's named colours,
#: the nearest to :data:`simulation.present.maps.VERDICT_COLOURS`).
KEY_COLOURS = {"gain": "green", "trade-off": "blue", "saving": "orange", "loss": "red"}
assert set(KEY_COLOURS) == set(maps.VERDICT_COLOURS), "one colour per verdict"
HEIGHT = 320
#: The two maps: title -> (x column, y column, x title, y title, quadrants, x money, y money).
MAPS = {
    "Δ delivery and Δ NPV (mean, 90% interval)": (
        "delivery",
        "npv",
        "Δ mean delivery (working days)",
        "Δ mean NPV",
        maps.VALUE_QUADRANTS,
        False,
        True,
    ),
    "Δ on-time chance and Δ outcome chance (percentage points)": (
        "on_time",
        "outcome",
        "Δ on-time chance (pp)",
        "Δ outcome chance (pp)",
        maps.PROBABILITY_QUADRANTS,
        False,
        False,
    ),
}


def map_specs(points: pd.DataFrame, width: int | str = "container") -> dict[str, dict]:
    """The two trade-off maps (Vega-Lite dicts from :mod:`simulation.present.maps`, the
    report's too), by title."""
    return {
        title: maps.tradeoff_spec(points, x, y, xt, yt, q, x_si=xs, y_si=ys, width=width)
        for title, (x, y, xt, yt, q, xs, ys) in MAPS.items()
    }


def frontier_chart(steps: pd.DataFrame) -> alt.LayerChart:
    """The best set's nested steps: Δ delivery x, Δ NPV y, each point labelled with
    the candidate it adds (``step``, ``delivery_days``, ``npv``, ``added``, ``ids``)."""
    base = alt.Chart(steps)
    x = alt.X("delivery_days:Q", title="Δ mean delivery (working days)")
    y = alt.Y("npv:Q", title="Δ mean NPV", axis=alt.Axis(format="~s"))
    line = base.mark_line(color="#1f6fb2").encode(x=x, y=y, order="step:Q")
    dots = base.mark_point(filled=True, size=80, color="#1f6fb2").encode(
        x=x,
        y=y,
        tooltip=[
            alt.Tooltip("ids:N", title="Set"),
            alt.Tooltip("delivery_days:Q", format="+.1f"),
            alt.Tooltip("npv:Q", format=",.0f"),
            alt.Tooltip("on_time_probability:Q", format=".0%"),
        ],
    )
    names = base.mark_text(align="left", dx=7, dy=-7).encode(x=x, y=y, text="added:N")
    return alt.layer(line, dots, names).properties(height=HEIGHT)
