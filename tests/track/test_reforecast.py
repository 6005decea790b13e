"""The re-forecast against hand-worked answers (docs/reference/track.md).

Plans start Monday 2027-01-04; t(D) counts working days from the start to D, both
counted, so Friday 2027-01-08 is t = 5 and the start of Monday 2027-01-11 is 5.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.engine.runner import run
from simulation.scenario.schema import Adoption, parse_scenario
from simulation.track import bass_share, fit_adoption, status_from_data, track


def plan(**overrides):
    data = {
        "name": "tracked",
        "start_date": "2027-01-04",
        "team": {"size": 1, "focus": 1.0},
        "items": [{"id": "a", "effort": 5}],
    }
    data.update(overrides)
    return parse_scenario(data)


def status(sc, **data):
    return status_from_data(data, plan=sc)


def test_serial_fixed_items_are_replayed_after_a_late_first_step():
    """a -> b -> c, 5 person-days each, one person: planned done t = 5, 10, 15.

    The status says a finished on Tue 2027-01-12 (t = 7), as of that day, so b
    runs 7..12 (done Tue 01-19) and c 12..17 (done Tue 01-26) in every run.
    Catches: a done item taking its drawn effort again, or the clock not
    starting at the as-of day (c would end at 15 or 22).
    """
    sc = plan(
        items=[
            {"id": "a", "effort": 5},
            {"id": "b", "effort": 5, "depends_on": ["a"]},
            {"id": "c", "effort": 5, "depends_on": ["b"]},
        ]
    )
    res = track(status(sc, as_of="2027-01-12", items={"a": {"done": "2027-01-12"}}), 20, 1)
    done = res.items.groupby("id", observed=True)["done_day"].agg(["min", "max"])
    assert done.loc["a"].tolist() == [7, 7]
    assert done.loc["b"].tolist() == [12, 12]
    assert done.loc["c"].tolist() == [17, 17]
    assert set(res.runs["delivery_date"].astype(str)) == {"2027-01-26"}
    assert res.as_of.isoformat() == "2027-01-12" and res.done == ["a"]


def test_in_progress_item_draws_its_residual_from_the_conditional_distribution():
    """x ~ uniform(4, 12) started on day 0 with 6 person-days spent, as of Mon 01-11 (t0 = 6).

    E | E > 6 is uniform(6, 12), so the work left R = E - 6 is uniform(0, 6):
    mean 3, P85 = 0.85 x 6 = 5.1; delivery day = 6 + R. With 800 runs the mean's
    standard error is 6/sqrt(12)/sqrt(800) = 0.061 and P85's about 0.076
    (sqrt(.85 x .15 / 800) x 6); tolerances are 4 of those. Runs whose planned
    draw already exceeded 6 keep it exactly (delivery = the plan's day).
    Catches: a residual drawn unconditioned (mean 2.25 with negatives floored),
    or the spent work not subtracted (mean 9).
    """
    sc = plan(items=[{"id": "x", "effort": {"dist": "uniform", "low": 4, "high": 12}}])
    st = status(sc, as_of="2027-01-11", items={"x": {"started": "2027-01-04", "spent": 6}})
    res = track(st, 800, 3)
    rest = res.runs["delivery_day"].to_numpy() - 6
    assert rest.min() > 0
    assert abs(rest.mean() - 3.0) < 4 * 0.061
    assert abs(np.quantile(rest, 0.85) - 5.1) < 4 * 0.076
    planned = run(sc, 800, 3).runs["delivery_day"].to_numpy()
    agree = planned > 6
    np.testing.assert_array_equal(res.runs["delivery_day"].to_numpy()[agree], planned[agree])
    assert res.overrunning == [] and res.in_progress == ["x"]
    started = res.items.loc[res.items["id"] == "x", "start_day"]
    assert set(started) == {0.0}, "the item started on its recorded day, not at t0"


def test_an_overrunning_item_is_named_and_gets_a_quarter_of_a_fresh_draw():
    """x ~ uniform(4, 12) with 12.5 person-days spent: P(E > 12.5) = 0 < 1%.

    As of Tue 2027-01-19 (t0 = 12) the work left is 0.25 x the plan's draw E,
    so delivery = 12 + 0.25 E run by run. Catches: overruns finishing at once
    (delivery 12) or the rejection sampler looping on an impossible condition.
    """
    sc = plan(items=[{"id": "x", "effort": {"dist": "uniform", "low": 4, "high": 12}}])
    st = status(sc, as_of="2027-01-19", items={"x": {"started": "2027-01-04", "spent": 12.5}})
    res = track(st, 200, 5)
    drawn = run(sc, 200, 5).items.set_index("run")["effort"]
    expected = 12 + 0.25 * drawn.to_numpy()
    np.testing.assert_allclose(res.runs["delivery_day"].to_numpy(), expected)
    assert res.overrunning == ["x"]


def risky(window=(0, 20)):
    return plan(
        items=[{"id": "a", "effort": 30}],
        risks=[
            {
                "id": "r",
                "probability": 0.6,
                "window": list(window),
                "impact": {"kind": "blocker", "days": 5},
            }
        ],
    )


def test_a_risk_half_way_through_its_window_fires_with_the_conditional_chance():
    """Blocker p = 0.6, window [0, 20], 5 days; as of Fri 2027-01-15, t0 = 10.

    Not fired by 10: it fires in (10, 20] with 0.6 x 10/20 / (1 - 0.6 x 10/20)
    = 0.3 / 0.7 = 3/7 = 0.4286. The 30-day item runs 10..40, so a firing delays
    it to 45. 1,500 runs: standard error sqrt(3/7 x 4/7 / 1500) = 0.0128, the
    tolerance 4 of them. Catches: the unconditional 0.6, or the remaining
    share alone (0.3).
    """
    res = track(status(risky(), as_of="2027-01-15"), 1500, 7)
    days = res.runs["delivery_day"].to_numpy()
    assert set(np.unique(days)) <= {40.0, 45.0}
    assert abs((days == 45).mean() - 3 / 7) < 4 * 0.0128


def test_a_passed_risk_cannot_fire_and_an_occurred_one_keeps_what_is_left():
    """Same plan as above. ``passed``: delivery 40 in every run.

    ``occurred: 2027-01-15`` (from t = 9) for 5 days blocks until 14, so the
    item runs 14..44: delivery 44 in every run. Catches: a passed risk still
    drawn, or an occurred blocker replayed whole from t0 (45).
    """
    passed = track(status(risky(), as_of="2027-01-15", risks={"r": "passed"}), 100, 7)
    assert set(passed.runs["delivery_day"]) == {40.0}
    hit = {"r": {"occurred": "2027-01-15", "days": 5}}
    occurred = track(status(risky(), as_of="2027-01-15", risks=hit), 100, 7)
    assert set(occurred.runs["delivery_day"]) == {44.0}


def test_realised_value_comes_from_the_measured_shares():
    """a (1000 a week) live Fri 01-08 (t = 5), b (500) live Fri 01-15 (t = 10).

    Week of 01-11 (starts at t = 5): only a is live, 1000 x 0.1 = 100. Week of
    01-18 (starts at 10): both, 1500 x 0.3 = 450. Realised value 550.
    Catches: a share applied to items not yet live (+50), or shares summed
    without the value per week.
    """
    sc = plan(
        team={"size": 2, "focus": 1.0},
        items=[
            {"id": "a", "effort": 5, "value": {"per_week": 1000}},
            {"id": "b", "effort": 10, "value": {"per_week": 500}},
            {"id": "c", "effort": 40},
        ],
    )
    st = status(
        sc,
        as_of="2027-01-19",
        items={"a": {"done": "2027-01-08"}, "b": {"done": "2027-01-15"}},
        adoption=[{"week_of": "2027-01-11", "share": 0.1}, {"week_of": "2027-01-18", "share": 0.3}],
    )
    assert track(st, 20, 1).realised_value == pytest.approx(550.0)


def test_the_fit_recovers_the_curve_the_data_came_from():
    """Shares from Bass p = 0.02, q = 0.45 at weeks 1..8, exactly.

    Least squares from the plan's p = 0.03, q = 0.38 must land on 0.02, 0.45
    (residual 0, so standard errors ~0). A linear ramp of 10 weeks measured at
    weeks 2, 4, 6 is recovered the same way. Catches: a fit that returns its
    starting point, or p and q swapped.
    """
    t = np.arange(1, 9, dtype=float)
    fit = fit_adoption(t, bass_share(t, 0.02, 0.45), Adoption(model="bass", p=0.03, q=0.38))
    assert fit.fitted and fit.model == "bass"
    assert fit.p == pytest.approx(0.02, rel=1e-5) and fit.q == pytest.approx(0.45, rel=1e-5)
    lin = fit_adoption(np.array([2.0, 4, 6]), np.array([0.2, 0.4, 0.6]), Adoption(model="linear"))
    assert lin.weeks == pytest.approx(10.0, rel=1e-4)
    few = fit_adoption(t[:2], bass_share(t[:2], 0.02, 0.45), Adoption(model="bass"))
    assert not few.fitted and few.p == 0.03, "two points keep the plan's curve"


def test_measurements_that_drive_imitation_to_zero_still_reforecast():
    """Full adoption in week 1, then 0.05% and 7% (a typing slip: 300% capped, 0.05 for
    5%): least squares drives q towards 0 (7e-11 was seen), which a scenario refuses
    between 0 and 1e-4. The fit keeps q as the schema takes it (0 here, since p alone
    fits a first-week jump best), and a re-forecast from such a status runs. Catches a
    fitted q handed on unclipped (the page said "failed unexpectedly (ValidationError)")."""
    t = np.array([1.0, 2.0, 3.0])
    fit = fit_adoption(t, np.array([1.0, 0.0005, 0.07]), Adoption(model="bass", p=0.03, q=0.38))
    assert fit.fitted
    assert fit.q == 0.0 or fit.q >= 1e-4, fit.q
    assert 1e-4 <= fit.p <= 1.0
    fit.adoption()  # the schema accepts it
    sc = plan(
        items=[{"id": "a", "effort": 5, "value": {"per_week": 1000}}],
        value={"adoption": {"model": "bass", "p": 0.03, "q": 0.38}, "horizon_weeks": 30},
    )
    st = status(
        sc,
        as_of="2027-02-05",
        items={"a": {"done": "2027-01-08"}},
        adoption=[
            {"week_of": "2027-01-11", "share": 1.0},
            {"week_of": "2027-01-18", "share": 0.0005},
            {"week_of": "2027-01-25", "share": 0.07},
        ],
    )
    res = track(st, 20, 1)
    assert res.adoption_fit.fitted and res.adoption_fit.points == 3


def test_a_status_as_of_the_start_equals_the_plan_number_for_number():
    """As of the start day (t0 = 1) nothing is recorded; discovery takes 3 days.

    No work could have started, the risk's window opens later and the draws are
    the plan's, so every runs and items table entry equals the plan's run with
    the same seed. Catches: any conditioning that redraws agreeing draws, or
    the clock delaying work that the plan starts after t0 anyway.
    """
    sc = plan(
        team={"size": 3, "focus": 0.8},
        items=[
            {
                "id": "a",
                "effort": {"dist": "pert", "low": 3, "mode": 5, "high": 9},
                "value": {"per_week": 1000},
            },
            {"id": "b", "effort": {"dist": "uniform", "low": 2, "high": 6}, "depends_on": ["a"]},
            {"id": "c", "effort": {"dist": "triangular", "low": 4, "mode": 6, "high": 12}},
        ],
        delivery={"approach": "incremental", "release_every_days": 5, "discovery_days": 3},
        iteration={"rework_probability": 0.2, "rework_fraction": 0.3, "misfit_probability": 0.2},
        risks=[
            {
                "id": "r",
                "probability": 0.4,
                "window": [5, 15],
                "impact": {"kind": "blocker", "days": {"dist": "uniform", "low": 1, "high": 4}},
            }
        ],
        value={
            "adoption": {"model": "bass", "p": 0.03, "q": 0.38},
            "horizon_weeks": 30,
            "outcome": {"name": "half the value", "target_fraction": 0.5},
        },
    )
    res = track(status(sc, as_of="2027-01-04"), 300, 11)
    base = run(sc, 300, 11)
    pd.testing.assert_frame_equal(res.runs, base.runs)
    pd.testing.assert_frame_equal(res.items, base.items)
    assert res.since_plan() == {
        "delivery_p85_days": 0.0,
        "npv_mean": 0.0,
        "outcome_probability": 0.0,
    }


def test_each_run_draws_its_adoption_curve_from_the_fit():
    """Two checks of the product lens's per-run curves.

    (1) A fit with zero covariance at the plan's own Bass curve (p 0.03, q 0.38)
    gives every run the plan's curve, so the per-run value pass must return the
    engine's own values (to rounding, rtol 1e-8) and outcome days exactly.
    (2) With standard errors 0.004 and 0.05 and no correlation, 4,000 draws have
    standard deviations within 5% of those (sampling error of an sd ~1.1%).
    Catches: runs matched to the wrong items, or the covariance ignored.
    """
    from dataclasses import fields

    from simulation.engine.results import Results
    from simulation.scenario.calendar import WorkCalendar
    from simulation.scenario.loading import load_scenario
    from simulation.track.adoption import AdoptionFit, draw_parameters
    from simulation.track.forecast import Reforecast, _draw_adoption
    from tests.helpers import LIBRARY

    sc = load_scenario(LIBRARY / "supply-chain.yaml")
    base = run(sc, 250, 4)
    out = Reforecast(**{f.name: getattr(base, f.name) for f in fields(Results)})
    still = AdoptionFit("bass", 0.03, 0.38, points=3, fitted=True, cov=((0.0, 0.0), (0.0, 0.0)))
    _draw_adoption(out, sc, WorkCalendar(sc.calendar, sc.start_date), still, 4)
    np.testing.assert_allclose(out.runs["value"], base.runs["value"], rtol=1e-8)
    np.testing.assert_array_equal(out.runs["outcome_day"], base.runs["outcome_day"])
    spread = AdoptionFit(
        "bass", 0.03, 0.38, points=5, fitted=True, cov=((0.004**2, 0.0), (0.0, 0.05**2))
    )
    z = np.random.default_rng(0).standard_normal((4000, 2))
    curves = draw_parameters(spread, z)
    assert np.std([c.p for c in curves]) == pytest.approx(0.004, rel=0.05)
    assert np.std([c.q for c in curves]) == pytest.approx(0.05, rel=0.05)


def test_cost_to_date_replaces_the_models_cost_so_far():
    """One person at 800 a day; as of Fri 2027-01-08 (t0 = 5) the model's cost so far
    is 1 x 800 x 5 = 4,000. A stated cost_to_date of 10,000 adds 6,000 to every
    run's cost (no discount: rate 0). Catches: the stated cost added on top of the
    model's (+10,000) or ignored.
    """
    sc = plan(
        team={"size": 1, "focus": 1.0, "cost_per_person_day": 800},
        items=[{"id": "a", "effort": {"dist": "uniform", "low": 8, "high": 12}}],
    )
    base = track(status(sc, as_of="2027-01-08"), 50, 2)
    paid = track(status(sc, as_of="2027-01-08", cost_to_date=10_000), 50, 2)
    np.testing.assert_allclose(paid.runs["cost"] - base.runs["cost"], 6_000.0)
    np.testing.assert_allclose(paid.runs["npv"] - base.runs["npv"], -6_000.0)
