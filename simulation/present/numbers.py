"""Numbers as people read them: money, probabilities, percentage points and working days.

One owner for these formats: the dashboard (``dashboard.fmt`` re-exports them),
the Decide sentences and the report call the same functions, so the same
number reads the same everywhere.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def is_missing(x: object) -> bool:
    """True for None, NaN, NaT and infinities."""
    if x is None or x is pd.NaT:
        return True
    if isinstance(x, (float, np.floating)):
        return not math.isfinite(float(x))
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def money(x: object, missing: str = "n/a", signed: bool = False) -> str:
    """Compact money without a currency symbol: ``1.04 M``, ``354 k``, ``900``."""
    if is_missing(x):
        return missing
    v = float(x)  # type: ignore[arg-type]
    sign = "-" if v < 0 else ("+" if signed and v > 0 else "")
    a = abs(v)
    if a >= 1e9:
        body = f"{a / 1e9:.2f} bn"
    elif a >= 1e6:
        body = f"{a / 1e6:.2f} M"
    elif a >= 1e4:
        body = f"{a / 1e3:.0f} k"
    elif a >= 1e3:
        body = f"{a / 1e3:.1f} k"
    else:
        body = f"{a:.0f}"
    return sign + body


def pct(x: object, missing: str = "n/a") -> str:
    """A probability as a whole percentage: ``85%``; ``<1%`` / ``>99%`` near the ends."""
    if is_missing(x):
        return missing
    v = float(x) * 100  # type: ignore[arg-type]
    if 0 < v < 0.5:
        return "<1%"
    if 99.5 <= v < 100:
        return ">99%"
    return f"{v:.0f}%"


def points(x: object, missing: str = "n/a") -> str:
    """A change of probability in percentage points: ``+12 pp``."""
    if is_missing(x):
        return missing
    v = float(x) * 100  # type: ignore[arg-type]
    if abs(v) < 0.05:
        return "±0 pp"
    return f"{v:+.1f} pp" if abs(v) < 10 else f"{v:+.0f} pp"


def days(x: object, missing: str = "n/a", signed: bool = False, working: bool = False) -> str:
    """Working days, one decimal only when it matters: ``12 days``, ``+3.5 days``.

    ``working=True`` says so in the unit (``12 working days``), for sentences
    where calendar days could be meant.
    """
    if is_missing(x):
        return missing
    v = float(x)  # type: ignore[arg-type]
    body = f"{v:+.1f}" if signed else f"{v:.1f}"
    if body.endswith(".0"):
        body = body[:-2]
    if signed and body in ("+0", "-0"):
        body = "±0"
    unit = "day" if abs(v) == 1 else "days"
    return f"{body} {'working ' if working else ''}{unit}"
