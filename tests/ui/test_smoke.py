"""Smoke: the bundled scenario loads and simulates."""

from simulation import load_scenario, run


def test_bundled_scenario_runs(supply_chain_path):
    """The README's example scenario gives a forecast with both lenses."""
    res = run(load_scenario(supply_chain_path), runs=50, seed=1)
    s = res.summary()
    assert s["runs"] == 50
    assert s["delivery"]["p50_day"] > 0, "a real backlog takes time"
    assert s["value"]["npv_mean"] is not None
