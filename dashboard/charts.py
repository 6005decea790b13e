"""Chart builders: pure functions from a small DataFrame to an Altair chart.

Each builder takes one of the tables made by :mod:`dashboard.analysis` and
returns a chart; none reads Streamlit state, so every one is tested with
``chart.to_dict()``. Charts are layered from small parts (band + line + rule),
and every layer's colour goes through one named scale so the legend explains
the bands in words.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

#: Colours: project lens blue, product lens green, the deadline red.
PROJECT = "#1f6fb2"
PRODUCT = "#2e8540"
DEADLINE = "#c0392b"
NEUTRAL = "#555555"
SOURCE_COLOURS = {"planned": "#4c78a8", "added": "#f58518", "creep": "#e45756",
                  "fix": "#b279a2", "overhead": "#9d9d9d"}
#: Vega-Lite time format shown on axes and tooltips: ``4 May 2027``.
DATE_FORMAT = "%-d %b %Y"
AXIS_DATE_FORMAT = "%-d %b"
MONEY_FORMAT = "~s"
HEIGHT = 260


def _date_axis(title: str | None = None) -> alt.Axis:
    # The year shows on the first tick and on ticks in January, not on every tick.
    return alt.Axis(title=title, format=AXIS_DATE_FORMAT, labelOverlap=True,
                    labelExpr=("timeFormat(datum.value, '%-d %b') + "
                               "(datum.index == 0 || (month(datum.value) == 0 && "
                               "date(datum.value) <= 7) ? ' ' + timeFormat(datum.value, '%Y')"
                               " : '')"))


def _legend_scale(labels: list[str], colours: list[str]) -> alt.Scale:
    return alt.Scale(domain=labels, range=colours)


def _rules(markers: pd.DataFrame, colours: dict[str, str], top: int = 4) -> alt.LayerChart:
    """Vertical labelled rules (``label``, ``date``, ``row``) for dates worth seeing."""
    scale = _legend_scale(list(colours), list(colours.values()))
    base = alt.Chart(markers)
    rule = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("date:T"),
        color=alt.Color("label:N", scale=scale, legend=None),
        strokeDash=alt.condition(alt.datum.label == "Deadline", alt.value([6, 3]),
                                 alt.value([1, 0])),
        tooltip=[alt.Tooltip("label:N", title="Marker"),
                 alt.Tooltip("date:T", title="Date", format=DATE_FORMAT)])
    text = base.mark_text(align="left", dx=4, fontSize=11, fontWeight="bold").encode(
        x="date:T",
        y=alt.Y("ypos:Q", scale=None),
        text=alt.Text("text:N"),
        color=alt.Color("label:N", scale=scale, legend=None),
    ).transform_calculate(
        ypos=f"{top} + 13 * datum.row",
        text="datum.label + ' ' + timeFormat(datum.date, '%-d %b')")
    return alt.layer(rule, text)


# ------------------------------------------------------------- project lens
def delivery_chart(histogram: pd.DataFrame, markers: pd.DataFrame | None = None
                   ) -> alt.LayerChart:
    """Delivery-date distribution: share of futures delivering in each week.

    Parameters
    ----------
    histogram : DataFrame
        ``week_start``, ``week_end``, ``runs``, ``share`` (from
        :func:`dashboard.analysis.delivery_histogram`).
    markers : DataFrame, optional
        ``label`` (P50, P85, Deadline), ``date``, ``row``.
    """
    top = float(histogram["share"].max()) if len(histogram) else 1.0
    # Head room above the tallest bar for the rule labels.
    y_scale = alt.Scale(domain=[0, min(max(top * 1.3, 0.05), 1.3)], nice=False)
    bars = alt.Chart(histogram).mark_rect(color=PROJECT, opacity=0.8, stroke="white",
                                          strokeWidth=0.5).encode(
        x=alt.X("week_start:T", axis=_date_axis("Delivery week")),
        x2="week_end:T",
        y=alt.Y("share:Q", title="Share of futures", axis=alt.Axis(format="%"),
                scale=y_scale),
        tooltip=[alt.Tooltip("week_start:T", title="Week of", format=DATE_FORMAT),
                 alt.Tooltip("runs:Q", title="Futures delivering"),
                 alt.Tooltip("share:Q", title="Share", format=".1%")])
    layers: list[alt.Chart | alt.LayerChart] = [bars]
    if markers is not None and not markers.empty:
        layers.append(_rules(markers, {"P50": NEUTRAL, "P85": "#111111",
                                       "Deadline": DEADLINE}))
    return _finish(layers)


def _fan(data: pd.DataFrame, colour: str, median_label: str, y_title: str,
         y_format: str | None) -> list[alt.LayerChart]:
    """A fan (90% band, 50% band, median line) as one layer with one legend."""
    labels = ["90% of futures", "50% of futures", median_label]
    scale = _legend_scale(labels, [colour, colour, colour])
    color = alt.Color("series:N", scale=scale,
                      legend=alt.Legend(title=None, orient="top", direction="horizontal",
                                        symbolOpacity=0.6, labelLimit=220))
    axis = alt.Axis(format=y_format) if y_format else alt.Axis()
    bands = pd.concat([
        pd.DataFrame({"date": data["date"], "lo": data["p05"], "hi": data["p95"],
                      "series": labels[0]}),
        pd.DataFrame({"date": data["date"], "lo": data["p25"], "hi": data["p75"],
                      "series": labels[1]}),
    ], ignore_index=True)
    band = alt.Chart(bands).mark_area().encode(
        x=alt.X("date:T", axis=_date_axis()),
        y=alt.Y("lo:Q", title=y_title, axis=axis), y2="hi:Q", color=color,
        opacity=alt.Opacity("series:N", scale=alt.Scale(domain=labels[:2], range=[0.15, 0.3]),
                            legend=None))
    fmt = y_format or ",.0f"
    median = alt.Chart(data).mark_line(strokeWidth=2).encode(
        x="date:T", y="p50:Q", color=color,
        tooltip=[alt.Tooltip("date:T", title="Week ending", format=DATE_FORMAT),
                 alt.Tooltip("p50:Q", title="Median", format=fmt),
                 alt.Tooltip("p25:Q", title="50% band from", format=fmt),
                 alt.Tooltip("p75:Q", title="50% band to", format=fmt),
                 alt.Tooltip("p05:Q", title="90% band from", format=fmt),
                 alt.Tooltip("p95:Q", title="90% band to", format=fmt)]
    ).transform_calculate(series=f"'{median_label}'")
    return [alt.layer(band, median)]


def burnup_chart(fan: pd.DataFrame, deadline: pd.Timestamp | None = None) -> alt.LayerChart:
    """Burn-up fan: cumulative work done (person-days) with its bands and the scope line.

    Parameters
    ----------
    fan : DataFrame
        ``date``, ``p05`` ... ``p95`` of work done, and ``scope`` (median known
        scope), from :func:`dashboard.analysis.burnup_table`.
    deadline : Timestamp, optional
        Drawn as a dashed red rule.
    """
    layers: list = _fan(fan, PROJECT, "Median", "Person-days", None)
    layers.append(alt.Chart(fan).mark_line(strokeDash=[4, 3], color=NEUTRAL).encode(
        x="date:T", y="scope:Q",
        tooltip=[alt.Tooltip("date:T", title="Week ending", format=DATE_FORMAT),
                 alt.Tooltip("scope:Q", title="Scope (median)", format=",.0f")]))
    if deadline is not None:
        layers.append(_rules(pd.DataFrame({"label": ["Deadline"],
                                           "date": [pd.Timestamp(deadline)], "row": [0]}),
                             {"Deadline": DEADLINE}))
    return _finish(layers)


def _finish(layers: list) -> alt.LayerChart:
    """Layer the parts; rules keep their own colours (not merged into the fan legend)."""
    return alt.layer(*layers).resolve_scale(color="independent", opacity="independent") \
        .properties(height=HEIGHT, width="container")


# ------------------------------------------------------------- product lens
def value_chart(fan: pd.DataFrame, outcome_by: pd.Timestamp | None = None,
                outcome_name: str = "Outcome due") -> alt.LayerChart:
    """Cumulative value fan (money earned to date) with the outcome's due date."""
    layers: list = _fan(fan, PRODUCT, "Median", "Cumulative value",
                        MONEY_FORMAT)
    if outcome_by is not None:
        layers.append(_rules(pd.DataFrame({"label": ["Outcome due"],
                                           "date": [pd.Timestamp(outcome_by)], "row": [0]}),
                             {"Outcome due": NEUTRAL}))
    return _finish(layers)


def run_rate_chart(fan: pd.DataFrame, target: float | None = None,
                   outcome_by: pd.Timestamp | None = None) -> alt.LayerChart:
    """Value run-rate per week (fan) against the outcome target line."""
    layers: list = _fan(fan, PRODUCT, "Median", "Value per week", MONEY_FORMAT)
    if target is not None and target > 0:
        tgt = pd.DataFrame({"target": [float(target)], "text": ["Outcome target"]})
        layers.append(alt.Chart(tgt).mark_rule(color=DEADLINE, strokeDash=[6, 3]).encode(
            y="target:Q", tooltip=[alt.Tooltip("target:Q", title="Outcome target per week",
                                               format=",.0f")]))
        layers.append(alt.Chart(tgt).mark_text(align="right", dy=11, dx=-4, color=DEADLINE,
                                               fontWeight="bold", fontSize=11).encode(
            y="target:Q", x=alt.value("width"), text="text:N"))
    if outcome_by is not None:
        layers.append(_rules(pd.DataFrame({"label": ["Outcome due"],
                                           "date": [pd.Timestamp(outcome_by)], "row": [0]}),
                             {"Outcome due": NEUTRAL}))
    return _finish(layers)


# ----------------------------------------------------------------- timeline
def timeline_chart(timeline: pd.DataFrame) -> alt.LayerChart:
    """Item timeline: median start to done per item, coloured by source; a tick at go-live."""
    order = timeline["label"].tolist() if "label" in timeline else []
    scale = _legend_scale(list(SOURCE_COLOURS), list(SOURCE_COLOURS.values()))
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    tooltip = [alt.Tooltip("label:N", title="Item"), alt.Tooltip("source:N", title="Source"),
               alt.Tooltip("start:T", title="Median start", format=DATE_FORMAT),
               alt.Tooltip("done:T", title="Median done", format=DATE_FORMAT),
               alt.Tooltip("live:T", title="Median live", format=DATE_FORMAT),
               alt.Tooltip("share:Q", title="Happens in", format=".0%")]
    base = alt.Chart(timeline)
    bars = base.mark_bar(height={"band": 0.7}, cornerRadius=2).encode(
        x=alt.X("start:T", axis=_date_axis()), x2="bar_end:T", y=y,
        color=alt.Color("source:N", scale=scale,
                        legend=alt.Legend(title="Source", orient="top")),
        opacity=alt.condition(alt.datum.share >= 0.995, alt.value(0.9), alt.value(0.55)),
        tooltip=tooltip)
    live = base.mark_tick(thickness=2, color="#111111", size=14).encode(
        x="live:T", y=y, tooltip=tooltip)
    return alt.layer(bars, live).properties(height=alt.Step(22), width="container")


# ------------------------------------------------------------------ what-if
def cdf_chart(cdf: pd.DataFrame, deadline: pd.Timestamp | None = None) -> alt.LayerChart:
    """Overlaid delivery-date CDFs: share of futures delivered by each date, per scenario."""
    order = list(dict.fromkeys(cdf["scenario"])) if "scenario" in cdf else []
    lines = alt.Chart(cdf).mark_line(interpolate="step-after", strokeWidth=2).encode(
        x=alt.X("date:T", axis=_date_axis("Delivery date")),
        y=alt.Y("share:Q", title="Delivered by this date", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("scenario:N", sort=order, legend=alt.Legend(title=None, orient="top",
                                                                    labelLimit=320)),
        tooltip=[alt.Tooltip("scenario:N", title="Scenario"),
                 alt.Tooltip("date:T", title="Date", format=DATE_FORMAT),
                 alt.Tooltip("share:Q", title="Delivered by then", format=".0%")])
    layers: list = [lines]
    if deadline is not None:
        layers.append(_rules(pd.DataFrame({"label": ["Deadline"],
                                           "date": [pd.Timestamp(deadline)], "row": [0]}),
                             {"Deadline": DEADLINE}))
    return _finish(layers)


def value_compare_chart(curves: pd.DataFrame) -> alt.Chart:
    """Median cumulative value per scenario over time, with each one's 50% band."""
    order = list(dict.fromkeys(curves["scenario"])) if "scenario" in curves else []
    color = alt.Color("scenario:N", sort=order,
                      legend=alt.Legend(title=None, orient="top", labelLimit=320,
                                        symbolType="stroke", symbolStrokeWidth=3,
                                        symbolOpacity=1))
    base = alt.Chart(curves).encode(x=alt.X("date:T", axis=_date_axis()), color=color)
    band = base.mark_area(opacity=0.12).encode(y="p25:Q", y2="p75:Q")
    line = base.mark_line(strokeWidth=2.5).encode(
        y=alt.Y("p50:Q", title="Cumulative value (median)",
                axis=alt.Axis(format=MONEY_FORMAT)),
        tooltip=[alt.Tooltip("scenario:N", title="Scenario"),
                 alt.Tooltip("date:T", title="Week ending", format=DATE_FORMAT),
                 alt.Tooltip("p50:Q", title="Median value", format=",.0f")])
    # The line layer comes first so the legend shows lines, not pale bands.
    return alt.layer(line, band).properties(height=HEIGHT, width="container")


def delta_chart(deltas: pd.DataFrame, x_format: str = ",.1f") -> alt.LayerChart:
    """Paired difference per variant with its 90% interval (one metric's rows).

    ``deltas`` needs ``variant``, ``mean``, ``ci_low``, ``ci_high`` and a
    ``metric_label`` used as the axis title.
    """
    title = str(deltas["metric_label"].iloc[0]) if len(deltas) else "Difference"
    base = alt.Chart(deltas).encode(y=alt.Y("variant:N", title=None,
                                            axis=alt.Axis(labelLimit=240)))
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color=NEUTRAL).encode(x="x:Q")
    bar = base.mark_rule(strokeWidth=3, color=PROJECT).encode(
        x=alt.X("ci_low:Q", title=title, axis=alt.Axis(format=x_format)), x2="ci_high:Q")
    dot = base.mark_point(filled=True, size=80, color=PROJECT).encode(
        x="mean:Q", tooltip=[alt.Tooltip("variant:N", title="Variant"),
                             alt.Tooltip("mean:Q", title="Mean", format=x_format),
                             alt.Tooltip("ci_low:Q", title="90% from", format=x_format),
                             alt.Tooltip("ci_high:Q", title="90% to", format=x_format)])
    # A discrete y axis is sized per row (Streamlit ignores a fixed height then).
    return alt.layer(zero, bar, dot).properties(height=alt.Step(40), width="container")


# -------------------------------------------------------------- page bundles
def forecast_charts(t: dict, deadline=None, outcome_by=None) -> dict[str, alt.TopLevelMixin]:
    """Every chart of the Forecast page from :func:`dashboard.analysis.forecast_tables`."""
    by = pd.Timestamp(outcome_by) if outcome_by is not None else None
    dl = pd.Timestamp(deadline) if deadline is not None else None
    return {
        "delivery": delivery_chart(t["histogram"], t["markers"]),
        "burnup": burnup_chart(t["burnup"], dl),
        "value": value_chart(t["value"], by),
        "run_rate": run_rate_chart(t["run_rate"], t["target"], by),
        "timeline": timeline_chart(t["timeline"]),
    }


#: Paired metrics drawn as interval charts on the What-if page: key, label, axis format.
DELTA_CHARTS = (("delivery_day", "Δ delivery (working days)", ",.1f"),
                ("npv", "Δ NPV", "~s"))


def comparison_charts(t: dict) -> dict[str, alt.TopLevelMixin]:
    """Every chart of the What-if comparison from :func:`dashboard.analysis.comparison_tables`."""
    deadline = pd.Timestamp(t["deadline"]) if t.get("deadline") else None
    out = {"cdf": cdf_chart(t["cdf"], deadline), "value": value_compare_chart(t["value"])}
    deltas = t["deltas"]
    for metric, label, x_format in DELTA_CHARTS:
        rows = deltas[deltas["metric"] == metric].assign(metric_label=label)
        out[metric] = delta_chart(rows, x_format)
    return out


def specs(chart_map: dict[str, alt.TopLevelMixin]) -> dict[str, dict]:
    """Vega-Lite specs of charts (validated), to cache once instead of rebuilding per rerun."""
    # The builders are validated by the tests; skipping it here saves a third of the time.
    return {name: chart.to_dict(validate=False) for name, chart in chart_map.items()}
