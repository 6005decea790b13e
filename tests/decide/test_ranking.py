"""Decide (docs/reference/decide.md): session files, the ranking, combinations and the best set.

The hand-worked session (``tests/data/hand-session.yaml``) is deterministic: four
serial steps a -> b -> c -> d of exactly 10 person-days, two people at focus 1,
100 per person-day, no risk, no rework, no discount, instant adoption, a
52-week horizon. Every future is the same, so each difference is exact.

Base: a 0-10, b 10-20, c 20-30, d 30-40 (the second person idles): delivery
day 40. Value of an item live on day L worth V a week: V x (52 - L/5).
Value = 100 x (50 + 48 + 46 + 44) = 18,800; cost = 2 x 100 x 40 = 8,000;
NPV = 10,800. The deadline is the end of working day 45: on time.

Candidates, each alone:

* extra (item e, 25 days, 300/week): the idle person builds it on days 0-25,
  live on day 25: + 300 x (52 - 5) = +14,100 value; delivery and cost unchanged.
  Gain, Δ NPV +14,100.
* report (item f, 25 days, 100/week): the same slot: +100 x 47 = +4,700. Gain.
* polish (item g after d, 10 days, 50/week): days 40-50: delivery +10, cost
  +2 x 100 x 10 = +2,000, value +50 x (52 - 10) = +2,100, Δ NPV +100:
  trade-off, value per day 100 / 10 = 10.
* drop-d: delivery 30 (-10), value -100 x 44 = -4,400, cost -2,000:
  Δ NPV -2,400: saving.
* slip (start 5 days later, team paid while waiting): every item 5 days
  (one week) later: value -4 x 100 = -400, cost +2 x 100 x 5 = +1,000:
  Δ NPV -1,400, delivery +5: loss.
* third-person (one more from day 0): a serial chain cannot use them:
  delivery unchanged, cost +100 x 40 = +4,000: Δ NPV -4,000: loss.

Rank: gains by Δ NPV (extra 1, report 2), trade-off (polish 3), saving
(drop-d 4), losses by Δ NPV (slip 5, third-person 6).

Combination extra + report: both compete for the one idle person. e on days
0-25; f waits for that person (the other is on b, c, d) and runs 25-50, live
on day 50: delivery 50 (+10 against the sum of singles' 0), cost +2,000,
value +14,100 + 100 x (52 - 10) = +18,300, Δ NPV +16,300. Interaction:
delivery +10, value 18,300 - 18,800 = -500, cost +2,000, NPV -2,500.

Best set (on-time probability >= 0.7): extra first (+14,100). Then extra +
report (+16,300) and extra + polish finish on day 50, after the deadline; every
other addition lowers NPV: the best set stops at {extra}. Without the
constraint it goes on (see the test below).
"""

from __future__ import annotations

import importlib
import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
import yaml

from simulation import ScenarioError, load_scenario, run
from simulation.decide.prioritise import prioritise, rank_keys
from simulation.decide.sessions import load_session, parse_session, session_data, session_files
from simulation.engine import runner as runner_module
from tests.helpers import LIBRARY, ROOT

DATA = ROOT / "tests" / "data"
#: The module (``simulation.decide.prioritise`` the attribute is the function).
prioritise_module = importlib.import_module("simulation.decide.prioritise")
HAND = DATA / "hand-session.yaml"
RUNS = 20  # every future of the hand-worked session is identical
SEED = 3


@pytest.fixture(scope="module")
def hand():
    return prioritise(load_session(HAND), runs=RUNS, seed=SEED, workers=1)


def row(table, cid):
    return table.set_index("candidate").loc[cid]


# ------------------------------------------------------------------ ranking
def test_hand_worked_ranking_matches_to_the_unit(hand):
    """Every candidate's Δ delivery, Δ cost, Δ NPV, verdict and rank as worked out above."""
    base = hand.base.runs.iloc[0]
    assert (base.delivery_day, base.cost, base.value, base.npv) == (40, 8000, 18800, 10800)
    expected = {  # id: (rank, verdict, Δ delivery, Δ cost, Δ NPV, value per day)
        "extra": (1, "gain", 0, 0, 14100, None),
        "report": (2, "gain", 0, 0, 4700, None),
        "polish": (3, "trade-off", 10, 2000, 100, 10),
        "drop-d": (4, "saving", -10, -2000, -2400, None),
        "slip": (5, "loss", 5, 1000, -1400, -280),
        "third-person": (6, "loss", 0, 4000, -4000, None),
    }
    t = hand.table
    assert list(t["candidate"]) == list(expected), "sorted by rank"
    for cid, (rank, verdict, dday, dcost, dnpv, vpd) in expected.items():
        r = row(t, cid)
        assert (r["rank"], r.verdict) == (rank, verdict), cid
        assert r.delivery_days == pytest.approx(dday, abs=1e-9), cid
        assert r.cost == pytest.approx(dcost, abs=1e-6), cid
        assert r.npv == pytest.approx(dnpv, abs=1e-6), cid
        # identical futures: the 90% interval collapses onto the mean
        assert r.npv_low == pytest.approx(dnpv, abs=1e-6) and r.npv_high == pytest.approx(
            dnpv, abs=1e-6
        ), cid
        assert r.delivery_days_low == pytest.approx(dday, abs=1e-9), cid
        if vpd is None:
            assert np.isnan(r.value_per_day), cid
        else:
            assert r.value_per_day == pytest.approx(vpd), cid
    assert row(t, "polish").on_time == -1, "day 50 is after the deadline (day 45)"
    assert row(t, "drop-d").outcome == -1, "300 of 400 a week is below the 80% target"
    assert row(t, "slip").first_value_days == 5
    # identical futures: each candidate ranks above the next in every one of them
    assert list(t["rank_confidence"][:-1]) == [1.0] * 5
    assert np.isnan(t["rank_confidence"].iloc[-1]), "the last one has no lower neighbour"


def test_hand_worked_combination_and_interaction(hand):
    """extra + report compete for the idle person: +10 days that neither causes alone."""
    c = hand.combine(["report", "extra"])
    assert c.ids == ["extra", "report"], "applied in file order"
    assert c.delta("delivery_day") == pytest.approx(10)
    assert c.delta("cost") == pytest.approx(2000)
    assert c.delta("value") == pytest.approx(18300)
    assert c.delta("npv") == pytest.approx(16300)
    assert c.singles["npv"] == pytest.approx(14100 + 4700)
    assert c.interaction["delivery_day"] == pytest.approx(10)
    assert c.interaction["value"] == pytest.approx(-500)
    assert c.interaction["npv"] == pytest.approx(-2500)
    versus = c.versus.set_index(["candidate", "metric"])["mean"]
    assert versus[("extra", "npv")] == pytest.approx(16300 - 14100)
    assert versus[("report", "npv")] == pytest.approx(16300 - 4700)
    out = c.summary()
    assert out["deltas"]["npv"] == {"mean": 16300.0, "ci90": [16300.0, 16300.0]}
    assert out["interaction"]["delivery_day"] == 10.0


def test_hand_worked_best_set_stops_at_the_deadline(hand):
    steps = hand.best_set()
    assert [s["ids"] for s in steps] == [[], ["extra"]]
    assert steps[1]["npv"] == pytest.approx(14100) and steps[1]["delivery_days"] == 0
    assert steps[1]["on_time_probability"] == 1.0


def test_best_set_without_constraint_takes_every_addition_that_pays(tmp_path):
    """No constraint: extra (+14,100); then report (+16,300 together, above); then
    polish, which is now free: the set already runs to day 50 (f on days 25-50), so
    g (days 40-50, after d) costs no extra day and adds 50 x (52 - 10) = +2,100:
    18,400. Then nothing raises NPV: drop-d loses d (and g, which needs it),
    slip costs 2,050 net, a third person (builds f on days 0-25: delivery 40)
    costs 4,000 and gains f's earlier value but not g's."""
    data = yaml.safe_load(HAND.read_text())
    data.pop("constraint")
    shutil.copy(DATA / "hand-base.yaml", tmp_path / "hand-base.yaml")
    ses = parse_session(data, "free.yaml", tmp_path)
    steps = prioritise(ses, runs=RUNS, seed=SEED, workers=1).best_set()
    assert [s["ids"] for s in steps] == [
        [],
        ["extra"],
        ["extra", "report"],
        ["extra", "report", "polish"],
    ]
    assert [s["npv"] for s in steps] == pytest.approx([0, 14100, 16300, 18400])
    assert [s["delivery_days"] for s in steps] == pytest.approx([0, 0, 10, 10])


def test_base_is_simulated_once_and_shared(monkeypatch):
    """One run per scenario: the base once, then each candidate once."""
    calls = []
    real = runner_module.run

    def counting(sc, *a, **k):
        calls.append(sc.name)
        return real(sc, *a, **k)

    monkeypatch.setattr(runner_module, "run", counting)
    ses = load_session(HAND)
    pr = prioritise(ses, runs=RUNS, seed=SEED, workers=1)
    assert len(calls) == 1 + len(ses.candidates)
    assert calls.count(ses.base.name) == 1
    assert pr.base.runs.equals(real(ses.base, runs=RUNS, seed=SEED, workers=1).runs)


def test_library_session_under_uncertainty_is_paired_and_consistent():
    """A real session at 300 runs: verdicts agree with the signs, intervals hold the
    means, ranks follow the rule, and the numbers equal a plain paired comparison."""
    ses = load_session(LIBRARY / "sessions" / "supply-chain-q2.yaml")
    pr = prioritise(ses, runs=300, seed=7)
    t = pr.table
    assert sorted(t["rank"]) == list(range(1, len(ses.candidates) + 1))
    g, m = rank_keys(t["delivery_days"].to_numpy(), t["npv"].to_numpy())
    keys = list(zip(g, -m, strict=True))
    assert keys == sorted(keys), "gains, trade-offs, savings, losses; best first in each"
    for r in t.itertuples():
        assert r.delivery_days_low <= r.delivery_days <= r.delivery_days_high
        assert r.npv_low <= r.npv <= r.npv_high
    # refresh's effort is uncertain (8 to 25 days): its Δ delivery varies by future
    fresh = row(t, "refresh")
    assert fresh.delivery_days_low < fresh.delivery_days < fresh.delivery_days_high
    assert fresh.npv_low < fresh.npv < fresh.npv_high
    conf = t["rank_confidence"].to_numpy()[:-1]
    assert ((conf >= 0) & (conf <= 1)).all()
    refresh = ses.scenario_of(["refresh"])
    direct = run(refresh, runs=300, seed=7).runs["npv"].mean() - pr.base.runs["npv"].mean()
    assert row(t, "refresh").npv == pytest.approx(direct)
    assert row(t, "drop-mobile").delivery_days < 0, "removing scope is never later on average"


def test_auto_settles_a_clear_order_and_reports_a_tie(monkeypatch, tmp_path):
    """runs="auto": identical futures settle at the pilot; two identical candidates
    can never be ordered, so auto goes to the cap and says so."""
    monkeypatch.setattr(prioritise_module, "AUTO_PILOT_RUNS", 40)
    monkeypatch.setattr(prioritise_module, "AUTO_MAX_RUNS", 160)
    clear = prioritise(load_session(HAND), runs="auto", seed=SEED, workers=1)
    assert clear.settled["converged"] and clear.runs == 40
    assert clear.settled["settled_pairs"] == clear.settled["pairs"] == 5
    data = yaml.safe_load(HAND.read_text())
    twin = dict(data["candidates"][0], id="extra-twin")
    data["candidates"] = [data["candidates"][0], twin]
    shutil.copy(DATA / "hand-base.yaml", tmp_path / "hand-base.yaml")
    tie = prioritise(parse_session(data, "tie.yaml", tmp_path), runs="auto", seed=SEED, workers=1)
    assert not tie.settled["converged"] and tie.runs == 160
    assert tie.settled["lowest_order_confidence"] == 0.5


def test_json_has_the_design_shape(hand):
    out = json.loads(json.dumps(hand.summary(hand.combine(["extra", "report"]), hand.best_set())))
    assert set(out) == {"session", "base", "runs", "seed", "candidates", "combination", "best_set"}
    first = out["candidates"][0]
    assert set(first) == {
        "id",
        "name",
        "rank",
        "verdict",
        "delivery_days",
        "p50_days",
        "p85_days",
        "on_time",
        "cost",
        "npv",
        "outcome",
        "first_value_days",
        "value_per_day",
        "rank_confidence",
        "never_delivers",
    }
    assert first["never_delivers"] == 0
    assert first["npv"] == {"mean": 14100.0, "ci90": [14100.0, 14100.0]}
    assert out["base"]["delivery"]["p50_day"] == 40
    assert out["best_set"][1] == {
        "ids": ["extra"],
        "delivery_days": 0.0,
        "npv": 14100.0,
        "on_time_probability": 1.0,
        "never_delivers": 0,
    }


# ------------------------------------------------------------------ session files
def test_library_sessions_load():
    files = session_files()
    assert len(files) >= 2
    for path in files:
        ses = load_session(path)
        assert ses.base.name == load_scenario(path.parent / ses.base_ref).name
    q2 = load_session(LIBRARY / "sessions" / "supply-chain-q2.yaml")
    kinds = {ch.kind for c in q2.candidates for ch in c.changes}
    assert len(q2.candidates) >= 5 and {"add_items", "remove_items", "add_people"} <= kinds


def test_session_round_trips_through_its_file_form(tmp_path):
    ses = load_session(HAND)
    shutil.copy(DATA / "hand-base.yaml", tmp_path / "hand-base.yaml")
    again = parse_session(yaml.safe_load(yaml.safe_dump(session_data(ses))), "rt.yaml", tmp_path)
    assert again.ids() == ses.ids() and again.constraint == ses.constraint
    assert [c.changes for c in again.candidates] == [c.changes for c in ses.candidates]


def _bad(tmp_path: Path, edit) -> str:
    data = yaml.safe_load(HAND.read_text())
    edit(data)
    shutil.copy(DATA / "hand-base.yaml", tmp_path / "hand-base.yaml")
    path = tmp_path / "q2.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ScenarioError) as info:
        load_session(path)
    return str(info.value).removeprefix(f"{path}: ")


def test_bad_sessions_name_the_field(tmp_path):
    def effort(d):
        d["candidates"][1]["changes"][0]["add_items"]["items"][0]["effort"] = {
            "dist": "triangular",
            "low": 5,
            "mode": 10,
            "high": 8,
        }

    assert _bad(tmp_path, effort).startswith(
        "candidates[1].changes[0].add_items.items[0].effort.high: must be >= mode"
    )
    assert _bad(tmp_path, lambda d: d["candidates"][1].update(id="extra")) == (
        "candidates[1].id: duplicate id 'extra' (also candidates[0])"
    )
    assert _bad(tmp_path, lambda d: d.update(candidates=[])).startswith(
        "candidates: list at least one candidate"
    )
    assert _bad(tmp_path, lambda d: d.update(base="missing.yaml")).startswith(
        "base: base file 'missing.yaml' not found"
    )
    assert _bad(tmp_path, lambda d: d.pop("base")).startswith("base: required")
    assert _bad(tmp_path, lambda d: d.update(constraint={"on_time_probability": 1.5})) == (
        "constraint.on_time_probability: must be a probability from 0 to 1, got 1.5"
    )
    assert _bad(tmp_path, lambda d: d.update(constraint={"on_time": 0.5})).startswith(
        "constraint.on_time: unknown key; known keys: on_time_probability"
    )
    assert _bad(
        tmp_path, lambda d: d["candidates"][3]["changes"][0].update(remove_items=["zz"])
    ).startswith("candidates[3].changes[0].remove_items.ids[0]: no item has id 'zz'")
    assert _bad(tmp_path, lambda d: d["candidates"][0].update(id="Extra Report")).startswith(
        "candidates[0].id: must be 1-64 lower-case letters"
    )
    assert _bad(tmp_path, lambda d: d.update(candiates=[])).startswith(
        "candiates: unknown key; did you mean 'candidates'?"
    )


def test_unknown_or_clashing_combinations_are_named(hand, tmp_path):
    with pytest.raises(ScenarioError, match=r"no candidate 'extr' in .*did you mean 'extra'"):
        hand.combine(["extr"])
    data = yaml.safe_load(HAND.read_text())
    # a second candidate adding an item with the same id as extra's
    data["candidates"].append(
        {"id": "extra-too", "changes": [{"add_items": {"items": [{"id": "e", "effort": 3}]}}]}
    )
    shutil.copy(DATA / "hand-base.yaml", tmp_path / "hand-base.yaml")
    pr = prioritise(parse_session(data, "x.yaml", tmp_path), runs=5, seed=1, workers=1)
    with pytest.raises(ScenarioError, match=r"do not combine.*'e' is already used"):
        pr.combine(["extra", "extra-too"])


def test_prioritise_is_thread_safe_to_call_twice_at_once():
    """Two sessions ranking on one server at once get the same, correct answer."""
    out = []
    ses = load_session(HAND)

    def go():
        out.append(prioritise(ses, runs=RUNS, seed=SEED, workers=1).table)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(out) == 2 and out[0].equals(out[1])


def test_json_rows_carry_every_hand_worked_number():
    """Each candidate's JSON row, every field, from the module docstring: polish is
    +10 days (50 > 45: late, on time -1), +2,000, +100, 10 a day; slip moves every
    date 5 days (first value day 10 -> 15: +5), +1,000, -1,400, -1,400 / 5 = -280 a
    day; drop-d misses the outcome (-1); the last row has no rank confidence (null).
    Identical futures: every interval is the mean. Catches a field written as null
    (``json_number(None)``) or under a misspelt key. (Ranked here, not by the shared
    fixture, so that the ranking is computed inside this test.)"""
    pr = prioritise(load_session(HAND), runs=RUNS, seed=SEED, workers=1)
    rows = {c["id"]: c for c in pr.candidates_json()}

    def expected(rank, verdict, days, cost, npv, per_day, on_time=0.0, outcome=0.0, first=0.0):
        return {
            "rank": rank,
            "verdict": verdict,
            "delivery_days": {"mean": days, "ci90": [days, days]},
            "p50_days": days,
            "p85_days": days,
            "on_time": on_time,
            "cost": cost,
            "npv": {"mean": npv, "ci90": [npv, npv]},
            "outcome": outcome,
            "first_value_days": first,
            "value_per_day": per_day,
            "never_delivers": 0,
        }

    want = {
        "polish": expected(3, "trade-off", 10.0, 2000.0, 100.0, 10.0, on_time=-1.0),
        "drop-d": expected(4, "saving", -10.0, -2000.0, -2400.0, None, outcome=-1.0),
        "slip": expected(5, "loss", 5.0, 1000.0, -1400.0, -280.0, first=5.0),
        "third-person": expected(6, "loss", 0.0, 4000.0, -4000.0, None),
    }
    for cid, fields in want.items():
        got = {k: v for k, v in rows[cid].items() if k not in ("id", "name", "rank_confidence")}
        assert got == fields, cid
    assert rows["polish"]["name"] == "Polish after d"
    assert [rows[c]["rank_confidence"] for c in want] == [1.0, 1.0, 1.0, None]


def test_json_keeps_the_combination_and_what_auto_settled(hand, monkeypatch):
    """The ``combination`` block is the combination's own summary (ids in file order),
    and ``settled`` appears exactly when runs="auto" (the hand session settles at the
    pilot: 5 pairs, all at confidence 1). Catches either block written as null or
    under another key."""
    out = hand.summary(hand.combine(["report", "extra"]))
    assert out["combination"]["ids"] == ["extra", "report"]
    assert out["combination"]["interaction"]["npv"] == -2500.0
    assert "settled" not in out, "a fixed number of runs settles nothing"
    monkeypatch.setattr(prioritise_module, "AUTO_PILOT_RUNS", 20)
    auto = prioritise(load_session(HAND), runs="auto", seed=SEED, workers=1)
    assert auto.summary()["settled"] == {
        "runs": 20,
        "pairs": 5,
        "settled_pairs": 5,
        "lowest_order_confidence": 1.0,
        "target": 0.95,
        "converged": True,
    }


def test_a_set_is_simulated_with_the_rankings_runs_and_seed():
    """A real (random) session ranked at 30 runs with seed 11, neither its base's
    (1,000 and 42): refresh + supplier-portal together is the same simulation as
    running that scenario directly at 30 runs and seed 11 (same futures as the
    ranking, so the pairing holds), and its 30 futures reach ``progress``. Catches
    a set simulated at the base file's runs or seed, or without the callback."""
    ses = load_session(LIBRARY / "sessions" / "supply-chain-q2.yaml")
    assert (ses.base.simulation.runs, ses.base.simulation.seed) == (1000, 42)
    pr = prioritise(ses, runs=30, seed=11, workers=1)
    calls = []
    res = pr.set_results(["supplier-portal", "refresh"], progress=lambda *c: calls.append(c))
    direct = run(ses.scenario_of(["refresh", "supplier-portal"]), runs=30, seed=11, workers=1)
    assert res.n_runs == 30
    assert np.array_equal(res.runs["npv"].to_numpy(), direct.runs["npv"].to_numpy())
    assert calls and calls[-1] == (30, 30)
    assert res.scenario.name == f"{ses.base.name} + refresh + supplier-portal"


def test_sets_run_where_the_ranking_runs(monkeypatch):
    """A ranking made with ``workers`` and a ``scheduler`` sends its combinations and
    best-set steps to the same place (module docstring of prioritise: "combinations
    and each best-set step run there too"). The simulations are spied on and run
    here. Catches either setting dropped on the way."""
    pr = prioritise(load_session(HAND), runs=RUNS, seed=SEED, workers=1)
    pr.workers, pr.scheduler = 3, "tcp://scheduler:8786"
    seen = []
    real_run, real_many = prioritise_module.run, prioritise_module.run_many

    def spy_run(sc, **kw):
        seen.append(("run", kw["workers"], kw["scheduler"]))
        return real_run(sc, **{**kw, "workers": 1, "scheduler": None})

    def spy_many(scenarios, runs, seed, **kw):
        seen.append(("run_many", kw["workers"], kw["scheduler"]))
        prefix = f"{pr.session.base.name} + "
        names.extend(sc.name.removeprefix(prefix) for sc in scenarios.values())
        return real_many(scenarios, runs, seed, **{**kw, "workers": 1, "scheduler": None})

    names: list[str] = []
    monkeypatch.setattr(prioritise_module, "run", spy_run)
    monkeypatch.setattr(prioritise_module, "run_many", spy_many)
    pr.combine(["extra", "report"])
    pr.best_set()
    assert seen[0] == ("run", 3, "tcp://scheduler:8786")
    assert set(seen[1:]) == {("run_many", 3, "tcp://scheduler:8786")}
    # step 1 reuses the singles; step 2 runs extra + each other one, but extra +
    # report, simulated by the combination, is not simulated again
    assert sorted(names) == [
        "extra + drop-d",
        "extra + polish",
        "extra + slip",
        "extra + third-person",
    ]
    calls = len(seen)
    kept = pr.set_results(["polish", "extra"])
    assert len(seen) == calls, "a set a best-set step ran is kept, not simulated again"
    assert kept.n_runs == RUNS and kept.runs["delivery_day"].iloc[0] == 50


def test_combination_keeps_its_simulation_and_the_intervals_against_each_single(hand):
    """extra + report against each alone (identical futures): every interval is its
    mean, +2,200 against extra and +11,600 against report; the combination's
    simulation is the one kept for that set. Catches the interval columns misnamed
    and the simulation not kept on the combination."""
    c = hand.combine(["extra", "report"])
    versus = c.versus.set_index(["candidate", "metric"])
    assert tuple(versus.loc[("extra", "npv"), ["ci_low", "mean", "ci_high"]]) == pytest.approx(
        (2200, 2200, 2200)
    )
    assert tuple(versus.loc[("report", "npv"), ["ci_low", "ci_high"]]) == pytest.approx(
        (11600, 11600)
    )
    assert c.results is hand.set_results(["extra", "report"])


def test_combination_progress_reaches_the_caller():
    """A combination not simulated yet reports its 20 futures to ``progress``."""
    pr = prioritise(load_session(HAND), runs=RUNS, seed=SEED, workers=1)
    calls = []
    pr.combine(["extra", "polish"], progress=lambda *c: calls.append(c))
    assert calls and calls[-1] == (RUNS, RUNS)


ONLY_D_PAYS = """\
name: Only d pays
start_date: 2027-01-04
deadline: 2027-03-05
team: {size: 2, cost_per_person_day: 100}
items:
  - {id: a, effort: 10}
  - {id: b, effort: 10, depends_on: [a]}
  - {id: c, effort: 10, depends_on: [b]}
  - {id: d, effort: 10, depends_on: [c], value: {per_week: 100}}
value: {horizon_weeks: 52}
simulation: {runs: 5, seed: 3}
"""


def test_a_metric_a_single_lacks_adds_nothing_to_the_sum_of_singles(tmp_path):
    """Only d pays (live day 40), so the base's first value day is 40. drop-d leaves
    nothing that pays: no first value day, its Δ has no value (NaN). extra (e, 25
    days on the idle person, live day 25) moves the first value day by -15, and so
    does extra + drop-d. Sum of singles: -15 (drop-d's missing Δ counts 0);
    interaction: -15 - (-15) = 0. Catches the NaN summed (NaN) or counted as 1."""
    (tmp_path / "base.yaml").write_text(ONLY_D_PAYS)
    data = yaml.safe_load(HAND.read_text())
    data["base"] = "base.yaml"
    data["candidates"] = [c for c in data["candidates"] if c["id"] in ("extra", "drop-d")]
    pr = prioritise(parse_session(data, "d.yaml", tmp_path), runs=5, seed=3, workers=1)
    assert pr.base.summary()["value"]["first_value_day_p50"] == 40
    c = pr.combine(["extra", "drop-d"])
    assert c.delta("first_value_day") == pytest.approx(-15)
    assert c.singles["first_value_day"] == pytest.approx(-15)
    assert c.interaction["first_value_day"] == pytest.approx(0)


def test_best_set_reports_progress_over_the_sets_it_tries():
    """Six candidates: at most 6 + 5 + ... + 1 = 21 sets. Step 1 tries the six
    singles (already simulated): 6 of 21. Step 2 simulates extra + each of the other
    five: counts from 6 up to 11 of 21 as their futures finish; nothing then pays,
    so it ends at 11 of 21. Catches a wrong plan, a count that restarts, goes
    backwards or skips the step's own progress."""
    pr = prioritise(load_session(HAND), runs=RUNS, seed=SEED, workers=1)
    calls = []
    steps = pr.best_set(progress=lambda *c: calls.append(c))
    assert [s["ids"] for s in steps] == [[], ["extra"]]
    assert steps[0]["meets_constraint"] and steps[1]["meets_constraint"]
    assert calls[0] == (6, 21) and calls[-2:] == [(11, 21), (11, 21)]
    assert len(calls) > 3, "the second step's simulations report as they go"
    done = [d for d, _ in calls]
    assert done == sorted(done) and all(6 <= d <= 11 for d in done)
    assert all(isinstance(d, int) for d in done), "sets are counted whole"
    assert {total for _, total in calls} == {21}
    assert all(type(total) is int for _, total in calls), "a count of sets, not a float"
    assert steps[1]["outcome_probability"] == 1.0, "extra keeps the outcome reached"


def test_best_set_progress_with_one_run_and_one_set(tmp_path):
    """extra and report at one run: step 1 tries both singles (2 of 3 sets planned:
    2 + 1); step 2 simulates extra + report, 1 run of 1: 3 of 3 (it is late, so the
    search stops there). Catches the step's share of sets computed against more than
    its runs (0 of 1 set done when its only run has finished)."""
    data = yaml.safe_load(HAND.read_text())
    data["candidates"] = data["candidates"][:2]
    shutil.copy(DATA / "hand-base.yaml", tmp_path / "hand-base.yaml")
    pr = prioritise(parse_session(data, "two.yaml", tmp_path), runs=1, seed=SEED, workers=1)
    calls = []
    steps = pr.best_set(progress=lambda *c: calls.append(c))
    assert [s["ids"] for s in steps] == [[], ["extra"]]
    assert calls == [(2, 3), (3, 3), (3, 3)]


def test_combine_takes_ids_as_text_and_refuses_none(hand):
    """ "report, extra" (as typed on the command line) is the combination extra +
    report in file order; an empty list, or only commas, names no candidate.
    Catches splitting on spaces instead of commas, and a message that does not say
    what is missing."""
    assert hand.combine("report, extra").ids == ["extra", "report"]
    for nothing in ([], " , "):
        with pytest.raises(ScenarioError, match=r"^combine: name at least one candidate$"):
            hand.combine(nothing)


def test_left_out_reads_the_last_step(tmp_path):
    """Without the constraint the best set grows to extra + report + polish (above):
    left out are drop-d, slip and third-person, each for value. Catches reading the
    first step instead of the last (report and polish would be listed)."""
    data = yaml.safe_load(HAND.read_text())
    data.pop("constraint")
    shutil.copy(DATA / "hand-base.yaml", tmp_path / "hand-base.yaml")
    pr = prioritise(parse_session(data, "free.yaml", tmp_path), runs=RUNS, seed=SEED, workers=1)
    out = pr.left_out(pr.best_set())
    assert [(e["id"], e["reason"]) for e in out] == [
        ("drop-d", "value"),
        ("slip", "value"),
        ("third-person", "value"),
    ]


def test_defaults_come_from_the_base_and_bad_seeds_are_named():
    """No runs or seed: the base file's (20 and 3, tests/data/hand-base.yaml). Seed 0
    and a numpy integer are whole numbers >= 0; -1, True and "3" are refused naming
    the seed. Catches the base's seed not used, and an off-by-one or loosened check."""
    ses = load_session(HAND)
    pr = prioritise(ses, workers=1)
    assert (pr.runs, pr.seed, pr.base.seed) == (20, 3, 3)
    assert prioritise(ses, runs=2, seed=0, workers=1).seed == 0
    assert prioritise(ses, runs=2, seed=np.int64(4), workers=1).seed == 4
    for bad in (-1, True, "3"):
        with pytest.raises(ScenarioError, match=r"^seed: must be a whole number >= 0, got "):
            prioritise(ses, runs=2, seed=bad, workers=1)


def test_ranking_runs_where_asked_and_reports_progress(monkeypatch):
    """The base and every candidate go to one comparison with the caller's workers and
    scheduler (spied on, run here), which the ranking keeps for its later sets; the
    progress reaches 7 scenarios x 20 futures = 140 of 140; the paired differences
    are kept, one row per candidate and metric. Catches any of these dropped."""
    seen = []
    real = prioritise_module.compare

    def spy(scenarios, **kw):
        seen.append((kw["workers"], kw["scheduler"]))
        return real(scenarios, **{**kw, "workers": 1, "scheduler": None})

    monkeypatch.setattr(prioritise_module, "compare", spy)
    calls = []
    ses = load_session(HAND)
    pr = prioritise(
        ses, runs=RUNS, seed=SEED, workers=2, progress=lambda *c: calls.append(c), scheduler="s:1"
    )
    assert seen == [(2, "s:1")]
    assert (pr.workers, pr.scheduler) == (2, "s:1")
    assert calls[-1] == (140, 140)
    assert len(pr.deltas) == len(ses.candidates) * 7, "6 candidates x 7 metrics"
    assert set(pr.deltas["variant"]) == set(ses.ids())
    monkeypatch.setattr(prioritise_module, "AUTO_PILOT_RUNS", 40)
    auto = prioritise(ses, runs="auto", seed=5, workers=2, scheduler="s:1")
    assert seen[1:] == [(2, "s:1")] and (auto.workers, auto.scheduler) == (2, "s:1")
    assert auto.deltas is not None and len(auto.deltas) == len(pr.deltas)
    assert (auto.base.n_runs, auto.base.seed) == (40, 5), "the pilot's runs, the seed asked"
    assert auto.seed == 5, "kept for the combinations and best-set steps"


def test_auto_progress_expects_a_quarter_of_the_cap(monkeypatch):
    """runs="auto" with a pilot of 20 and a cap of 160 on the hand session (7
    scenarios): a pass of 140 futures reports against an estimate of
    140 x 160 / 20 / 4 = 280 (more passes may follow), then ends at 140 of 140 when
    the order has settled. Catches a changed estimate, a float total, and the
    progress not passed to the pass."""
    monkeypatch.setattr(prioritise_module, "AUTO_PILOT_RUNS", 20)
    monkeypatch.setattr(prioritise_module, "AUTO_MAX_RUNS", 160)
    calls = []
    pr = prioritise(
        load_session(HAND), runs="auto", seed=SEED, workers=1, progress=lambda *c: calls.append(c)
    )
    assert pr.settled["converged"] and pr.runs == 20
    assert calls[-1] == (140, 140)
    during = calls[:-1]
    assert during and {total for _, total in during} == {280}
    assert all(type(total) is int for _, total in during)
    assert max(done for done, _ in during) == 140


def test_ranked_ids_results_and_the_never_delivers_note(hand):
    """The ids in rank order; each candidate's own simulation, an unknown id named;
    no note when every future delivers."""
    assert hand.ranked_ids() == ["extra", "report", "polish", "drop-d", "slip", "third-person"]
    assert hand.result("polish") is hand.results["polish"]
    with pytest.raises(ScenarioError, match="no candidate 'nope'"):
        hand.result("nope")
    assert hand.never_delivers_note() is None


def test_auto_with_one_candidate_has_no_pair_to_settle(tmp_path, monkeypatch):
    """One candidate: no neighbouring pair, so nothing can be unsettled: the pilot is
    enough, with 0 pairs and the lowest confidence read as 1 (certain). Catches the
    minimum of no confidences (an error) and another stand-in than 1."""
    monkeypatch.setattr(prioritise_module, "AUTO_PILOT_RUNS", 20)
    data = yaml.safe_load(HAND.read_text())
    data["candidates"] = data["candidates"][:1]
    shutil.copy(DATA / "hand-base.yaml", tmp_path / "hand-base.yaml")
    pr = prioritise(parse_session(data, "one.yaml", tmp_path), runs="auto", seed=SEED, workers=1)
    assert pr.settled == {
        "runs": 20,
        "pairs": 0,
        "settled_pairs": 0,
        "lowest_order_confidence": 1.0,
        "target": 0.95,
        "converged": True,
    }


def test_auto_counts_a_target_met_exactly_as_settled(monkeypatch):
    """With the target raised to 1 (every resample), the hand session's identical
    futures hold every order in every resample: confidence exactly 1, which meets the
    target, so the pilot of 20 runs is enough and all 5 pairs count as settled.
    Catches ``>`` for ``>=`` (it would run on to the cap of 160, or count no pair)."""
    monkeypatch.setattr(prioritise_module, "AUTO_SETTLED", 1.0)
    monkeypatch.setattr(prioritise_module, "AUTO_PILOT_RUNS", 20)
    monkeypatch.setattr(prioritise_module, "AUTO_MAX_RUNS", 160)
    pr = prioritise(load_session(HAND), runs="auto", seed=SEED, workers=1)
    assert (pr.runs, pr.settled["converged"], pr.settled["target"]) == (20, True, 1.0)
    assert pr.settled["settled_pairs"] == pr.settled["pairs"] == 5, "each pair meets it"


def test_auto_reports_the_lowest_confidence_to_four_places(monkeypatch, tmp_path):
    """The settled report rounds the least settled pair's confidence to 4 places: a
    pair held in 12.3456% of resamples reads 0.1235, below the target, so auto runs to
    its cap (40) and says it did not converge. (The bootstrap is replaced by that share
    so the number is known.) Catches another rounding."""
    monkeypatch.setattr(prioritise_module, "AUTO_PILOT_RUNS", 20)
    monkeypatch.setattr(prioritise_module, "AUTO_MAX_RUNS", 40)
    monkeypatch.setattr(prioritise_module, "order_confidence", lambda *a: np.array([0.123456]))
    data = yaml.safe_load(HAND.read_text())
    data["candidates"] = data["candidates"][:2]
    shutil.copy(DATA / "hand-base.yaml", tmp_path / "hand-base.yaml")
    pr = prioritise(parse_session(data, "two.yaml", tmp_path), runs="auto", seed=SEED, workers=1)
    assert pr.settled["lowest_order_confidence"] == 0.1235
    assert (pr.runs, pr.settled["converged"], pr.settled["settled_pairs"]) == (40, False, 0)
