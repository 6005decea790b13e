"""Reproducibility, common random numbers, extreme values and direction of change."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation import compare, load_scenario, run
from tests.helpers import make_scenario

BACKLOG = [
    {
        "id": f"i{k}",
        "effort": {"dist": "pert", "low": 2, "mode": 4, "high": 10},
        "value": {"per_week": 500 + 100 * k},
        "depends_on": [f"i{k - 3}"] if k >= 3 else [],
    }
    for k in range(12)
]


def busy(**sections):
    """A stochastic 12-item scenario with dependencies, three people."""
    base = dict(team={"size": 3}, items=BACKLOG, value={"horizon_weeks": 52})
    base.update(sections)
    return make_scenario(**base)


# ------------------------------------------------------------ reproducibility
def test_same_seed_same_tables(supply_chain_path):
    """Two runs with one seed give identical runs, items and weekly tables."""
    sc = load_scenario(supply_chain_path)
    a, b = run(sc, runs=120, seed=5), run(sc, runs=120, seed=5)
    for name in ("runs", "items", "weekly"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    c = run(sc, runs=120, seed=6)
    assert not a.runs["delivery_day"].equals(c.runs["delivery_day"]), "the seed matters"


def test_processes_equal_sequential(supply_chain_path):
    """Three worker processes give exactly the tables of one process (several chunks)."""
    sc = load_scenario(supply_chain_path)
    seq = run(sc, runs=600, seed=2, workers=1)
    par = run(sc, runs=600, seed=2, workers=3)
    for name in ("runs", "items", "weekly"):
        pd.testing.assert_frame_equal(getattr(seq, name), getattr(par, name))


def test_replication_does_not_depend_on_the_number_of_runs(supply_chain_path):
    """The first 300 runs of a 700-run simulation are exactly a 300-run simulation."""
    sc = load_scenario(supply_chain_path)
    short = run(sc, runs=300, seed=9, workers=1).runs
    long = run(sc, runs=700, seed=9, workers=1).runs
    pd.testing.assert_frame_equal(short, long.iloc[:300])


def test_auto_runs_reach_the_precision_target():
    """runs='auto' stops when the P85 half-width is within half a day, and says so."""
    from simulation.engine.runner import AUTO_HALF_WIDTH_DAYS, p85_half_width

    res = run(busy(), runs="auto", seed=1, workers=1)
    assert res.precision["converged"]
    half = p85_half_width(res.runs["delivery_day"].to_numpy())
    assert half <= AUTO_HALF_WIDTH_DAYS
    assert res.n_runs % 1000 == 0 and res.summary()["precision"][
        "p85_half_width_days"
    ] == pytest.approx(half, abs=1e-4)
    if res.n_runs > 1000:
        fewer = res.runs["delivery_day"].to_numpy()[: res.n_runs - 1000]
        assert p85_half_width(fewer) > AUTO_HALF_WIDTH_DAYS, "it stopped at the first success"


def test_p85_half_width_shrinks_like_one_over_root_n():
    """Order-statistic CI of a percentile: 4x the runs, about half the width."""
    from simulation.engine.runner import p85_half_width

    x = np.random.default_rng(1).normal(100, 10, 40_000)
    ratio = p85_half_width(x[:2_500]) / p85_half_width(x)
    assert 3 < ratio < 5.5


def test_run_does_not_mutate_the_scenario(supply_chain_path):
    sc = load_scenario(supply_chain_path)
    before = sc.model_dump()
    run(sc, runs=50, seed=1)
    assert sc.model_dump() == before


def test_adding_an_item_keeps_other_draws():
    """Common random numbers: adding an item leaves every other item's effort draw alone."""
    base = run(busy(), runs=100, seed=3)
    more = run(
        busy(items=[*BACKLOG, {"id": "extra", "effort": {"dist": "uniform", "low": 1, "high": 9}}]),
        runs=100,
        seed=3,
    )
    a = base.items.pivot(index="run", columns="id", values="base_effort")
    b = more.items.pivot(index="run", columns="id", values="base_effort")
    np.testing.assert_array_equal(a.to_numpy(), b[list(a.columns)].to_numpy())


def test_progress_reports_every_run(supply_chain_path):
    seen = []
    run(
        load_scenario(supply_chain_path),
        runs=600,
        seed=1,
        workers=1,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[-1] == (600, 600)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


# ------------------------------------------------------------ extreme values
def test_zero_probability_risks_equal_no_risks():
    risks = [
        {"id": "b", "probability": 0, "window": [0, 20], "impact": {"kind": "blocker", "days": 10}},
        {
            "id": "x",
            "probability": 0,
            "impact": {"kind": "extra_work", "items": ["i0"], "effort": 10},
        },
        {
            "id": "c",
            "probability": 0,
            "window": [0, 20],
            "impact": {"kind": "capacity_loss", "people": 2, "days": 10},
        },
    ]
    a = run(busy(), runs=200, seed=4).runs
    b = run(busy(risks=risks), runs=200, seed=4).runs
    pd.testing.assert_series_equal(a["delivery_day"], b["delivery_day"])
    pd.testing.assert_series_equal(a["npv"], b["npv"])


def test_frozen_scope_ignores_later_changes():
    """Freeze on day 0: additions and creep later change nothing."""
    changes = {
        "changes": [{"at_day": 10, "add": [{"id": "new", "effort": 30}]}],
        "creep": {"rate_per_week": 2, "effort": 3},
    }
    plain = run(busy(), runs=200, seed=4).runs
    frozen = run(busy(scope={**changes, "freeze_day": 0}), runs=200, seed=4).runs
    pd.testing.assert_series_equal(plain["delivery_day"], frozen["delivery_day"])
    assert (frozen["deferred"] > 0).all()


def test_certain_misfits_with_worthless_value_earn_nothing_before_fixes():
    """Misfit factor 0 and misfit probability 1: first value waits for the first fix."""
    res = run(
        busy(
            iteration={"misfit_probability": 1, "misfit_value_factor": 0, "feedback_lag_days": 10}
        ),
        runs=50,
        seed=1,
    )
    fixes = res.items[res.items.source == "fix"].groupby("run")["live_day"].min()
    np.testing.assert_allclose(res.runs["first_value_day"], fixes.to_numpy())


# --------------------------------------------------------- direction of change
def test_more_scope_is_never_earlier():
    """Same seeds, one more item at the end of the backlog: no run delivers earlier."""
    a = run(busy(), runs=300, seed=8).runs["delivery_day"]
    b = run(busy(items=[*BACKLOG, {"id": "more", "effort": 5}]), runs=300, seed=8).runs[
        "delivery_day"
    ]
    assert (b >= a - 1e-9).all()
    assert (b > a).mean() > 0.5


def test_bigger_team_is_earlier_up_to_the_parallelism():
    """Three parallel chains: 3 people beat 2; a 5th person has nothing to work on."""
    days = {
        n: run(busy(team={"size": n}), runs=300, seed=8).runs["delivery_day"] for n in (2, 3, 5)
    }
    assert days[3].mean() < days[2].mean()
    pd.testing.assert_series_equal(days[3], days[5])


MISFITS = {
    "misfit_probability": 0.3,
    "misfit_value_factor": 0.2,
    "feedback_lag_days": 10,
    "fix_fraction": 0.5,
}


def test_big_bang_versus_incremental_two_lenses():
    """Same backlog with misfits. Big bang: later first value and less value by the horizon.

    Incremental fixes misfits before closure, so its closure can be later even though its
    value comes earlier: the two lenses disagree.
    """
    inc = busy(iteration=MISFITS, delivery={"approach": "incremental", "release_every_days": 10})
    bb = busy(iteration=MISFITS, delivery={"approach": "big_bang", "hardening_days": 5})
    cmp = compare({"incremental": inc, "big bang": bb}, runs=400, seed=12)
    d = cmp.deltas.set_index("metric")
    assert d.loc["first_value_day", "ci_low"] > 0, "big bang's first value is later"
    assert d.loc["value", "ci_high"] < 0, "big bang earns less by the horizon"
    runs_inc = cmp.results["incremental"].runs
    items_inc = cmp.results["incremental"].items
    assert (items_inc[(items_inc.source == "fix")]["in_scope"]).any(), (
        "incremental finds misfits before closure and fixes them inside the project"
    )
    assert runs_inc["fixes"].mean() > 0


def test_continuous_earns_no_later_than_incremental():
    """Continuous delivery's first value is never later than incremental's, run by run."""
    cont = run(busy(), runs=300, seed=2).runs["first_value_day"]
    inc = run(
        busy(delivery={"approach": "incremental", "release_every_days": 10}), runs=300, seed=2
    ).runs["first_value_day"]
    assert (cont <= inc + 1e-9).all()


def brooks(at_day, ramp, start_p, mentoring):
    return make_scenario(
        team={
            "size": 3,
            "changes": [
                {
                    "at_day": at_day,
                    "add": 3,
                    "ramp_up_days": ramp,
                    "start_productivity": start_p,
                    "mentoring": mentoring,
                }
            ],
        },
        items=[
            {
                "id": f"c{k}",
                "effort": {"dist": "triangular", "low": 4, "mode": 6, "high": 10},
                "depends_on": [f"c{k - 1}"] if k % 4 else [],
            }
            for k in range(16)
        ],
    )


def test_brooks_law_late_additions_do_not_help():
    """Three people added near the end with a long ramp-up and mentoring: not earlier."""
    base = make_scenario(
        team={"size": 3}, items=[it.model_dump() for it in brooks(0, 0, 1, 0).items]
    )
    late = brooks(at_day=25, ramp=40, start_p=0.2, mentoring=0.5)
    cmp = compare({"base": base, "late": late}, runs=300, seed=3)
    d = cmp.deltas.set_index("metric")
    assert d.loc["delivery_day", "mean"] >= 0, "adding people late does not bring delivery earlier"


def test_brooks_law_early_additions_help():
    base = make_scenario(
        team={"size": 3}, items=[it.model_dump() for it in brooks(0, 0, 1, 0).items]
    )
    early = brooks(at_day=0, ramp=0, start_p=1, mentoring=0)
    cmp = compare({"base": base, "early": early}, runs=300, seed=3)
    assert cmp.deltas.set_index("metric").loc["delivery_day", "ci_high"] < 0


@pytest.mark.parametrize("p", [0.0, 0.2, 0.5])
def test_more_rework_more_effort(p):
    """Expected effort grows with the rework probability (and is exact at p = 0)."""
    res = run(busy(iteration={"rework_probability": p, "rework_fraction": 0.5}), runs=200, seed=1)
    ratio = (res.items["effort"] / res.items["base_effort"]).mean()
    assert ratio == pytest.approx(1 + 0.5 * p / (1 - p), abs=0.08)


def test_creep_follows_the_run_seed():
    """The seed passed to run() drives creep too, not only the scenario file's seed."""
    sc = busy(scope={"creep": {"rate_per_week": 1, "effort": 2, "until_day": 40}})
    a = run(sc, runs=200, seed=1).runs["items_added"]
    b = run(sc, runs=200, seed=2).runs["items_added"]
    assert not a.equals(b)


def test_compare_with_auto_runs_pairs_equal_counts():
    """compare(runs='auto') settles the count on the baseline and uses it for every variant."""
    cmp = compare({"base": busy(), "bigger": busy(team={"size": 2})}, runs="auto", seed=1)
    counts = {name: res.n_runs for name, res in cmp.results.items()}
    assert len(set(counts.values())) == 1, counts
    assert (cmp.deltas["n"] == counts["base"]).all()
