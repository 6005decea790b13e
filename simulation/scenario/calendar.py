"""Working-day arithmetic: the model's clock and the dates people read.

The model runs on a continuous clock of working days from ``start_date``: time
``t`` means "after ``t`` working days". The date of a moment ``t > 0`` is the
working day on which it falls, i.e. working day ``ceil(t) - 1`` (day 0 is the
first working day on or after ``start_date``). So work that takes 5 days from
a Monday finishes at ``t = 5``, dated that Friday.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import cached_property

import numpy as np

from simulation.scenario.schema import Calendar


class WorkCalendar:
    """Convert between working-day times and calendar dates."""

    def __init__(self, calendar: Calendar, start: dt.date):
        self.weekmask = [
            day in calendar.workdays for day in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
        ]
        self.holidays = np.array(sorted(calendar.holidays), dtype="datetime64[D]")
        self._cal = np.busdaycalendar(weekmask=self.weekmask, holidays=self.holidays)
        self.start = np.busday_offset(
            np.datetime64(start, "D"), 0, roll="forward", busdaycal=self._cal
        )
        self.days_per_week = sum(self.weekmask)

    @cached_property
    def start_date(self) -> dt.date:
        return self.start.astype(dt.date)

    def workday_date(self, index: int | np.ndarray) -> np.ndarray:
        """Date of working day ``index`` (0 = the first working day)."""
        return np.busday_offset(self.start, index, roll="forward", busdaycal=self._cal)

    def date_of(self, t: float) -> dt.date | None:
        """Date on which the moment ``t`` (working days) falls; None for NaN."""
        if t is None or not math.isfinite(t):
            return None
        index = max(math.ceil(t - 1e-9) - 1, 0)
        d = self.workday_date(index).astype(dt.date)
        return d if isinstance(d, dt.date) else None  # past 9999-12-31: numpy gives an int

    def dates_of(self, t: np.ndarray) -> np.ndarray:
        """Vector form of :meth:`date_of`; NaN gives NaT."""
        t = np.asarray(t, dtype=float)
        out = np.full(t.shape, np.datetime64("NaT"), dtype="datetime64[D]")
        ok = np.isfinite(t)
        if ok.any():
            idx = np.maximum(np.ceil(t[ok] - 1e-9) - 1, 0).astype(np.int64)
            out[ok] = self.workday_date(idx)
        return out

    def day_start(self, date: dt.date) -> float:
        """Working-day time at the start of ``date``: the days worked before it (>= 0).

        A weekend or holiday starts when the next working day does.
        """
        d = np.datetime64(date, "D")
        return float(max(np.busday_count(self.start, d, busdaycal=self._cal), 0))

    def day_end(self, date: dt.date) -> float:
        """Working-day time at the end of ``date``: the days worked up to and including it."""
        d = np.datetime64(date, "D")
        return float(np.busday_count(self.start, d + 1, busdaycal=self._cal))
