"""History page charts: pure functions from a small DataFrame to an Altair chart.

Same style as :mod:`dashboard.charts` (channel objects, layers built in one step,
labelled rules laid out by :func:`dashboard.charts.rule_layout`); the tables come
from :mod:`simulation.history` (``weekly_throughput``, ``cycle_time_table``,
``WhenForecast.histogram``, ``Backtest.table``).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from .charts import (
    DATE_FORMAT,
    NEUTRAL,
    PROJECT,
    _date_axis,
    _finish,
    _head_room,
    _rules,
    _span,
)

#: Percentile rules: P50 grey, P85 black, P95 dark red.
RULE_COLOURS = {"P50": NEUTRAL, "P85": "#111111", "P95": "#8b1a1a"}
TYPE_COLOURS = ("#4c78a8", "#f58518", "#54a24b", "#b279a2", "#e45756", "#9d755d")


def throughput_chart(weekly: pd.DataFrame) -> alt.LayerChart:
    """Items done per week (run chart): ``week_start``, ``done``."""
    span = _span(weekly["week_start"])
    bars = (
        alt.Chart(weekly)
        .mark_bar(color=PROJECT, opacity=0.8)
        .encode(
            x=alt.X("week_start:T", axis=_date_axis("Week", span)),
            y=alt.Y("done:Q", title="Items done"),
            tooltip=[
                alt.Tooltip("week_start:T", title="Week of", format=DATE_FORMAT),
                alt.Tooltip("done:Q", title="Items done"),
            ],
        )
    )
    mean = (
        alt.Chart(weekly)
        .mark_rule(color=NEUTRAL, strokeDash=[4, 3])
        .encode(
            y=alt.Y("mean(done):Q"),
            tooltip=[alt.Tooltip("mean(done):Q", title="Mean a week", format=".1f")],
        )
    )
    return _finish([bars, mean])


def cycle_time_chart(items: pd.DataFrame, percentiles: dict) -> alt.LayerChart:
    """Cycle-time scatter (``done``, ``cycle_time``, ``id``, ``name``, ``type``) with
    horizontal P50/P85/P95 lines (``percentiles``: ``p50``, ``p85``, ``p95``)."""
    span = _span(items["done"])
    types = [t for t in pd.unique(items["type"]) if t] if "type" in items else []
    colour = (
        alt.Color(
            "type:N",
            title="Type",
            scale=alt.Scale(domain=types, range=list(TYPE_COLOURS[: len(types)]) or ["#4c78a8"]),
        )
        if types
        else alt.ColorValue(PROJECT)
    )
    top = float(items["cycle_time"].max()) if len(items) else 1.0
    dots = (
        alt.Chart(items)
        .mark_circle(size=40, opacity=0.7)
        .encode(
            x=alt.X("done:T", axis=_date_axis("Done", span)),
            y=alt.Y(
                "cycle_time:Q",
                title="Cycle time (working days)",
                scale=alt.Scale(domainMin=0, domainMax=max(top, 1.0) * 1.05),
            ),
            color=colour,
            tooltip=[
                alt.Tooltip("id:N", title="Item"),
                alt.Tooltip("name:N", title="Name"),
                alt.Tooltip("type:N", title="Type"),
                alt.Tooltip("done:T", title="Done", format=DATE_FORMAT),
                alt.Tooltip("cycle_time:Q", title="Cycle time (working days)"),
            ],
        )
    )
    lines = pd.DataFrame(
        [
            {"label": f"P{p}", "value": percentiles.get(f"p{p}")}
            for p in (50, 85, 95)
            if percentiles.get(f"p{p}") is not None
        ]
    )
    lines["text"] = [
        f"{lab} {v:g} days"
        for lab, v in zip(lines.get("label", []), lines.get("value", []), strict=True)
    ]
    scale = alt.Scale(domain=list(RULE_COLOURS), range=list(RULE_COLOURS.values()))
    base = alt.Chart(lines)
    rule = base.mark_rule(strokeDash=[6, 3], strokeWidth=1.5).encode(
        y=alt.Y("value:Q"),
        color=alt.Color("label:N", scale=scale, legend=None),
        tooltip=[
            alt.Tooltip("label:N", title="Percentile"),
            alt.Tooltip("value:Q", title="Working days"),
        ],
    )
    text = base.mark_text(align="left", dx=4, dy=-6, fontSize=11, fontWeight="bold").encode(
        y=alt.Y("value:Q"),
        x=alt.XValue(0),
        text=alt.Text("text:N"),
        color=alt.Color("label:N", scale=scale, legend=None),
    )
    return _finish([dots, rule, text])


def when_chart(histogram: pd.DataFrame, markers: pd.DataFrame | None = None) -> alt.LayerChart:
    """Share of forecast runs finishing on each date (``date``, ``runs``, ``share``),
    with the percentile dates (``markers``: ``label``, ``date``)."""
    has_markers = markers is not None and not markers.empty
    span = _span(histogram["date"], markers["date"] if has_markers else None)
    top = float(histogram["share"].max()) if len(histogram) else 1.0
    rows = len(markers) if has_markers else 0
    y_scale = alt.Scale(domain=[0, min(_head_room(max(top, 0.01), rows), 1.6)], nice=False)
    bars = (
        alt.Chart(histogram)
        .mark_bar(color=PROJECT, opacity=0.8)
        .encode(
            x=alt.X("date:T", axis=_date_axis("Date the items are done", span)),
            y=alt.Y("share:Q", title="Share of runs", axis=alt.Axis(format="%"), scale=y_scale),
            tooltip=[
                alt.Tooltip("date:T", title="Done on", format=DATE_FORMAT),
                alt.Tooltip("runs:Q", title="Runs"),
                alt.Tooltip("share:Q", title="Share", format=".1%"),
            ],
        )
    )
    layers: list = [bars]
    if has_markers:
        layers.append(_rules(markers, RULE_COLOURS, span))
    return _finish(layers)


def backtest_chart(table: pd.DataFrame) -> alt.LayerChart:
    """Per cut-off: forecast P50 and P85 dates against the actual date, as days after
    the cut-off (``cutoff``, ``p50``, ``p85``, ``actual``)."""
    long = pd.DataFrame(
        {
            "cutoff": pd.concat([table["cutoff"]] * 3, ignore_index=True),
            "series": ["Forecast P50"] * len(table)
            + ["Forecast P85"] * len(table)
            + ["Actual"] * len(table),
            "days": pd.concat(
                [(table[c] - table["cutoff"]).dt.days for c in ("p50", "p85", "actual")],
                ignore_index=True,
            ),
        }
    )
    span = _span(table["cutoff"])
    scale = alt.Scale(
        domain=["Forecast P50", "Forecast P85", "Actual"], range=[NEUTRAL, "#111111", "#e45756"]
    )
    lines = (
        alt.Chart(long)
        .mark_line(point=True, strokeWidth=1.5)
        .encode(
            x=alt.X("cutoff:T", axis=_date_axis("Cut-off", span)),
            y=alt.Y("days:Q", title="Calendar days after the cut-off"),
            color=alt.Color(
                "series:N",
                scale=scale,
                legend=alt.Legend(title=None, orient="top", direction="horizontal"),
            ),
            tooltip=[
                alt.Tooltip("cutoff:T", title="Cut-off", format=DATE_FORMAT),
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("days:Q", title="Days after"),
            ],
        )
    )
    return _finish([lines])


def markers(dates: dict[str, object]) -> pd.DataFrame:
    """Rule markers (``label``, ``date``) from ``{"P50": date, ...}``; missing dates dropped."""
    rows = [{"label": k, "date": pd.Timestamp(v)} for k, v in dates.items() if v is not None]
    return pd.DataFrame(rows, columns=["label", "date"])
