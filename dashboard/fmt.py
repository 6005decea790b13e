"""Formatting numbers, money and dates the way the pages show them."""

from __future__ import annotations

import datetime as dt
import typing

import pandas as pd

from simulation.present.numbers import days, is_missing, money, pct, points
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


def as_date(x: object) -> dt.date | None:
    """A ``datetime.date`` from a date, timestamp, numpy datetime or ISO text."""
    if is_missing(x):
        return None
    if isinstance(x, dt.datetime):
        return x.date()
    if isinstance(x, dt.date):
        return x
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
