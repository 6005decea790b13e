"""The summary (the CLI's ``--json``) against the tables, computed independently.

Every figure of ``Results.summary()`` and ``Comparison.summary()`` is worked
out here again from the runs table with numpy, so a key that reads the wrong
column, the wrong percentile or nothing at all fails (mutation testing found
such one-line bugs surviving the engine tests).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from simulation import compare, run
from simulation.engine.summary import json_number, percentile
from tests.helpers import make_scenario

R4 = 4  # the summary rounds to four decimals


def weekday_date(start: dt.date, day: float) -> str:
    """The date of working day ``day`` (Mon-Fri, no holidays): day d ends on the
    d-th working day, counted from the start (day 0.5 and day 1 are both day 1)."""
    index = max(math.ceil(day - 1e-9) - 1, 0)
    d = start
    while d.weekday() >= 5:
        d += dt.timedelta(days=1)
    for _ in range(index):
        d += dt.timedelta(days=1)
        while d.weekday() >= 5:
            d += dt.timedelta(days=1)
    return d.isoformat()


def uncertain(size: int = 2, cost: float = 500):
    return make_scenario(
        team={"size": size, "cost_per_person_day": cost},
        items=[
            {
                "id": "a",
                "effort": {"dist": "uniform", "low": 5, "high": 40},
                "value": {"per_week": 1000},
            },
            {
                "id": "b",
                "effort": {"dist": "triangular", "low": 3, "mode": 9, "high": 30},
                "value": {"per_week": 700},
            },
        ],
        deadline="2027-02-15",
        value={
            "horizon_weeks": 30,
            "outcome": {"name": "Most of the run-rate", "target_fraction": 0.8, "by": "2027-02-05"},
        },
    )


def test_every_forecast_figure_equals_the_tables():
    res = run(uncertain(), runs=300, seed=3, workers=1)
    s, r = res.summary(), res.runs
    start = dt.date(2027, 1, 4)
    day = r["delivery_day"].to_numpy()
    assert r["delivered"].all()
    d = s["delivery"]
    for q in (50, 85, 95):
        assert d[f"p{q}_day"] == round(float(np.quantile(day, q / 100)), R4), q
        assert d[f"p{q}_date"] == weekday_date(start, np.quantile(day, q / 100)), q
    assert d["p50_day"] < d["p85_day"] < d["p95_day"], "the spread tells them apart"
    assert d["mean_day"] == round(day.mean(), R4)
    assert d["on_time_probability"] == round(
        float(np.mean([weekday_date(start, x) <= "2027-02-15" for x in day])), R4
    )
    assert 0 < d["on_time_probability"] < 1
    assert d["deadline"] == "2027-02-15"
    assert (d["delivered_runs"], d["undelivered_runs"]) == (300, 0)
    c = s["cost"]
    cost = r["cost"].to_numpy()
    assert c == {
        "mean": round(cost.mean(), R4),
        "p50": round(float(np.quantile(cost, 0.5)), R4),
        "p85": round(float(np.quantile(cost, 0.85)), R4),
    }
    v = s["value"]
    assert v["value_mean"] == round(r["value"].mean(), R4)
    assert v["npv_mean"] == round(r["npv"].mean(), R4)
    assert v["npv_p50"] == round(float(np.quantile(r["npv"], 0.5)), R4)
    assert v["roi_mean"] == round(r["roi"].mean(), R4)
    fv = r["first_value_day"].to_numpy()
    assert v["first_value_day_p50"] == round(float(np.quantile(fv, 0.5)), R4)
    assert v["first_value_date_p50"] == weekday_date(start, np.quantile(fv, 0.5))
    reached = r["outcome_reached"].mean()
    assert v["outcome_probability"] == round(reached, R4) and 0 < reached < 1
    assert (v["outcome"], v["outcome_by"]) == ("Most of the run-rate", "2027-02-05")
    assert v["potential_value"] == round(res.potential_value, R4)
    assert (s["scenario"], s["runs"], s["seed"]) == ("test", 300, 3)
    assert "precision" not in s


def test_runs_that_never_deliver_count_as_later_than_everything():
    """Item a ~ U(1, 10,000) person-days: about 48% of futures pass the 5,200-day
    cap and never deliver. P50 is then an observed day (inverted CDF with the
    undelivered at infinity), P85 and P95 are unknown, the mean is over the
    delivered futures only."""
    sc = make_scenario(items=[{"id": "a", "effort": {"dist": "uniform", "low": 1, "high": 10_000}}])
    res = run(sc, runs=200, seed=8, workers=1)
    d, r = res.summary()["delivery"], res.runs
    day = np.where(r["delivered"], r["delivery_day"], np.inf)
    late = int((~r["delivered"]).sum())
    assert 50 < late < 150, "both kinds of future occur"
    assert d["undelivered_runs"] == late and d["delivered_runs"] == 200 - late
    p50 = float(np.quantile(day, 0.5, method="inverted_cdf"))
    if math.isfinite(p50):
        assert d["p50_day"] == round(p50, R4)
    else:
        assert d["p50_day"] is None
    assert d["p85_day"] is None and d["p95_day"] is None and d["p95_date"] is None
    assert d["mean_day"] == round(float(r.loc[r["delivered"], "delivery_day"].mean()), R4)
    assert d["on_time_probability"] is None, "no deadline: no on-time chance"


def test_percentile_without_missing_values_is_numpys_linear_one():
    v = np.array([1.0, 2.0, 4.0, 8.0])
    assert percentile(v, 50) == 3.0 and percentile(v, 85) == pytest.approx(6.2)
    assert math.isnan(percentile(np.array([]), 50))
    assert percentile(np.array([1.0, np.nan, 3.0]), 50) == 3.0, "NaN sorts after 3"


@pytest.mark.parametrize(
    "x,shown",
    [
        (1.234567, 1.2346),
        (float("nan"), None),
        (float("inf"), None),
        (None, None),
        (-0.00004, -0.0),
    ],
)
def test_json_numbers_are_rounded_and_never_nan(x, shown):
    assert json_number(x) == shown


def test_paired_differences_in_the_summary_equal_the_deltas_table():
    """Variants keep the order they were given in (not alphabetical), and each
    metric's mean, 90% interval and P05/P95 are the table's."""
    base = uncertain()
    faster = uncertain(cost=400)
    slower = uncertain(size=1)
    cmp = compare({"base": base, "zeta": slower, "alpha": faster}, runs=200, seed=4)
    s = cmp.summary()
    assert s["baseline"] == "base"
    assert list(s["paired_differences"]) == ["zeta", "alpha"]
    assert set(s["scenarios"]) == {"base", "zeta", "alpha"}
    for variant, metrics in s["paired_differences"].items():
        table = cmp.deltas[cmp.deltas["variant"] == variant].set_index("metric")
        assert set(metrics) == set(table.index)
        for metric, got in metrics.items():
            row = table.loc[metric]
            assert got == {
                "mean": json_number(row["mean"]),
                "ci90": [json_number(row["ci_low"]), json_number(row["ci_high"])],
                "p05": json_number(row["p05"]),
                "p95": json_number(row["p95"]),
            }, (variant, metric)
    zd = s["paired_differences"]["zeta"]["delivery_day"]
    assert zd["p05"] < zd["mean"] < zd["p95"] and zd["ci90"][0] < zd["ci90"][1]
