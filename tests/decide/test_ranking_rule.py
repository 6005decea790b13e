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
lowers it (drop-d: +160 with quick-polish, see below): it stops at {quick-polish}.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import yaml

from simulation.decide.prioritise import (
    AUTO_MAX_RUNS,
    NPV_TOLERANCE,
    _next_runs,
    beats,
    order_confidence,
    prioritise,
    rank_keys,
    verdict_of,
)
from simulation.decide.sessions import load_session, parse_session
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


def test_left_out_reads_a_tie_at_the_floor_as_meeting_it(ranked):
    """Left out of {quick-polish}, by the module docstring: the three late additions
    (polish, big-polish, slip with quick-polish: on time 0 < 1) break the constraint;
    no-value and no-value-2 keep on time at 1.0, exactly the floor, so they are left
    out for value (Δ 0), with nothing broken; so is drop-d: without d, g3 waits for
    nothing and the idle person builds it on days 0-4 (live day 4: 50 x (52 - 0.8) =
    2,560), so the set is -4,400 + 2,560 + 2,000 = +160, below +1,360. Catches
    ``floor + 1e-12`` (a tie at the floor read as broken)."""
    out = {e["id"]: e for e in ranked.left_out(ranked.best_set())}
    assert list(out) == ["polish", "no-value", "big-polish", "slip", "no-value-2", "drop-d"]
    assert {k: e["reason"] for k, e in out.items()} == {
        "polish": "constraint",
        "no-value": "value",
        "big-polish": "constraint",
        "slip": "constraint",
        "no-value-2": "value",
        "drop-d": "value",
    }
    assert out["no-value"]["broken"] == [] and out["no-value"]["point"]["on_time_probability"] == 1
    assert out["slip"]["broken"] == [("on_time_probability", 0.0, 1.0)]
    assert out["drop-d"]["point"]["npv"] == pytest.approx(160)


FIT_SESSION = """\
name: Does not fit
base: hand-base.yaml
candidates:
  - id: quick-polish
    changes: [{add_items: {items: [{id: g3, effort: 4, depends_on: [d], value: {per_week: 50}}]}}]
  - id: clash
    changes: [{add_items: {items: [{id: g3, effort: 1}]}}]
  - id: no-value
    changes: [{add_items: {items: [{id: h, effort: 10}]}}]
constraint: {on_time_probability: 1.0}
"""


def test_left_out_goes_on_after_a_candidate_that_does_not_fit(tmp_path):
    """quick-polish, clash (a 1-day g3 of its own on the idle person: Δ 0) and
    no-value under on time >= 100%: the best set is {quick-polish} (+1,360); clash
    cannot join it (g3 twice: does not fit, no point), and no-value, after it in the
    file, adds Δ 0 (value). Catches stopping the list at the first candidate that
    does not fit, and the "fit" entry's keys."""
    shutil.copy(ROOT / "tests" / "data" / "hand-base.yaml", tmp_path / "hand-base.yaml")
    (tmp_path / "fit.yaml").write_text(FIT_SESSION)
    pr = prioritise(load_session(tmp_path / "fit.yaml"), runs=3, seed=5, workers=1)
    steps = pr.best_set()
    assert [s["ids"] for s in steps] == [[], ["quick-polish"]]
    assert [(e["id"], e["reason"]) for e in pr.left_out(steps)] == [
        ("clash", "fit"),
        ("no-value", "value"),
    ]
    assert pr.left_out(steps)[0] == {"id": "clash", "reason": "fit", "broken": [], "point": None}


def test_order_confidence_of_futures_that_all_agree():
    """Ten identical futures, so every bootstrap resample has the same means: A is a
    gain (+0.04 days is within LATER_DAYS, +10), B a trade-off (+1 day, +1,000),
    C and D identical losses. Order A, B, C, D: A above B and B above C in every
    resample (1), C and D tied (1/2). Catches resampled means not divided by the
    number of futures (x 100: A would be 4 days later at 250 a day, below B's
    1,000: 0), pairs taken from the wrong slice, and one candidate answering
    something other than no pairs."""
    futures = np.ones((10, 1))
    dday = futures * [0.04, 1.0, 2.0, 2.0]
    dnpv = futures * [10.0, 1_000.0, -5.0, -5.0]
    conf = order_confidence(dday, dnpv, [0, 1, 2, 3], seed=1)
    assert list(conf) == [1.0, 1.0, 0.5]
    assert order_confidence(dday[:, :1], dnpv[:, :1], [0], seed=1).shape == (0,)


def test_order_confidence_is_repeatable_for_a_seed():
    """Futures that disagree: the bootstrap shares depend on the resamples, which come
    from the seed alone: the same seed gives the same shares, in [0, 1]. Catches an
    unseeded generator."""
    rng = np.random.default_rng(0)
    dday, dnpv = rng.normal(0, 1, (50, 3)), rng.normal(0, 1, (50, 3))
    first = order_confidence(dday, dnpv, [0, 1, 2], seed=4)
    assert list(first) == list(order_confidence(dday, dnpv, [0, 1, 2], seed=4))
    assert ((first >= 0) & (first <= 1)).all()


@pytest.mark.parametrize(
    ("confidence", "runs", "why"),
    [
        # z = Φ⁻¹(0.8) = 0.8416: 1,000 x (1.6449 / 0.8416)² x 1.2 = 4,584 -> 5,000
        (0.8, 5_000, "wanted, rounded up to thousands"),
        # z = Φ⁻¹(0.8161) = 0.9006: 1,000 x (1.6449 / 0.9006)² x 1.2 = 4,003 -> 5,000
        (0.8161, 5_000, "just over 4,000 still rounds up"),
        # z = Φ⁻¹(0.9) = 1.2816: 1,000 x (1.6449 / 1.2816)² x 1.2 = 1,977 -> 2,000
        (0.9, 2_000, "squared, not doubled (2 x 1.2835 x 1.2 = 3,080 -> 4,000)"),
        # z = Φ⁻¹(0.99) = 2.3263: 1,000 x 0.5 x 1.2 = 600 -> 1,000, below double (2,000)
        (0.99, 2_000, "at least double"),
        # below 0.55 counts as 0.55: z = 0.1257, (1.6449 / 0.1257)² x 1.2 = 206 x -> cap
        (0.5, AUTO_MAX_RUNS, "a coin toss needs the cap"),
    ],
)
def test_next_runs_by_hand(confidence, runs, why):
    """The next pass of runs="auto" after 1,000 runs (module docstring of prioritise:
    z grows with the square root of the runs; 20% more; at least double; whole
    thousands; at most AUTO_MAX_RUNS = 8,000). Each case catches a changed constant
    or operator in that formula."""
    assert AUTO_MAX_RUNS == 8_000
    assert _next_runs(1_000, confidence) == runs, why


def test_beats_scores_above_below_and_tied():
    """Element-wise, (group, metric) pairs against (1, 5.0): a lower group is above (1)
    whatever the metric; a higher group is below (0) even with an equal metric; the
    same group is decided by the metric (higher above), an equal one tied (1/2).
    Catches "tied" when only the metric is equal, and below scored as above."""
    g1 = np.array([0, 2, 2, 1, 1, 1])
    m1 = np.array([-9.0, 5.0, 9.0, 6.0, 4.0, 5.0])
    g2, m2 = np.ones(6, dtype=int), np.full(6, 5.0)
    assert list(beats(g1, m1, g2, m2)) == [1.0, 0.0, 0.0, 1.0, 0.0, 0.5]


HALF_A_UNIT = """\
name: Free team
start_date: 2027-01-04
team: {size: 2, cost_per_person_day: 0}
items:
  - {id: a, effort: 10}
value: {horizon_weeks: 52}
"""


def test_a_rise_of_exactly_the_tolerance_is_not_taken(tmp_path):
    """A team that costs nothing; the candidate's item h (255 person-days) goes to the
    idle second person and is live on day 255 = week 51, worth 0.5 a week for the
    52 - 51 = 1 week left: Δ NPV exactly +0.5 = NPV_TOLERANCE. The best set stays
    the base and h is left out for value. Catches ``<`` for ``<=`` in the rise test."""
    assert NPV_TOLERANCE == 0.5
    (tmp_path / "free.yaml").write_text(HALF_A_UNIT)
    data = {
        "name": "Half",
        "base": "free.yaml",
        "candidates": [
            {
                "id": "half",
                "changes": [
                    {
                        "add_items": {
                            "items": [{"id": "h", "effort": 255, "value": {"per_week": 0.5}}]
                        }
                    }
                ],
            }
        ],
    }
    pr = prioritise(parse_session(data, "half.yaml", tmp_path), runs=1, seed=1, workers=1)
    assert pr.table.loc[0, "npv"] == 0.5
    steps = pr.best_set()
    assert [s["ids"] for s in steps] == [[]]
    assert [e["reason"] for e in pr.left_out(steps)] == ["value"]


def test_best_set_breaks_a_tie_by_file_order(tmp_path):
    """Two identical candidates (extra and its twin, +14,100 each, worked out in
    tests/decide/test_ranking.py): the greedy step takes the first in the file; the
    twin cannot join it (the same item e twice). Catches ``>=`` in the choice."""
    data = yaml.safe_load((ROOT / "tests" / "data" / "hand-session.yaml").read_text())
    extra = data["candidates"][0]
    data["candidates"] = [extra, dict(extra, id="extra-twin")]
    shutil.copy(ROOT / "tests" / "data" / "hand-base.yaml", tmp_path / "hand-base.yaml")
    pr = prioritise(parse_session(data, "twin.yaml", tmp_path), runs=2, seed=1, workers=1)
    assert [s["ids"] for s in pr.best_set()] == [[], ["extra"]]


def test_a_shift_of_exactly_later_days_has_no_value_per_day(monkeypatch):
    """A mean Δ delivery of exactly LATER_DAYS (0.05 working days) is "not later"
    (docs/reference/decide.md): the hand session's extra (+14,100) stays a gain with
    no NPV per day, not 14,100 / 0.05 = 282,000. The whole futures cannot move by
    exactly 0.05 days, so the comparison's mean for extra is set to it. Catches
    ``>=`` in the value-per-day rule."""
    import importlib

    module = importlib.import_module("simulation.decide.prioritise")
    real = module._simulate

    def nudged(*args, **kwargs):
        results, deltas = real(*args, **kwargs)
        rows = (deltas["variant"] == "extra") & (deltas["metric"] == "delivery_day")
        deltas.loc[rows, "mean"] = module.LATER_DAYS
        return results, deltas

    monkeypatch.setattr(module, "_simulate", nudged)
    hand = load_session(ROOT / "tests" / "data" / "hand-session.yaml")
    row = prioritise(hand, runs=2, seed=1, workers=1).table.set_index("candidate").loc["extra"]
    assert (row.delivery_days, row.verdict) == (0.05, "gain")
    assert np.isnan(row.value_per_day)
