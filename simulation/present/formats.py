"""How a number reads: money, percentages, percentage points, days and dates.

The one owner of these formats: the dashboard (``dashboard/fmt.py``), the report,
the command line and the exercises all call these functions, so the same NPV
reads ``1.04 M`` everywhere and the same date ``4 May 2027``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sys
import typing

import numpy as np

from simulation.scenario.schema import Approach

__all__ = [
    "APPROACHES",
    "approach_label",
    "as_date",
    "date",
    "days",
    "is_missing",
    "money",
    "out_of_100",
    "pct",
    "points",
    "short_date",
]

#: Each delivery approach: its name and what it means, in the schema's order. Every
#: page and lever label comes from here.
APPROACHES: dict[str, tuple[str, str]] = {
    "continuous": ("Continuous delivery", "each item goes live when done"),
    "incremental": ("Incremental releases", "releases on a fixed cadence"),
    "big_bang": ("Big-bang launch", "everything goes live at launch"),
}
assert tuple(APPROACHES) == typing.get_args(Approach), "the schema's approaches"


def approach_label(approach: str) -> str:
    """``Incremental releases: releases on a fixed cadence``."""
    name, meaning = APPROACHES[approach]
    return f"{name}: {meaning}"


#: Text ``as_date`` reads without pandas: an ISO date.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _is_nat(x: object) -> bool:
    """``x`` is pandas' NaT (checked without importing pandas: no NaT exists before)."""
    pd = sys.modules.get("pandas")
    return pd is not None and x is pd.NaT


def is_missing(x: object) -> bool:
    """True for None, NaN, NaT and infinities."""
    if x is None or _is_nat(x):
        return True
    if isinstance(x, (float, np.floating)):
        return not math.isfinite(float(x))
    if isinstance(x, (str, int, dt.date)):  # never missing; no pandas needed to say so
        return False
    import pandas as pd  # numpy NaT, pandas' NA and the like

    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def as_date(x: object) -> dt.date | None:
    """A ``datetime.date`` from a date, timestamp, numpy datetime or ISO text."""
    if is_missing(x):
        return None
    if isinstance(x, dt.datetime):
        return x.date()
    if isinstance(x, dt.date):
        return x
    if isinstance(x, str) and _ISO_DATE.fullmatch(x):
        try:
            return dt.date.fromisoformat(x)
        except ValueError:
            return None
    import pandas as pd  # any other form of a date pandas reads

    try:
        return pd.Timestamp(x).date()
    except (TypeError, ValueError):
        return None


def date(x: object, missing: str = "never") -> str:
    """``4 May 2027``: day, short month, year (no zero padding, no ambiguity)."""
    d = as_date(x)
    if d is None:
        return missing
    return f"{d.day} {d:%b %Y}"


def short_date(x: object, missing: str = "never") -> str:
    """``4 May``: for sentences where the year is obvious."""
    d = as_date(x)
    if d is None:
        return missing
    return f"{d.day} {d:%b}"


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
    return ("" if body == "0" else sign) + body  # never "-0" or "+0"


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
    unit = "day" if body.lstrip("+-") == "1" else "days"  # as shown: 0.96 reads "1 day"
    return f"{body} {'working ' if working else ''}{unit}"


def out_of_100(p: object) -> str:
    """``85 of 100`` for a probability, for the plain-words sentences."""
    if is_missing(p):
        return "none of 100"
    n = round(float(p) * 100)  # type: ignore[arg-type]
    if n == 0 and float(p) > 0:  # type: ignore[arg-type]
        return "fewer than 1 in 100"
    if n == 100 and float(p) < 1:  # type: ignore[arg-type]
        return "more than 99 of 100"
    return f"{n} of 100"
