"""Training exercises (docs/reference/train.md): predict a trade-off, then see the truth.

An exercise file (``scenarios/exercises/*.yaml``) names a ``base`` scenario and
either a ``variant`` file that builds on it or a list of ``changes``, asks
``questions`` about the run summary (``delivery.p50_day``,
``value.outcome_probability``, ...) and explains the mechanism in a
``debrief``. This module loads and validates those files, simulates base and
variant under the same seeds (once per process for each exercise, however
many trainees reveal at once), answers the questions and scores predictions.

Two kinds of question:

* ``direction``: does the variant move the metric up or down against the base?
  The answer is ``earlier``/``same``/``later`` for a day and
  ``lower``/``same``/``higher`` otherwise; "same" means within
  :func:`same_within` (half a working day, one point of probability).
* ``estimate``: a number for the base or the variant (``of``, default the
  variant), given as a best guess with a range; scored by the distance from
  the truth and whether the truth lies in the range.

Texts may quote the run with placeholders, rendered by :func:`render`:
``{base.delivery.p50_date}``, ``{variant.value.outcome_probability}``,
``{change.delivery.p50_day}`` (variant minus base, signed; ``:abs`` drops the
sign) and ``{answer.<question id>}``. A situation may quote only the base, so
it cannot give the answer away.
"""

from .files import (
    DEFAULT_WORDS,
    DIRECTION_WORDS,
    EXERCISE_DIR,
    EXERCISE_KEYS,
    KINDS,
    MAX_QUESTIONS,
    MAX_TEXT,
    MAX_TITLE,
    METRIC_LABELS,
    METRICS,
    NUMBER_KINDS,
    QUESTION_KEYS,
    SAME_WITHIN_DAYS,
    SAME_WITHIN_PROBABILITY,
    SAME_WITHIN_SHARE,
    SIDES,
    Exercise,
    PredictionError,
    Question,
    check_placeholders,
    direction_of,
    direction_words,
    exercise_files,
    list_exercises,
    load_exercise,
    metric_value,
    same_within,
)
from .render import (
    format_answer,
    format_change,
    format_value,
    render,
)
from .score import (
    Estimate,
    QuestionScore,
    Score,
    parse_prediction,
    parse_predictions,
    score,
)
from .solve import (
    MAX_SOLVED,
    Solution,
    answer_questions,
    clear_solved,
    is_solved,
    solve,
)

__all__ = [
    "DEFAULT_WORDS",
    "DIRECTION_WORDS",
    "EXERCISE_DIR",
    "EXERCISE_KEYS",
    "KINDS",
    "MAX_QUESTIONS",
    "MAX_SOLVED",
    "MAX_TEXT",
    "MAX_TITLE",
    "METRICS",
    "METRIC_LABELS",
    "NUMBER_KINDS",
    "QUESTION_KEYS",
    "SAME_WITHIN_DAYS",
    "SAME_WITHIN_PROBABILITY",
    "SAME_WITHIN_SHARE",
    "SIDES",
    "Estimate",
    "Exercise",
    "PredictionError",
    "Question",
    "QuestionScore",
    "Score",
    "Solution",
    "answer_questions",
    "check_placeholders",
    "clear_solved",
    "direction_of",
    "direction_words",
    "exercise_files",
    "format_answer",
    "format_change",
    "format_value",
    "is_solved",
    "list_exercises",
    "load_exercise",
    "metric_value",
    "parse_prediction",
    "parse_predictions",
    "render",
    "same_within",
    "score",
    "solve",
]
