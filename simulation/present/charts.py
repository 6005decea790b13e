"""Vega-Lite chart specs as plain dicts: the charts the report and the dashboard share.

No Altair here (``simulation/`` is a plain library): a spec is a JSON-ready
dict, which the report renders to inline SVG (vl-convert) and the dashboard
draws as it is (``st.vega_lite_chart``). The tornados are defined only here, so
the Forecast page and the report show the same chart; the palette is defined
only here too (``dashboard/charts.py`` imports it), so both speak the same colours.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

#: Colours: project lens blue, product lens green, the deadline red.
PROJECT = "#1f6fb2"
PRODUCT = "#2e8540"
DEADLINE = "#c0392b"
NEUTRAL = "#555555"
#: Bars that push a lens the bad way (later, less value) and the good way.
WORSE = "#c0392b"
BETTER = "#7f8c8d"
#: Quantiles drawn as fans (page and report alike): the 90% band (p05-p95), the 50%
#: band (p25-p75) and the median.
FAN_QUANTILES = {"p05": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95}
#: Each band: its low and high quantile columns and its opacity (the narrower, darker).
FAN_BANDS = (("p05", "p95", 0.15), ("p25", "p75", 0.3))


def fan_tints(colour: str) -> list[str]:
    """The colour each of :data:`FAN_BANDS` shows on white, as drawn one over another.

    The 50% band lies inside the 90% band, so it shows through both opacities
    (1 - 0.85 x 0.7 = 0.405 of the colour). Drawn solid in these tints, the bands look
    as they do translucent, and a legend can show each band's own shade.
    """
    rgb = [int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    tints, clear = [], 1.0
    for _lo, _hi, opacity in FAN_BANDS:
        clear *= 1 - opacity
        share = 1 - clear
        tints.append("#" + "".join(f"{round(255 - share * (255 - c)):02x}" for c in rgb))
    return tints


#: Vega-Lite 6: the version Streamlit draws with and vl-convert renders the report with.
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
FONT = "Helvetica, Arial, sans-serif"
WIDTH = 360
#: Plot width of a tornado: two side by side, with their labels, fit a page.
TORNADO_WIDTH = 200
#: Height of one bar of a tornado.
TORNADO_ROW_PX = 22
#: Vega-Lite time format: ``4 May 2027``.
DATE_FORMAT = "%-d %b %Y"

#: Date ticks tried from fine to coarse: (interval, step, label format, days per step).
#: Month steps divide 12, so every year that has a tick has one in January.
TICK_STEPS = (
    ("day", 1, "%-d %b", 1),
    ("day", 2, "%-d %b", 2),
    ("week", 1, "%-d %b", 7),
    ("week", 2, "%-d %b", 14),
    ("month", 1, "%b", 30.4),
    ("month", 2, "%b", 61),
    ("month", 3, "%b", 91.3),
    ("month", 6, "%b", 182.6),
    ("year", 1, "%Y", 365.25),
)

#: The two lenses of "what drives it": sensitivity column, title, what "worse" means.
LENSES = {
    "delivery": ("delivery_rho", "What moves the date", "later"),
    "npv": ("npv_rho", "What moves the value", "less value"),
}


def _base(title: str | None = None, width: int = WIDTH) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "width": width,
        "config": {
            "font": FONT,
            "view": {"stroke": None},
            "axis": {"labelFontSize": 11, "titleFontSize": 11},
        },
    }
    if title:
        spec["title"] = {"text": title, "anchor": "start", "fontSize": 13}
    return spec


def date_ticks(first: Any, last: Any, max_ticks: int = 6) -> tuple[str, int, str, float]:
    """The finest step of :data:`TICK_STEPS` with at most ``max_ticks`` ticks from
    ``first`` to ``last`` (dates): ``(interval, step, label format, days per step)``.

    Vega picks its own step from the plot's size, which on a short plot or a short span
    gives one tick, or half-day ticks that repeat a date; a step from the data does not.
    """
    days = max((pd.Timestamp(last) - pd.Timestamp(first)).days, 1)
    return next((s for s in TICK_STEPS if days / s[3] <= max_ticks), TICK_STEPS[-1])


def _date_axis(title: str, dates: list[Any], max_ticks: int) -> dict[str, Any]:
    """A date axis whose ticks are whole days, weeks, months or years over ``dates``."""
    axis: dict[str, Any] = {"title": title, "format": DATE_FORMAT, "labelOverlap": True}
    known = pd.to_datetime(pd.Series(dates, dtype=object), errors="coerce").dropna()
    if len(known):
        interval, step, _fmt, _days = date_ticks(known.min(), known.max(), max_ticks)
        axis["tickCount"] = {"interval": interval, "step": step}
    return axis


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts (NaN as null, numpy numbers as Python numbers)."""
    out = []
    for row in df.to_dict(orient="records"):
        out.append(
            {
                k: (
                    None
                    if isinstance(v, float) and not np.isfinite(v)
                    else v.item()
                    if isinstance(v, np.generic)
                    else v
                )
                for k, v in row.items()
            }
        )
    return out


def _marker_rules(marks: pd.DataFrame, colours: dict[str, str], axis: str) -> dict[str, Any]:
    """A layer of dashed rules at ``marks``' dates (``label``, ``date`` columns) on the
    ``axis`` ("x" or "y") channel, coloured by label with a legend on top."""
    return {
        "data": {"values": _records(marks)},
        "mark": {"type": "rule", "strokeWidth": 2, "strokeDash": [6, 3]},
        "encoding": {
            axis: {"field": "date", "type": "temporal"},
            "color": {
                "field": "label",
                "type": "nominal",
                "title": None,
                "scale": {
                    "domain": list(marks["label"]),
                    "range": [colours[k] for k in marks["label"]],
                },
                "legend": {"orient": "top"},
            },
        },
    }


def tornado_spec(sens: pd.DataFrame, lens: str, top: int = 10) -> dict[str, Any]:
    """A tornado: the ``top`` inputs that move ``lens`` most, by rank correlation.

    Parameters
    ----------
    sens : DataFrame
        :meth:`simulation.Results.sensitivity` (``input``, ``delivery_rho``,
        ``npv_rho``, ``se``).
    lens : {"delivery", "npv"}
        Which lens: the date (a positive correlation delivers later) or NPV.
    top : int
        Bars shown, the largest magnitudes first.
    """
    col, title, worse = LENSES[lens]
    rows = (
        sens[["input", col, "se"]].dropna(subset=[col])
        if not sens.empty
        else pd.DataFrame(columns=["input", col, "se"])
    )
    rows = rows.reindex(rows[col].abs().sort_values(ascending=False, kind="stable").index)
    rows = rows.head(top).rename(columns={col: "rho"})
    # For the date a positive correlation is bad (later); for the value a negative one.
    bad = rows["rho"] > 0 if lens == "delivery" else rows["rho"] < 0
    rows = rows.assign(
        effect=np.where(bad, f"{worse}", "the other way"), noise=2 * rows["se"].astype(float)
    )
    order = rows["input"].tolist()
    spec = _base(title, width=TORNADO_WIDTH)
    spec["data"] = {"values": _records(rows)}
    # A height per bar, as a number: a "step" height cannot be fitted to a page.
    spec["height"] = TORNADO_ROW_PX * max(len(rows), 1)
    x = {
        "field": "rho",
        "type": "quantitative",
        "scale": {"domain": [-1, 1]},
        "axis": {
            "title": "Rank correlation (Spearman)",
            "format": "+.1f",
            "values": [-1, -0.5, 0, 0.5, 1],
        },
    }
    y = {
        "field": "input",
        "type": "nominal",
        "sort": order,
        "title": None,
        "axis": {"labelLimit": 220},
    }
    spec["layer"] = [
        {
            "mark": {"type": "bar", "height": {"band": 0.7}},
            "encoding": {
                "x": x,
                "y": y,
                "color": {
                    "field": "effect",
                    "type": "nominal",
                    "scale": {"domain": [worse, "the other way"], "range": [WORSE, BETTER]},
                    "legend": {"title": "When the input is larger", "orient": "bottom"},
                },
                "tooltip": [
                    {"field": "input", "title": "Input"},
                    {"field": "rho", "title": "Rank correlation", "format": "+.2f"},
                ],
            },
        },
        {
            "mark": {"type": "rule", "color": NEUTRAL},
            "encoding": {"x": {"datum": 0, "type": "quantitative"}},
        },
    ]
    return spec


def criticality_spec(crit: pd.DataFrame, top: int = 15) -> dict[str, Any]:
    """Criticality per item: the share of futures in which it set the delivery date."""
    rows = crit.head(top)
    spec = _base("Which items set the date (criticality)")
    spec["data"] = {"values": _records(rows[["name", "criticality"]])}
    spec["height"] = {"step": 20}
    spec["mark"] = {"type": "bar", "color": PROJECT, "height": {"band": 0.7}}
    spec["encoding"] = {
        "x": {
            "field": "criticality",
            "type": "quantitative",
            "scale": {"domain": [0, 1]},
            "axis": {"format": "%", "title": "Share of futures on the chain that set the date"},
        },
        "y": {
            "field": "name",
            "type": "nominal",
            "sort": rows["name"].tolist(),
            "title": None,
            "axis": {"labelLimit": 220},
        },
        "tooltip": [
            {"field": "name", "title": "Item"},
            {"field": "criticality", "title": "Criticality", "format": ".0%"},
        ],
    }
    return spec


def delivery_spec(dates: pd.DataFrame, markers: pd.DataFrame) -> dict[str, Any]:
    """Delivery dates over the futures (weekly bars) with P50, P85 and deadline rules.

    ``dates``: ``week`` (ISO date of the week's Monday) and ``share`` of futures
    delivering that week; ``markers``: ``label`` and ``date`` (ISO).
    """
    spec = _base("When is the whole scope live?", width=2 * WIDTH)
    spec["height"] = 200
    colours = {"P50": NEUTRAL, "P85": "#111111", "Deadline": DEADLINE}
    marks = markers[markers["label"].isin(list(colours))]
    spec["layer"] = [
        {
            "data": {"values": _records(dates)},
            "mark": {"type": "bar", "color": PROJECT, "opacity": 0.85},
            "encoding": {
                "x": {
                    "field": "week",
                    "type": "temporal",
                    "title": "Delivery week",
                    "axis": {"format": "%-d %b %Y", "labelOverlap": True},
                },
                "y": {
                    "field": "share",
                    "type": "quantitative",
                    "axis": {"format": "%", "title": "Futures delivering that week"},
                },
            },
        },
        _marker_rules(marks, colours, "x"),
    ]
    return spec


def value_spec(fan: pd.DataFrame, title: str = "Value earned over time") -> dict[str, Any]:
    """Cumulative discounted value: the median line in the bands where 90% and 50% of
    the futures are (:data:`FAN_BANDS`, as the Forecast page draws them).

    ``fan``: ``date`` (ISO week end) and one column per :data:`FAN_QUANTILES` key.
    """
    spec = _base(title, width=2 * WIDTH)
    spec["height"] = 200
    spec["data"] = {"values": _records(fan)}
    x = {
        "field": "date",
        "type": "temporal",
        "title": None,
        "axis": {"format": "%b %Y", "labelOverlap": True},
    }
    bands = [
        {
            "mark": {"type": "area", "color": PRODUCT, "opacity": opacity},
            "encoding": {
                "x": x,
                "y": {"field": lo, "type": "quantitative"},
                "y2": {"field": hi},
            },
        }
        for lo, hi, opacity in FAN_BANDS
    ]
    spec["layer"] = [
        *bands,
        {
            "mark": {"type": "line", "color": PRODUCT, "strokeWidth": 2},
            "encoding": {
                "x": x,
                "y": {
                    "field": "p50",
                    "type": "quantitative",
                    "axis": {"format": "~s", "title": "Cumulative value"},
                },
            },
        },
    ]
    return spec


def bars_spec(rows: pd.DataFrame, field: str, title: str, fmt: str, colour: str) -> dict[str, Any]:
    """Paired difference per scenario with its 90% interval (``name``, ``mean``, ``lo``, ``hi``)."""
    spec = _base(title)
    spec["data"] = {"values": _records(rows)}
    spec["height"] = {"step": 28}
    y = {
        "field": "name",
        "type": "nominal",
        "sort": rows["name"].tolist(),
        "title": None,
        "axis": {"labelLimit": 220},
    }
    spec["layer"] = [
        {
            "mark": {"type": "rule", "strokeWidth": 3, "color": colour},
            "encoding": {
                "x": {
                    "field": "lo",
                    "type": "quantitative",
                    "axis": {"format": fmt, "title": field},
                },
                "x2": {"field": "hi"},
                "y": y,
            },
        },
        {
            "mark": {"type": "point", "filled": True, "size": 70, "color": colour, "opacity": 1},
            "encoding": {"x": {"field": "mean", "type": "quantitative"}, "y": y},
        },
        {
            "mark": {"type": "rule", "color": NEUTRAL},
            "encoding": {"x": {"datum": 0, "type": "quantitative"}},
        },
    ]
    return spec


def _trail_axis(rows: pd.DataFrame) -> dict[str, Any]:
    """The trail's as-of axis: up to eight whole-day (or longer) ticks."""
    return _date_axis("As of", list(rows["as_of"]), max_ticks=8)


def trail_spec(rows: pd.DataFrame, lines: pd.DataFrame) -> dict[str, Any]:
    """The trail: the P50-P85 delivery band by as-of date, with the plan and the deadline.

    ``rows``: ``as_of``, ``p50_date``, ``p85_date`` (ISO); ``lines``: ``label``
    (``Plan P85``, ``Deadline``, ...) and ``date`` (ISO), drawn across the chart.
    """
    spec = _base("How the delivery forecast moved", width=2 * WIDTH)
    # The band and the line have no legend entry of their own (the legend is the rules'):
    # the subtitle says what they are. One record has no width to shade and no line
    # to draw: its P50-P85 is a bar, and the subtitle says so.
    one = len(rows) == 1
    spec["title"]["subtitle"] = (
        "One record so far · bar: its P50 to P85 · dot: its P85 (each record adds one)"
        if one
        else "Shaded: P50 to P85 of each re-forecast · line with dots: its P85"
    )
    spec["height"] = 220
    colours = {"Deadline": DEADLINE, "Plan P50": NEUTRAL, "Plan P85": "#111111"}
    marks = lines[lines["label"].isin(list(colours))]
    x = {"field": "as_of", "type": "temporal", "axis": _trail_axis(rows)}
    shown = [*rows["p50_date"], *rows["p85_date"], *marks["date"]]
    y = {"type": "temporal", "axis": _date_axis("Delivery date", shown, max_ticks=5)}
    spec["layer"] = [
        {
            "data": {"values": _records(rows)},
            "mark": (
                {"type": "rule", "color": PROJECT, "opacity": 0.35, "strokeWidth": 14}
                if one
                else {"type": "area", "color": PROJECT, "opacity": 0.25}
            ),
            "encoding": {"x": x, "y": {"field": "p50_date", **y}, "y2": {"field": "p85_date"}},
        },
        {
            "data": {"values": _records(rows)},
            "mark": {"type": "line", "color": PROJECT, "point": {"color": PROJECT}},
            "encoding": {"x": x, "y": {"field": "p85_date", **y}},
        },
        _marker_rules(marks, colours, "y"),
    ]
    return spec


def trail_value_spec(rows: pd.DataFrame) -> dict[str, Any]:
    """The trail's product lens: mean NPV and the outcome chance by as-of date.

    ``rows``: ``as_of`` (ISO), ``npv_mean`` (money), ``outcome_probability`` (0..1).
    """
    spec = _base("How the value forecast moved", width=2 * WIDTH)
    spec["title"]["subtitle"] = (
        "One record so far · green dot: mean NPV (left axis) · "
        "grey dot: outcome chance (right axis)"
        if len(rows) == 1
        else "Solid green: mean NPV (left axis) · dashed grey: outcome chance (right axis)"
    )
    spec["height"] = 180
    # The data sits in each layer, not at the top: Streamlit moves top-level values out
    # of the spec and adds them after the first draw, which Vega warns about as an
    # empty ("infinite") extent of every field.
    data = {"values": _records(rows)}
    x = {"field": "as_of", "type": "temporal", "axis": _trail_axis(rows)}
    spec["layer"] = [
        {
            "data": data,
            "mark": {"type": "line", "color": PRODUCT, "point": {"color": PRODUCT}},
            "encoding": {
                "x": x,
                "y": {
                    "field": "npv_mean",
                    "type": "quantitative",
                    "axis": {"format": "~s", "title": "Mean NPV", "titleColor": PRODUCT},
                },
            },
        },
        {
            "data": data,
            "mark": {
                "type": "line",
                "color": NEUTRAL,
                "strokeDash": [4, 2],
                "point": {"color": NEUTRAL},
            },
            "encoding": {
                "x": x,
                "y": {
                    "field": "outcome_probability",
                    "type": "quantitative",
                    "scale": {"domain": [0, 1]},
                    "axis": {
                        "format": "%",
                        "title": "Outcome chance",
                        "orient": "right",
                        "titleColor": NEUTRAL,
                    },
                },
            },
        },
    ]
    spec["resolve"] = {"scale": {"y": "independent"}}
    return spec
