"""The fans' dates and the report's value fan, against dates worked out on a calendar."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from simulation import run
from simulation.engine.plan import make_calendar
from simulation.present import fans
from simulation.report import document as doc
from tests.helpers import make_scenario


def scenario():
    """Starts Monday 2027-01-04 (a calendar of Monday-Friday, no holidays)."""
    return make_scenario(
        start_date="2027-01-04",
        team={"size": 1},
        items=[
            {
                "id": "a",
                "effort": {"dist": "uniform", "low": 3, "high": 12},
                "value": {"per_week": 100},
            }
        ],
    )


def test_each_week_is_dated_by_the_friday_it_ends():
    """Week 1 is working days 0-4 (Mon 4 to Fri 8 January 2027), so it ends Friday
    8 January; week 2 on Friday 15 January; week 5 on Friday 5 February (by hand on
    a wall calendar). Catches a week number taken as days (week 2 -> Wednesday 6
    January) or divided instead of multiplied by the days per week."""
    cal = make_calendar(scenario())
    got = fans.week_end_dates(cal, np.array([1, 2, 5]))
    assert [d.date() for d in got] == [
        dt.date(2027, 1, 8),
        dt.date(2027, 1, 15),
        dt.date(2027, 2, 5),
    ]


def test_the_reports_value_fan_is_the_pages_with_iso_dates():
    """The report's value chart takes the page's fan of cumulative value: the same
    quantiles per week, and each week's end date written as ISO text (2027-01-08 for
    week 1). Catches the report computing a fan of its own (another band, another
    date), or dates written in another format (a minute for a month: 2027-00-08)."""
    sc = scenario()
    res = run(sc, runs=40, seed=5, workers=1)
    page = fans.fan_table(res.weekly, "cum_value", make_calendar(sc))
    report = doc.value_fan(res)
    assert list(report.columns) == ["date", "p05", "p25", "p50", "p75", "p95"]
    assert report["date"].iloc[0] == "2027-01-08" and report["date"].iloc[1] == "2027-01-15"
    assert list(report["date"]) == list(page["date"].dt.strftime("%Y-%m-%d"))
    pd.testing.assert_frame_equal(report.drop(columns="date"), page.drop(columns=["week", "date"]))
