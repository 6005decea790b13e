"""The product lens against hand calculations and closed-form results.

A week is 5 working days. An item with value V per week that is live from
day L earns V x (adoption integral) per week; the tests pick live days and
horizons so the arithmetic is easy to follow.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulation import run
from simulation.engine.value import adoption_integral, adoption_level
from simulation.scenario.schema import Adoption
from tests.helpers import items, make_scenario


def one_run(**sections):
    res = run(make_scenario(**sections), runs=1, seed=1, workers=1)
    return res, res.runs.iloc[0]


def valued(effort, per_week, **extra):
    return [{"id": "a", "effort": effort, "value": {"per_week": per_week}, **extra}]


def test_npv_roi_and_cost_instant_adoption_no_discount():
    """Item of 10 days, 1,000/week, horizon 4 weeks (20 days), 100 per person-day.

    Live at day 10: earns 1,000 x (20 - 10) / 5 = 2,000. Cost 10 x 100 = 1,000.
    NPV = 1,000, ROI = 1.
    """
    _, row = one_run(
        team={"size": 1, "cost_per_person_day": 100},
        items=valued(10, 1000),
        value={"horizon_weeks": 4},
    )
    assert row["value"] == pytest.approx(2000)
    assert row["cost"] == pytest.approx(1000)
    assert row["npv"] == pytest.approx(1000)
    assert row["roi"] == pytest.approx(1.0)
    assert row["first_value_day"] == pytest.approx(10)


def test_partial_week_is_counted_exactly():
    """Live at day 7 (inside week 2): earns 1,000 x (20 - 7) / 5 = 2,600 over 4 weeks."""
    _, row = one_run(items=valued(7, 1000), value={"horizon_weeks": 4})
    assert row["value"] == pytest.approx(2600)


def test_discounting_by_week_midpoints():
    """Live at day 0, 8% a year: week w earns 1,000 x 1.08^-((w + 0.5) / 52)."""
    _, row = one_run(
        items=valued(0, 1000), value={"horizon_weeks": 10, "discount_rate_annual": 0.08}
    )
    expected = sum(1000 * 1.08 ** (-(w + 0.5) / 52) for w in range(10))
    assert row["value"] == pytest.approx(expected)


def test_discounted_cost_in_npv():
    """One person for 10 days at 100 a day, 10% a year: weeks 0 and 1 each cost 500 discounted."""
    _, row = one_run(
        team={"size": 1, "cost_per_person_day": 100},
        items=valued(10, 0),
        value={"horizon_weeks": 4, "discount_rate_annual": 0.1},
    )
    expected_cost = 500 * 1.1 ** (-0.5 / 52) + 500 * 1.1 ** (-1.5 / 52)
    assert row["npv"] == pytest.approx(-expected_cost)
    assert row["cost"] == pytest.approx(1000), "the project cost is not discounted"


@pytest.mark.parametrize("date", ["2027-01-18", "2027-01-16", "2027-01-17"])
def test_fixed_date_urgency(date):
    """Value halves from Monday 2027-01-18 (start of week 3): 2 x 1,000 + 2 x 500 = 3,000.

    A date on the weekend before means the same: the change starts with the next
    working day, not the working day before it.
    """
    _, row = one_run(
        items=valued(0, 1000),
        value={
            "horizon_weeks": 4,
            "urgency": {"profile": "fixed_date", "date": date, "value_after": 0.5},
        },
    )
    assert row["value"] == pytest.approx(3000)


def test_fixed_date_before_the_start_applies_throughout():
    """A window that closed before day 0: every week earns value_after (4 x 250)."""
    _, row = one_run(
        items=valued(0, 1000),
        value={
            "horizon_weeks": 4,
            "urgency": {"profile": "fixed_date", "date": "2026-12-01", "value_after": 0.25},
        },
    )
    assert row["value"] == pytest.approx(1000)


def test_decaying_urgency():
    """Half-life 2 weeks over 4 weeks: 1,000 x 2/ln 2 x (1 - 1/4) = 2,164.04."""
    _, row = one_run(
        items=valued(0, 1000),
        value={"horizon_weeks": 4, "urgency": {"profile": "decaying", "half_life_weeks": 2}},
    )
    assert row["value"] == pytest.approx(1000 * 2 / math.log(2) * 0.75)


def test_linear_adoption():
    """Linear over 2 weeks, live at 0, 4 weeks: 1,000 x (1 + 2) = 3,000."""
    _, row = one_run(
        items=valued(0, 1000),
        value={"horizon_weeks": 4, "adoption": {"model": "linear", "weeks": 2}},
    )
    assert row["value"] == pytest.approx(3000)


@pytest.mark.parametrize("p,q", [(0.03, 0.38), (0.1, 0.0), (0.01, 0.5)])
def test_bass_integral_matches_numeric_integration(p, q):
    """The closed-form integral of the Bass curve equals a fine trapezoid sum of F(t)."""
    a = Adoption(model="bass", p=p, q=q)
    t = np.linspace(0, 30, 300_001)
    numeric = np.trapezoid(adoption_level(t, a), t)
    assert adoption_integral(np.array([30.0]), a)[0] == pytest.approx(numeric, rel=1e-7)


def test_bass_outcome_day_matches_closed_form():
    """One item live at day 0. Bass F(t*) = (1 - p/q) / 2 at t* = ln(q/p) / (p + q) weeks.

    With that target the outcome day is the first whole working day >= 5 t*.
    """
    p, q = 0.03, 0.38
    target = (1 - p / q) / 2
    t_star = math.log(q / p) / (p + q)
    _, row = one_run(
        items=valued(0, 1000),
        value={
            "horizon_weeks": 52,
            "adoption": {"model": "bass", "p": p, "q": q},
            "outcome": {"target_fraction": target},
        },
    )
    assert row["outcome_day"] == math.ceil(5 * t_star), f"t* = {5 * t_star:.3f} days"


def test_misfit_value_until_fix_is_live():
    """Misfit factor 0.5: live at 10, fixed at 20 (lag 5, fix 5 days), horizon 10 weeks.

    Weeks 2-4 (days 10-20) earn 500/week, weeks 4-10 earn 1,000: 1,000 + 6,000 = 7,000.
    """
    _, row = one_run(
        items=valued(10, 1000),
        value={"horizon_weeks": 10},
        iteration={
            "misfit_probability": 1,
            "misfit_value_factor": 0.5,
            "feedback_lag_days": 5,
            "fix_fraction": 0.5,
        },
    )
    assert row["value"] == pytest.approx(7000)


def test_worthless_misfit_delays_first_value():
    """With misfit factor 0 nothing is earned until the fix is live (day 20)."""
    _, row = one_run(
        items=valued(10, 1000),
        value={"horizon_weeks": 10},
        iteration={
            "misfit_probability": 1,
            "misfit_value_factor": 0,
            "feedback_lag_days": 5,
            "fix_fraction": 0.5,
        },
    )
    assert row["first_value_day"] == pytest.approx(20)
    assert row["value"] == pytest.approx(6000)


def test_outcome_reached_by_its_date():
    """Two items of 1,000/week done at 10 and 20; target 0.75 of 2,000 needs both: day 20.

    Day 20 is Friday 2027-01-29: reached by 2027-01-29, not by 2027-01-28.
    """
    base = dict(
        items=[
            {"id": "a", "effort": 10, "value": {"per_week": 1000}},
            {"id": "b", "effort": 10, "value": {"per_week": 1000}},
        ]
    )
    _, row = one_run(**base, value={"outcome": {"target_fraction": 0.75, "by": "2027-01-29"}})
    assert row["outcome_day"] == 20
    assert bool(row["outcome_reached"])
    _, row = one_run(**base, value={"outcome": {"target_fraction": 0.75, "by": "2027-01-28"}})
    assert not bool(row["outcome_reached"])


def test_outcome_target_counts_planned_must_haves_only():
    """Target 1.0 of the must-have run-rate (1,000): reached when a is live (10), not b (20)."""
    _, row = one_run(
        items=[
            {"id": "a", "effort": 10, "value": {"per_week": 1000}},
            {"id": "b", "effort": 10, "value": {"per_week": 5000}, "must_have": False},
        ],
        value={"outcome": {"target_fraction": 1.0}},
    )
    assert row["outcome_day"] == 10


def test_weekly_table_burn_up_and_value():
    """Weekly rows: cumulative work done and value earned add up to the run's totals."""
    res, row = one_run(items=items(5, 5, 10), value={"horizon_weeks": 6})
    wk = res.weekly[res.weekly.run == 0]
    assert list(wk["week"]) == [1, 2, 3, 4, 5, 6]
    assert list(wk["work_done"]) == pytest.approx([5, 10, 10, 20, 20, 20])
    assert list(wk["scope"]) == pytest.approx([20] * 6)
    assert wk["value"].sum() == pytest.approx(row["value"])


def test_value_never_exceeds_potential():
    """Potential = every item of the file (planned and scheduled additions) live from day 0
    at full adoption, discounted; no run can beat it, and the formula is that sum."""
    sc = make_scenario(
        team={"size": 2},
        items=[
            {
                "id": f"i{k}",
                "effort": {"dist": "pert", "low": 1, "mode": 3, "high": 9},
                "value": {"per_week": 100 * (k + 1)},
            }
            for k in range(6)
        ],
        scope={
            "changes": [
                {
                    "at_day": 0,
                    "priority": "top",
                    "add": [{"id": "big", "effort": 1, "value": {"per_week": 5000}}],
                }
            ]
        },
        value={
            "horizon_weeks": 20,
            "adoption": {"model": "bass", "p": 0.05, "q": 0.4},
            "discount_rate_annual": 0.05,
        },
    )
    res = run(sc, runs=200, seed=3)
    assert (res.runs["value"] <= res.potential_value + 1e-6).all()
    discount = sum(1.05 ** (-(w + 0.5) / 52) for w in range(20))
    assert res.potential_value == pytest.approx((2100 + 5000) * discount)
    live_rate_cap = sum(100 * (k + 1) for k in range(6)) + 5000
    rate = res.weekly["run_rate"]
    assert (rate >= 0).all() and (rate <= live_rate_cap + 1e-6).all(), (
        "adoption must stay within [0, 1]"
    )


def test_readme_worked_example():
    """The README's worked example: same delivery day, 4,000 less value under big bang.

    A (10 days, 2,000/week) live at day 10, B (10 days, 1,000/week) at day 20, one
    person at 500 a day, 10-week horizon: value 2,000 x 8 + 1,000 x 6 = 22,000,
    cost 20 x 500 = 10,000, NPV 12,000, ROI 1.2. Big bang: both live at day 20:
    value 3,000 x 6 = 18,000, NPV 8,000.
    """
    backlog = [
        {"id": "a", "effort": 10, "value": {"per_week": 2000}},
        {"id": "b", "effort": 10, "value": {"per_week": 1000}},
    ]
    common = dict(
        team={"size": 1, "cost_per_person_day": 500}, items=backlog, value={"horizon_weeks": 10}
    )
    _, cont = one_run(**common)
    _, bang = one_run(**common, delivery={"approach": "big_bang"})
    assert (cont["delivery_day"], bang["delivery_day"]) == (20, 20)
    assert (cont["value"], cont["cost"], cont["npv"], cont["roi"]) == pytest.approx(
        (22_000, 10_000, 12_000, 1.2)
    )
    assert (bang["value"], bang["npv"]) == pytest.approx((18_000, 8_000))


def test_no_valued_plan_means_no_outcome():
    """With no value anywhere in the plan the outcome is undefined: never 'reached on day 0'."""
    res, row = one_run(items=items(5, 5))
    assert math.isnan(row["outcome_day"]) and not bool(row["outcome_reached"])
    assert res.summary()["value"]["outcome_probability"] is None
