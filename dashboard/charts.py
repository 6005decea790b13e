"""Chart builders: pure functions from a small DataFrame to an Altair chart.

Each builder takes one of the tables made by :mod:`dashboard.page_tables` and
returns a chart; none reads Streamlit state, so every one is tested with
``chart.to_dict()``. Charts are layered from small parts (band + line + rule),
and every layer's colour goes through one named scale so the legend explains
the bands in words.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

# The palette has one owner, shared with the report's charts (simulation.present.charts).
from simulation.present.charts import (
    DEADLINE,
    FAN_BANDS,
    NEUTRAL,
    PRODUCT,
    PROJECT,
    date_ticks,
    fan_tints,
    tornado_spec,
)

SOURCE_COLOURS = {
    "planned": "#4c78a8",
    "added": "#f58518",
    "creep": "#e45756",
    "fix": "#b279a2",
    "overhead": "#9d9d9d",
}
#: Vega-Lite time format shown in tooltips: ``4 May 2027``.
DATE_FORMAT = "%-d %b %Y"
AXIS_DATE_FORMAT = "%-d %b"
MONEY_FORMAT = "~s"
HEIGHT = 260
#: Money tick labels: "0" at zero (not "0k"), "bn" for billions as on the pages, and
#: no SI milli-units for amounts under 1.
MONEY_LABEL = "abs(datum.value) < 1 ? format(datum.value, '.2~f') : replace(datum.label, 'G', 'bn')"
#: Stacked rule labels: the first one's middle sits this far below the plot's top, each
#: further one a row lower. ``LABEL_PLOT_PX`` is the plot height the head room is worked
#: out for (``HEIGHT`` less a legend), so the data stays below the labels.
LABEL_TOP_PX = 7
LABEL_ROW_PX = 14
LABEL_PLOT_PX = 180
#: Height of one item's row on the timeline, and of one variant's on a difference chart.
TIMELINE_ROW_PX = 22
DELTA_ROW_PX = 40
#: Height of one row of a one-column legend.
LEGEND_ROW_PX = 18
#: Space on the right of every chart, so a date label near the end is not cut off.
PADDING = {"left": 5, "top": 5, "right": 18, "bottom": 5}


Span = tuple[pd.Timestamp, pd.Timestamp]


def _span(*parts) -> Span | None:
    """First and last date among columns / single dates (None when there are none)."""
    values = [pd.Series(p if pd.api.types.is_list_like(p) else [p]) for p in parts if p is not None]
    dates = (
        pd.to_datetime(pd.concat(values, ignore_index=True), errors="coerce").dropna()
        if values
        else pd.Series(dtype="datetime64[ns]")
    )
    if dates.empty:
        return None
    return pd.Timestamp(dates.min()), pd.Timestamp(dates.max())


def _date_axis(title: str | None = None, span: Span | None = None, max_ticks: int = 6) -> alt.Axis:
    """A date axis with at most ``max_ticks`` ticks for the data's ``span``.

    The year shows on the first tick and on the first tick of every later year. The
    tick step is picked here, from the data, so that tick is known: January for month
    steps (they divide 12), the first week or two of January for week steps.
    """
    if span is None:
        return alt.Axis(title=title, format=AXIS_DATE_FORMAT, labelOverlap=True)
    interval, step, fmt, days = date_ticks(span[0], span[1], max_ticks)
    if interval == "year":
        label = f"timeFormat(datum.value, '{fmt}')"
    else:
        new_year = "month(datum.value) == 0" + (
            f" && date(datum.value) <= {days:g}" if interval in ("day", "week") else ""
        )
        label = (
            f"timeFormat(datum.value, '{fmt}') + (datum.index == 0 || ({new_year})"
            " ? ' ' + timeFormat(datum.value, '%Y') : '')"
        )
    return alt.Axis(
        title=title,
        format=fmt,
        labelExpr=label,
        labelOverlap=True,
        tickCount={"interval": interval, "step": step},
    )


def _money_axis(**kwargs) -> alt.Axis:
    """A money axis (``title`` and the rest as for ``alt.Axis``; none: the field's title)."""
    return alt.Axis(format=MONEY_FORMAT, labelExpr=MONEY_LABEL, **kwargs)


def _legend_scale(labels: list[str], colours: list[str]) -> alt.Scale:
    return alt.Scale(domain=labels, range=colours)


#: The baseline is drawn near-black, the variants in distinct hues (in order, cycling),
#: the same on every comparison chart, Δ charts included.
BASELINE_COLOUR = "#222222"
VARIANT_COLOURS = (
    "#f58518",
    "#4c78a8",
    "#54a24b",
    "#b279a2",
    "#e45756",
    "#9d755d",
    "#72b7b2",
    "#eeca3b",
)


def variant_colours(n: int) -> list[str]:
    """Colours of the first ``n`` variants."""
    return [VARIANT_COLOURS[i % len(VARIANT_COLOURS)] for i in range(n)]


def _scenario_colour(order: list[str]) -> alt.Color:
    """Scenario colours: ``order[0]`` is the baseline."""
    scale = (
        _legend_scale(order, [BASELINE_COLOUR, *variant_colours(len(order) - 1)])
        if order
        else alt.Undefined
    )
    return alt.Color("scenario:N", sort=order, scale=scale, legend=_scenario_legend())


def _scenario_height(data: pd.DataFrame) -> int:
    """Chart height with room for a one-column scenario legend (Streamlit fits the
    legend inside the height, so the plot would shrink with every scenario)."""
    n = data["scenario"].nunique() if "scenario" in data else 0
    return HEIGHT + LEGEND_ROW_PX * n


def _scenario_legend() -> alt.Legend:
    """Scenario names in one column above the plot: a long name is never cut off."""
    return alt.Legend(
        title=None,
        orient="top",
        direction="vertical",
        columns=1,
        labelLimit=1000,
        symbolType="stroke",
        symbolStrokeWidth=3,
        symbolOpacity=1,
    )


def _head_room(top: float, rows: int) -> float:
    """Scale maximum that keeps data as high as ``top`` below ``rows`` rule labels."""
    block = LABEL_TOP_PX + LABEL_ROW_PX * rows
    return top / (1 - min(block / LABEL_PLOT_PX, 0.6))


def rule_layout(markers: pd.DataFrame, span: Span | None) -> pd.DataFrame:
    """Where each rule label goes: one row each, so no two labels share a line.

    Each rule starts at its own label and runs down, and every label is higher than
    the rules its text passes over: text runs right of its rule with the earliest
    label highest, or, when the rules sit in the right part of the plot, left of it
    with the latest label highest (so the text stays inside the plot).

    Returns ``label``, ``date``, ``text``, ``row``, ``align``, ``ytext`` and
    ``ytop`` (pixels from the plot's top).
    """
    m = markers.loc[markers["date"].notna(), ["label", "date"]].copy()
    m["date"] = pd.to_datetime(m["date"])
    left = False
    if span is not None and len(m):
        width = max((span[1] - span[0]).total_seconds(), 1.0)
        frac = (m["date"] - span[0]).dt.total_seconds() / width
        left = bool(frac.min() > 0.35 and frac.max() > 0.6)
    m = m.sort_values("date", ascending=not left, kind="stable").reset_index(drop=True)
    m["text"] = [f"{lab} {d.day} {d:%b}" for lab, d in zip(m["label"], m["date"], strict=True)]
    m["row"] = np.arange(len(m))
    m["align"] = "right" if left else "left"
    m["ytext"] = LABEL_TOP_PX + LABEL_ROW_PX * m["row"]
    m["ytop"] = np.where(m["row"] == 0, 0, m["ytext"] - LABEL_ROW_PX // 2)
    return m


def _rules(markers: pd.DataFrame, colours: dict[str, str], span: Span | None) -> alt.LayerChart:
    """Vertical labelled rules (``label``, ``date``) laid out by :func:`rule_layout`."""
    scale = _legend_scale(list(colours), list(colours.values()))
    layout = rule_layout(markers, span)
    base = alt.Chart(layout)
    color = alt.Color("label:N", scale=scale, legend=None)
    rule = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("date:T"),
        y=alt.Y("ytop:Q", scale=None),
        y2=alt.Y2Value("height"),
        color=color,
        strokeDash=alt.StrokeDash(
            "label:N",
            legend=None,
            scale=alt.Scale(
                domain=list(colours),
                range=[[6, 3] if label == "Deadline" else [1, 0] for label in colours],
            ),
        ),
        tooltip=[
            alt.Tooltip("label:N", title="Marker"),
            alt.Tooltip("date:T", title="Date", format=DATE_FORMAT),
        ],
    )
    # Vega-Lite has no align channel: one text layer per side that has labels (an empty
    # layer makes Vega warn "Infinite extent for field date" in the browser console).
    texts = [
        base.transform_filter(alt.datum.align == side)
        .mark_text(align=side, dx=4 if side == "left" else -4, fontSize=11, fontWeight="bold")
        .encode(
            x=alt.X("date:T"), y=alt.Y("ytext:Q", scale=None), text=alt.Text("text:N"), color=color
        )
        for side in ("left", "right")
        if (layout["align"] == side).any()
    ]
    return alt.layer(rule, *texts)


def _marker(label: str, date) -> pd.DataFrame:
    return pd.DataFrame({"label": [label], "date": [pd.Timestamp(date)]})


# ------------------------------------------------------------- project lens
def delivery_chart(histogram: pd.DataFrame, markers: pd.DataFrame | None = None) -> alt.LayerChart:
    """Delivery-date distribution: share of futures delivering in each week.

    Parameters
    ----------
    histogram : DataFrame
        ``week_start``, ``week_end``, ``runs``, ``share`` (from
        :func:`dashboard.page_tables.delivery_histogram`).
    markers : DataFrame, optional
        ``label`` (P50, P85, Deadline) and ``date``.
    """
    has_markers = markers is not None and not markers.empty
    span = _span(
        histogram["week_start"], histogram["week_end"], markers["date"] if has_markers else None
    )
    top = float(histogram["share"].max()) if len(histogram) else 1.0
    # Head room above the tallest bar for the rule labels, one row each.
    rows = len(markers) if has_markers else 0
    y_scale = alt.Scale(domain=[0, min(_head_room(max(top, 0.04), rows), 1.6)], nice=False)
    bars = (
        alt.Chart(histogram)
        .mark_rect(color=PROJECT, opacity=0.8, stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("week_start:T", axis=_date_axis("Delivery week", span)),
            x2=alt.X2("week_end:T"),
            y=alt.Y("share:Q", title="Share of futures", axis=alt.Axis(format="%"), scale=y_scale),
            tooltip=[
                alt.Tooltip("week_start:T", title="Week of", format=DATE_FORMAT),
                alt.Tooltip("runs:Q", title="Futures delivering"),
                alt.Tooltip("share:Q", title="Share", format=".1%"),
            ],
        )
    )
    layers: list[alt.Chart | alt.LayerChart] = [bars]
    if has_markers:
        layers.append(
            _rules(markers, {"P50": NEUTRAL, "P85": "#111111", "Deadline": DEADLINE}, span)
        )
    return _finish(layers)


def _fan(
    data: pd.DataFrame,
    colour: str,
    median_label: str,
    y_title: str,
    money: bool = False,
    span: Span | None = None,
    y_max: float | None = None,
) -> list[alt.LayerChart]:
    """A fan (90% band, 50% band, median line) as one layer with one legend.

    ``y_max`` (optional) is the least top of the y scale: head room for rule labels.
    """
    # Short labels: the fans sit in half-width columns, where "90% of futures, 50% of
    # futures, Median" ran past the plot at 1280 px and lost the median's name.
    labels = ["90% band", "50% band", median_label]
    # Each legend swatch in the shade its band shows: the bands are drawn solid in
    # their tints (the 50% band over the 90% band), so the legend and the chart agree
    # (translucent bands put three swatches of one colour in the legend).
    scale = _legend_scale(labels, [*fan_tints(colour), colour])
    color = alt.Color(
        "series:N",
        scale=scale,
        legend=alt.Legend(
            title=None,
            orient="top",
            direction="horizontal",
            symbolType="square",
            symbolOpacity=1,
            symbolStrokeWidth=0,
            labelLimit=220,
        ),
    )
    axis = _money_axis() if money else alt.Axis()
    y_scale = alt.Scale(domainMax=y_max) if y_max else alt.Undefined
    bands = pd.concat(
        [
            pd.DataFrame(
                {
                    "date": data["date"],
                    "lo": data[lo],
                    "hi": data[hi],
                    "series": label,
                }
            )
            for (lo, hi, _opacity), label in zip(FAN_BANDS, labels[:2], strict=True)
        ],
        ignore_index=True,
    )
    band = (
        alt.Chart(bands)
        .mark_area()
        .encode(
            x=alt.X("date:T", axis=_date_axis(span=span)),
            y=alt.Y("lo:Q", title=y_title, axis=axis, scale=y_scale),
            y2=alt.Y2("hi:Q"),
            color=color,
        )
    )
    fmt = ",.0f"
    median = (
        alt.Chart(data)
        .mark_line(strokeWidth=2)
        .encode(
            x=alt.X("date:T"),
            y=alt.Y("p50:Q"),
            color=color,
            tooltip=[
                alt.Tooltip("date:T", title="Week ending", format=DATE_FORMAT),
                alt.Tooltip("p50:Q", title="Median", format=fmt),
                alt.Tooltip("p25:Q", title="50% band from", format=fmt),
                alt.Tooltip("p75:Q", title="50% band to", format=fmt),
                alt.Tooltip("p05:Q", title="90% band from", format=fmt),
                alt.Tooltip("p95:Q", title="90% band to", format=fmt),
            ],
        )
        .transform_calculate(series=f"'{median_label}'")
    )
    return [alt.layer(band, median)]


def _top(*columns) -> float:
    """Largest finite value among columns (0 when there is none)."""
    values = pd.concat([pd.Series(c, dtype=float) for c in columns], ignore_index=True)
    values = values[np.isfinite(values)]
    return float(values.max()) if len(values) else 0.0


def burnup_chart(fan: pd.DataFrame, deadline: pd.Timestamp | None = None) -> alt.LayerChart:
    """Burn-up fan: cumulative work done (person-days) with its bands and the scope line.

    Parameters
    ----------
    fan : DataFrame
        ``date``, ``p05`` ... ``p95`` of work done, and ``scope`` (median known
        scope), from :func:`dashboard.page_tables.burnup_table`.
    deadline : Timestamp, optional
        Drawn as a dashed red rule.
    """
    span = _span(fan["date"], deadline)
    y_max = _head_room(_top(fan["p95"], fan["scope"]), 1) if deadline is not None else None
    layers: list = _fan(fan, PROJECT, "Median", "Person-days", span=span, y_max=y_max)
    layers.append(
        alt.Chart(fan)
        .mark_line(strokeDash=[4, 3], color=NEUTRAL)
        .encode(
            x=alt.X("date:T"),
            y=alt.Y("scope:Q"),
            tooltip=[
                alt.Tooltip("date:T", title="Week ending", format=DATE_FORMAT),
                alt.Tooltip("scope:Q", title="Scope (median)", format=",.0f"),
            ],
        )
    )
    if deadline is not None:
        layers.append(_rules(_marker("Deadline", deadline), {"Deadline": DEADLINE}, span))
    return _finish(layers)


def _layered(
    layers: list, independent: tuple[str, ...] = (), height=HEIGHT, autosize=alt.Undefined
) -> alt.LayerChart:
    """The layers as one chart, full width, with its properties set in one step.

    Altair deep-copies the whole chart on every ``.properties()`` and
    ``.resolve_scale()``; constructing the LayerChart with them is about three
    times faster and gives the same spec.
    """
    resolve = (
        alt.Resolve(scale=alt.ScaleResolveMap(**dict.fromkeys(independent, "independent")))
        if independent
        else alt.Undefined
    )
    return alt.LayerChart(
        layer=layers,
        resolve=resolve,
        height=height,
        width="container",
        padding=PADDING,
        autosize=autosize,
    )


def _finish(layers: list, height=HEIGHT) -> alt.LayerChart:
    """Layer the parts; rules keep their own colours (not merged into the fan legend)."""
    return _layered(layers, ("color", "opacity"), height)


# ------------------------------------------------------------- product lens
def value_chart(fan: pd.DataFrame, outcome_by: pd.Timestamp | None = None) -> alt.LayerChart:
    """Cumulative value fan (money earned to date) with the outcome's due date."""
    span = _span(fan["date"], outcome_by)
    y_max = _head_room(_top(fan["p95"]), 1) if outcome_by is not None else None
    layers: list = _fan(
        fan, PRODUCT, "Median", "Cumulative value", money=True, span=span, y_max=y_max
    )
    if outcome_by is not None:
        layers.append(_rules(_marker("Outcome due", outcome_by), {"Outcome due": NEUTRAL}, span))
    return _finish(layers)


def run_rate_chart(
    fan: pd.DataFrame, target: float | None = None, outcome_by: pd.Timestamp | None = None
) -> alt.LayerChart:
    """Value run-rate per week (fan) against the outcome target line."""
    span = _span(fan["date"], outcome_by)
    has_target = target is not None and target > 0
    y_max = (
        _head_room(_top(fan["p95"], [target] if has_target else []), 1)
        if outcome_by is not None
        else None
    )
    layers: list = _fan(
        fan, PRODUCT, "Median", "Value per week", money=True, span=span, y_max=y_max
    )
    if has_target:
        tgt = pd.DataFrame({"target": [float(target)], "text": ["Outcome target"]})
        layers.append(
            alt.Chart(tgt)
            .mark_rule(color=DEADLINE, strokeDash=[6, 3])
            .encode(
                y=alt.Y("target:Q"),
                tooltip=[alt.Tooltip("target:Q", title="Outcome target per week", format=",.0f")],
            )
        )
        layers.append(
            alt.Chart(tgt)
            .mark_text(align="right", dy=11, dx=-4, color=DEADLINE, fontWeight="bold", fontSize=11)
            .encode(y=alt.Y("target:Q"), x=alt.XValue("width"), text=alt.Text("text:N"))
        )
    if outcome_by is not None:
        layers.append(_rules(_marker("Outcome due", outcome_by), {"Outcome due": NEUTRAL}, span))
    return _finish(layers)


# ----------------------------------------------------------------- timeline
def timeline_chart(timeline: pd.DataFrame, markers: pd.DataFrame | None = None) -> alt.LayerChart:
    """Item timeline: median start to done per item, coloured by source; a tick at go-live.

    ``markers`` (``label``, ``date``: P50, P85, Deadline) are drawn as full-height
    rules, so the gap between the items' typical go-live and the delivery date (the
    last item of each future, releases, creep that only some futures see) shows.
    """
    order = timeline["label"].tolist() if "label" in timeline else []
    scale = _legend_scale(list(SOURCE_COLOURS), list(SOURCE_COLOURS.values()))
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    tooltip = [
        alt.Tooltip("label:N", title="Item"),
        alt.Tooltip("source:N", title="Source"),
        alt.Tooltip("start:T", title="Median start", format=DATE_FORMAT),
        alt.Tooltip("done:T", title="Median done", format=DATE_FORMAT),
        alt.Tooltip("live:T", title="Median live", format=DATE_FORMAT),
        alt.Tooltip("share:Q", title="Happens in", format=".0%"),
        alt.Tooltip("criticality:Q", title="Sets the date in", format=".0%"),
    ]
    span = _span(*(timeline[c] for c in ("start", "bar_end", "live") if c in timeline))
    base = alt.Chart(timeline)
    bars = base.mark_bar(height={"band": 0.7}, cornerRadius=2).encode(
        x=alt.X("start:T", axis=_date_axis(span=span, max_ticks=12)),
        x2=alt.X2("bar_end:T"),
        y=y,
        color=alt.Color("source:N", scale=scale, legend=alt.Legend(title="Source", orient="top")),
        # Items that happen in (nearly) every future are drawn solid, the rest paler.
        opacity=alt.Opacity(
            "share:Q",
            legend=None,
            scale=alt.Scale(type="threshold", domain=[0.995], range=[0.55, 0.9]),
        ),
        tooltip=tooltip,
    )
    live = base.mark_tick(thickness=2, color="#111111", size=14).encode(
        x=alt.X("live:T"), y=y, tooltip=tooltip
    )
    layers: list = [bars, live]
    if markers is not None and not markers.empty:
        colours = {"P50": NEUTRAL, "P85": "#111111", "Deadline": DEADLINE}
        layers.append(
            alt.Chart(markers)
            .mark_rule(strokeWidth=1.5, strokeDash=[6, 3])
            .encode(
                x=alt.X("date:T"),
                color=alt.Color(
                    "label:N",
                    legend=None,
                    scale=_legend_scale(list(colours), list(colours.values())),
                ),
                tooltip=[
                    alt.Tooltip("label:N", title="Marker"),
                    alt.Tooltip("date:T", title="Date", format=DATE_FORMAT),
                ],
            )
        )
    return _layered(layers, ("color",), per_row(len(timeline), TIMELINE_ROW_PX), FIT_WIDTH)


# ------------------------------------------------------------------ what-if
def cdf_chart(cdf: pd.DataFrame, deadline: pd.Timestamp | None = None) -> alt.LayerChart:
    """Overlaid delivery-date CDFs: share of futures delivered by each date, per scenario."""
    order = list(dict.fromkeys(cdf["scenario"])) if "scenario" in cdf else []
    span = _span(cdf.get("date"), deadline)
    # Above 100%: room for the deadline label, off the lines that reach the top.
    top = _head_room(1.0, 1) if deadline is not None else 1.0
    lines = (
        alt.Chart(cdf)
        .mark_line(interpolate="step-after", strokeWidth=2)
        .encode(
            x=alt.X("date:T", axis=_date_axis("Delivery date", span)),
            y=alt.Y(
                "share:Q",
                title="Delivered by this date",
                axis=alt.Axis(format="%", values=[0, 0.2, 0.4, 0.6, 0.8, 1.0]),
                scale=alt.Scale(domain=[0, top], nice=False),
            ),
            color=_scenario_colour(order),
            tooltip=[
                alt.Tooltip("scenario:N", title="Scenario"),
                alt.Tooltip("date:T", title="Date", format=DATE_FORMAT),
                alt.Tooltip("share:Q", title="Delivered by then", format=".0%"),
            ],
        )
    )
    layers: list = [lines]
    if deadline is not None:
        layers.append(_rules(_marker("Deadline", deadline), {"Deadline": DEADLINE}, span))
    return _finish(layers, _scenario_height(cdf))


def value_compare_chart(curves: pd.DataFrame) -> alt.LayerChart:
    """Median cumulative value per scenario over time, with each one's 50% band."""
    order = list(dict.fromkeys(curves["scenario"])) if "scenario" in curves else []
    color = _scenario_colour(order)
    span = _span(curves.get("date"))
    base = alt.Chart(curves).encode(x=alt.X("date:T", axis=_date_axis(span=span)), color=color)
    # Light enough that overlapping bands still show the lines through them.
    band = base.mark_area(opacity=0.3).encode(
        y=alt.Y("p25:Q"),
        y2=alt.Y2("p75:Q"),
        tooltip=[
            alt.Tooltip("scenario:N", title="Scenario"),
            alt.Tooltip("date:T", title="Week ending", format=DATE_FORMAT),
            alt.Tooltip("p25:Q", title="Middle 50% from", format=",.0f"),
            alt.Tooltip("p75:Q", title="Middle 50% to", format=",.0f"),
        ],
    )
    line = base.mark_line(strokeWidth=1.5).encode(
        y=alt.Y("p50:Q", title="Cumulative value", axis=_money_axis()),
        tooltip=[
            alt.Tooltip("scenario:N", title="Scenario"),
            alt.Tooltip("date:T", title="Week ending", format=DATE_FORMAT),
            alt.Tooltip("p50:Q", title="Median value", format=",.0f"),
        ],
    )
    # The line layer comes first so the legend shows lines, not pale bands.
    return _layered([line, band], height=_scenario_height(curves))


def delta_domain(deltas: pd.DataFrame, pad: float = 0.08) -> list[float]:
    """x domain of an interval chart: every mean and interval end, and 0, with air."""
    values = pd.concat(
        [
            pd.Series([0.0]),
            *(
                pd.Series(deltas[c], dtype=float)
                for c in ("mean", "ci_low", "ci_high")
                if c in deltas
            ),
        ],
        ignore_index=True,
    )
    values = values[np.isfinite(values)]
    lo, hi = float(values.min()), float(values.max())
    room = (hi - lo) * pad if hi > lo else 1.0
    return [lo - room, hi + room]


def delta_chart(deltas: pd.DataFrame, x_format: str = ",.1~f") -> alt.LayerChart:
    """Paired difference per variant with its 90% interval (one metric's rows).

    ``deltas`` needs ``variant``, ``mean``, ``ci_low``, ``ci_high`` and a
    ``metric_label`` used as the axis title. A ``~s`` format is read as money.
    """
    title = str(deltas["metric_label"].iloc[0]) if len(deltas) else "Difference"
    axis = (
        _money_axis(title=title)
        if x_format == MONEY_FORMAT
        else alt.Axis(title=title, format=x_format)
    )
    x_scale = alt.Scale(domain=delta_domain(deltas), nice=False, zero=False)
    variants = list(dict.fromkeys(deltas["variant"])) if "variant" in deltas else []
    colour = (
        alt.Color(
            "variant:N", legend=None, scale=_legend_scale(variants, variant_colours(len(variants)))
        )
        if variants
        else alt.ColorValue(PROJECT)
    )
    base = alt.Chart(deltas).encode(
        y=alt.Y("variant:N", title=None, sort=variants, axis=alt.Axis(labelLimit=240)), color=colour
    )
    zero = (
        alt.Chart(pd.DataFrame({"x": [0.0]}))
        .mark_rule(color=NEUTRAL)
        .encode(x=alt.X("x:Q", scale=x_scale, axis=axis))
    )
    bar = base.mark_rule(strokeWidth=3).encode(x=alt.X("ci_low:Q"), x2=alt.X2("ci_high:Q"))
    dot = base.mark_point(filled=True, size=80, opacity=1).encode(
        x=alt.X("mean:Q"),
        tooltip=[
            alt.Tooltip("variant:N", title="Variant"),
            alt.Tooltip("mean:Q", title="Mean", format=x_format),
            alt.Tooltip("ci_low:Q", title="90% from", format=x_format),
            alt.Tooltip("ci_high:Q", title="90% to", format=x_format),
        ],
    )
    # One row per variant, however many there are; the page fits the width only.
    return _layered(
        [zero, bar, dot], height=per_row(len(variants), DELTA_ROW_PX), autosize=FIT_WIDTH
    )


# -------------------------------------------------------------- page bundles
def forecast_charts(t: dict, deadline=None, outcome_by=None) -> dict[str, alt.TopLevelMixin]:
    """Every chart of the Forecast page from :func:`dashboard.page_tables.forecast_tables`."""
    by = pd.Timestamp(outcome_by) if outcome_by is not None else None
    dl = pd.Timestamp(deadline) if deadline is not None else None
    return {
        "delivery": delivery_chart(t["histogram"], t["markers"]),
        "burnup": burnup_chart(t["burnup"], dl),
        "value": value_chart(t["value"], by),
        "run_rate": run_rate_chart(t["run_rate"], t["target"], by),
        "timeline": timeline_chart(t["timeline"], t["markers"]),
    }


#: Paired metrics drawn as interval charts on the What-if page: key, label, axis format.
DELTA_CHARTS = (
    ("delivery_day", "Δ delivery (working days)", ",.1~f"),
    ("npv", "Δ NPV", MONEY_FORMAT),
)


def comparison_charts(t: dict) -> dict[str, alt.TopLevelMixin]:
    """Every chart of the What-if comparison (``page_tables.comparison_tables``)."""
    deadline = pd.Timestamp(t["deadline"]) if t.get("deadline") else None
    out = {"cdf": cdf_chart(t["cdf"], deadline), "value": value_compare_chart(t["value"])}
    deltas = t["deltas"]
    for metric, label, x_format in DELTA_CHARTS:
        rows = deltas[deltas["metric"] == metric].assign(metric_label=label)
        out[metric] = delta_chart(rows, x_format)
    return out


def driver_specs(t: dict) -> dict[str, dict]:
    """The two tornados of "What drives it": Vega-Lite dicts from :mod:`simulation.present.charts`.

    Defined there, not here, so the report draws the same chart (the report is
    written by ``simulation/``, which may not import Altair or the dashboard).
    """
    sens = t["sensitivity"]
    return {
        "tornado_date": fit_width(tornado_spec(sens, "delivery")),
        "tornado_value": fit_width(tornado_spec(sens, "npv")),
    }


#: Page sizing that fits a chart to its column's width and keeps the height it gives.
FIT_WIDTH = {"type": "fit-x", "contains": "padding"}


def per_row(rows: int, px: int) -> int:
    """The height of a chart with one row per category: ``px`` a row, at least one row.

    A number, not a Vega-Lite ``step``: a step height cannot be fitted, and Vega-Lite
    warns that it drops "fit-y" whatever the autosize; the chart fits its width only
    (:data:`FIT_WIDTH`).
    """
    return px * max(rows, 1)


def fit_width(spec: dict) -> dict:
    """``spec`` sized for the page: as wide as its column, as tall as the spec says.

    Streamlit fits a chart without its own sizing into its height, legend, title and
    axes included; a chart made for the report (:mod:`simulation.present.charts`)
    gives its plot's height, which that fit shrinks to a strip with a tick or two.
    The report's font is left out, so the page's own font is used, as in its other
    charts.
    """
    config = {k: v for k, v in spec.get("config", {}).items() if k != "font"}
    return {**spec, "autosize": FIT_WIDTH, "config": config}


def spec(chart: alt.TopLevelMixin) -> dict:
    """A chart's Vega-Lite spec for the page, without Altair's ``$schema``.

    The page draws with the Vega-Lite that Streamlit ships, which may be a minor
    version behind Altair's; a spec that names a newer one makes the browser warn.
    """
    # The builders are validated by the tests; skipping it here saves a third of the time.
    out = chart.to_dict(validate=False)
    out.pop("$schema", None)
    return out


def specs(chart_map: dict[str, alt.TopLevelMixin]) -> dict[str, dict]:
    """Vega-Lite specs of charts (:func:`spec`), to cache once instead of rebuilding per rerun."""
    return {name: spec(chart) for name, chart in chart_map.items()}
