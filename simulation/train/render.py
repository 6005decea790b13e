"""Exercise texts filled from the run: metric values and changes in words, placeholders
rendered."""

from __future__ import annotations

import re
from typing import Any

from simulation.present import formats

from .files import _PLACEHOLDER_RE, _SLOT_RE, METRICS, SIDES, Exercise, Question, metric_value
from .solve import Solution


# --------------------------------------------------------------- rendering
def format_value(kind: str, x: Any) -> str:
    """A metric value in words: ``day 85``, ``64%``, ``1.03 M``, ``4 May 2027`` (the
    shared formats of :mod:`simulation.present.formats`)."""
    if x is None:
        return "n/a"
    if kind == "date":
        return formats.date(str(x))
    if kind == "text":
        return str(x)
    x = float(x)
    if kind == "day":
        return f"day {_trim(x)}"
    if kind == "probability":
        return formats.pct(x)
    if kind == "money":
        return formats.money(x)
    if kind == "ratio":
        return f"{x:.2f}"
    return f"{x:,.0f}"


def format_change(kind: str, x: float, signed: bool = True) -> str:
    """A difference in words: ``+4 working days``, ``-60 pp``, ``+169 k``."""
    sign = ("+" if x > 0 else "-" if x < 0 else "") if signed else ""
    a = abs(x)
    if kind == "day":
        unit = "working day" if round(a, 1) == 1 else "working days"
        return f"{sign}{_trim(a)} {unit}"
    if kind == "probability":
        return f"{sign}{round(a * 100)} pp"
    if kind == "ratio":
        return f"{sign}{a:.2f}"
    return sign + formats.money(a)


def _trim(x: float) -> str:
    return f"{x:,.1f}".removesuffix(".0")


def format_answer(q: Question, truth: Any) -> str:
    """A question's true answer in words."""
    return str(truth) if q.kind == "direction" else format_value(q.metric_kind, truth)


def render(
    ex: Exercise, text: str, sol: Solution | None = None, base_summary: dict[str, Any] | None = None
) -> str:
    """Fill a text's placeholders from the run (see the module docstring).

    With only ``base_summary`` (before the reveal) only ``{base.*}`` can be
    filled; :func:`load_exercise` made sure the situation needs no more.
    """
    summaries = sol.summaries if sol is not None else {"base": base_summary}

    def fill(m: re.Match) -> str:
        scope, name, absolute = _SLOT_RE.match(m.group(1).strip()).groups()
        if scope == "answer":
            if sol is None:
                raise ValueError("the answers are not known before the reveal")
            return format_answer(ex.question(name), sol.answers[name])
        if scope == "change":
            b, v = (metric_value(summaries[s], name) for s in SIDES)
            if b is None or v is None:
                return "n/a"
            return format_change(METRICS[name], float(v) - float(b), signed=not absolute)
        value = metric_value(summaries[scope], name)
        if absolute and isinstance(value, (int, float)):
            value = abs(value)
        return format_value(METRICS[name], value)

    return _PLACEHOLDER_RE.sub(fill, text)
