"""Big runs: chunk statistics instead of tables, the run limits, the executors.

A run that keeps no table must give the same forecast as one that keeps every
table: means and probabilities exactly, quantiles exactly while a column has
few distinct values and within the stated relative error past that
(``docs/explanation/big-runs.md``).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from simulation import compare, load_scenario, run
from simulation.engine import executors, reduce
from simulation.engine.reduce import QUANTILE_RELATIVE_ERROR, ExactSum, RunStats, Sketch
from simulation.engine.summary import percentile
from simulation.scenario.errors import ScenarioError
from simulation.scenario.schema import MAX_RUNS_NO_TABLES, MAX_RUNS_WITH_TABLES
from tests.helpers import LIBRARY

ALPHA = QUANTILE_RELATIVE_ERROR
#: Paths of the summary that are means or probabilities (must agree exactly).
EXACT_KEYS = [
    ("delivery", "mean_day"),
    ("delivery", "on_time_probability"),
    ("delivery", "delivered_runs"),
    ("delivery", "undelivered_runs"),
    ("cost", "mean"),
    ("value", "value_mean"),
    ("value", "npv_mean"),
    ("value", "roi_mean"),
    ("value", "outcome_probability"),
    ("value", "potential_value"),
]
QUANTILE_KEYS = [
    ("delivery", "p50_day"),
    ("delivery", "p85_day"),
    ("delivery", "p95_day"),
    ("cost", "p50"),
    ("cost", "p85"),
    ("value", "npv_p50"),
    ("value", "first_value_day_p50"),
]


@pytest.fixture(scope="module")
def onboarding():
    """A library scenario whose days, costs and NPVs are all continuous (no ties)."""
    return load_scenario(LIBRARY / "onboarding.yaml")


@pytest.fixture(scope="module")
def pair(onboarding):
    """The same 600 runs with every table and with none."""
    return (
        run(onboarding, runs=600, seed=5, workers=1),
        run(onboarding, runs=600, seed=5, workers=1, tables="none"),
    )


def test_without_tables_the_summary_is_the_same(pair):
    """600 runs of 600 distinct values each stay under the 20,000 values a sketch
    counts one by one, so every number agrees exactly, quantiles included.
    Catches a reduction that drops a chunk, reads the wrong column or
    interpolates a quantile differently from the table's numpy/pandas rule."""
    full, none = pair
    assert none.summary() == full.summary()
    assert none.n_runs == 600


def test_quantiles_from_buckets_are_within_the_stated_error(pair, onboarding, monkeypatch):
    """With the one-by-one limit at 50 values every column goes to buckets; each
    quantile is then within ALPHA of the exact one, relative to the larger of
    the two order statistics it interpolates (|x| <= 1e6 here, so within 100).
    Catches a wrong bucket index (ceil vs floor puts values a bucket off: 2x the
    error) or a rank off by one (the order statistics differ by far more)."""
    monkeypatch.setattr(reduce, "EXACT_VALUES", 50)
    bucketed = run(onboarding, runs=600, seed=5, workers=1, tables="none")
    assert bucketed.stats.sketches["cost"].exact is None, "the limit did not apply"
    full = pair[0].summary()
    got = bucketed.summary()
    r = pair[0].runs
    for section, key in QUANTILE_KEYS:
        col = {"cost": "cost", "value": "npv"}.get(section, "delivery_day")
        if key == "first_value_day_p50":
            col = "first_value_day"
        bound = ALPHA * float(np.nanmax(np.abs(r[col].to_numpy(dtype=float)))) + 1e-4
        assert got[section][key] == pytest.approx(full[section][key], abs=bound), (section, key)
    for section, key in EXACT_KEYS:
        assert got[section][key] == full[section][key], (section, key)


def test_runs_table_only_gives_the_same_runs_and_summary(onboarding, pair):
    """tables='runs' keeps the same runs table (and drawn inputs) but no items or
    weekly table; reading one names the option. Catches a runs table built
    differently per option, or a silent empty table."""
    res = run(onboarding, runs=600, seed=5, workers=1, tables="runs")
    full = pair[0]
    assert res.runs.equals(full.runs)
    assert res.summary() == full.summary()
    assert set(res.inputs) == set(full.inputs)
    with pytest.raises(ScenarioError, match=r"tables='runs'.*weekly"):
        _ = res.weekly
    with pytest.raises(ScenarioError, match="tables"):
        _ = pair[1].runs


def test_the_summary_does_not_depend_on_workers_or_chunk_order(onboarding):
    """The same 600 runs in 3 chunks merged in the order 2, 0, 1 and on two
    worker processes: exact sums and integer counts make every figure identical.
    Catches float sums merged in arrival order (last bits differ by order)."""
    one = run(onboarding, runs=600, seed=5, workers=1, tables="none").summary()
    two = run(onboarding, runs=600, seed=5, workers=2, tables="none").summary()
    assert two == one
    from simulation.engine.chunks import simulate_chunk

    parts = [simulate_chunk(onboarding, 5, a, a + 200, "none") for a in (400, 0, 200)]
    stats = reduce.merged([p["stats"] for p in parts])
    assert stats.n == 600
    assert stats.mean("cost") == pytest.approx(one["cost"]["mean"], abs=1e-4)


def test_exact_sum_is_the_correctly_rounded_mean():
    """1e16, 1 and -1e16 in any order: the exact mean is 1/3; a float sum gives 0
    or 2/3 depending on the order. Catches a plain float accumulation."""
    values = np.array([1e16, 1.0, -1e16, 0.1])
    a, b = ExactSum(values[:2]), ExactSum(values[2:])
    b.merge(a)
    assert b.count == 4
    assert b.total() == sum((Fraction(x) for x in values), Fraction(0))
    assert b.mean() == float(sum((Fraction(x) for x in values), Fraction(0)) / 4)
    assert ExactSum(np.array([np.nan, np.inf])).count == 0


def test_sketch_reads_nan_last_like_the_percentile_rule():
    """Five values and five NaN (never happened): the 40th percentile is the 4th
    smallest (inverted_cdf, rank ceil(10 * 0.4) = 4) and the 60th is never
    (rank 6 is a NaN), as :func:`percentile` reads them. Catches NaN dropped
    instead of ranked last."""
    values = np.array([5.0, 1.0, np.nan, 3.0, np.nan, 2.0, np.nan, 4.0, np.nan, np.nan])
    sk = Sketch.of(values)
    assert sk.quantile(0.4) == percentile(values, 40) == 4.0
    assert math.isinf(sk.quantile(0.6)) and math.isinf(percentile(values, 60))
    assert sk.quantile(0.5, skip_never=True) == 3.0


def test_sketch_buckets_negative_zero_and_positive_values(monkeypatch):
    """-1000, 0 and 1000 through buckets: the median is exactly 0 (its own bucket)
    and the extremes within ALPHA * 1000 = 0.1. Catches a sign lost on the
    negative side or zero put in a bucket."""
    monkeypatch.setattr(reduce, "EXACT_VALUES", 1)
    sk = Sketch.of(np.array([-1000.0, 0.0, 1000.0]))
    assert sk.exact is None
    assert sk.quantile(0.5) == 0.0
    assert sk.quantile(0.0) == pytest.approx(-1000.0, abs=0.1)
    assert sk.quantile(1.0) == pytest.approx(1000.0, abs=0.1)


def test_compare_without_tables_pairs_the_same(onboarding):
    """A variant with one more person, 500 runs: the paired differences from the
    kept per-run columns equal those from the runs tables to the last bit.
    Catches pairing run r of one scenario with another run of the other."""
    from simulation.scenario.changes import SetField

    bigger = SetField(path="team.size", value=onboarding.team.size + 1).apply(onboarding)
    scs = {"base": onboarding, "bigger": bigger}
    full = compare(scs, runs=500, seed=2, workers=1)
    none = compare(scs, runs=500, seed=2, workers=1, tables="none")
    assert none.deltas.equals(full.deltas)
    assert none.summary() == full.summary()


def test_limits_name_the_tables_option(onboarding):
    """100,001 runs with every table is over the 100,000 limit and the message
    names the limit and the tables option; the same count without tables is
    allowed (the check fails before any simulation). Catches the old single
    limit or a message that does not say how to get more runs."""
    over = MAX_RUNS_WITH_TABLES["all"] + 1
    with pytest.raises(ScenarioError, match=r"100,000.*tables='all'.*tables='none'"):
        run(onboarding, runs=over, seed=1)
    with pytest.raises(ScenarioError, match=r"1,000,000.*tables='runs'"):
        run(onboarding, runs=MAX_RUNS_WITH_TABLES["runs"] + 1, seed=1, tables="runs")
    with pytest.raises(ScenarioError, match="10,000,000"):
        run(onboarding, runs=MAX_RUNS_NO_TABLES + 1, seed=1, tables="none")
    with pytest.raises(ScenarioError, match="tables: must be one of all, runs, none"):
        run(onboarding, runs=10, seed=1, tables="some")


def test_small_runs_stay_in_process_and_big_ones_use_the_cores(monkeypatch):
    """1,000 runs of 60 items (60,000 run-items) use the pool only when it is
    already running; 8,000 runs always do (480,000 >= 8 x 60,000), capped by the
    chunks (2 chunks of 250 runs: at most 2 processes). Catches a threshold on
    runs alone or more processes than chunks."""
    monkeypatch.setattr(executors.os, "cpu_count", lambda: 16)
    monkeypatch.setattr(executors, "_POOL", None)
    assert executors.default_workers(1_000, 60) == 1
    assert executors.default_workers(8_000, 60) == 16
    monkeypatch.setattr(executors, "_POOL", object())
    assert executors.default_workers(1_000, 60) == 4
    assert executors.default_workers(999, 60) == 1
    assert executors.default_workers(500, 1_000) == 2


def test_stats_of_a_chunk_count_what_the_table_counts(pair):
    """RunStats of the whole runs table: counts equal the table's sums of the
    yes/no columns. Catches a count of the wrong column."""
    r = pair[0].runs
    st = RunStats.of({k: r[k].to_numpy() for k in r.columns})
    for col in ("delivered", "on_time", "outcome_reached"):
        assert st.counts[col] == int(r[col].sum())
    assert st.n == len(r)


def test_the_command_line_takes_runs_up_to_the_no_table_limit():
    """``--runs`` accepts 200,000 (a forecast keeps no table) and refuses
    10,000,001 naming the limit. Catches the parser still bounded by the
    100,000 runs of a scenario file."""
    import argparse

    from simulation.cli.options import runs_type

    assert runs_type("200000") == 200_000
    with pytest.raises(argparse.ArgumentTypeError, match="10,000,000"):
        runs_type(str(MAX_RUNS_NO_TABLES + 1))


def test_no_pool_process_outlives_the_program(tmp_path):
    """A program that ran on a 2-process pool prints its workers' and their fork
    server's ids and exits; none of them is running half a second later (the
    pool is joined and the server stopped at exit). Catches a shutdown that does
    not wait or leaves the fork server behind."""
    import os
    import subprocess
    import sys
    import time

    from tests.helpers import ROOT

    code = (
        "from simulation import load_scenario, run\n"
        "from simulation.engine import executors\n"
        f"sc = load_scenario({str(LIBRARY / 'onboarding.yaml')!r})\n"
        "run(sc, runs=500, seed=1, workers=2, tables='none')\n"
        "print(' '.join(map(str, [*executors.pool_pids(), executors.forkserver_pid()])))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    pids = [int(p) for p in out.stdout.split()]
    assert len(pids) == 3, out.stdout  # two workers and the server that forked them
    time.sleep(0.5)
    alive = [p for p in pids if os.path.exists(f"/proc/{p}") and _not_zombie(p)]
    assert not alive, f"worker processes {alive} still running after the program exited"


def _not_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as f:
            return "zombie" not in f.read()
    except OSError:
        return False


def test_sensitivity_from_the_runs_table_alone_equals_the_full_one():
    """A scenario with scope creep: the creep-request count per run, which the
    sensitivity used to read from the items table, is kept with the drawn
    inputs when only the runs table is kept; the correlations are the same.
    Catches the creep row missing (or counted differently) without items."""
    sc = load_scenario(LIBRARY / "supply-chain-creep.yaml")
    assert sc.scope.creep is not None
    full = run(sc, runs=300, seed=4, workers=1).sensitivity()
    lean = run(sc, runs=300, seed=4, workers=1, tables="runs").sensitivity()
    assert "Scope-creep requests" in set(full["input"])
    assert lean.equals(full)
