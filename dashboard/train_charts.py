"""Chart builders of the Train page: predictions marked against the truth.

Pure functions ``DataFrame -> alt.Chart`` like :mod:`dashboard.charts`, whose
colours and formats they reuse; the tests call ``to_dict()`` on each.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from .charts import FIT_WIDTH, NEUTRAL, PADDING, PRODUCT, PROJECT, per_row

#: Axis formats by metric kind (see ``simulation.train.exercises.METRICS``).
AXIS_FORMATS = {"probability": ".0%", "money": "~s", "day": ",.0f", "ratio": ".2f", "count": ",.0f"}
TRUTH = PRODUCT
GUESS = PROJECT
WRONG = "#b0b0b0"
ROW_PX = 28


def estimate_chart(
    guesses: pd.DataFrame, truth: float, base: float | None, kind: str, title: str
) -> alt.LayerChart:
    """Each guess (a dot) with its range (a bar), one row per person, and the truth.

    ``guesses`` has ``who``, ``value``, ``low`` and ``high``. The truth is a
    solid green rule, the base's value (what the trainee saw before) a dashed
    grey one.
    """
    fmt = AXIS_FORMATS.get(kind, ",.2f")
    values = [truth, *guesses.get("low", []), *guesses.get("high", [])]
    if base is not None:
        values.append(base)
    lo, hi = min(values), max(values)
    room = (hi - lo) * 0.08 or max(abs(hi) * 0.1, 0.01)
    scale = alt.Scale(domain=[lo - room, hi + room], nice=False, zero=False)
    if kind == "probability":
        scale = alt.Scale(domain=[max(lo - room, 0.0), min(hi + room, 1.0)], nice=False)
    order = list(dict.fromkeys(guesses["who"])) if len(guesses) else []
    y = alt.Y("who:N", title=None, sort=order, axis=alt.Axis(labelLimit=160))
    axis = alt.Axis(title=title, format=fmt)
    rows = alt.Chart(guesses).encode(y=y)
    bar = rows.mark_rule(strokeWidth=3, color=GUESS, opacity=0.5).encode(
        x=alt.X("low:Q", scale=scale, axis=axis), x2=alt.X2("high:Q")
    )
    dot = rows.mark_point(filled=True, size=90, color=GUESS, opacity=1).encode(
        x=alt.X("value:Q"),
        tooltip=[
            alt.Tooltip("who:N", title="Who"),
            alt.Tooltip("value:Q", title="Best guess", format=fmt),
            alt.Tooltip("low:Q", title="Low", format=fmt),
            alt.Tooltip("high:Q", title="High", format=fmt),
        ],
    )
    marks = pd.DataFrame(
        {
            "x": [truth] + ([base] if base is not None else []),
            "label": ["Truth"] + (["Base"] if base is not None else []),
        }
    )
    rule = (
        alt.Chart(marks)
        .mark_rule(strokeWidth=2)
        .encode(
            x=alt.X("x:Q"),
            color=alt.Color(
                "label:N",
                title=None,
                scale=alt.Scale(domain=["Truth", "Base"], range=[TRUTH, NEUTRAL]),
                legend=alt.Legend(orient="top"),
            ),
            # The same legend as the colour's: one legend, each marker's colour and dash.
            strokeDash=alt.StrokeDash(
                "label:N",
                title=None,
                legend=alt.Legend(orient="top"),
                scale=alt.Scale(domain=["Truth", "Base"], range=[[1, 0], [4, 4]]),
            ),
            tooltip=[
                alt.Tooltip("label:N", title="Marker"),
                alt.Tooltip("x:Q", title="Value", format=fmt),
            ],
        )
    )
    return (
        alt.layer(bar, dot, rule)
        .properties(height=per_row(len(order), ROW_PX), padding=PADDING, autosize=FIT_WIDTH)
        .configure_view(stroke=None)
    )


def direction_chart(counts: pd.DataFrame, truth: str, title: str) -> alt.Chart:
    """How many chose each answer of a direction question; the true one in green.

    ``counts`` has ``choice`` (in the question's order) and ``count``.
    """
    data = counts.assign(correct=counts["choice"] == truth)
    order = list(counts["choice"])
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("count:Q", title=title, axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("choice:N", title=None, sort=order),
            color=alt.Color(
                "correct:N",
                legend=None,
                scale=alt.Scale(domain=[True, False], range=[TRUTH, WRONG]),
            ),
            tooltip=[
                alt.Tooltip("choice:N", title="Answer"),
                alt.Tooltip("count:Q", title="People"),
            ],
        )
        .properties(height=per_row(len(order), ROW_PX), padding=PADDING, autosize=FIT_WIDTH)
        .configure_view(stroke=None)
    )


def shift_chart(
    base: float, variant: float, kind: str, predicted: str, truth: str, title: str
) -> alt.LayerChart:
    """Base and variant value of a direction question, titled with the call the trainee made."""
    fmt = AXIS_FORMATS.get(kind, ",.2f")
    data = pd.DataFrame({"scenario": ["Base", "Variant"], "value": [base, variant]})
    lo, hi = min(base, variant), max(base, variant)
    room = (hi - lo) * 0.15 or max(abs(hi) * 0.1, 0.01)
    scale = alt.Scale(domain=[lo - room, hi + room], nice=False, zero=False)
    heading = f"You said {predicted}: " + (
        "right" if predicted == truth else f"wrong, it is {truth}"
    )
    x = alt.X("value:Q", scale=scale, axis=alt.Axis(title=title, format=fmt))
    line = alt.Chart(data).mark_line(color=NEUTRAL).encode(x=x)
    colour = alt.Color(
        "scenario:N",
        legend=None,
        scale=alt.Scale(domain=["Base", "Variant"], range=[NEUTRAL, TRUTH]),
    )
    dots = (
        alt.Chart(data)
        .mark_point(filled=True, size=140, opacity=1)
        .encode(
            x=alt.X("value:Q"),
            color=colour,
            tooltip=[
                alt.Tooltip("scenario:N", title="Scenario"),
                alt.Tooltip("value:Q", title="Value", format=fmt),
            ],
        )
    )
    labels = (
        alt.Chart(data)
        .mark_text(dy=-14, fontSize=12)
        .encode(x=alt.X("value:Q"), text=alt.Text("scenario:N"), color=colour)
    )
    return (
        alt.layer(line, dots, labels)
        .properties(
            height=70, padding=PADDING, title=alt.TitleParams(heading, anchor="start", fontSize=13)
        )
        .configure_view(stroke=None)
    )
