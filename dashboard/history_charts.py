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


#: Most points the cycle-time chart draws one per item; above it, items are counted
#: in cells of done period x cycle time (Altair refuses more than 5,000 rows inline,
#: and a browser slows down well before 50,000 points).
MAX_POINTS = 5_000
#: Cells of the aggregated chart: done periods x cycle-time bands (x types, at most
#: MAX_TYPES colours): at most MAX_POINTS cells whatever the export holds.
DONE_BINS, CYCLE_BINS, MAX_TYPES = 50, 25, 4


def cycle_time_points(items: pd.DataFrame) -> pd.DataFrame:
    """What the cycle-time chart draws: the items themselves (``count`` 1 each) up to
    :data:`MAX_POINTS`; above it, one row per cell of :data:`DONE_BINS` done periods x
    :data:`CYCLE_BINS` cycle-time bands (x the type, when there are at most
    :data:`MAX_TYPES`), at the cell's middle, with ``count`` items in it.

    Columns: ``done``, ``cycle_time`` (working days), ``type``, ``count``, and ``id``,
    ``name`` (one item) or ``done_from``/``done_to``, ``cycle_from``/``cycle_to`` (a cell).
    """
    if len(items) <= MAX_POINTS:
        return items.assign(count=1)
    done = pd.to_datetime(items["done"])
    lo, hi = done.min(), done.max()
    width = max((hi - lo) / DONE_BINS, pd.Timedelta(days=1))
    d_bin = ((done - lo) // width).clip(upper=DONE_BINS - 1).astype(int)
    top = max(float(items["cycle_time"].max()), 1.0)
    band = top / CYCLE_BINS
    c_bin = (items["cycle_time"] // band).clip(upper=CYCLE_BINS - 1).astype(int)
    types = items["type"] if "type" in items else pd.Series("", index=items.index)
    if types.nunique() > MAX_TYPES:
        types = pd.Series("", index=items.index)
    cells = (
        pd.DataFrame({"d": d_bin.to_numpy(), "c": c_bin.to_numpy(), "type": types.to_numpy()})
        .groupby(["d", "c", "type"], as_index=False)
        .size()
        .rename(columns={"size": "count"})
    )
    cells["done_from"] = lo + cells["d"] * width
    cells["done_to"] = cells["done_from"] + width
    cells["done"] = cells["done_from"] + width / 2
    cells["cycle_from"] = cells["c"] * band
    cells["cycle_to"] = cells["cycle_from"] + band
    cells["cycle_time"] = cells["cycle_from"] + band / 2
    return cells.drop(columns=["d", "c"])


def cycle_time_chart(items: pd.DataFrame, percentiles: dict) -> alt.LayerChart:
    """Cycle-time scatter (``done``, ``cycle_time``, ``id``, ``name``, ``type``) with
    horizontal P50/P85/P95 lines (``percentiles``: ``p50``, ``p85``, ``p95``).

    Up to :data:`MAX_POINTS` items each is a dot; above, a dot per cell sized by the
    items in it (:func:`cycle_time_points`), so 50,000 done items chart as well as 50.
    """
    points = cycle_time_points(items)
    cells = len(points) < len(items)
    span = _span(items["done"])
    types = [t for t in pd.unique(points["type"]) if t] if "type" in points else []
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
    tooltip = (
        [
            alt.Tooltip("count:Q", title="Items", format=","),
            alt.Tooltip("done_from:T", title="Done from", format=DATE_FORMAT),
            alt.Tooltip("done_to:T", title="Done before", format=DATE_FORMAT),
            alt.Tooltip("cycle_from:Q", title="Cycle time from", format=".1f"),
            alt.Tooltip("cycle_to:Q", title="Cycle time below", format=".1f"),
        ]
        if cells
        else [
            alt.Tooltip("id:N", title="Item"),
            alt.Tooltip("name:N", title="Name"),
            alt.Tooltip("type:N", title="Type"),
            alt.Tooltip("done:T", title="Done", format=DATE_FORMAT),
            alt.Tooltip("cycle_time:Q", title="Cycle time (working days)"),
        ]
    )
    mark = (
        alt.Chart(points).mark_circle(opacity=0.6)
        if cells
        else alt.Chart(points).mark_circle(size=40, opacity=0.7)
    )
    dots = mark.encode(
        x=alt.X("done:T", axis=_date_axis("Done", span)),
        y=alt.Y(
            "cycle_time:Q",
            title="Cycle time (working days)",
            scale=alt.Scale(domainMin=0, domainMax=max(top, 1.0) * 1.05),
        ),
        color=colour,
        tooltip=tooltip,
        **({"size": alt.Size("count:Q", title="Items")} if cells else {}),
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
