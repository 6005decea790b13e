"""The ranking rule by hand: three trade-offs, a saving, two zero-NPV ties and a loss.

The base is the hand-worked one (``tests/data/hand-base.yaml``; see
``tests/decide/test_ranking.py``): a -> b -> c -> d of 10 person-days each, two
people at 100 a person-day (the second idles, paid), live on days 10/20/30/40,
worth 100 a week each over 52 weeks; delivery day 40, deadline day 45. An item
live on day L worth V a week adds V x (52 - L/5). Every future is the same.

Candidates (file order), each alone:

* polish: g (10 days, 50/week) after d: days 40-50. +10 days, cost +2 x 100 x 10
  = +2,000, value 50 x 42 = 2,100: Δ NPV +100, 10 a day. Late (day 50 > 45).
* no-value: h (10 days, no value) on the idle person, days 0-10: nothing moves,
  Δ NPV 0 exactly: not more NPV, not earlier: a loss worth 0.
* big-polish: g2 (10 days, 100/week) after d: +10 days, +2,000, value 100 x 42 =
  4,200: Δ NPV +2,200, 220 a day. Late.
* slip: everything 5 days later: value -4 x 100 = -400, cost +1,000: Δ NPV -1,400,
  +5 days (day 45: still on time, the deadline's own day): a loss.
* quick-polish: g3 (4 days, 50/week) after d: days 40-44. +4 days, cost +800,
  value 50 x (52 - 8.8) = 2,160: Δ NPV +1,360, 340 a day. On time (day 44).
* no-value-2: h2 (5 days, no value): like no-value, Δ 0 and Δ NPV 0: a tie.
* drop-d: delivery day 30 (-10), value -100 x 44 = -4,400, cost -2,000: Δ NPV
  -2,400: a saving.

Order: trade-offs by NPV per day (quick-polish 340, big-polish 220, polish 10),
the saving (drop-d), losses by Δ NPV (no-value 0, no-value-2 0 in file order,
slip -1,400). The tie's rank confidence is 1/2 (ties count half); every other
pair holds in every future (1).

Best set under on-time >= 100%: quick-polish meets it exactly (1.0, a tie at the
constraint) and adds +1,360; then every addition is late (big-polish, polish, or
slip with quick-polish: day 49), adds nothing (no-value: Δ 0 is not a rise) or
does not fit (drop-d removes the d that g3 needs): it stops at {quick-polish}.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from simulation.decide.prioritise import (
    NPV_TOLERANCE,
    prioritise,
    rank_keys,
    verdict_of,
)
from simulation.decide.sessions import load_session
from tests.helpers import ROOT

SESSION = """\
name: Three trade-offs
base: hand-base.yaml
candidates:
  - id: polish
    changes: [{add_items: {items: [{id: g, effort: 10, depends_on: [d], value: {per_week: 50}}]}}]
  - id: no-value
    changes: [{add_items: {items: [{id: h, effort: 10}]}}]
  - id: big-polish
    changes: [{add_items: {items: [{id: g2, effort: 10, depends_on: [d], value: {per_week: 100}}]}}]
  - id: slip
    changes: [{delay_start: {days: 5}}]
  - id: quick-polish
    changes: [{add_items: {items: [{id: g3, effort: 4, depends_on: [d], value: {per_week: 50}}]}}]
  - id: no-value-2
    changes: [{add_items: {items: [{id: h2, effort: 5}]}}]
  - id: drop-d
    changes: [{remove_items: [d]}]
constraint: {on_time_probability: 1.0}
"""


@pytest.fixture(scope="module")
def ranked(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rule")
    shutil.copy(ROOT / "tests" / "data" / "hand-base.yaml", folder / "hand-base.yaml")
    (folder / "rule.yaml").write_text(SESSION)
    return prioritise(load_session(folder / "rule.yaml"), runs=12, seed=5, workers=1)


def test_order_verdicts_and_value_per_day_exactly(ranked):
    """The order, verdicts, Δs and NPV per day worked out above. Catches ranking
    trade-offs by Δ NPV (big-polish first), ``dnpv >= 0`` (zero-NPV ones as gains),
    ties not kept in file order, losses sorted the wrong way."""
    expected = [  # id, verdict, Δ delivery, Δ cost, Δ NPV, NPV per day, Δ on time
        ("quick-polish", "trade-off", 4, 800, 1_360, 340, 0),
        ("big-polish", "trade-off", 10, 2_000, 2_200, 220, -1),
        ("polish", "trade-off", 10, 2_000, 100, 10, -1),
        ("drop-d", "saving", -10, -2_000, -2_400, None, 0),
        ("no-value", "loss", 0, 0, 0, None, 0),
        ("no-value-2", "loss", 0, 0, 0, None, 0),
        ("slip", "loss", 5, 1_000, -1_400, -280, 0),
    ]
    t = ranked.table
    assert list(t["candidate"]) == [e[0] for e in expected]
    assert list(t["rank"]) == list(range(1, 8))
    for r, (cid, verdict, dday, dcost, dnpv, per_day, on_time) in zip(
        t.itertuples(), expected, strict=True
    ):
        assert r.verdict == verdict, cid
        assert (r.delivery_days, r.cost, r.npv, r.on_time) == pytest.approx(
            (dday, dcost, dnpv, on_time), abs=1e-6
        ), cid
        if per_day is None:
            assert np.isnan(r.value_per_day), cid
        else:
            assert r.value_per_day == pytest.approx(per_day), cid


def test_rank_confidence_is_half_for_the_tie(ranked):
    """Identical futures: 1 for every pair but the zero-NPV twins (1/2); none for the last."""
    conf = list(ranked.table["rank_confidence"])
    assert conf[:6] == [1.0, 1.0, 1.0, 1.0, 0.5, 1.0]
    assert np.isnan(conf[6])


def test_best_set_takes_the_candidate_that_meets_the_constraint_exactly(ranked):
    """On time in 100% of futures against a floor of 100%: accepted (>=, not >)."""
    steps = ranked.best_set()
    assert [s["ids"] for s in steps] == [[], ["quick-polish"]]
    assert steps[1]["on_time_probability"] == 1.0 and steps[1]["meets_constraint"]
    assert steps[1]["npv"] == pytest.approx(1_360) and steps[1]["delivery_days"] == 4
    assert NPV_TOLERANCE > 0, "a zero rise (no-value) is no reason to add a candidate"


@pytest.mark.parametrize(
    "dday, dnpv, verdict",
    [
        (0.05, 1.0, "gain"),  # within LATER_DAYS: not later
        (0.0501, 1.0, "trade-off"),
        (-0.05, -1.0, "loss"),  # within LATER_DAYS: not earlier
        (-0.0501, -1.0, "saving"),
        (-3.0, 0.0, "saving"),  # earlier and no more NPV
        (0.0, 0.0, "loss"),
        (2.0, 0.0, "loss"),
    ],
)
def test_verdict_edges(dday, dnpv, verdict):
    """ "Later" means more than 0.05 working days; "more NPV" strictly positive."""
    assert verdict_of(dday, dnpv) == verdict


def test_rank_keys_by_hand():
    """Trade-off metric is Δ NPV / Δ days (100 / 4 = 25); the others keep Δ NPV."""
    g, m = rank_keys(np.array([4.0, 0.0, -2.0, 1.0]), np.array([100.0, 50.0, -30.0, -8.0]))
    assert list(g) == [1, 0, 2, 3]
    assert list(m) == [25.0, 50.0, -30.0, -8.0]
