"""Decide: a future that never delivers counts as delivering on the cap's last day.

The rule (``docs/explanation/never-delivers.md``): a simulated future that never
delivers the whole scope within the simulated-time cap (``MAX_SIM_DAYS`` = 5,200
working days) counts as delivering on day 5,200 in every paired difference of the
Decide job: the ranking and its verdicts, combinations and the best set.

The hand-worked session (``tests/data/hand-session.yaml``, worked out in
``tests/decide/test_ranking.py``: base delivery day 40, NPV 10,800) gets one more
candidate, **walk-out**: a quick item q (2 person-days, 1,000 a week) and both
people leaving at the end of day 10. Every future is the same:

* person 1 builds a on days 0-10 (live day 10: 100 x (52 - 2) = 5,000); person 2
  builds q on days 0-2 (live day 2: 1,000 x (52 - 0.4) = 51,600), then idles
  (paid, as in the base). Both leave on day 10: b, c and d are never built, so no
  future delivers.
* cost 2 x 100 x 10 = 2,000; NPV 56,600 - 2,000 = 54,600; Δ NPV +43,800.
* Δ delivery = 5,200 - 40 = +5,160 working days: later, more NPV: a trade-off
  worth 43,800 / 5,160 = 8.49 a day, below polish's 10 a day: rank 4, after
  polish, before drop-d. (The bug: the paired mean left the never-delivering
  futures out, the mean of nothing read as "not later", and walk-out was a gain
  ranked first on its +43,800.)
"""

from __future__ import annotations

import json
import math
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from simulation.decide.prioritise import (
    BASE,
    NEVER_DAY,
    delivery_days,
    never_delivers,
    paired_deltas,
    prioritise,
)
from simulation.decide.sessions import parse_session
from simulation.engine.plan import MAX_SIM_DAYS
from simulation.present.text import never_delivers_note
from tests.helpers import ROOT

DATA = ROOT / "tests" / "data"
RUNS, SEED = 20, 3
WALK_OUT = {
    "id": "walk-out",
    "name": "Quick win, then the team leaves",
    "changes": [
        {"add_items": {"items": [{"id": "q", "effort": 2, "value": {"per_week": 1000}}]}},
        {"add_people": {"at_day": 10, "count": -2}},
    ],
}


def _session(tmp_path: Path, constraint: bool = True):
    data = yaml.safe_load((DATA / "hand-session.yaml").read_text())
    data["candidates"].append(WALK_OUT)
    if not constraint:
        data.pop("constraint")
    shutil.copy(DATA / "hand-base.yaml", tmp_path / "hand-base.yaml")
    path = tmp_path / "walk-out.yaml"
    path.write_text(yaml.safe_dump(data))
    return parse_session(data, str(path), tmp_path), path


@pytest.fixture(scope="module")
def walk(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("walk")
    ses, path = _session(tmp)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "Mean of empty slice" on the way
        pr = prioritise(ses, runs=RUNS, seed=SEED, workers=1)
    return pr, path


def test_the_cap_is_the_engines():
    """One owner: the day a never-delivering future counts at is the engine's cap."""
    assert NEVER_DAY == MAX_SIM_DAYS == 5_200


def test_a_candidate_that_never_delivers_is_a_trade_off_not_a_gain(walk):
    """Walk-out as worked out above: +5,160 days, +43,800, 8.49 a day, rank 4.
    Catches: the mean Δ delivery over delivered futures only (all-NaN -> "gain", rank 1)."""
    pr, _ = walk
    t = pr.table.set_index("candidate")
    w = t.loc["walk-out"]
    assert pr.results["walk-out"].runs["delivered"].sum() == 0, "no future delivers"
    assert w.verdict == "trade-off"
    assert w.delivery_days == pytest.approx(5_160)
    assert (w.delivery_days_low, w.delivery_days_high) == pytest.approx((5_160, 5_160))
    assert w.npv == pytest.approx(43_800)
    assert w.value_per_day == pytest.approx(43_800 / 5_160)
    assert list(pr.table["candidate"]) == [
        "extra",
        "report",
        "polish",
        "walk-out",
        "drop-d",
        "slip",
        "third-person",
    ]
    assert w.never_delivers == RUNS and t.loc["extra", "never_delivers"] == 0
    assert pr.never_delivered() == {BASE: 0, **{c: 0 for c in pr.session.ids()}, "walk-out": 20}
    # the confidence compares per-future keys under the same rule: all futures agree
    assert t.loc["polish", "rank_confidence"] == 1.0 and w.rank_confidence == 1.0


def test_combination_counts_never_delivering_futures_at_the_cap(walk):
    """extra + walk-out never delivers either: Δ delivery +5,160 (not NaN), and the
    interaction on delivery is 5,160 - (0 + 5,160) = 0. Catches combine() using
    compare's differences, which leave those futures out."""
    pr, _ = walk
    c = pr.combine(["extra", "walk-out"])
    assert c.delta("delivery_day") == pytest.approx(5_160)
    assert c.singles["delivery_day"] == pytest.approx(5_160)
    assert c.interaction["delivery_day"] == pytest.approx(0)


def test_best_set_uses_the_same_paired_rule(tmp_path):
    """Without the constraint the greedy search takes walk-out first (+43,800 is the
    largest NPV): its step reads Δ delivery +5,160 and 20 futures that never deliver.
    Catches the unpaired nanmean (NaN with a warning when no future delivers)."""
    ses, _ = _session(tmp_path, constraint=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        steps = prioritise(ses, runs=RUNS, seed=SEED, workers=1).best_set()
    assert steps[0]["never_delivers"] == 0 and steps[0]["delivery_days"] == 0
    assert steps[1]["ids"] == ["walk-out"]
    assert steps[1]["delivery_days"] == pytest.approx(5_160)
    assert steps[1]["npv"] == pytest.approx(43_800)
    assert steps[1]["never_delivers"] == RUNS


def test_with_the_constraint_walk_out_is_never_accepted(walk):
    """On time 0% < 70%: the constrained best set is the base's {extra}, unchanged."""
    pr, _ = walk
    assert [s["ids"] for s in pr.best_set()] == [[], ["extra"]]


def test_some_futures_never_deliver_the_mean_counts_them_at_the_cap():
    """Two futures: the base delivers on days 10 and 20; the candidate never in the
    first, on day 30 in the second. Δ = (5,200 - 10, 30 - 20) = (5,190, 10), mean 2,600.
    Catches the mean over the delivered futures only (10)."""
    base = pd.DataFrame({"delivered": [True, True], "delivery_day": [10.0, 20.0]})
    cand = pd.DataFrame({"delivered": [False, True], "delivery_day": [np.nan, 30.0]})
    for col in ("cost", "on_time", "npv", "value", "outcome_reached", "first_value_day"):
        base[col] = cand[col] = 0.0
    assert list(delivery_days(cand)) == [5_200, 30]
    assert never_delivers(cand) == 1 and never_delivers(base) == 0
    rows = {r["metric"]: r for r in paired_deltas(base, cand)}
    assert rows["delivery_day"]["mean"] == pytest.approx(2_600)
    assert rows["delivery_day"]["n"] == 2


def test_the_note_names_each_scenario_with_futures_that_never_deliver():
    """The one sentence the CLI and the page show; None when every future delivers."""
    assert never_delivers_note({"the base": 0, "a": 0}, 100) is None
    assert never_delivers_note({"the base": 0, "walk-out": 20, "b": 1_200}, 2_000) == (
        "Futures that never deliver within 5,200 working days: walk-out 20 of 2,000, "
        "b 1,200 of 2,000; each counts as delivering on day 5,200."
    )


def test_cli_says_how_many_futures_never_deliver(walk):
    """`prioritise` prints the note under the ranking and the best set's count, and its
    JSON has ``never_delivers`` per candidate; nothing on stderr (no numpy warnings)."""
    from tests.decide.test_cli import cli

    _, path = walk
    p = cli("prioritise", str(path), "--runs", "5", "--seed", "3", "--best")
    assert p.returncode == 0, p.stderr
    assert "Mean of empty slice" not in p.stderr and "Warning" not in p.stderr
    assert (
        "Futures that never deliver within 5,200 working days: walk-out 5 of 5; "
        "each counts as delivering on day 5,200." in p.stdout
    )
    walk_line = next(ln for ln in p.stdout.splitlines() if ln.startswith(" 4  walk-out"))
    assert "trade-off" in walk_line and "+5160.0" in walk_line
    j = cli("prioritise", str(path), "--runs", "5", "--seed", "3", "--json")
    assert j.returncode == 0, j.stderr

    cands = {c["id"]: c for c in json.loads(j.stdout)["candidates"]}
    assert cands["walk-out"]["never_delivers"] == 5 and cands["extra"]["never_delivers"] == 0


def test_effect_of_a_set_that_never_delivers_has_no_percentile_dates(walk):
    """Walk-out's effect: no future delivers, so its P50 and P85 delivery days do not
    exist and their shifts are no value (NaN), while the paired mean counts each future
    at the cap: 5,200 - 40 = +5,160, and Δ NPV +43,800 (module docstring). Catches a
    shift computed from a missing percentile (an error, or a number), and effect()
    taking compare's differences, which leave such futures out: Δ delivery NaN, read
    "delivery n/a" in the accepted set's sentence (a bug this test found)."""
    pr, _ = walk
    effect = pr.effect(["walk-out"])
    assert math.isnan(effect["p50_days"]) and math.isnan(effect["p85_days"])
    assert effect["delivery_days"] == pytest.approx(5_160)
    assert effect["npv"] == pytest.approx(43_800)
    assert effect["on_time_probability"] == 0.0


def test_the_note_calls_the_base_the_base(tmp_path):
    """The hand-worked base with both people leaving at the end of day 10: a is built,
    b, c and d never are, so none of its 4 futures delivers; third-person (one more
    from day 0, who stays) builds b-d after a: delivers in every future. The note
    names the base in words, not by its internal key. Catches the label changed."""
    base = yaml.safe_load((DATA / "hand-base.yaml").read_text())
    base["team"]["changes"] = [{"at_day": 10, "add": -2}]
    (tmp_path / "hand-base.yaml").write_text(yaml.safe_dump(base))
    data = yaml.safe_load((DATA / "hand-session.yaml").read_text())
    data["candidates"] = [c for c in data["candidates"] if c["id"] == "third-person"]
    pr = prioritise(parse_session(data, "leave.yaml", tmp_path), runs=4, seed=SEED, workers=1)
    assert pr.never_delivered() == {BASE: 4, "third-person": 0}
    assert pr.never_delivers_note() == (
        "Futures that never deliver within 5,200 working days: the base 4 of 4; "
        "each counts as delivering on day 5,200."
    )
