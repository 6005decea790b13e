"""Details of the model that one-line bugs would change, each asserted exactly
(worked out by hand where the model allows it)."""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np
import pandas as pd
import pytest

from simulation import compare, run
from tests.helpers import LIBRARY, items, make_scenario


def one_run(**sections: Any) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame]:
    res = run(make_scenario(**sections), runs=1, seed=1, workers=1)
    return res.runs.iloc[0], res.items.set_index("id"), res.weekly


def test_people_added_late_make_delivery_later():
    """Mutant: staffing changes after day 0 ignored. Three ramping, mentored
    newcomers on day 25 slow a 3-person team of 16 items: the whole 90% interval
    of the paired delay lies above 0 (about +16 days), not merely >= 0."""
    from tests.engine.test_behaviour import brooks

    base = make_scenario(
        team={"size": 3}, items=[it.model_dump() for it in brooks(0, 0, 1, 0).items]
    )
    late = brooks(at_day=25, ramp=40, start_p=0.2, mentoring=0.5)
    d = compare({"base": base, "late": late}, runs=300, seed=3).deltas.set_index("metric")
    assert d.loc["delivery_day", "ci_low"] > 5, d.loc["delivery_day"]


def test_stated_p85_precision_matches_repeated_runs():
    """Mutant: 1.959964 replaced by 1.0 in the P85 precision. The stated 95%
    half-width must be about 1.96 x the P85's spread over independent seeds.

    40 seeds x 400 runs of one uniform(0, 100) item; the sd of 40 estimates is
    known to about 11%, so the ratio half-width / (1.96 sd) lies in [0.7, 1.45]
    (the mutant gives about 0.5).
    """
    sc = make_scenario(
        items=[{"id": "a", "effort": {"dist": "uniform", "low": 0, "high": 100}}],
        simulation={"runs": "auto", "seed": 1},
    )
    from simulation.engine.runner import p85_half_width

    p85s, halves = [], []
    for seed in range(40):
        days = run(sc, runs=400, seed=seed, workers=1).runs["delivery_day"].to_numpy()
        p85s.append(np.quantile(days, 0.85))
        halves.append(p85_half_width(days))
    ratio = np.mean(halves) / (1.959964 * np.std(p85s, ddof=1))
    assert 0.7 <= ratio <= 1.45, ratio


def test_capacity_loss_pauses_the_longest_running_item():
    """Mutant: capacity loss takes the shortest item. Two people on 10 and 20 days;
    one leaves on day 4 for 3 days: the 20-day item pauses and ends at 23 (the
    10-day item would have ended at 13 and delivery stayed at 20)."""
    risk = {
        "id": "flu",
        "probability": 1,
        "window": [4, 4],
        "impact": {"kind": "capacity_loss", "people": 1, "days": 3},
    }
    row, it, _ = one_run(team={"size": 2}, items=items(10, 20), risks=[risk])
    assert (it.loc["a", "done_day"], it.loc["b", "done_day"]) == (10, 23)
    assert row["delivery_day"] == 23


def test_misfit_fit_lowers_the_run_rate_until_the_fix():
    """Mutant: misfit fit dropped from the run-rate. a (1,000/week, 5 days) misfits
    with factor 0.25, found 5 days after go-live; the fix (0.5 x 5 days) is live on
    day 12.5. Run-rate at week ends: 250 (day 5 <= t < 12.5), then 1,000."""
    _, it, weekly = one_run(
        items=[{"id": "a", "effort": 5, "value": {"per_week": 1000}}],
        iteration={
            "misfit_probability": 1,
            "misfit_value_factor": 0.25,
            "feedback_lag_days": 5,
            "fix_fraction": 0.5,
        },
        value={"horizon_weeks": 4, "outcome": {"target_fraction": 1.0}},
    )
    assert it.loc["a", "fix_live_day"] == pytest.approx(12.5)
    assert weekly["run_rate"].tolist() == pytest.approx([250, 250, 1000, 1000])


def test_every_deferred_creep_request_is_counted():
    """Mutant: deferred creep not counted. With a freeze on day 0 every creep
    request is deferred; under common random numbers the same requests arrive
    as in the unfrozen twin, where each is added: the counts match run by run."""
    creep = {"rate_per_week": 2, "effort": 1, "until_day": 30}
    base = dict(team={"size": 2}, items=items(30, 30))
    frozen = run(
        make_scenario(**base, scope={"creep": creep, "freeze_day": 0}), runs=60, seed=4, workers=1
    ).runs
    open_ = run(make_scenario(**base, scope={"creep": creep}), runs=60, seed=4, workers=1).runs
    assert open_["items_added"].sum() > 60, "enough requests to tell"
    np.testing.assert_array_equal(frozen["deferred"].to_numpy(), open_["items_added"].to_numpy())


def test_the_scope_line_drops_removed_items():
    """Mutant: the scope line counts removed items. 10 + 10 person-days, b removed
    on day 0: the known scope is 10 person-days at every week end."""
    _, _, weekly = one_run(
        items=items(10, 10),
        scope={"changes": [{"at_day": 0, "remove": ["b"]}]},
        value={"horizon_weeks": 3},
    )
    assert weekly["scope"].tolist() == [10, 10, 10]


def test_paired_p05_and_p95_are_the_5th_and_95th_percentiles():
    """Mutant: p05 reported as the 25th percentile. One person: the paired delay
    is b's effort, uniform(1, 60): p05 about 4, p25 about 16."""
    sc = make_scenario(items=[{"id": "a", "effort": {"dist": "uniform", "low": 1, "high": 30}}])
    more = make_scenario(
        items=[
            {"id": "a", "effort": {"dist": "uniform", "low": 1, "high": 30}},
            {"id": "b", "effort": {"dist": "uniform", "low": 1, "high": 60}},
        ]
    )
    cmp = compare({"base": sc, "more": more}, runs=400, seed=2)
    runs = cmp.runs.pivot(index="run", columns="scenario", values="delivery_day")
    d = (runs["more"] - runs["base"]).to_numpy()
    row = cmp.deltas.set_index("metric").loc["delivery_day"]
    assert row["p05"] == pytest.approx(np.quantile(d, 0.05))
    assert row["p95"] == pytest.approx(np.quantile(d, 0.95))
    assert row["p05"] < np.quantile(d, 0.25) - 1, "p05 and p25 differ on this spread"


def test_fan_quantiles_are_the_named_percentiles():
    """Mutant: a fan quantile off its name. Each column equals numpy's quantile."""
    from simulation.engine.plan import make_calendar
    from simulation.present import fans

    sc = make_scenario(
        team={"size": 2},
        items=[
            {
                "id": "a",
                "effort": {"dist": "uniform", "low": 1, "high": 30},
                "value": {"per_week": 100},
            }
        ],
    )
    res = run(sc, runs=200, seed=3, workers=1)
    fan = fans.fan_table(res.weekly, "cum_value", make_calendar(sc))
    week = 10  # every run live by day 30 < 50: cumulative values spread out
    values = res.weekly.loc[res.weekly["week"] == week, "cum_value"].to_numpy()
    row = fan[fan["week"] == week].iloc[0]
    for name, q in {"p05": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95}.items():
        assert row[name] == pytest.approx(np.quantile(values, q)), name
    assert row["p05"] < row["p25"], "the spread is wide enough to tell them apart"


def test_outcome_target_of_the_library_base_by_hand():
    """supply-chain.yaml: must-have values 3,000 + 5,000 + 2,000 + 2,500 + 1,000
    (ingest, model and access carry none; forecast and mobile are nice-to-haves)
    = 13,500 a week; target 0.7 x 13,500 = 9,450."""
    from simulation import load_scenario
    from simulation.engine.value import planned_run_rate

    sc = load_scenario(LIBRARY / "supply-chain.yaml")
    assert planned_run_rate(sc) * sc.value.outcome.target_fraction == pytest.approx(9450)
    assert not math.isnan(planned_run_rate(sc))


def test_property_tests_are_derandomized_under_ci():
    """Defect: a chance find failed a landing. Under CI the profile is fixed."""
    from hypothesis import settings

    if os.environ.get("CI") and not os.environ.get("HYPOTHESIS_PROFILE"):
        assert settings().derandomize and settings().database is None
    else:
        pytest.skip("only meaningful under CI")
