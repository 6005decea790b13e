"""What the room reads (docs/how-to/run-a-prioritisation-session.md): the ranking rule,
close calls, the best set and the accepted set in words, from the hand-worked session.

The hand-worked session (``tests/data/hand-session.yaml``, worked out in
``tests/decide/test_ranking.py``) has identical futures, so every number in these
sentences is exact. Base: delivery day 40, NPV 10,800, on time (deadline day 45),
outcome reached. The best set under "on-time chance at least 70%" is {extra}
(Δ NPV +14,100). With extra chosen, each other candidate added to it:

* report: e and f share the idle person, f runs days 25-50: delivery day 50, after
  the deadline: on-time chance 0%, below 70% (constraint).
* polish: g after d runs days 40-50: delivery day 50: on-time chance 0% (constraint).
* drop-d: 14,100 - 2,400 = 11,700: lowers the set's NPV by 2,400 ("2.4 k").
* slip: every item 5 days later: e live on day 30, 300 x (52 - 6) = 13,800 (-300);
  a-d lose 4 x 100 = 400; the team waits 5 days, cost +1,000: 14,100 - 1,700 =
  12,400, delivery day 45 (on time): lowers NPV by 1,700 ("1.7 k").
* third-person: idle all along, cost +4,000: lowers NPV by 4,000 ("4.0 k").
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from simulation.decide.prioritise import prioritise
from simulation.decide.sessions import load_session
from simulation.present import decide as words
from tests.helpers import ROOT

HAND = ROOT / "tests" / "data" / "hand-session.yaml"


@pytest.fixture(scope="module")
def hand():
    return prioritise(load_session(HAND), runs=20, seed=3, workers=1)


def names(pr) -> dict[str, str]:
    return {c.id: c.name for c in pr.session.candidates}


def test_left_out_gives_each_candidate_its_reason(hand):
    """The reasons and numbers worked out in the module docstring. Catches: reading
    the constraint from the base instead of the set with the candidate, or a
    candidate that lowers NPV reported as breaking the constraint."""
    steps = hand.best_set()
    out = {e["id"]: e for e in hand.left_out(steps)}
    assert list(out) == ["report", "polish", "drop-d", "slip", "third-person"], "file order"
    assert out["report"]["reason"] == "constraint"
    assert out["report"]["broken"] == [("on_time_probability", 0.0, 0.7)]
    assert out["polish"]["reason"] == "constraint"
    assert {k: out[k]["reason"] for k in ("drop-d", "slip", "third-person")} == dict.fromkeys(
        ("drop-d", "slip", "third-person"), "value"
    )
    assert [out[k]["point"]["npv"] for k in ("drop-d", "slip", "third-person")] == pytest.approx(
        [11700, 12400, 10100]
    )


def test_best_set_sentence_states_the_set_and_every_reason(hand):
    """The whole sentence, word for word (numbers from the module docstring: the
    set {extra} is +14,100 = "+14 k", dates and chances unchanged)."""
    steps = hand.best_set()
    effect = hand.effect(steps[-1]["ids"])
    text = words.best_set_sentence(
        effect, hand.left_out(steps), names(hand), {"on_time_probability": 0.7}
    )
    assert text == (
        "Recommended: “Extra report (25 days, 300/week)” (on-time chance at least 70%). "
        "Against the base: P50 delivery ±0 days, P85 ±0 days; on-time chance 100% "
        "(±0 pp); NPV +14 k; outcome chance 100% (±0 pp). Left out: “Second report "
        "(25 days, 100/week)” would take the on-time chance to 0%, below the 70% the "
        "session asked for; “Polish after d” would take the on-time chance to 0%, below "
        "the 70% the session asked for; “Drop step d” would lower the set's NPV by "
        "2.4 k; “Start a week later” would lower the set's NPV by 1.7 k; “A third "
        "person” would lower the set's NPV by 4.0 k."
    )


def test_accepted_set_is_simulated_together_and_paired(hand):
    """extra + report together (test_ranking's combination): delivery +10 working
    days, on-time chance 100% -> 0% (-100 pp), NPV +16,300 ("+16 k"), outcome
    unchanged. Catches: the accepted set taken as the sum of the singles (0 days,
    +18,800) instead of simulated together."""
    effect = hand.effect(["report", "extra"])
    assert effect["ids"] == ["extra", "report"], "file order"
    assert (effect["delivery_days"], effect["p85_days"], effect["npv"]) == pytest.approx(
        (10, 10, 16300)
    )
    assert (effect["on_time_probability"], effect["on_time"]) == (0.0, -1.0)
    assert words.accepted_sentence(effect, names(hand)) == (
        "The accepted set (“Extra report (25 days, 300/week)” and “Second report (25 "
        "days, 100/week)”) together against the base: delivery +10 working days on "
        "average, on-time chance -100 pp, NPV +16 k, outcome chance ±0 pp."
    )
    assert words.combination_note(effect, {"on_time_probability": 0.7}) == (
        "Together they break the session's constraint: they take the on-time chance "
        "to 0%, below the 70% the session asked for."
    )
    assert hand.set_results(["extra", "report"]) is hand.set_results(["report", "extra"]), (
        "simulated once, whatever the order asked"
    )


def test_nothing_accepted_and_an_empty_best_set_say_so(hand):
    """No accepted candidate: no numbers, a prompt. A best set that is the base
    says the base stays (the empty set's effect is all zero)."""
    assert words.accepted_sentence(None, {}).startswith("Nothing is accepted yet")
    base = hand.effect([])
    assert base["npv"] == 0 and base["delivery_days"] == 0
    text = words.best_set_sentence(base, [], {}, {"on_time_probability": 0.7})
    assert text == (
        "Recommended: the base as it is; no candidate raises mean NPV with on-time "
        "chance at least 70%."
    )


@pytest.mark.parametrize(
    ("confidence", "expected"),
    [
        (0.9, "ahead of the next in 90% of futures"),
        (0.75, "ahead of the next in 75% of futures"),
        (0.68, "close call: ahead of “B” in only 68% of futures"),
        (
            0.24,
            "close call: ahead on the means, but “B” does better on this metric in 76% of futures",
        ),
        (math.nan, "last"),
    ],
)
def test_rank_confidence_reads_as_a_close_call_below_three_in_four(confidence, expected):
    """0.75 is the threshold (CLOSE_CALL): at it, no close call; below one half the
    next one wins most futures, 1 - 0.24 = 76%. Catches a flipped share."""
    assert words.ahead_note(confidence, "B") == expected


def test_close_calls_name_the_candidate_and_the_next_one():
    """Only rows under 75% get a sentence, each naming the next one down."""
    table = pd.DataFrame(
        {"rank": [1, 2, 3], "name": ["A", "B", "C"], "rank_confidence": [0.24, 0.9, math.nan]}
    )
    assert words.close_calls(table) == [
        "#1 “A”: close call: ahead on the means, but “B” does better on this metric "
        "in 76% of futures."
    ]
    assert words.ahead_short(0.24) == "24% · close call" and words.ahead_short(0.9) == "90%"


def test_the_rule_is_one_sentence_and_names_the_real_order():
    """One sentence (one full stop, at the end) stating the order the engine uses:
    gains, trade-offs by NPV per day, savings, losses; never "how often it beats
    the next one" as the rule (that is the confidence, not the order)."""
    rule = words.RANK_RULE
    assert rule.count(". ") == 0 and rule.endswith(".")
    order = [
        rule.index(w) for w in ("gains first", "trade-offs by NPV per day", "savings", "losses")
    ]
    assert order == sorted(order)
    assert "ranked by how often" not in rule


def test_effect_gives_the_interval_and_reports_progress():
    """extra + report (identical futures): the 90% interval of Δ NPV collapses onto
    +16,300 (``npv_low`` = ``npv_high``); the set is simulated once, its 20 futures
    reported to ``progress`` up to (20, 20). Catches the interval keys misspelt and
    the progress callback dropped on the way to the simulation."""
    pr = prioritise(load_session(HAND), runs=20, seed=3, workers=1)
    calls = []
    effect = pr.effect(["extra", "report"], progress=lambda *done_total: calls.append(done_total))
    assert (effect["npv_low"], effect["npv"], effect["npv_high"]) == pytest.approx(
        (16300, 16300, 16300)
    )
    assert calls and calls[-1] == (20, 20)


def test_effect_without_a_deadline_has_no_on_time_chance(tmp_path):
    """The hand-worked base without its deadline: no future can be on time or late,
    so the set's on-time chance is no value (NaN), not an error; the NPV is as with
    the deadline (+14,100 for extra). Catches reading a missing chance as a number."""
    base = (ROOT / "tests" / "data" / "hand-base.yaml").read_text()
    (tmp_path / "hand-base.yaml").write_text(
        "\n".join(ln for ln in base.splitlines() if not ln.startswith("deadline:"))
    )
    session = HAND.read_text().replace("constraint: {on_time_probability: 0.7}", "")
    (tmp_path / "s.yaml").write_text(session)
    pr = prioritise(load_session(tmp_path / "s.yaml"), runs=5, seed=3, workers=1)
    effect = pr.effect(["extra"])
    assert math.isnan(effect["on_time_probability"])
    assert effect["outcome_probability"] == 1.0 and effect["npv"] == pytest.approx(14100)
