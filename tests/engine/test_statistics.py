"""The simulator against independent numbers: formulas, textbook networks, an own Monte Carlo.

Tolerances are a few standard errors of the Monte Carlo estimate (stated
beside each assertion); seeds are fixed, so a pass is reproducible.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation import run
from simulation.scenario.distributions import Distribution
from tests.helpers import examples, make_scenario

# A textbook PERT network (activity: low, most likely, high, predecessors).
# Two paths compete: A-B-D-F and A-C-E-F/G, so the finish is a max of sums.
NETWORK = {
    "A": (2, 4, 6, []),
    "B": (3, 5, 9, ["A"]),
    "C": (4, 5, 7, ["A"]),
    "D": (4, 6, 10, ["B"]),
    "E": (4, 5, 7, ["C"]),
    "F": (3, 4, 8, ["D", "E"]),
    "G": (3, 5, 8, ["E"]),
}


def network_scenario(kind: str):
    return make_scenario(
        team={"size": len(NETWORK)},
        items=[
            {"id": k, "effort": {"dist": kind, "low": a, "mode": m, "high": b}, "depends_on": deps}
            for k, (a, m, b, deps) in NETWORK.items()
        ],
    )


def forward_pass(effort: dict[str, np.ndarray]) -> np.ndarray:
    """Earliest finish of the whole network, vectorised over runs (CPM forward pass)."""
    finish: dict[str, np.ndarray] = {}
    for k, (_, _, _, deps) in NETWORK.items():  # NETWORK is in topological order
        start = np.max([finish[d] for d in deps], axis=0) if deps else 0.0
        finish[k] = start + effort[k]
    return np.max(list(finish.values()), axis=0)


def own_monte_carlo(kind: str, n: int) -> np.ndarray:
    """An independent Monte Carlo of the same network with numpy's own samplers."""
    rng = np.random.default_rng(2024)
    effort = {}
    for k, (a, m, b, _) in NETWORK.items():
        if kind == "pert":
            al, be = 1 + 4 * (m - a) / (b - a), 1 + 4 * (b - m) / (b - a)
            effort[k] = a + (b - a) * rng.beta(al, be, n)
        else:
            effort[k] = rng.triangular(a, m, b, n)
    return forward_pass(effort)


@pytest.mark.parametrize("kind", ["pert", "triangular"])
def test_textbook_pert_network_matches_independent_monte_carlo(kind):
    """20,000 runs: mean, P50 and P85 within 0.1 day of an independent Monte Carlo."""
    n = 20_000
    res = run(network_scenario(kind), runs=n, seed=11, workers=2)
    ours = res.runs["delivery_day"].to_numpy()
    theirs = own_monte_carlo(kind, n)
    assert ours.mean() == pytest.approx(theirs.mean(), abs=0.1)
    for q in (0.5, 0.85):
        assert np.quantile(ours, q) == pytest.approx(np.quantile(theirs, q), abs=0.1), f"P{q}"


def test_each_run_equals_its_critical_path():
    """Big team, focus 1: every run's delivery day is the forward pass over its own efforts."""
    res = run(network_scenario("pert"), runs=300, seed=5, workers=1)
    eff = res.items.pivot(index="run", columns="id", values="effort")
    cpm = forward_pass({k: eff[k].to_numpy() for k in NETWORK})
    np.testing.assert_allclose(res.runs["delivery_day"].to_numpy(), cpm, rtol=0, atol=1e-9)


SERIAL = [
    {"dist": "triangular", "low": 2, "mode": 5, "high": 11},
    {"dist": "pert", "low": 1, "mode": 4, "high": 13},
    {"dist": "uniform", "low": 3, "high": 7},
    {"dist": "lognormal", "median": 4, "p90": 9},
    {"dist": "exponential", "mean": 3},
    {"dist": "normal", "mean": 6, "sd": 2},
    {"dist": "empirical", "samples": [2, 3, 3, 5, 8]},
]


def variance(d: Distribution) -> float:
    """Closed-form variances (normal: sd >> truncation here, checked below)."""
    k = d.dist
    if k == "triangular":
        a, c, b = d.low, d.mode, d.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18
    if k == "pert":
        mu = d.expected()
        return (mu - d.low) * (d.high - mu) / 7
    if k == "uniform":
        return (d.high - d.low) ** 2 / 12
    if k == "lognormal":
        s = (math.log(d.p90) - math.log(d.median)) / 1.2815515655446004
        return (math.exp(s * s) - 1) * d.median**2 * math.exp(s * s)
    if k == "exponential":
        return d.mean**2
    if k == "normal":
        return d.sd**2  # P(X < 0) = 0.1%: truncation changes the variance by < 1%
    return float(np.var(d.samples))


def test_serial_chain_mean_and_variance_are_sums():
    """One person, a chain of seven distributions: mean and variance add up."""
    dists = [Distribution.model_validate(d) for d in SERIAL]
    sc = make_scenario(items=[{"id": f"s{i}", "effort": d} for i, d in enumerate(SERIAL)])
    n = 20_000
    day = run(sc, runs=n, seed=3, workers=2).runs["delivery_day"].to_numpy()
    mean = sum(d.expected() for d in dists)
    var = sum(variance(d) for d in dists)
    se_mean = math.sqrt(var / n)
    assert day.mean() == pytest.approx(mean, abs=4 * se_mean)
    assert day.var() == pytest.approx(var, rel=0.06), "variance within 6% (about 4 SE here)"


@pytest.mark.parametrize(
    "spec,q,expected",
    [
        ({"dist": "triangular", "low": 2, "mode": 5, "high": 11}, 0.5, 11 - math.sqrt(0.5 * 9 * 6)),
        ({"dist": "uniform", "low": 3, "high": 7}, 0.25, 4.0),
        ({"dist": "lognormal", "median": 4, "p90": 9}, 0.5, 4.0),
        ({"dist": "lognormal", "median": 4, "p90": 9}, 0.9, 9.0),
        ({"dist": "exponential", "mean": 3}, 0.5, 3 * math.log(2)),
        ({"dist": "normal", "mean": 6, "sd": 2}, 0.5, 6.0),
        ({"dist": "fixed", "value": 4}, 0.5, 4.0),
        ({"dist": "empirical", "samples": [1, 2, 10]}, 0.5, 2.0),
    ],
)
def test_distribution_quantiles(spec, q, expected):
    """Sample quantiles of 200,000 draws match each distribution's formula."""
    d = Distribution.model_validate(spec)
    x = d.sample(np.random.default_rng(7), 200_000)
    assert np.quantile(x, q) == pytest.approx(expected, abs=0.03)


@pytest.mark.parametrize(
    "spec",
    [
        *SERIAL,
        {"dist": "normal", "mean": 1, "sd": 2},  # heavily truncated
        {"dist": "pert", "low": 0, "mode": 0, "high": 6},
    ],
)
def test_distribution_means(spec):
    """Sample means of 200,000 draws match ``expected()`` within 4 standard errors."""
    d = Distribution.model_validate(spec)
    x = d.sample(np.random.default_rng(8), 200_000)
    assert (x >= 0).all()
    assert x.mean() == pytest.approx(d.expected(), abs=4 * x.std() / math.sqrt(len(x)))


def test_rework_expectation():
    """E[effort] = effort x (1 + fraction x p / (1 - p)): 10 x (1 + 0.5 x 0.3 / 0.7) = 12.143."""
    sc = make_scenario(
        items=[{"id": "a", "effort": 10}],
        iteration={"rework_probability": 0.3, "rework_fraction": 0.5},
    )
    day = run(sc, runs=20_000, seed=4, workers=1).runs["delivery_day"]
    sd = 10 * 0.5 * math.sqrt(0.3) / 0.7  # sd of the geometric number of rounds
    expected = 10 * (1 + 0.5 * 0.3 / 0.7)
    assert day.mean() == pytest.approx(expected, abs=4 * sd / math.sqrt(20_000))


def test_blocker_expected_delay():
    """A 20-day item, blocker with p 0.4 striking in [0, 10] for triangular(5, 10, 15) days.

    It always strikes while the item is in progress, so E[delivery] = 20 + 0.4 x 10 = 24.
    """
    sc = make_scenario(
        items=[{"id": "a", "effort": 20}],
        risks=[
            {
                "id": "b",
                "probability": 0.4,
                "window": [0, 10],
                "impact": {
                    "kind": "blocker",
                    "days": {"dist": "triangular", "low": 5, "mode": 10, "high": 15},
                },
            }
        ],
    )
    day = run(sc, runs=20_000, seed=6, workers=1).runs["delivery_day"]
    sd = math.sqrt(0.4 * (25 / 6 + 100) - 16)
    assert day.mean() == pytest.approx(24, abs=4 * sd / math.sqrt(20_000))


def test_scope_creep_is_poisson():
    """Creep at 0.5 a week until day 50 (10 weeks): a Poisson count, mean and variance 5."""
    sc = make_scenario(
        team={"size": 10},
        items=[{"id": "a", "effort": 100}],
        scope={"creep": {"rate_per_week": 0.5, "effort": 1, "until_day": 50}},
    )
    added = run(sc, runs=5_000, seed=9, workers=1).runs["items_added"]
    assert added.mean() == pytest.approx(5, abs=4 * math.sqrt(5 / 5_000))
    assert added.var() == pytest.approx(5, rel=0.1)


@pytest.mark.parametrize(
    "df,expected",
    [(1, 6.3138), (2, 2.9200), (3, 2.3534), (5, 2.0150), (10, 1.8125), (30, 1.6973), (120, 1.6577)],
)
def test_t_quantile_matches_the_textbook_table(df, expected):
    """t(0.95, df) from a printed Student's t table (4 decimals)."""
    from simulation.engine.summary import t95

    assert t95(df) == pytest.approx(expected, rel=6e-4)


def test_paired_interval_is_mean_plus_minus_t_times_standard_error():
    """Three paired runs with differences 1, 2, 6: mean 3, sd sqrt(7), t(0.95, 2) = 2.92."""
    import pandas as pd

    from simulation.engine.summary import DELTA_METRICS, paired_deltas

    base = pd.DataFrame({c: [0.0, 0.0, 0.0] for c in DELTA_METRICS})
    other = base.copy()
    other["delivery_day"] = [1.0, 2.0, 6.0]
    row = next(r for r in paired_deltas(base, other) if r["metric"] == "delivery_day")
    half = 2.919986 * math.sqrt(7) / math.sqrt(3)
    assert row["mean"] == pytest.approx(3.0)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((3 - half, 3 + half), rel=1e-6)


# ------------------------------------------- the critical path, as a property
@st.composite
def networks(draw):
    """A random activity network: items in topological order, each depending on a
    random subset of earlier ones, with fixed or uniform efforts."""
    n = draw(st.integers(1, 12))
    out = []
    for i in range(n):
        deps = sorted(draw(st.sets(st.integers(0, i - 1), max_size=3))) if i else []
        low = draw(st.integers(1, 15))
        effort = draw(
            st.one_of(
                st.just(low),
                st.integers(low + 1, 30).map(
                    lambda h, lo=low: {"dist": "uniform", "low": lo, "high": h}
                ),
            )
        )
        out.append({"id": f"t{i}", "effort": effort, "depends_on": [f"t{d}" for d in deps]})
    return out


@settings(max_examples=examples(60), deadline=None)
@given(networks())
def test_every_run_of_a_random_network_equals_its_forward_pass(net):
    """Enough people, focus 1, continuous delivery: the engine is a CPM network, so
    each run's delivery day equals the forward pass over that run's own efforts
    (earliest finish = max over dependencies' finishes + own effort)."""
    sc = make_scenario(team={"size": len(net)}, items=net)
    res = run(sc, runs=5, seed=7, workers=1)
    eff = res.items.pivot(index="run", columns="id", values="effort")
    finish: dict[str, np.ndarray] = {}
    for it in net:
        start = (
            np.max([finish[d] for d in it["depends_on"]], axis=0)
            if it["depends_on"]
            else np.zeros(len(eff))
        )
        finish[it["id"]] = start + eff[it["id"]].to_numpy()
    expected = np.max(list(finish.values()), axis=0)
    np.testing.assert_allclose(res.runs["delivery_day"].to_numpy(), expected, rtol=0, atol=1e-9)
