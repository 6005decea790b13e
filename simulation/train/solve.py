"""The truth of an exercise: base and variant simulated under the same seeds, once per
process for each exercise, and every question answered."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simulation.engine.runner import compare
from simulation.engine.summary import Comparison

from .files import Exercise, _fail, direction_of, metric_value


# --------------------------------------------------------------- the truth
@dataclass(frozen=True)
class Solution:
    """Base and variant simulated under the same seeds, and the questions' true answers."""

    comparison: Comparison
    summaries: dict[str, dict[str, Any]]  # "base" / "variant" -> run summary
    answers: dict[str, Any]  # question id -> word or number
    base_values: dict[str, float]  # question id -> the metric for the base
    variant_values: dict[str, float]  # question id -> the metric for the variant

    @property
    def runs(self) -> int:
        return int(self.summaries["base"]["runs"])

    @property
    def seed(self) -> int:
        return int(self.summaries["base"]["seed"])


def answer_questions(
    ex: Exercise, base_summary: dict[str, Any], variant_summary: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, float], dict[str, float]]:
    """The true answer of every question from the two run summaries.

    Raises
    ------
    ScenarioError
        If a metric has no value for the scenario (an on-time chance without a
        deadline, an outcome chance without planned value).
    """
    answers: dict[str, Any] = {}
    bases: dict[str, float] = {}
    variants: dict[str, float] = {}
    for i, q in enumerate(ex.questions):
        b, v = metric_value(base_summary, q.metric), metric_value(variant_summary, q.metric)
        for side, value in (("base", b), ("variant", v)):
            if value is None and (q.kind == "direction" or q.of == side):
                raise _fail(
                    ex.source,
                    f"questions[{i}].metric",
                    f"'{q.metric}' has no value for the {side} "
                    "(no deadline, no planned value or no delivered future)",
                )
        bases[q.id], variants[q.id] = b, v
        if q.kind == "direction":
            answers[q.id] = direction_of(q.metric, float(b), float(v))
        else:
            answers[q.id] = float(b if q.of == "base" else v)
    return answers, bases, variants


#: Solved exercises kept per process (oldest dropped first).
MAX_SOLVED = 32
_SOLVED: OrderedDict[tuple, Solution] = OrderedDict()
_SOLVING: dict[tuple, threading.Lock] = {}
_SOLVED_LOCK = threading.Lock()


def solve(
    ex: Exercise,
    runs: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Solution:
    """Simulate the exercise's base and variant and answer every question.

    Uses the base's runs and seed unless given (``compare`` pairs the runs,
    so both scenarios see the same luck). Cached per process by the two
    scenarios' text, runs and seed; callers asking for the same exercise at
    the same moment wait for one simulation instead of starting their own.

    Parameters
    ----------
    ex : Exercise
    runs, seed : int, optional
        Override the base's ``simulation`` settings (tests use fewer runs).
    workers : int, optional
        As for :func:`simulation.run`.
    progress : callable, optional
        ``progress(done, total)`` while simulating (only the caller that runs it).
    """
    runs = ex.base.simulation.runs if runs is None else runs
    seed = ex.base.simulation.seed if seed is None else seed
    key = (ex.key(), runs, seed)
    with _SOLVED_LOCK:
        hit = _SOLVED.get(key)
        if hit is not None:
            _SOLVED.move_to_end(key)
            return _reanswer(ex, hit)
        lock = _SOLVING.setdefault(key, threading.Lock())
    with lock:
        with _SOLVED_LOCK:
            hit = _SOLVED.get(key)
        if hit is not None:  # another caller simulated it while this one waited
            return _reanswer(ex, hit)
        cmp = compare(
            {"base": ex.base, "variant": ex.variant},
            runs=runs,
            seed=seed,
            workers=workers,
            progress=progress,
        )
        summaries = {
            "base": cmp.results["base"].summary(),
            "variant": cmp.results["variant"].summary(),
        }
        answers, bases, variants = answer_questions(ex, summaries["base"], summaries["variant"])
        sol = Solution(cmp, summaries, answers, bases, variants)
        with _SOLVED_LOCK:
            _SOLVED[key] = sol
            while len(_SOLVED) > MAX_SOLVED:
                _SOLVED.popitem(last=False)
            _SOLVING.pop(key, None)
        return sol


def is_solved(ex: Exercise, runs: int | None = None, seed: int | None = None) -> bool:
    """Whether :func:`solve` has this exercise's answers at hand (no simulation needed)."""
    runs = ex.base.simulation.runs if runs is None else runs
    seed = ex.base.simulation.seed if seed is None else seed
    with _SOLVED_LOCK:
        return (ex.key(), runs, seed) in _SOLVED


def _reanswer(ex: Exercise, sol: Solution) -> Solution:
    """A cached simulation with this exercise's questions (two files may share scenarios)."""
    answers, bases, variants = answer_questions(ex, sol.summaries["base"], sol.summaries["variant"])
    return Solution(sol.comparison, sol.summaries, answers, bases, variants)


def clear_solved() -> None:
    """Forget every cached solution (tests)."""
    with _SOLVED_LOCK:
        _SOLVED.clear()
