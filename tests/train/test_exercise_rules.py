"""Training exercises at the edges of their rules (docs/reference/train.md).

Each test names the one-line bug it catches; every expected value is worked out
by hand from the rule it states.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simulation import ScenarioError
from simulation.train import exercises as E
from simulation.train import solve as S
from tests.helpers import LIBRARY
from tests.train.test_exercises import GOOD, _write

RUNS = 30


# ------------------------------------------------------ changes in points
@pytest.mark.parametrize(
    "x, signed, want",
    [
        (0.6, True, "+60 pp"),
        (-0.6, True, "-60 pp"),
        (0.01, True, "+1 pp"),
        (-0.014, True, "-1 pp"),
        (0.0, True, "0 pp"),
        (-0.25, False, "25 pp"),
    ],
)
def test_a_probability_change_reads_in_points(x, signed, want):
    """0.6 of probability is 60 percentage points (``pp``, as on every page); no sign
    for zero or when unsigned. Catches ``a * 10`` and the sign dropped."""
    assert E.format_change("probability", x, signed) == want


@pytest.mark.parametrize(
    "kind, x, want",
    [
        ("day", 1.0, "+1 working day"),
        ("day", -4.25, "-4.2 working days"),
        ("day", 12.0, "+12 working days"),
        ("money", -168_836.4, "-169 k"),
        ("ratio", 0.125, "+0.12"),
        ("count", 3.0, "+3"),
    ],
)
def test_other_changes_read_in_their_unit(kind, x, want):
    """Working days trimmed to one decimal (4.25 rounds half to even: 4.2), money and
    counts in whole thousands-separated units, ratios with two decimals."""
    assert E.format_change(kind, x) == want


def test_a_debrief_quotes_a_probability_change_in_points():
    """A rendered ``{change.value.outcome_probability}`` from 30% to 75% is "+45 pp",
    ``{change.value.outcome_probability:abs}`` "45 pp", and ``{variant...}`` 75%."""
    ex = E.load_exercise(LIBRARY / "exercises" / "two-finish-lines.yaml")
    sol = E.Solution(
        comparison=None,
        summaries={
            "base": {"value": {"outcome_probability": 0.30}},
            "variant": {"value": {"outcome_probability": 0.75}},
        },
        answers={},
        base_values={},
        variant_values={},
    )
    text = (
        "{change.value.outcome_probability} / {change.value.outcome_probability:abs} / "
        "{variant.value.outcome_probability}"
    )
    assert E.render(ex, text, sol) == "+45 pp / 45 pp / 75%"


# ----------------------------------------- the situation may not give it away
@pytest.mark.parametrize(
    "slot", ["{change.delivery.p50_day}", "{answer.date}", "{variant.cost.mean}"]
)
def test_a_situation_that_quotes_a_change_or_an_answer_is_refused(tmp_path, slot):
    """The situation is read before the predictions: only ``{base.*}``. Catches a
    check that refuses ``variant`` only (a change or an answer would slip through)."""
    text = GOOD.replace("situation: S {base.delivery.p50_date}", f"situation: S {slot}")
    with pytest.raises(ScenarioError, match=r"situation: .* would give the answer away"):
        E.load_exercise(_write(tmp_path, text))


def test_the_debrief_may_quote_changes_and_answers(tmp_path):
    """The same placeholders are fine after the reveal (the debrief)."""
    text = GOOD.replace(
        "debrief: D {change.delivery.p50_day}", "debrief: D {answer.date} {change.cost.mean}"
    )
    assert E.load_exercise(_write(tmp_path, text)).debrief == "D {answer.date} {change.cost.mean}"


# -------------------------------------------------------- "same" and ranges
@pytest.mark.parametrize(
    "base, variant, want",
    [
        (-50_000.0, -50_400.0, "same"),  # |diff| 400 <= 1% of |base| = 500
        (-50_000.0, -49_600.0, "same"),
        (-50_000.0, -50_600.0, "lower"),  # 600 > 500
        (-50_000.0, -49_400.0, "higher"),
        (0.0, 0.0, "same"),  # nothing on either side: same, not a division by zero
    ],
)
def test_same_with_a_negative_base_uses_the_size_of_the_base(base, variant, want):
    """1% of the base's magnitude, also when the base NPV is negative. Catches
    ``SAME_WITHIN_SHARE * base_value`` (a negative threshold: nothing is ever "same")."""
    assert E.direction_of("value.npv_mean", base, variant) == want


def test_a_truth_at_either_end_of_the_range_is_inside():
    """Range 0.10 to 0.20: a truth of exactly 0.20 (or 0.10) is inside, a point;
    0.2001 is outside. Catches ``<`` in place of ``<=`` at either end."""
    ex = E.load_exercise(LIBRARY / "exercises" / "two-finish-lines.yaml")
    preds = {
        "on-time": "higher",
        "first-value": "later",
        "outcome": {"value": 0.15, "low": 0.10, "high": 0.20},
    }
    for truth, inside in ((0.20, True), (0.10, True), (0.2001, False), (0.0999, False)):
        answers = {"on-time": "lower", "first-value": "earlier", "outcome": truth}
        q = {s.id: s for s in E.score(ex, answers, preds).questions}["outcome"]
        assert q.inside is inside, truth
        assert q.points == int(inside)
        assert q.distance == pytest.approx(abs(0.15 - truth))


# ------------------------------------------------------------------ the cache
def test_the_answer_cache_is_keyed_by_the_seed(monkeypatch):
    """Same exercise, same runs, seeds 1 and 2: two simulations (two sets of futures),
    and asking for seed 1 again is the cached one. Catches a cache key without the seed
    (seed 2 would be handed seed 1's answers)."""
    E.clear_solved()
    calls = []
    real = S.compare

    def counting(*args, **kwargs):
        calls.append(kwargs.get("seed"))
        return real(*args, **kwargs)

    monkeypatch.setattr(S, "compare", counting)
    ex = E.load_exercise(LIBRARY / "exercises" / "freeze.yaml")
    one = E.solve(ex, runs=RUNS, seed=1, workers=1)
    two = E.solve(ex, runs=RUNS, seed=2, workers=1)
    assert calls == [1, 2]
    assert (one.seed, two.seed) == (1, 2)
    assert not one.comparison.results["base"].runs.equals(two.comparison.results["base"].runs)
    again = E.solve(ex, runs=RUNS, seed=1, workers=1)
    assert calls == [1, 2] and again.comparison is one.comparison
    E.clear_solved()


def test_rendered_values_use_the_metric_kind():
    """day 85 (trimmed), 64%, money as on every page (1.03 M), counts with separators,
    ratio two decimals, a date in words, n/a when missing."""
    assert E.format_value("day", 85.0) == "day 85"
    assert E.format_value("day", 85.25) == "day 85.2"
    assert E.format_value("probability", 0.644) == "64%"
    assert E.format_value("money", 1_029_383.4) == "1.03 M"
    assert E.format_value("count", 1_200) == "1,200"
    assert E.format_value("ratio", 1.5) == "1.50"
    assert E.format_value("date", "2027-05-04") == "4 May 2027"
    assert E.format_value("text", "Adoption") == "Adoption"
    assert E.format_value("money", None) == "n/a"


def test_exercise_folder_is_the_library(tmp_path: Path):
    """The shipped exercises load from ``scenarios/exercises`` (8 of them)."""
    assert E.EXERCISE_DIR == LIBRARY / "exercises"
    assert len(E.exercise_files()) == 8


# ------------------------------------------------------------ predictions
DAY_Q = E.Question("p50", "When?", "delivery.p50_day", "estimate")
COUNT_Q = E.Question("late", "How many?", "delivery.undelivered_runs", "estimate")
PROB_Q = E.Question("outcome", "How likely?", "delivery.on_time_probability", "estimate")
MONEY_Q = E.Question("npv", "How much?", "value.npv_mean", "estimate")


def _refusal(q, data) -> str:
    with pytest.raises(E.PredictionError) as info:
        E.parse_prediction(q, data)
    return str(info.value)


def test_an_estimate_at_its_bounds_is_accepted():
    """Each bound included: a best guess equal to either end, a probability of exactly
    0 or 1 (0% or 100%), a day or count of exactly 0. Catches ``<`` for ``<=`` in the
    range check and in the probability and non-negative checks."""
    assert E.parse_prediction(DAY_Q, {"value": 0, "low": 0, "high": 3}) == E.Estimate(0, 0, 3)
    assert E.parse_prediction(DAY_Q, {"value": 3, "low": 1, "high": 3}) == E.Estimate(3, 1, 3)
    assert E.parse_prediction(PROB_Q, {"value": 1, "low": 0, "high": 1}) == E.Estimate(1, 0, 1)
    assert E.parse_prediction(COUNT_Q, {"value": 0.5, "low": 0.5, "high": 0.5}).low == 0.5
    assert E.parse_prediction(MONEY_Q, {"value": -5, "low": -9, "high": 0}).low == -9, (
        "money may be negative"
    )
    est = E.Estimate(value=12.0, low=10.0, high=15.0)
    assert E.parse_prediction(DAY_Q, est) == est, "an Estimate is checked like a mapping"


def test_an_estimate_out_of_its_bounds_is_refused_in_the_trainees_terms():
    """The question's id, which part (best guess, low end, high end), the number as
    typed (a probability in percent, others as they are)."""
    assert _refusal(DAY_Q, {"value": 1, "low": -1, "high": 3}) == (
        "“When?”: the low end -1 is negative"
    )
    assert _refusal(COUNT_Q, {"value": -2, "low": -3, "high": 1}) == (
        "“How many?”: the best guess -2 is negative"
    )
    assert _refusal(PROB_Q, {"value": 0.5, "low": 0.2, "high": 1.5}) == (
        "“How likely?”: the high end 150% is outside a probability's range (0% to 100%)"
    )
    assert _refusal(PROB_Q, {"value": 0.1, "low": 0.2, "high": 0.3}) == (
        "“How likely?”: the best guess must lie between the low and the high end "
        "(got low 20%, best guess 10%, high 30%)"
    )
    assert _refusal(DAY_Q, {"value": 4, "low": 1, "high": 3}) == (
        "“When?”: the best guess must lie between the low and the high end "
        "(got low 1, best guess 4, high 3)"
    )
    assert _refusal(DAY_Q, E.Estimate(value=4, low=1, high=3)).startswith(
        "“When?”: the best guess must lie between"
    )


def test_a_part_that_is_not_a_number_is_named():
    assert _refusal(DAY_Q, [1, 2, 3]) == "“When?”: expected a best guess with a low and a high end"
    assert _refusal(DAY_Q, {"value": "x", "low": 1, "high": 3}) == (
        "“When?”: the best guess must be a number, got 'x'"
    )
    assert _refusal(DAY_Q, {"value": 1, "low": True, "high": 3}) == (
        "“When?”: the low end must be a number, got True"
    )
    assert _refusal(DAY_Q, {"value": 1, "low": 0}) == (
        "“When?”: the high end must be a number, got None"
    )
    assert _refusal(DAY_Q, {"value": float("nan"), "low": 0, "high": 1}) == (
        "“When?”: the best guess must be a number, got nan"
    )


def test_each_score_row_keeps_the_question_the_truth_and_the_prediction():
    """Read back by the debrief: kind, truth and prediction of both kinds of row."""
    ex = E.load_exercise(LIBRARY / "exercises" / "two-finish-lines.yaml")
    preds = {
        "on-time": "higher",
        "first-value": "later",
        "outcome": {"value": 0.15, "low": 0.10, "high": 0.20},
    }
    answers = {"on-time": "higher", "first-value": "earlier", "outcome": 0.3}
    rows = {s.id: s for s in E.score(ex, answers, preds).questions}
    assert (rows["on-time"].kind, rows["on-time"].truth, rows["on-time"].prediction) == (
        "direction",
        "higher",
        "higher",
    )
    assert rows["on-time"].right is True and rows["first-value"].right is False
    out = rows["outcome"]
    assert (out.kind, out.truth, out.prediction) == ("estimate", 0.3, E.Estimate(0.15, 0.1, 0.2))
    assert out.inside is False and out.points == 0


# ------------------------------------------------------------ rendering texts
def _solution(base: dict, variant: dict, answers: dict) -> E.Solution:
    return E.Solution(
        comparison=None,
        summaries={"base": base, "variant": variant},
        answers=answers,
        base_values={},
        variant_values={},
    )


def test_answers_render_only_after_the_reveal_in_their_questions_terms():
    """An estimate's answer in its metric's words (0.3 of a probability: 30%), a
    direction's as its word; before the reveal (no solution) asking is an error."""
    ex = E.load_exercise(LIBRARY / "exercises" / "two-finish-lines.yaml")
    sol = _solution({}, {}, {"outcome": 0.3, "on-time": "higher"})
    assert E.render(ex, "{answer.outcome} / {answer.on-time}", sol) == "30% / higher"
    with pytest.raises(ValueError) as info:
        E.render(ex, "{answer.outcome}", base_summary={})
    assert str(info.value) == "the answers are not known before the reveal"


def test_a_change_with_a_side_missing_and_an_absolute_value():
    """A change needs both sides (either one missing reads "n/a"); ``:abs`` drops the
    sign of a number (-1,234,567 reads 1.23 M) and leaves a missing one "n/a"."""
    ex = E.load_exercise(LIBRARY / "exercises" / "two-finish-lines.yaml")
    both = {"value": {"npv_mean": -1_234_567.0}}
    none = {"value": {"npv_mean": None}}
    for base, variant in ((none, both), (both, none)):
        assert E.render(ex, "{change.value.npv_mean}", _solution(base, variant, {})) == "n/a"
    sol = _solution(both, none, {})
    assert E.render(ex, "{base.value.npv_mean:abs} / {base.value.npv_mean}", sol) == (
        "1.23 M / -1.23 M"
    )
    assert E.render(ex, "{variant.value.npv_mean:abs}", sol) == "n/a"


@pytest.mark.parametrize(
    "x, want", [(0.96, "+1 working day"), (1.04, "+1 working day"), (1.4, "+1.4 working days")]
)
def test_one_working_day_is_singular_as_shown(x, want):
    """The unit follows the number as shown (one decimal): 0.96 and 1.04 show as 1
    (singular), 1.4 as 1.4 (plural). Catches rounding to whole days or to two decimals."""
    assert E.format_change("day", x) == want
