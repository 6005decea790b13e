"""Decide page charts: the trade-off maps and the best-set frontier (pure builders).

Each takes a small table from :mod:`dashboard.decide` and returns an Altair
chart; none reads Streamlit state.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

#: A verdict's colour (and the same word next to it in the table).
VERDICT_COLOURS = {
    "gain": "#2e8540",
    "trade-off": "#1f6fb2",
    "saving": "#e69f00",
    "loss": "#c0392b",
}
HEIGHT = 320
#: Quadrant labels of the value map: (x side, y side) -> label.
VALUE_QUADRANTS = {
    (-1, 1): "gain: sooner or same, more value",
    (1, 1): "trade-off: later, more value",
    (-1, -1): "saving: sooner, less value",
    (1, -1): "loss: later or same, less value",
}
PROBABILITY_QUADRANTS = {
    (-1, 1): "outcome likelier, date at risk",
    (1, 1): "both likelier",
    (-1, -1): "both less likely",
    (1, -1): "date safer, outcome at risk",
}


def _domain(low: pd.Series, high: pd.Series, pad: float = 0.12) -> list[float]:
    """A symmetric-enough domain that always contains 0 and every interval."""
    lo = float(min(low.min(), 0.0))
    hi = float(max(high.max(), 0.0))
    span = (hi - lo) or 1.0
    return [lo - pad * span, hi + pad * span]


def tradeoff_map(
    points: pd.DataFrame,
    x: str,
    y: str,
    x_title: str,
    y_title: str,
    quadrants: dict[tuple[int, int], str],
    x_format: str = ",.1~f",
    y_format: str = "~s",
) -> alt.LayerChart:
    """Candidates as points with their 90% interval bars on both axes, zero lines,
    and each quadrant labelled in its corner.

    ``points`` has ``candidate``, ``name``, ``verdict`` and, for ``x`` and ``y``,
    the mean and ``<col>_low`` / ``<col>_high``.
    """
    xd = _domain(points[f"{x}_low"], points[f"{x}_high"])
    yd = _domain(points[f"{y}_low"], points[f"{y}_high"])
    xs = alt.Scale(domain=xd, nice=False, zero=True)
    ys = alt.Scale(domain=yd, nice=False, zero=True)
    colour = alt.Color(
        "verdict:N",
        title="Verdict",
        scale=alt.Scale(domain=list(VERDICT_COLOURS), range=list(VERDICT_COLOURS.values())),
    )
    tooltip = [
        alt.Tooltip("name:N", title="Candidate"),
        alt.Tooltip("verdict:N"),
        alt.Tooltip(f"{x}:Q", title=x_title, format=x_format),
        alt.Tooltip(f"{y}:Q", title=y_title, format=y_format),
    ]
    base = alt.Chart(points)
    xbar = base.mark_rule(strokeWidth=2, opacity=0.6).encode(
        x=alt.X(f"{x}_low:Q", scale=xs, title=x_title, axis=alt.Axis(format=x_format)),
        x2=f"{x}_high:Q",
        y=alt.Y(f"{y}:Q", scale=ys),
        color=colour,
    )
    ybar = base.mark_rule(strokeWidth=2, opacity=0.6).encode(
        x=alt.X(f"{x}:Q", scale=xs),
        y=alt.Y(f"{y}_low:Q", scale=ys, title=y_title, axis=alt.Axis(format=y_format)),
        y2=f"{y}_high:Q",
        color=colour,
    )
    dots = base.mark_point(filled=True, size=90).encode(
        x=alt.X(f"{x}:Q", scale=xs), y=alt.Y(f"{y}:Q", scale=ys), color=colour, tooltip=tooltip
    )
    names = base.mark_text(align="left", dx=7, dy=-7, fontSize=11).encode(
        x=alt.X(f"{x}:Q", scale=xs), y=alt.Y(f"{y}:Q", scale=ys), text="candidate:N"
    )
    zero = pd.DataFrame({"zero": [0.0]})
    vline = (
        alt.Chart(zero)
        .mark_rule(color="#888", strokeDash=[4, 3])
        .encode(x=alt.X("zero:Q", scale=xs))
    )
    hline = (
        alt.Chart(zero)
        .mark_rule(color="#888", strokeDash=[4, 3])
        .encode(y=alt.Y("zero:Q", scale=ys))
    )
    corners = pd.DataFrame(
        [
            {
                "qx": xd[0] if sx < 0 else xd[1],
                "qy": yd[1] if sy > 0 else yd[0],
                "label": text,
                "align": "left" if sx < 0 else "right",
                "baseline": "top" if sy > 0 else "bottom",
            }
            for (sx, sy), text in quadrants.items()
        ]
    )
    labels = [
        alt.Chart(corners[corners["align"].eq(a) & corners["baseline"].eq(b)])
        .mark_text(
            align=a,
            baseline=b,
            dx=4 if a == "left" else -4,
            dy=4 if b == "top" else -4,
            color="#666",
            fontStyle="italic",
        )
        .encode(x=alt.X("qx:Q", scale=xs), y=alt.Y("qy:Q", scale=ys), text="label:N")
        for a in ("left", "right")
        for b in ("top", "bottom")
    ]
    return alt.layer(vline, hline, *labels, xbar, ybar, dots, names).properties(height=HEIGHT)


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
