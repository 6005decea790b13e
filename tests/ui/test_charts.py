"""Chart builders and the tables behind them: valid Vega-Lite for normal and edge inputs.

Every builder in ``dashboard.charts`` is a pure function ``DataFrame -> alt.Chart``;
``chart.to_dict()`` validates the spec against the Vega-Lite schema, so each test
here proves the chart would render. Edge inputs: one run, one item, no value, no
deadline, nothing delivered (empty tables). The reduction functions in
``dashboard.page_tables`` are checked against the engine's own tables.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest

from dashboard import charts, fmt, narrative, page_tables
from simulation import compare, load_scenario, run
from simulation.present import fans
from tests.helpers import LIBRARY, make_scenario

RUNS = 200


def _spec(chart) -> dict:
    spec = chart.to_dict()
    assert "$schema" in spec, "to_dict() gives a top-level Vega-Lite spec"
    json.dumps(spec)  # serialisable as the browser gets it
    return spec


def _text(spec: dict) -> str:
    return json.dumps(spec)


@pytest.fixture(scope="module")
def supply_chain():
    return load_scenario(LIBRARY / "supply-chain.yaml")


CASES = {
    "library scenario": lambda sc: (sc, RUNS),
    "one run": lambda sc: (sc, 1),
    "one item, no value, no deadline": lambda sc: (make_scenario(), 50),
    "big bang with misfits": lambda sc: (
        make_scenario(
            items=[
                {
                    "id": "a",
                    "effort": {"dist": "uniform", "low": 5, "high": 9},
                    "value": {"per_week": 1000},
                },
                {"id": "b", "effort": 4, "depends_on": ["a"], "value": {"per_week": 500}},
            ],
            delivery={"approach": "big_bang", "hardening_days": 3},
            iteration={"misfit_probability": 0.5},
            deadline="2027-02-01",
            value={"outcome": {"by": "2027-06-30"}},
        ),
        100,
    ),
}


@pytest.fixture(scope="module", params=list(CASES))
def tables(request, supply_chain):
    sc, runs = CASES[request.param](supply_chain)
    return sc, page_tables.forecast_tables(run(sc, runs=runs, seed=7))


# ------------------------------------------------------------ forecast charts
def test_delivery_chart(tables):
    """Histogram plus P50/P85 rules (and the deadline rule only when there is one)."""
    sc, t = tables
    spec = _spec(charts.delivery_chart(t["histogram"], t["markers"]))
    text = _text(spec)
    assert '"label": "P85"' in text, "the P85 rule is drawn"
    assert ('"label": "Deadline"' in text) == (sc.deadline is not None), (
        "a deadline rule exactly when the scenario has a deadline"
    )


def test_burnup_chart(tables):
    sc, t = tables
    spec = _spec(charts.burnup_chart(t["burnup"], sc.deadline))
    assert "scope" in _text(spec), "the scope line is part of the burn-up"


def test_value_and_run_rate_charts(tables):
    sc, t = tables
    by = pd.Timestamp(sc.value.outcome.by) if sc.value.outcome.by else None
    _spec(charts.value_chart(t["value"], by))
    spec = _spec(charts.run_rate_chart(t["run_rate"], t["target"], by))
    assert ("Outcome target" in _text(spec)) == (t["target"] > 0), (
        "the target line is drawn only when must-have items have value"
    )


def test_timeline_chart(tables):
    _sc, t = tables
    tl = t["timeline"]
    spec = _spec(charts.timeline_chart(tl))
    assert "Marker" not in _text(spec), "no rules without markers"
    marked = _spec(charts.timeline_chart(tl, t["markers"]))
    rules = [layer for layer in marked["layer"] if layer.get("mark", {}).get("type") == "rule"]
    assert len(rules) == (1 if len(t["markers"]) else 0), "P50, P85, deadline: one rule layer"
    assert set(tl["source"]) <= set(charts.SOURCE_COLOURS), "every source has a colour"
    assert len(tl) >= 1 and "planned" in set(tl["source"]), "planned items are always shown"
    assert "Source" in _text(spec)


# ------------------------------------------------------------- what-if charts
@pytest.fixture(scope="module")
def comparison(supply_chain):
    bigger = supply_chain.model_copy(
        update={"team": supply_chain.team.model_copy(update={"size": 7, "wip_limit": 7})}
    )
    cmp = compare({"Baseline": supply_chain, "Bigger team": bigger}, runs=RUNS, seed=3)
    return page_tables.comparison_tables(cmp)


def test_comparison_charts(comparison):
    t = comparison
    _spec(charts.cdf_chart(t["cdf"], pd.Timestamp(t["deadline"])))
    _spec(charts.cdf_chart(t["cdf"], None))
    _spec(charts.value_compare_chart(t["value"]))
    for metric in ("delivery_day", "npv"):
        rows = t["deltas"][t["deltas"]["metric"] == metric].assign(metric_label=metric)
        _spec(charts.delta_chart(rows))
    assert set(t["cdf"]["scenario"]) == {"Baseline", "Bigger team"}


def _colour_map(spec: dict, field: str) -> dict[str, str]:
    """Domain -> range of the first colour scale on ``field`` anywhere in a spec."""
    found: list[dict] = []

    def walk(node):
        if isinstance(node, dict):
            enc = node.get("encoding", {}).get("color", {})
            if enc.get("field") == field and "scale" in enc:
                found.append(enc["scale"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(spec)
    assert found, f"no colour scale on {field}"
    return dict(zip(found[0]["domain"], found[0]["range"], strict=True))


def test_each_variant_keeps_its_colour_on_every_comparison_chart(comparison):
    """Baseline near-black; a variant has one colour on the CDF, value and delta charts."""
    t = comparison
    page = charts.comparison_charts(t)
    cdf = _colour_map(_spec(page["cdf"]), "scenario")
    value = _colour_map(_spec(page["value"]), "scenario")
    delta = _colour_map(_spec(page["delivery_day"]), "variant")
    assert cdf == value
    assert cdf["Baseline"] == charts.BASELINE_COLOUR
    assert delta == {"Bigger team": cdf["Bigger team"]} and delta["Bigger team"] != cdf["Baseline"]


def test_comparison_table_has_every_scenario(comparison):
    """Scenarios are rows (six stay readable in the page's width), measures columns,
    cost included (the CLI has it; it was hidden inside NPV)."""
    table = page_tables.comparison_rows(comparison).set_index("Scenario")
    assert list(table.index) == ["Baseline", "Bigger team"]
    assert list(table.columns) == page_tables.COMPARISON_MEASURES
    assert "Cost (mean)" in table.columns
    assert table.loc["Baseline", "Delivery shift (mean)"] == "baseline"
    for measure in ("NPV (mean)", "Cost (mean)"):
        cell = table.loc["Bigger team", measure]
        assert "(" in cell, f"a variant's {measure} cell carries its difference: {cell!r}"
    cost = comparison["summaries"]["Bigger team"]["cost"]["mean"]
    assert table.loc["Bigger team", "Cost (mean)"].startswith(fmt.money(cost)), (
        "the cost is the engine's mean cost"
    )


def test_first_value_shift_is_shown_like_the_delivery_dates(supply_chain):
    """Big bang vs incremental: the first-value row gives the P50 date and its shift in
    working days (as the delivery rows do), then the mean paired difference; the sentence
    says when users first get value and that the date shifts are working days."""
    bang = load_scenario(LIBRARY / "supply-chain-big-bang.yaml")
    t = page_tables.comparison_tables(
        compare({"Incremental": supply_chain, "Big bang": bang}, runs=RUNS, seed=3)
    )
    base, other = (t["summaries"][n]["value"]["first_value_date_p50"] for n in t["names"])
    cal = page_tables.calendar_of(supply_chain)
    shift = page_tables.working_days_between(cal, base, other)
    assert shift > 20, "big bang's first value is weeks later"
    assert t["shifts"]["Big bang"]["first_value"] == shift
    cell = page_tables.comparison_rows(t).set_index("Scenario").loc["Big bang", "First value (P50)"]
    assert cell.startswith(f"{fmt.date(other)} ({fmt.days(shift, signed=True)}; mean +"), cell
    sentence = narrative.delta_sentence(
        "Big bang",
        t["summaries"]["Incremental"],
        t["summaries"]["Big bang"],
        page_tables.delta_lookup(t["deltas"], "Big bang"),
        t["shifts"]["Big bang"],
    )
    assert f"Users first get value {fmt.days(shift, working=True)} later" in sentence, sentence
    assert "working days later" in sentence


# ------------------------------------------------------------------ edge cases
def test_builders_accept_empty_tables():
    """Nothing delivered / nothing to draw: every builder still gives a valid spec."""
    empty_hist = pd.DataFrame(columns=["week_start", "week_end", "runs", "share"])
    empty_markers = pd.DataFrame(columns=["label", "date"])
    empty_fan = pd.DataFrame(columns=[*fans.FAN_COLUMNS, "scope"])
    empty_tl = page_tables.timeline_table(pd.DataFrame(), 0, None)
    _spec(charts.delivery_chart(empty_hist, empty_markers))
    _spec(charts.delivery_chart(empty_hist))
    _spec(charts.burnup_chart(empty_fan))
    _spec(charts.value_chart(empty_fan))
    _spec(charts.run_rate_chart(empty_fan, 0.0))
    _spec(charts.timeline_chart(empty_tl))
    _spec(charts.cdf_chart(page_tables.cdf_table({})))
    _spec(
        charts.value_compare_chart(pd.DataFrame(columns=["scenario", "date", "p25", "p50", "p75"]))
    )
    _spec(
        charts.delta_chart(
            pd.DataFrame(columns=["variant", "mean", "ci_low", "ci_high", "metric_label"])
        )
    )


def test_nothing_delivered_tables():
    """Runs that never delivered are in no histogram bar and in no CDF step."""
    runs = pd.DataFrame(
        {"delivered": [False, False], "delivery_date": pd.to_datetime([pd.NaT, pd.NaT])}
    )
    assert page_tables.delivery_histogram(runs).empty
    assert page_tables.cdf_table({"x": runs}).empty


# ------------------------------------------------------------ analysis tables
@pytest.fixture(scope="module")
def results(supply_chain):
    return run(supply_chain, runs=RUNS, seed=11)


def test_fan_quantiles_are_ordered_and_match_numpy(results):
    cal = page_tables.calendar_of(results.scenario)
    fan = fans.fan_table(results.weekly, "cum_value", cal)
    q = fan[list(fans.FAN_QUANTILES)].to_numpy()
    assert (np.diff(q, axis=1) >= -1e-9).all(), "p05 <= p25 <= p50 <= p75 <= p95 every week"
    week = 30
    values = results.weekly.loc[results.weekly["week"] == week, "cum_value"].to_numpy()
    row = fan[fan["week"] == week].iloc[0]
    assert row["p50"] == pytest.approx(np.quantile(values, 0.5)), "median of the runs"
    assert len(fan) == results.scenario.value.horizon_weeks, "one row per week of the horizon"
    assert fan["date"].is_monotonic_increasing


def test_runs_by_weeks_equals_the_pivot_of_any_weekly_table(results, monkeypatch):
    """The engine's weekly table is reshaped, not pivoted; the grid is the pivot's,
    bit for bit. A table in another order, or with a week missing for one run,
    goes through the pivot (a missing week is NaN). Catches a reshape of a table
    that is not the engine's grid (rows out of order would be silently mixed up)."""
    weekly = results.weekly

    def pivot(table):
        grid = table.pivot(index="run", columns="week", values="cum_value")
        return grid.to_numpy(dtype=float), grid.columns.to_numpy()

    for table in (
        weekly,
        weekly.sample(frac=1.0, random_state=1),  # shuffled rows
        weekly.drop(index=weekly.index[5]),  # run 0 misses a week
        weekly.iloc[::-1],  # runs and weeks descending
    ):
        values, weeks = fans.runs_by_weeks(table, "cum_value")
        expected, expected_weeks = pivot(table)
        np.testing.assert_array_equal(values, expected)
        np.testing.assert_array_equal(weeks, expected_weeks)
    assert np.isnan(fans.runs_by_weeks(weekly.drop(index=weekly.index[5]), "cum_value")[0][0, 5])

    def no_pivot(*_a, **_k):
        raise AssertionError("the engine's weekly table was pivoted")

    monkeypatch.setattr(pd.DataFrame, "pivot", no_pivot)
    fans.runs_by_weeks(weekly, "cum_value")  # reshaped as it is


def test_histogram_shares_sum_to_delivered_share(results):
    hist = page_tables.delivery_histogram(results.runs)
    delivered = results.runs["delivered"].mean()
    assert hist["share"].sum() == pytest.approx(delivered), "every delivered run in one bar"
    assert (hist["week_start"].dt.day_of_week == 0).all(), "bars start on Mondays"


def test_cdf_ends_at_the_delivered_share(results):
    cdf = page_tables.cdf_table({"a": results.runs})
    assert cdf["share"].is_monotonic_increasing
    assert cdf["share"].iloc[-1] == pytest.approx(results.runs["delivered"].mean())


def test_burnup_is_cut_after_the_work_ends(results):
    fan = page_tables.burnup_table(
        results.weekly, results.runs, page_tables.calendar_of(results.scenario)
    )
    assert len(fan) < results.scenario.value.horizon_weeks, "not two flat years"
    assert fan["p95"].iloc[-1] == pytest.approx(fan["p95"].max()), "the build is complete"


def test_timeline_medians_and_shares(results):
    cal = page_tables.calendar_of(results.scenario)
    tl = page_tables.timeline_table(results.items, len(results.runs), cal)
    planned = tl[tl["source"] == "planned"]
    assert len(planned) == len(results.scenario.items), "every planned item has a row"
    ingest = tl[tl["id"] == "ingest"].iloc[0]
    done = results.items[(results.items["id"] == "ingest") & (results.items["state"] == "done")]
    assert ingest["done_day"] == pytest.approx(done["done_day"].median())
    assert (tl["share"] >= page_tables.TIMELINE_MIN_SHARE).all()
    assert tl["label"].is_unique, "repeated names (change control) are numbered"
    assert (tl["bar_end"] > tl["start"]).all(), "every bar has a width"


def test_outcome_target_is_the_engines_when_only_nice_to_haves_carry_value():
    """No must-have has value: the engine counts every item, so must the page.

    The engine reaches the outcome (probability 1.0); the page used to draw the
    target at 0 and show the probability as n/a.
    """
    sc = make_scenario(
        items=[
            {"id": "core", "effort": 5},
            {"id": "extra", "effort": 5, "must_have": False, "value": {"per_week": 1000}},
        ]
    )
    res = run(sc, runs=10, seed=1)
    tables = page_tables.forecast_tables(res)
    assert res.summary()["value"]["outcome_probability"] == 1.0
    assert tables["target"] == pytest.approx(0.8 * 1000), "the engine's target, not 0"


def test_working_days_between_uses_the_calendar(supply_chain):
    cal = page_tables.calendar_of(supply_chain)
    assert page_tables.working_days_between(cal, "2027-01-04", "2027-01-11") == 5, "Mon to Mon"
    assert page_tables.working_days_between(cal, "2027-01-11", "2027-01-04") == -5
    # Good Friday and Easter Monday 2027 are holidays in this scenario's calendar.
    assert page_tables.working_days_between(cal, "2027-03-29", "2027-04-12") == 8
    assert math.isnan(page_tables.working_days_between(cal, None, "2027-01-04"))


# -------------------------------------------------------------- words and units
@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1_036_038.9, "1.04 M"),
        (354_000, "354 k"),
        (1_500, "1.5 k"),
        (900, "900"),
        (-110_182, "-110 k"),
        (float("nan"), "n/a"),
        (2.5e9, "2.50 bn"),
    ],
)
def test_money(value, text):
    assert fmt.money(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.85, "85%"), (0.996, ">99%"), (0.001, "<1%"), (1.0, "100%"), (0.0, "0%"), (None, "n/a")],
)
def test_pct(value, text):
    assert fmt.pct(value) == text


def test_dates_and_days():
    assert fmt.date("2027-05-04") == "4 May 2027"
    assert fmt.date(pd.Timestamp("2027-12-25")) == "25 Dec 2027"
    assert fmt.date(None) == "never"
    assert fmt.days(2.0, signed=True) == "+2 days"
    assert fmt.days(0.0, signed=True) == "±0 days"
    assert fmt.days(1.0) == "1 day"
    assert fmt.points(-0.06) == "-6.0 pp"


def test_project_sentence_reads_the_summary(results):
    s = results.summary()
    text = narrative.project_sentence(s)
    assert text.startswith("In 85 of 100 simulated futures the whole scope is live by")
    assert fmt.date(s["delivery"]["p85_date"]) in text
    assert "deadline" in text


def test_product_sentence_without_value():
    res = run(make_scenario(), runs=20, seed=1)
    assert "no value" in narrative.product_sentence(res.summary()).lower()


def test_undelivered_note_counts_the_runs():
    s = {"runs": 1000, "delivery": {"undelivered_runs": 37}}
    note = narrative.undelivered_note(s)
    assert note is not None and note.startswith("37 of 1,000 simulated futures (4%)")
    assert narrative.undelivered_note({"runs": 10, "delivery": {"undelivered_runs": 0}}) is None


def test_page_chart_bundles_are_valid(tables, comparison):
    """The charts each page caches as specs: all present, all valid Vega-Lite."""
    sc, t = tables
    page = charts.forecast_charts(t, sc.deadline, sc.value.outcome.by)
    assert set(page) == {"delivery", "burnup", "value", "run_rate", "timeline"}
    for chart in page.values():
        _spec(chart)
    what_if = charts.comparison_charts(comparison)
    assert set(what_if) == {"cdf", "value", "delivery_day", "npv"}
    for chart in what_if.values():
        _spec(chart)
    assert set(charts.specs(what_if)) == set(what_if)


def _as_streamlit_draws(spec: dict) -> dict:
    """``spec`` as Streamlit hands it to Vega-Lite: fitted to width and height unless
    the spec sizes itself (``streamlit.elements.vega_charts``, a single or layered view)."""
    return {"autosize": {"type": "fit", "contains": "padding"}, **spec}


def test_page_charts_compile_without_a_vega_lite_warning(tables, comparison, capfd):
    """Every chart of the Forecast and What-if pages compiles as drawn with no warning.

    Catches, without a browser: a per-row ("step") height, which cannot be fitted
    ("Dropping fit-y"); an opacity scale on a nominal field, merged into the colour
    legend with conflicting settings; an order channel on a nominal field.
    """
    import vl_convert

    sc, t = tables
    forecast = charts.specs(charts.forecast_charts(t, sc.deadline, sc.value.outcome.by))
    what_if = charts.specs(charts.comparison_charts(comparison))
    page = {
        **{f"Forecast {k}": v for k, v in (forecast | charts.driver_specs(t)).items()},
        **{f"What-if {k}": v for k, v in what_if.items()},
    }
    capfd.readouterr()
    warned = {}
    for name, spec in page.items():
        vl_convert.vegalite_to_vega(_as_streamlit_draws(spec), show_warnings=True)
        out = capfd.readouterr()
        if "WARN" in out.out + out.err:
            warned[name] = (out.out + out.err).strip()
    assert not warned, warned


# ------------------------------------------------------- readability of the charts
def _layers(spec: dict):
    """Every unit spec (with a mark) inside a layered spec, depth first."""
    for layer in spec.get("layer", []):
        if "layer" in layer:
            yield from _layers(layer)
        else:
            yield layer


def _axis(spec: dict, channel: str) -> dict:
    """The first explicit axis of ``channel`` among the layers."""
    return next(
        u["encoding"][channel]["axis"]
        for u in _layers(spec)
        if "axis" in u.get("encoding", {}).get(channel, {})
    )


def _delta_rows(comparison, metric: str) -> pd.DataFrame:
    return comparison["deltas"][comparison["deltas"]["metric"] == metric].assign(
        metric_label=metric
    )


@pytest.mark.parametrize(
    "rows",
    [
        pd.DataFrame(
            {
                "variant": ["a", "b"],
                "mean": [183_000.0, -106_000.0],
                "ci_low": [181_000.0, -108_000.0],
                "ci_high": [186_000.0, -105_000.0],
            }
        ),
        # All on one side of 0 (the big-bang switch): 0 must still be inside, not on the edge.
        pd.DataFrame({"variant": ["c"], "mean": [-12.2], "ci_low": [-12.6], "ci_high": [-11.8]}),
        pd.DataFrame({"variant": ["d"], "mean": [0.0], "ci_low": [0.0], "ci_high": [0.0]}),
    ],
)
def test_delta_domain_holds_every_interval_end_and_zero_with_room(rows):
    """No dot or interval end on the plot's edge: the domain pads past all of them and 0."""
    spec = _spec(charts.delta_chart(rows.assign(metric_label="Δ"), charts.MONEY_FORMAT))
    lo, hi = next(
        u["encoding"]["x"]["scale"]["domain"]
        for u in _layers(spec)
        if "scale" in u["encoding"].get("x", {})
    )
    ends = [0.0, *rows["mean"], *rows["ci_low"], *rows["ci_high"]]
    assert lo < min(ends) and hi > max(ends), f"[{lo}, {hi}] pads past every end {ends}"


def test_delta_charts_of_a_comparison_hold_their_intervals(comparison):
    for metric, _label, x_format in charts.DELTA_CHARTS:
        rows = _delta_rows(comparison, metric)
        lo, hi = charts.delta_domain(rows)
        assert lo < min(0, rows["ci_low"].min()) and hi > max(0, rows["ci_high"].max()), metric
        _spec(charts.delta_chart(rows, x_format))


CLOSE = pd.DataFrame(
    {
        "label": ["P50", "P85", "Deadline"],
        "date": pd.to_datetime(["2027-05-04", "2027-05-18", "2027-05-14"]),
    }
)


@pytest.mark.parametrize(
    "span",
    [
        (pd.Timestamp("2027-03-01"), pd.Timestamp("2027-08-01")),  # rules left of centre
        (pd.Timestamp("2027-01-01"), pd.Timestamp("2027-05-25")),  # rules at the right
    ],
)
def test_rule_labels_have_their_own_rows_and_no_rule_crosses_a_label(span):
    """Close P50 / Deadline / P85 rules: one label row each, and every rule that runs
    along a label's text side starts below that label."""
    m = charts.rule_layout(CLOSE, span)
    assert m["ytext"].is_unique, "no two labels at the same height"
    assert len(set(m["align"])) == 1
    side = 1 if m["align"].iloc[0] == "left" else -1
    for lab in m.itertuples():
        beside = m[(m["date"] - lab.date).dt.days * side > 0]  # rules under the text
        assert (beside["ytop"] > lab.ytext).all(), (
            f"{list(beside['label'])} cross the text of {lab.label}"
        )
    if span[1].month == 5:
        assert side == -1, "rules near the right end get their text on the left"


def test_delivery_chart_staggers_labels_above_the_bars(tables):
    _sc, t = tables
    spec = _spec(charts.delivery_chart(t["histogram"], t["markers"]))
    ys = [row["ytext"] for rows in spec["datasets"].values() for row in rows if "ytext" in row]
    assert len(ys) == len(t["markers"]) and len(set(ys)) == len(ys), (
        f"one label height per rule: {ys}"
    )
    if len(t["histogram"]):
        top = next(
            u["encoding"]["y"]["scale"]["domain"][1]
            for u in _layers(spec)
            if "scale" in u["encoding"].get("y", {}) and u["encoding"]["y"]["scale"] is not None
        )
        assert top >= charts._head_room(t["histogram"]["share"].max(), len(ys)), (
            "head room keeps the tallest bar below the label rows"
        )


def test_cdf_deadline_label_sits_above_the_100_percent_line(comparison):
    spec = _spec(charts.cdf_chart(comparison["cdf"], pd.Timestamp(comparison["deadline"])))
    y = next(u["encoding"]["y"] for u in _layers(spec) if u["mark"]["type"] == "line")
    assert y["scale"]["domain"][1] > 1.05, "room above 100% for the label"
    assert max(y["axis"]["values"]) == 1.0, "no tick above 100%"


def test_scenario_legends_show_long_names_in_full(comparison):
    """One column, no label limit worth the name: '+2 people on day 20' is never cut."""
    for name in ("cdf", "value"):
        spec = _spec(charts.comparison_charts(comparison)[name])
        legend = next(
            u["encoding"]["color"]["legend"]
            for u in _layers(spec)
            if u["encoding"].get("color", {}).get("field") == "scenario"
        )
        assert legend["columns"] == 1 and legend["labelLimit"] >= 500, name
        assert spec["height"] > charts.HEIGHT, f"{name}: the legend gets its own height"


def test_value_comparison_draws_each_scenarios_middle_50_band(comparison):
    spec = _spec(charts.value_compare_chart(comparison["value"]))
    band = next(u for u in _layers(spec) if u["mark"]["type"] == "area")
    assert band["encoding"]["y"]["field"] == "p25" and band["encoding"]["y2"]["field"] == "p75"
    assert band["encoding"]["color"]["field"] == "scenario", "one band per scenario"
    assert band["mark"]["opacity"] >= 0.2, "light but visible"


def test_money_axes_read_0_at_zero(tables, comparison):
    """'0', not '0k' or '0M': every money axis uses the zero-aware label expression."""
    sc, t = tables
    page = charts.forecast_charts(t, sc.deadline, sc.value.outcome.by)
    what_if = charts.comparison_charts(comparison)
    for chart, channel in (
        (page["value"], "y"),
        (page["run_rate"], "y"),
        (what_if["value"], "y"),
        (what_if["npv"], "x"),
    ):
        axis = _axis(_spec(chart), channel)
        assert axis["labelExpr"] == charts.MONEY_LABEL


@pytest.mark.parametrize(
    ("days", "interval", "step"),
    [
        (28, "week", 1),
        (84, "week", 2),
        (120, "month", 1),
        (250, "month", 2),
        (500, "month", 3),
        (730, "month", 6),
        (3000, "year", 1),
    ],
)
def test_date_axes_show_the_year_where_it_changes(days, interval, step):
    """Month steps divide 12 (so each year's first tick is in January) and that tick,
    like the first one, carries the year; week steps mark the first week(s) of January."""
    span = (pd.Timestamp("2027-01-08"), pd.Timestamp("2027-01-08") + pd.Timedelta(days=days))
    axis = charts._date_axis(span=span).to_dict()
    assert axis["tickCount"] == {"interval": interval, "step": step}
    if interval == "month":
        assert 12 % step == 0 and "month(datum.value) == 0" in axis["labelExpr"]
    elif interval == "week":
        assert f"date(datum.value) <= {7 * step}" in axis["labelExpr"]
    if interval != "year":
        assert "datum.index == 0" in axis["labelExpr"] and "%Y" in axis["labelExpr"]


def test_value_chart_over_two_years_ticks_each_january(tables):
    _sc, t = tables
    spec = _spec(charts.value_chart(t["value"]))
    axis = _axis(spec, "x")
    assert axis["tickCount"]["interval"] == "month" and 12 % axis["tickCount"]["step"] == 0


def test_charts_leave_room_on_the_right_for_the_last_date_label(tables, comparison):
    sc, t = tables
    charts_ = [
        *charts.forecast_charts(t, sc.deadline, sc.value.outcome.by).values(),
        *charts.comparison_charts(comparison).values(),
    ]
    for chart in charts_:
        assert _spec(chart)["padding"]["right"] >= 15


# ------------------------------------------------------------------ runs table
def test_runs_display_is_readable_and_the_raw_table_is_kept(results):
    raw = page_tables.forecast_tables(results)["runs"]
    before = raw.copy()
    shown = page_tables.runs_display(raw)
    assert set(raw.columns) <= set(page_tables.RUN_COLUMNS), (
        "every engine column has a readable header"
    )
    assert not [c for c in shown.columns if "_" in c or c == c.lower()], (
        f"no snake_case headers: {list(shown.columns)}"
    )
    assert len(shown.columns) == len(raw.columns) and len(shown) == len(raw)
    for col in ("Cost", "NPV", "Value (discounted)"):
        assert str(shown[col].dtype) == "Int64", f"{col} in whole units"
    for col in ("Delivery (working day)", "Work done (person-days)"):
        v = shown[col].dropna()
        assert (v == v.round(1)).all(), f"{col} rounded to one decimal"
    assert (shown["ROI"].dropna() == shown["ROI"].dropna().round(2)).all()
    dates = shown["Delivery date"].dropna()
    assert all(type(d) is dt.date for d in dates), "plain dates, no 00:00:00"
    pd.testing.assert_frame_equal(raw, before)  # the CSV download stays raw


def test_forecast_page_shows_the_readable_runs_table():
    """Through the app: the futures table is drawn only once its expander is open
    (the first view of the page sends no thousand rows), and then has readable
    headers; the CSV is the raw one."""
    from streamlit.testing.v1 import AppTest

    from dashboard.state import FUTURES_OPEN
    from tests.helpers import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.number_input(key=f"sc_runs_{at.session_state['editor_version']}").set_value(100).run()
    at.switch_page("dashboard/pages/forecast.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [d for d in at.dataframe if "Future" in d.value.columns], "drawn while closed"
    assert "All simulated futures (table)" in [e.label for e in at.expander]
    at.session_state[FUTURES_OPEN] = True  # the reader opens it
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(d.value for d in at.dataframe if "Future" in d.value.columns)
    assert not [c for c in table.columns if "_" in c], list(table.columns)
    assert "Delivery date" in table.columns and "NPV" in table.columns


def test_charts_avoid_altairs_slow_from_dict_path(tables, comparison, monkeypatch):
    """Every encoding is a channel object, never a shorthand string or a plain dict
    (``alt.value``, ``alt.condition``): Altair wraps those through ``from_dict``, which
    hashes its whole schema each time (about 5 ms a channel; the Forecast page's charts
    took a second to build that way). Building and exporting must not touch it."""
    from altair.utils import schemapi

    def forbidden(*_a, **_k):
        raise AssertionError("a chart builder went through Altair's from_dict")

    monkeypatch.setattr(schemapi._FromDict, "__init__", forbidden)
    sc, t = tables
    charts.specs(charts.forecast_charts(t, sc.deadline, sc.value.outcome.by))
    charts.specs(charts.comparison_charts(comparison))


def test_marker_rules_have_no_empty_text_layer():
    """One marker is labelled on one side only, so the rules chart has the rule and one
    text layer, not an empty second one (an empty layer makes Vega warn "Infinite
    extent for field date" in the browser). Both sides used: two text layers."""
    one = pd.DataFrame({"label": ["P50"], "date": [pd.Timestamp("2027-03-01")]})
    colours = {"P50": "#000000", "P85": "#333333"}
    spec = charts._rules(one, colours, None).to_dict()
    assert len(spec["layer"]) == 2, [list(x) for x in spec["layer"]]
    layout = charts.rule_layout(
        pd.DataFrame(
            {"label": ["P50", "P85"], "date": pd.to_datetime(["2027-03-01", "2027-03-02"])}
        ),
        None,
    )
    both = pd.DataFrame(layout[["label", "date"]])
    sides = set(layout["align"])
    spec = charts._rules(both, colours, None).to_dict()
    assert len(spec["layer"]) == 1 + len(sides)


def test_page_specs_leave_the_vega_lite_version_to_streamlit():
    """Altair writes the v5 schema; Streamlit draws with v6 and the browser warns when
    a spec names another version. The pages' specs name none."""
    c = charts._rules(
        pd.DataFrame({"label": ["P50"], "date": [pd.Timestamp("2027-03-01")]}),
        {"P50": "#000"},
        None,
    )
    assert "$schema" in c.to_dict() and "$schema" not in charts.spec(c)
    assert all("$schema" not in s for s in charts.specs({"a": c}).values())


def test_report_charts_on_the_page_take_the_pages_font():
    """A chart built for the report (Track's trail, the tornadoes) keeps its sizes and
    axis settings on the page but not the report's font: the page's font is used, as in
    its other charts (the trail read in Helvetica beside the page's text). The report's
    own spec keeps the font. Catches the report's font carried onto the page, and the
    rest of the report's config lost with it."""
    from simulation.present.charts import FONT, trail_value_spec

    rows = pd.DataFrame(
        {
            "as_of": ["2027-03-05", "2027-03-12"],
            "npv_mean": [1.0e6, 0.9e6],
            "outcome_probability": [0.5, 0.4],
        }
    )
    report = trail_value_spec(rows)
    page = charts.fit_width(report)
    assert report["config"]["font"] == FONT, "the report keeps its font"
    assert "font" not in page["config"]
    assert page["config"] == {k: v for k, v in report["config"].items() if k != "font"}
    assert page["autosize"] == {"type": "fit-x", "contains": "padding"}


def test_fan_legend_shows_each_band_in_the_shade_it_is_drawn(tables):
    """The fans' legend gives each band its own shade, the one the chart shows.

    Worked by hand for black on white: the 90% band at opacity 0.15 shows
    255 x 0.85 = 216.75 -> #d9d9d9; the 50% band lies over it, so it shows
    1 - 0.85 x 0.7 = 0.405 of the colour: 255 x 0.595 = 151.7 -> #989898. On the
    page the bands are drawn solid in those tints, the 50% band after (over) the 90%
    one. Catches: a legend of three dots in one colour (bands drawn translucent, the
    legend not), tints from the band's own opacity alone (0.3 -> #b3b3b3), or the
    narrow band drawn under the wide one.
    """
    from simulation.present.charts import fan_tints

    assert fan_tints("#000000") == ["#d9d9d9", "#989898"]
    assert fan_tints("#ffffff") == ["#ffffff", "#ffffff"]
    sc, t = tables
    for name in ("burnup", "value"):
        spec = _spec(charts.forecast_charts(t, sc.deadline, sc.value.outcome.by)[name])
        band = next(u for u in _layers(spec) if u["mark"]["type"] == "area")
        colour = band["encoding"]["color"]
        median = colour["scale"]["range"][2]
        assert colour["scale"]["domain"][:2] == ["90% band", "50% band"], name
        assert colour["scale"]["range"][:2] == fan_tints(median), name
        assert "opacity" not in band["encoding"] and "opacity" not in band["mark"], name
        assert colour["legend"]["symbolOpacity"] == 1, name
        data = spec["datasets"][band["data"]["name"]]
        first = [row["series"] for row in data]
        assert first.index("50% band") > first.index("90% band"), name
