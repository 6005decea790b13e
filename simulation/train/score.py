"""Predictions and their score: a trainee's answers checked against their questions and
scored against the truth."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .files import Exercise, PredictionError, Question


# -------------------------------------------------------- predictions, score
@dataclass(frozen=True)
class Estimate:
    """A trainee's estimate: a best guess and the range they are confident of.

    In the metric's own unit: working days, money, or a probability from 0 to 1.
    """

    value: float
    low: float
    high: float


def _named(q: Question) -> str:
    """A question as a trainee sees it, for messages: its text, never its id."""
    return f"“{q.ask}”"


def parse_prediction(q: Question, data: Any) -> str | Estimate:
    """Check one prediction against its question.

    A direction is one of ``q.choices``; an estimate is an :class:`Estimate`
    or a mapping ``{value, low, high}`` with ``low <= value <= high``, a
    probability within 0 to 1 and a day not negative.

    Raises
    ------
    PredictionError
        Naming the question, e.g. ``outcome: the best guess 1.5 is outside a
        probability's range (0% to 100%)``.
    """
    if q.kind == "direction":
        if data not in q.choices:
            raise PredictionError(
                f"{_named(q)}: choose one of {', '.join(q.choices)}, got {data!r}"
            )
        return str(data)
    if isinstance(data, Estimate):
        data = {"value": data.value, "low": data.low, "high": data.high}
    if not isinstance(data, Mapping):
        raise PredictionError(f"{_named(q)}: expected a best guess with a low and a high end")
    parts = {}
    for name in ("value", "low", "high"):
        x = data.get(name)
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
            shown = "best guess" if name == "value" else f"{name} end"
            raise PredictionError(f"{_named(q)}: the {shown} must be a number, got {x!r}")
        parts[name] = float(x)
    words = {"value": "best guess", "low": "low end", "high": "high end"}

    def shown(x: float) -> str:
        # As the trainee typed it: a probability in percent.
        return f"{x * 100:g}%" if q.metric_kind == "probability" else f"{x:g}"

    if q.metric_kind == "probability":
        for name, x in parts.items():
            if not 0.0 <= x <= 1.0:
                raise PredictionError(
                    f"{_named(q)}: the {words[name]} {shown(x)} is outside a "
                    "probability's range (0% to 100%)"
                )
    elif q.metric_kind in ("day", "count"):
        for name, x in parts.items():
            if x < 0:
                raise PredictionError(f"{_named(q)}: the {words[name]} {shown(x)} is negative")
    if not parts["low"] <= parts["value"] <= parts["high"]:
        raise PredictionError(
            f"{_named(q)}: the best guess must lie between the low and the high "
            f"end (got low {shown(parts['low'])}, best guess "
            f"{shown(parts['value'])}, high {shown(parts['high'])})"
        )
    return Estimate(**parts)


def parse_predictions(ex: Exercise, data: Mapping[str, Any]) -> dict[str, str | Estimate]:
    """Every question's prediction, checked; a missing one is an error naming it."""
    out = {}
    for q in ex.questions:
        if q.id not in data or data[q.id] is None:
            raise PredictionError(f"{_named(q)}: no prediction yet")
        out[q.id] = parse_prediction(q, data[q.id])
    return out


@dataclass(frozen=True)
class QuestionScore:
    """How one prediction fared.

    ``right`` for a direction; for an estimate, ``distance`` (absolute, in the
    metric's unit) and ``inside`` (the truth lay in the trainee's range).
    A point for a right direction or a range that held the truth.
    """

    id: str
    kind: str
    truth: Any
    prediction: Any
    right: bool | None
    distance: float | None
    inside: bool | None
    points: int


@dataclass(frozen=True)
class Score:
    questions: tuple[QuestionScore, ...]

    @property
    def points(self) -> int:
        return sum(q.points for q in self.questions)

    @property
    def max_points(self) -> int:
        return len(self.questions)


def score(ex: Exercise, answers: Mapping[str, Any], predictions: Mapping[str, Any]) -> Score:
    """Score predictions (checked with :func:`parse_predictions`) against the answers."""
    preds = parse_predictions(ex, predictions)
    rows = []
    for q in ex.questions:
        truth, p = answers[q.id], preds[q.id]
        if q.kind == "direction":
            right = p == truth
            rows.append(QuestionScore(q.id, q.kind, truth, p, right, None, None, int(right)))
        else:
            assert isinstance(p, Estimate)
            inside = p.low - 1e-12 <= truth <= p.high + 1e-12
            rows.append(
                QuestionScore(
                    q.id, q.kind, truth, p, None, abs(p.value - truth), inside, int(inside)
                )
            )
    return Score(tuple(rows))
