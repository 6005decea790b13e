"""What drives it: criticality and sensitivity against cases worked out by hand.

See docs/reference/drivers-and-report.md.

Criticality: the share of futures in which an item lies on the chain that set the
delivery day. Each case below has an analytic answer; the tolerance is four
standard errors of a share over the runs, sqrt(p (1 - p) / n).

Sensitivity: the Spearman rank correlation of each drawn input with delivery
and NPV. Where one input alone sets a lens the correlation is exactly +1 or -1
(a monotone function); where an input cannot matter it is 0 within four
standard errors of a correlation of zero, 1/sqrt(n - 1).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from simulation import run
from simulation.engine.drivers import (
    NOISE_SE,
    critical_jobs,
    driver_sentence,
    input_table,
    released_by,
    spearman,
    top_driver,
)
from tests.helpers import make_scenario

RUNS = 2_000
SEED = 11


def crit(res) -> dict[str, float]:
    c = res.criticality()
    return dict(zip(c["id"], c["criticality"], strict=True))


def near(x: float, p: float, n: int = RUNS) -> bool:
    return abs(x - p) <= 4 * math.sqrt(p * (1 - p) / n) + 1e-12


def sens(res) -> pd.DataFrame:
    return res.sensitivity().set_index("input")


# --------------------------------------------------------------- criticality
def test_two_parallel_items_uniform_against_fixed():
    """a ~ U(2, 12) beside b = 9 (two people): a sets the date when a > 9, P = 3/10."""
    sc = make_scenario(
        team={"size": 2},
        items=[
            {"id": "a", "effort": {"dist": "uniform", "low": 2, "high": 12}},
            {"id": "b", "effort": 9},
        ],
    )
    c = crit(run(sc, runs=RUNS, seed=SEED, workers=1))
    assert near(c["a"], 0.3), f"criticality of the uniform item {c['a']:.3f}, expected 0.3"
    assert c["a"] + c["b"] == pytest.approx(1.0), "exactly one of the two sets each date"


def test_dependent_pair_beside_a_fixed_item():
    """a ~ U(2, 6) then b = 4 (b needs a), beside c = 9: P(a + b > 9) = P(a > 5) = 1/4."""
    sc = make_scenario(
        team={"size": 2},
        items=[
            {"id": "a", "effort": {"dist": "uniform", "low": 2, "high": 6}},
            {"id": "b", "effort": 4, "depends_on": ["a"]},
            {"id": "c", "effort": 9},
        ],
    )
    c = crit(run(sc, runs=RUNS, seed=SEED, workers=1))
    assert near(c["a"], 0.25) and c["a"] == c["b"], f"the pair: {c}"
    assert c["c"] == pytest.approx(1 - c["a"]), f"the fixed item sets the rest: {c}"


def test_dependency_beats_the_person_taken_over():
    """b (needs a ~ U(2, 6)) starts on the person c = 1 freed: its start waited for a, not c.

    c finishes first, so b takes c's person (first free); the chain must still go
    b -> a, never b -> c: c is on no chain at all.
    """
    sc = make_scenario(
        team={"size": 2},
        items=[
            {"id": "a", "effort": {"dist": "uniform", "low": 2, "high": 6}},
            {"id": "b", "effort": 4, "depends_on": ["a"]},
            {"id": "c", "effort": 1},
        ],
    )
    c = crit(run(sc, runs=200, seed=SEED, workers=1))
    assert c == {"a": 1.0, "b": 1.0, "c": 0.0}


def test_one_person_doing_everything_is_one_chain():
    """One person builds every item in turn: every item is on every chain (1.0)."""
    sc = make_scenario(
        team={"size": 1},
        items=[
            {"id": "a", "effort": {"dist": "uniform", "low": 1, "high": 9}},
            {"id": "b", "effort": {"dist": "triangular", "low": 2, "mode": 3, "high": 8}},
            {"id": "c", "effort": 4, "depends_on": ["a"]},
            {"id": "d", "effort": {"dist": "uniform", "low": 1, "high": 2}},
        ],
    )
    c = crit(run(sc, runs=300, seed=SEED, workers=1))
    assert c == {"a": 1.0, "b": 1.0, "c": 1.0, "d": 1.0}


def test_undelivered_run_has_no_chain():
    """A replication that never closed has no delivery day, so nothing is critical."""

    class J:  # the fields critical_jobs reads and writes
        def __init__(self):
            self.scope, self.state, self.live, self.done = True, "done", 3.0, 3.0
            self.deps, self.after, self.critical = (), None, False

    assert critical_jobs([J()], {}, delivered=False) == []
    assert len(critical_jobs([J()], {}, delivered=True)) == 1


def test_criticality_same_in_worker_processes():
    """The chain is recorded per replication: the split over processes cannot change it."""
    sc = make_scenario(
        team={"size": 2},
        items=[
            {"id": "a", "effort": {"dist": "uniform", "low": 2, "high": 12}},
            {"id": "b", "effort": 9},
        ],
    )
    one = run(sc, runs=600, seed=3, workers=1)
    two = run(sc, runs=600, seed=3, workers=2)
    np.testing.assert_array_equal(one.critical, two.critical)
    pd.testing.assert_frame_equal(one.sensitivity(), two.sensitivity())


# --------------------------------------------------------------- sensitivity
def _two_lenses(misfit: float = 0.0):
    """Two people: b ~ U(3, 8) earns 1,000 a week from go-live; a = 20 (no value)
    may need 10 more (risk ``late``, p = 0.5). Nobody is paid (cost 0), so NPV is
    the value: b's effort alone sets it; the risk alone sets the date (20 or 30)."""
    return make_scenario(
        team={"size": 2, "cost_per_person_day": 0},
        items=[
            {
                "id": "b",
                "effort": {"dist": "uniform", "low": 3, "high": 8},
                "value": {"per_week": 1000},
            },
            {"id": "a", "effort": 20},
        ],
        risks=[
            {
                "id": "late",
                "name": "Late vendor",
                "probability": 0.5,
                "impact": {"kind": "extra_work", "items": ["a"], "effort": 10},
            },
            {
                "id": "after",
                "probability": 0.5,
                "window": [400, 500],
                "impact": {"kind": "blocker", "days": 20},
            },
        ],
        iteration={"misfit_probability": misfit, "feedback_lag_days": 2000},
    )


def test_risk_moves_the_date_not_the_value():
    res = run(_two_lenses(), runs=RUNS, seed=SEED, workers=1)
    s = sens(res)
    se = 1 / math.sqrt(RUNS - 1)
    assert s.loc["Risk: Late vendor", "delivery_rho"] == pytest.approx(1.0), (
        "the date is 20 or 30 days exactly as the risk fires or not"
    )
    assert abs(s.loc["Risk: Late vendor", "npv_rho"]) < 4 * se, "the risk cannot move b's value"
    assert s.loc["Effort: b", "npv_rho"] == pytest.approx(-1.0), (
        "more effort on b, later go-live, less value: monotone"
    )
    assert abs(s.loc["Effort: b", "delivery_rho"]) < 4 * se
    # A blocker after closure (day 400+) fires half the time and moves nothing.
    assert abs(s.loc["Risk: after", "delivery_rho"]) < 4 * se
    assert abs(s.loc["Risk: after", "npv_rho"]) < 4 * se
    assert "Effort: a" not in s.index, "a fixed effort is not an uncertain input"
    assert driver_sentence(res.sensitivity(), "delivery").startswith(
        "What moves the date most: whether the risk “Late vendor” fires (rank correlation "
        "+1.00); futures where it fires deliver later."
    )
    assert "the effort of b" in driver_sentence(res.sensitivity(), "npv")
    assert "worth less" in driver_sentence(res.sensitivity(), "npv")


def test_misfit_moves_the_value_not_the_date():
    """Misfits found 2,000 days after go-live: fixed after closure, the date cannot move."""
    res = run(_two_lenses(misfit=0.5), runs=RUNS, seed=SEED, workers=1)
    s = sens(res)
    se = 1 / math.sqrt(RUNS - 1)
    assert s.loc["Misfit: b", "npv_rho"] < -0.5, "a misfit b earns less"
    assert abs(s.loc["Misfit: b", "delivery_rho"]) < 4 * se
    assert abs(s.loc["Misfit: a", "npv_rho"]) < 4 * se, "a has no value to lose"


def test_spearman_by_hand():
    """Ranks by hand: x = (1, 2, 3, 4), y = (1, 3, 2, 4): rho = 1 - 6*2/(4*15) = 0.8."""
    x = pd.DataFrame({"x": [1.0, 2, 3, 4], "flat": [5.0, 5, 5, 5]})
    rho = spearman(x, np.array([1.0, 3, 2, 4]))
    assert rho[0] == pytest.approx(0.8)
    assert math.isnan(rho[1]), "a constant input has no correlation"
    # A future that never delivered (NaN) ranks after every delivered one.
    assert spearman(x[["x"]], np.array([1.0, 2, 3, np.nan]))[0] == pytest.approx(1.0)


def test_creep_count_is_an_input():
    """Scope creep: the number of requests in a run is one input, and more requests are later."""
    sc = make_scenario(
        team={"size": 1},
        items=[{"id": "a", "effort": 20}],
        scope={"creep": {"rate_per_week": 1, "until_day": 15, "effort": 2}},
    )
    s = sens(run(sc, runs=400, seed=SEED, workers=1))
    assert s.loc["Scope-creep requests", "delivery_rho"] == pytest.approx(1.0), (
        "each request adds 2 person-days to a one-person team: delivery is monotone in the count"
    )


# ------------------------------------------------------- joins, ties, undelivered
def test_a_join_is_released_by_the_dependency_that_finished_last():
    """c = 1 needs both a ~ U(2, 12) and b = 9, built in parallel by two people: c
    waits for the later of the two, so a is on the chain when a > 9 (P = 3/10), b
    otherwise (7/10), c always. Largest first: c, b, a. Catches the earliest
    dependency named (a at 7/10) and an order that is not largest first."""
    sc = make_scenario(
        team={"size": 2},
        items=[
            {"id": "a", "effort": {"dist": "uniform", "low": 2, "high": 12}},
            {"id": "b", "effort": 9},
            {"id": "c", "effort": 1, "depends_on": ["a", "b"]},
        ],
    )
    res = run(sc, runs=RUNS, seed=SEED, workers=1)
    c = crit(res)
    assert c["c"] == 1.0, "the last item is on every chain"
    assert near(c["a"], 0.3) and near(c["b"], 0.7), f"the join: {c}"
    assert c["a"] + c["b"] == pytest.approx(1.0), "exactly one dependency released c"
    assert list(res.criticality()["id"]) == ["c", "b", "a"], "largest first"


class _Job:
    """The fields released_by reads."""

    def __init__(self, done: float, deps: tuple[str, ...] = (), after=None):
        self.done, self.deps, self.after, self.state = done, deps, after, "done"


def test_ties_name_the_first_dependency_and_a_dependency_before_the_person():
    """By hand: x and y (both needed) and z (the person's previous item) all finish on
    day 5: the chain names x, the first dependency (a tie is no reason to move on)
    and a dependency before the person (the network is the reason). A later finish
    wins: y on day 6, then z on day 7. Catches ``>=`` in either comparison."""
    x, y, z = _Job(5.0), _Job(5.0), _Job(5.0)
    by_id = {"x": x, "y": y}
    job = _Job(9.0, deps=("x", "y"), after=z)
    assert released_by(job, by_id) is x
    y.done = 6.0
    assert released_by(job, by_id) is y
    z.done = 7.0
    assert released_by(job, by_id) is z
    assert released_by(_Job(1.0), {}) is None, "started by nothing: the chain ends"


def test_undelivered_futures_count_as_zero_of_all_runs():
    """One person builds a ~ U(2, 12), then b = 1 (needs a), and leaves at the end of
    day 8 (a person leaving finishes the item in hand first). b is done iff a <= 8:
    P(delivered) = 6/10; in those futures a and b are on the chain, in the others
    nothing is. Criticality of a and b = 6/10 of ALL runs. Catches a share over the
    delivered runs only (1.0)."""
    sc = make_scenario(
        team={"size": 1, "changes": [{"at_day": 8, "add": -1}]},
        items=[
            {"id": "a", "effort": {"dist": "uniform", "low": 2, "high": 12}},
            {"id": "b", "effort": 1, "depends_on": ["a"]},
        ],
    )
    res = run(sc, runs=RUNS, seed=SEED, workers=1)
    delivered = res.runs["delivered"].mean()
    assert near(delivered, 0.6), f"delivered in {delivered:.3f} of the futures"
    c = crit(res)
    assert c["a"] == c["b"] == pytest.approx(delivered), f"of all runs: {c}"


# ------------------------------------------------------- sensitivity: rework, noise
def test_rework_rounds_are_part_of_the_effort_input():
    """One person, one item of exactly 10 person-days; each round of rework (p = 0.5,
    geometric) adds 50%: the effort input is 10 x (1 + 0.5 K), so it varies although
    the file's effort is fixed, and the date follows it exactly (rho = +1). Catches an
    effort input without the rework rounds (constant, so no input at all)."""
    sc = make_scenario(
        team={"size": 1},
        items=[{"id": "a", "effort": 10}],
        iteration={"rework_probability": 0.5, "rework_fraction": 0.5},
    )
    res = run(sc, runs=400, seed=SEED, workers=1)
    x = input_table(res)["effort:a"].to_numpy()
    rounds = (x / 10 - 1) / 0.5
    np.testing.assert_allclose(rounds, np.round(rounds), atol=1e-9)
    assert set(np.round(rounds)) >= {0, 1, 2}, "geometric rounds: 0, 1, 2, ..."
    np.testing.assert_allclose(res.runs["delivery_day"], x, atol=1e-9)
    assert sens(res).loc["Effort: a", "delivery_rho"] == pytest.approx(1.0)


def test_the_noise_threshold_is_two_standard_errors():
    """docs/reference/drivers-and-report.md: within two standard errors of zero a
    correlation is noise. se = 0.1: 0.19 is noise (no driver, the sentence says so),
    0.21 and -0.25 are drivers. Catches another multiple or ``>`` in place of ``<``."""
    assert NOISE_SE == 2.0

    def table(rho: float) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "input": ["Effort: a"],
                "kind": ["effort"],
                "id": ["a"],
                "name": ["a"],
                "delivery_rho": [rho],
                "npv_rho": [0.0],
                "se": [0.1],
            }
        )

    assert top_driver(table(0.19), "delivery") is None
    assert driver_sentence(table(0.19), "delivery").startswith("No single uncertain input")
    assert top_driver(table(0.21), "delivery")["rho"] == pytest.approx(0.21)
    assert top_driver(table(0.20), "delivery") is not None, "exactly two se is not noise"
    assert driver_sentence(table(-0.25), "delivery") == (
        "What moves the date most: the effort of a (rank correlation -0.25); "
        "futures where it takes more effort deliver earlier."
    )
    assert driver_sentence(table(0.25).assign(npv_rho=[0.5]), "npv") == (
        "What moves the value most: the effort of a (rank correlation +0.50); "
        "futures where it takes more effort are worth more."
    )


# ------------------------------------------------------- criticality: order, edges
def test_ties_keep_the_order_items_first_appear_even_past_a_short_sort():
    """Two people, 40 items in file order c19, s19, c18, s18, ..., c00, s00: c18 needs
    c19 and so on (a chain of 1-day items), each s is 0.05 days and needed by nothing.
    The chain c19..c00 sets the date in every future (criticality 1.0), no s is on it
    (0.0): two 20-way ties. Worked out: c19..c00, then s19..s00, file order within
    each tie; ids run backwards so the alphabetical order differs. Catches a groupby
    that sorts the ids and a sort that is not stable (40 rows scramble ties)."""
    items = []
    for k in range(19, -1, -1):
        chain = {"id": f"c{k:02d}", "effort": 1}
        if k < 19:
            chain["depends_on"] = [f"c{k + 1:02d}"]
        items += [chain, {"id": f"s{k:02d}", "effort": 0.05}]
    res = run(make_scenario(team={"size": 2}, items=items), runs=3, seed=SEED, workers=1)
    c = res.criticality()
    backwards = range(19, -1, -1)
    assert list(c["id"]) == [f"c{k:02d}" for k in backwards] + [f"s{k:02d}" for k in backwards]
    assert list(c["criticality"]) == [1.0] * 20 + [0.0] * 20
    assert list(c.columns) == ["id", "name", "criticality"]


def test_one_run_gives_shares_of_one_and_no_record_gives_an_empty_table():
    """One run of one item: it is on that run's chain, 1 of 1 runs (catches a divisor
    floored at more than one run). Results without the chains recorded give the
    empty table with its columns (catches a check that needs both conditions)."""
    res = run(make_scenario(), runs=1, seed=SEED, workers=1)
    c = res.criticality()
    assert list(c["criticality"]) == [1.0] and list(c["id"]) == ["a"]
    unrecorded = replace(res, critical=None)
    empty = unrecorded.criticality()
    assert empty.empty and list(empty.columns) == ["id", "name", "criticality"]


# ------------------------------------------------------- the top driver in words
def _one_input(rho: float, se: float = 0.1, kind: str = "effort") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "input": ["Effort: Data ingest"],
            "kind": [kind],
            "id": ["ingest"],
            "name": ["Data ingest"],
            "delivery_rho": [rho],
            "npv_rho": [-rho],
            "se": [se],
        }
    )


def test_the_top_driver_is_the_whole_row_of_the_input():
    """Every field a caller reads (the report links the id, the page shows the input)."""
    assert top_driver(_one_input(0.5), "delivery") == {
        "input": "Effort: Data ingest",
        "kind": "effort",
        "id": "ingest",
        "name": "Data ingest",
        "rho": 0.5,
    }
    assert top_driver(_one_input(0.5), "npv")["rho"] == -0.5


def test_no_correlation_at_all_is_no_driver_and_says_so_in_full():
    """A lens whose correlations are all undefined (NaN: the lens never varied) has
    no top driver; the sentence is the documented one, word for word."""
    flat = _one_input(float("nan"))
    assert top_driver(flat, "delivery") is None
    assert driver_sentence(flat, "npv") == (
        "No single uncertain input stands out for the value: none is correlated "
        "beyond the noise of this many runs."
    )
    assert driver_sentence(_one_input(0.4), "npv") == (
        "What moves the value most: the effort of Data ingest (rank correlation -0.40); "
        "futures where it takes more effort are worth less."
    )
    assert driver_sentence(_one_input(-0.4), "delivery") == (
        "What moves the date most: the effort of Data ingest (rank correlation -0.40); "
        "futures where it takes more effort deliver earlier."
    )


# ------------------------------------------------------- the chain, by hand
class _Item(_Job):
    """The fields critical_jobs reads besides released_by's."""

    def __init__(self, done, live=None, deps=(), after=None, scope=True, source="planned"):
        super().__init__(done, deps, after)
        self.live = done if live is None else live
        self.scope, self.source, self.critical = scope, source, False


def test_the_chain_is_returned_last_first_and_found_without_the_shortcut():
    """a (day 2) -> b (day 5, needs a) -> c (day 9, needs b); d (day 12) is not scope
    and e (day 20) is scope but not done. With c given as the last item: [c, b, a].
    Without it (or given a change-control item, which is live when done, not at a
    release) the scope item live last is found: c again, not d nor e. By live day
    first: f live on day 30 though done on day 1 starts the chain over c."""
    a = _Item(2.0)
    b = _Item(5.0, deps=("a",))
    c = _Item(9.0, deps=("b",))
    d = _Item(12.0, scope=False)
    e = _Item(20.0)
    e.state = "active"
    by_id = {"a": a, "b": b, "c": c}
    assert critical_jobs([a, b, c, d, e], by_id, True, last_done=c) == [c, b, a]
    for job in (a, b, c):
        assert job.critical
        job.critical = False
    assert critical_jobs([a, b, c, d, e], by_id, True) == [c, b, a]
    for job in (a, b, c):
        job.critical = False
    cc = _Item(11.0, source="overhead")
    assert critical_jobs([a, b, c, d, e], by_id, True, last_done=cc) == [c, b, a]
    assert not cc.critical
    for job in (a, b, c):
        job.critical = False
    f = _Item(1.0, live=30.0)
    assert critical_jobs([a, b, c, f], by_id, True) == [f]
    assert critical_jobs([a, b, c], by_id, False) == [], "not delivered: no chain"


# ------------------------------------------------------- sensitivity: edges
def test_sensitivity_needs_three_runs_and_gives_the_se_of_those_runs():
    """Two runs are too few (an empty table with its columns); three are enough.
    se = 1 / sqrt(n - 1): 1/sqrt(2) at three runs, 1/sqrt(399) at 400."""
    cols = ["input", "kind", "id", "name", "delivery_rho", "npv_rho", "se"]
    two = run(_two_lenses(), runs=2, seed=SEED, workers=1).sensitivity()
    assert two.empty and list(two.columns) == cols
    three = run(_two_lenses(), runs=3, seed=SEED, workers=1).sensitivity()
    assert not three.empty and list(three.columns) == cols
    assert three["se"].iloc[0] == pytest.approx(1 / math.sqrt(2))
    s = run(_two_lenses(), runs=400, seed=SEED, workers=1).sensitivity()
    assert s["se"].iloc[0] == pytest.approx(1 / math.sqrt(399))
    fixed = run(make_scenario(), runs=5, seed=SEED, workers=1).sensitivity()
    assert fixed.empty and list(fixed.columns) == cols, "nothing varied"


def test_strongest_first_and_an_input_that_moves_neither_lens_last():
    """Fixed efforts, misfits found 2,000 days after go-live: the misfit inputs vary
    but the date never moves (the fixes come after closure), so every delivery
    correlation is undefined (NaN). In the two-lens case the rows run from the
    strongest of the two magnitudes down, the exact ±1 inputs first."""
    sc = make_scenario(
        team={"size": 2, "cost_per_person_day": 0},
        items=[{"id": "a", "effort": 20}, {"id": "x", "effort": 5, "value": {"per_week": 10}}],
        iteration={"misfit_probability": 0.5, "feedback_lag_days": 2000},
    )
    flat = run(sc, runs=200, seed=SEED, workers=1).sensitivity()
    assert flat["delivery_rho"].isna().all(), "the date never moves"
    s = run(_two_lenses(), runs=400, seed=SEED, workers=1).sensitivity()
    strength = np.fmax(s["delivery_rho"].abs(), s["npv_rho"].abs()).fillna(0.0)
    assert list(strength) == sorted(strength, reverse=True), "largest first"
    assert s["input"].iloc[0] in ("Risk: Late vendor", "Effort: b")


def test_input_table_has_a_creep_count_only_with_creep_and_one_per_run():
    """No creep in the file: no creep column. With a low rate (0.2 a week for 15
    days, about 0.6 requests a run) many runs get none; at this seed the last of 38
    runs gets none (runs draw from their own streams, so it is the same run in any
    run count): the count still has one entry per run (padded past the last run
    with a request) and sums to the creep rows of the items table."""
    assert "creep:requests" not in input_table(run(make_scenario(), runs=5, seed=SEED))
    sc = make_scenario(
        team={"size": 1},
        items=[{"id": "a", "effort": 20}],
        scope={"creep": {"rate_per_week": 0.2, "until_day": 15, "effort": 2}},
    )
    res = run(sc, runs=38, seed=SEED, workers=1)
    counts = input_table(res)["creep:requests"]
    assert len(counts) == 38
    assert counts.sum() == (res.items["source"] == "creep").sum()
    assert counts.iloc[-1] == 0, "the last run has no request (the count is padded)"
    s = res.sensitivity().set_index("input")
    assert s.loc["Scope-creep requests", "name"] == "scope creep"
    assert s.loc["Scope-creep requests", "kind"] == "creep"


def test_a_constant_input_warns_nothing():
    """A constant column has no correlation: NaN, silently (no RuntimeWarning on the
    page's log for 0/0)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rho = spearman(pd.DataFrame({"flat": [5.0, 5, 5, 5]}), np.array([1.0, 3, 2, 4]))
    assert math.isnan(rho[0])
