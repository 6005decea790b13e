"""Forecast page: the project lens and the product lens side by side."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import (
    fmt,
    history_view,
    narrative,
    page_tables,
    prose,
    report_button,
    simulate,
    state,
)
from simulation.engine.drivers import driver_sentence
from simulation.present.csv import frame_csv
from simulation.present.markdown import escape_markdown
from simulation.report import document as report


def chart(t: dict, name: str) -> None:
    """Draw a chart whose spec was built once with the cached forecast."""
    st.vega_lite_chart(spec=t["charts"][name], width="stretch")


def project_lens(sc, t: dict) -> None:
    s = t["summary"]
    d, c = s["delivery"], s["cost"]
    st.subheader(
        "Project lens",
        help="Scope, schedule and cost: is the scope delivered "
        "on time and on budget? Delivery = the day the last scope item goes live.",
    )
    m = st.columns(3)
    m[0].metric(
        "P50 delivery",
        fmt.date(d.get("p50_date")),
        help="Half of the simulated futures deliver the whole scope by this date.",
    )
    m[1].metric(
        "P85 delivery",
        fmt.date(d.get("p85_date")),
        help="85 of 100 futures deliver by this date: a commitment-grade date.",
    )
    m[2].metric(
        "P95 delivery", fmt.date(d.get("p95_date")), help="95 of 100 futures deliver by this date."
    )
    m = st.columns(3)
    if sc.deadline:
        m[0].metric(
            "On time",
            fmt.pct(d.get("on_time_probability")),
            help=f"Chance of delivering by the deadline, {fmt.date(sc.deadline)}.",
        )
    else:
        m[0].metric("On time", "no deadline", help="Set a deadline on the Scenario page.")
    m[1].metric(
        "Cost (mean)",
        fmt.money(c.get("mean")),
        help="People on the team x cost per person-day x working days until all "
        "work (including fixes after closure) is done.",
    )
    m[2].metric(
        "Cost (P85)", fmt.money(c.get("p85")), help="85 of 100 futures cost this much or less."
    )
    st.markdown(narrative.project_sentence(s))
    st.markdown("**When is the whole scope live?**")
    chart(t, "delivery")
    st.markdown("**Burn-up: work done against the growing scope**")
    chart(t, "burnup")
    st.caption(
        "Person-days of finished work by week (bands: where 50% and 90% of the "
        "futures are); the dashed line is the scope known so far, creep included."
    )


def product_lens(sc, t: dict) -> None:
    s = t["summary"]
    v = s["value"]
    st.subheader(
        "Product lens",
        help="Outcomes: do users get the value and is the outcome "
        "reached? Value counts from go-live, grows with adoption and is discounted.",
    )
    m = st.columns(3)
    # Short labels: three metrics share half the page, and at 1280 px a longer label
    # ("First value (P50)", "Outcome chance") was cut to "First value (…".
    m[0].metric(
        "First value",
        fmt.date(v.get("first_value_date_p50")),
        help="Median date on which users first get any value: the first item "
        "with a value per week to go live, a small scope-creep request "
        "included. The item timeline shows which items go live when.",
    )
    m[1].metric(
        "NPV (mean)",
        fmt.money(v.get("npv_mean")),
        help=f"Discounted value minus discounted cost over {sc.value.horizon_weeks} weeks.",
    )
    roi = v.get("roi_mean")
    m[2].metric(
        "ROI (mean)",
        "n/a" if roi is None else f"{roi:.1f}",
        help="(value - cost) / cost over the horizon. 2.0 = each 1 spent returns 2 net.",
    )
    m = st.columns(3)
    by = fmt.date(v.get("outcome_by")) if v.get("outcome_by") else "the horizon"
    # The engine leaves the probability out (None, shown n/a) when no item has value.
    outcome = fmt.pct(v.get("outcome_probability"))
    m[0].metric(
        "Outcome",
        outcome,
        help=f"Chance that “{escape_markdown(v.get('outcome'))}” is reached by {by}. It needs "
        "must-have items with a value per week.",
    )
    m[1].metric(
        "Value (mean)",
        fmt.money(v.get("value_mean")),
        help="Discounted value earned over the horizon.",
    )
    misfit = t.get("misfit_share")
    m[2].metric(
        "Misfits", fmt.pct(misfit), help="Share of built items that missed the real need at first."
    )
    st.markdown(narrative.product_sentence(s, misfit, sc.value.horizon_weeks))
    if not v.get("potential_value"):
        return  # the sentence says why there is nothing to draw
    st.markdown("**Value earned over time**")
    chart(t, "value")
    st.markdown(f"**Value run-rate against the outcome target** ({fmt.money(t['target'])} a week)")
    chart(t, "run_rate")
    st.caption(
        f"The outcome “{sc.value.outcome.name}” counts as reached when the weekly "
        f"run-rate (value a week with today's adoption and fit) reaches "
        f"{fmt.pct(sc.value.outcome.target_fraction)} of the planned must-have items' "
        "full value."
    )


#: How each kind of column in :data:`dashboard.page_tables.RUN_COLUMNS` is shown.
RUN_FORMATS = {
    "money": "localized",
    "day": "%.1f",
    "effort": "%.1f",
    "ratio": "%.2f",
    "count": "%d",
}


def run_column_config() -> dict:
    """Column formats of the runs table: dates as 4 May 2027, money with separators."""
    config = {}
    for header, kind in page_tables.RUN_COLUMNS.values():
        if kind == "date":
            config[header] = st.column_config.DateColumn(header, format="D MMM YYYY")
        elif kind in RUN_FORMATS:
            config[header] = st.column_config.NumberColumn(header, format=RUN_FORMATS[kind])
    return config


def drivers(t: dict) -> None:
    """What drives it: a tornado per lens, each with its top driver in words.

    See ``docs/reference/drivers-and-report.md``.
    """
    st.subheader(
        "What drives it",
        help="Which uncertain inputs move the date and the value: "
        "the rank correlation, over the simulated futures, of each input with the "
        "delivery day and with NPV. No extra runs: the same futures as above.",
    )
    sens = t["sensitivity"]
    if sens.empty:
        st.info("Nothing in this scenario is uncertain: every future is the same.")
        return
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown(escape_markdown(driver_sentence(sens, "delivery")))
        chart(t, "tornado_date")
    with right:
        st.markdown(escape_markdown(driver_sentence(sens, "npv")))
        chart(t, "tornado_value")
    st.caption(prose.part("forecast", "drivers"))


def details(t: dict) -> None:
    st.subheader("Item timeline")
    st.caption(prose.part("forecast", "timeline"))
    if t["timeline"].empty:
        st.info("No item was finished in enough futures to draw a timeline.")
    else:
        chart(t, "timeline")
    risks = t["risks"]
    if not risks.empty:
        with st.expander("Risks: how often each one fired"):
            shown = pd.DataFrame(
                {
                    "Risk": risks["risk"],
                    "Fires in": risks["fired"].map(fmt.pct),
                    "P50 delivery when it fires": risks["p50_if_fired"].map(fmt.date),
                    "P50 delivery when it does not": risks["p50_if_not"].map(fmt.date),
                    "Difference (working days)": risks["shift_days"].map(
                        lambda x: fmt.days(x, signed=True)
                    ),
                }
            )
            st.dataframe(shown, hide_index=True, width="stretch")
    # Drawn only while open: a thousand rows cost the first view of the page more than
    # every chart together (docs/explanation/big-runs.md, "A fast first answer").
    futures = st.expander(
        "All simulated futures (table)", key=state.FUTURES_OPEN, on_change="rerun"
    )
    if not futures.open:
        return
    with futures:
        runs = t["runs"]
        st.dataframe(
            t["runs_view"],
            hide_index=True,
            width="stretch",
            height=300,
            column_config=run_column_config(),
        )
        st.caption(
            "Days are working days from the start (day 0); NPV = discounted value "
            "minus discounted cost. The CSV has the engine's columns, unrounded."
        )
        st.download_button(
            "Download as CSV",
            lambda: frame_csv(runs).encode(),  # made when clicked, not on every rerun
            file_name="forecast-runs.csv",
            mime="text/csv",
        )


def main() -> None:
    st.title("Forecast")
    sc = state.scenario()
    if sc is None:
        st.info("Load a scenario on the Scenario page first.")
        return
    st.markdown(prose.part("forecast", "intro"))
    if state.problems():
        st.warning(
            "The Scenario page has problems to fix; this forecast uses the last valid "
            "version of the scenario."
        )
    t = simulate.guarded(lambda: simulate.forecast(sc), "simulation")
    if t is None:
        return
    s = t["summary"]
    runs_text = f"{s['runs']:,} simulated futures"
    if s.get("precision"):
        half = s["precision"].get("p85_half_width_days")
        runs_text += (
            " (automatic: the P85 date is settled)"
            if half is not None and half < 0.05
            else f" (automatic: P85 known to ±{fmt.days(half, working=True)}, 95%)"
        )
    st.caption(
        f"**{escape_markdown(sc.name)}** · {runs_text} · seed {s['seed']} · "
        f"starts {fmt.date(sc.start_date)}"
    )
    report_button.download_report(
        ("forecast", simulate.scenario_key(sc)),
        lambda: report.forecast_report(sc),
        report_button.file_name(sc.name),
        "forecast_report",
        simulates=(sc.simulation.runs, 1),
    )
    note = narrative.undelivered_note(s)
    if note:
        st.warning(note)
    left, right = st.columns(2, gap="large")
    with left, st.container(border=True):
        project_lens(sc, t)
    with right, st.container(border=True):
        product_lens(sc, t)
    drivers(t)
    history_view.second_opinion_block(sc, s)
    details(t)


main()
