"""What every part of History shares: limits, defaults, the error, percentiles and the calendar.

The limits and defaults are documented in ``docs/reference/history.md``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from typing import Any, Literal

import numpy as np

from simulation.scenario.errors import ScenarioError
from simulation.scenario.schema import MAX_DATE, MAX_RUNS, MIN_DATE, Calendar

# ------------------------------------------------------------------ limits
#: Largest export read (bytes): about 50,000 items of a typical Jira export.
MAX_FILE_BYTES = 5_000_000
#: Most rows (work items) in an export.
MAX_ROWS = 50_000
#: Most columns (a Jira "all fields" export has a few hundred).
MAX_COLUMNS = 1_000
#: Most items a *when* forecast or a backtest may ask for.
MAX_ITEMS = 10_000
#: Largest throughput window, calendar days (10 years).
MAX_WINDOW_DAYS = 3_650
#: A forecast gives up after this many working days (20 years, as the engine's cap):
#: a window of zeros must never hang it. Runs that have not finished count as never.
MAX_FORECAST_DAYS = 5_200

# ---------------------------------------------------------------- defaults
#: Throughput window, calendar days up to and including the last done date.
DEFAULT_WINDOW_DAYS = 90
#: Monte Carlo runs of a forecast, and its seed.
DEFAULT_RUNS = 10_000
DEFAULT_SEED = 42
#: Items a backtest forecasts when no *when* count is given.
DEFAULT_BACKTEST_ITEMS = 20
#: Days between backtest cut-offs (calendar days).
BACKTEST_STEP_DAYS = 7
#: Percentiles reported everywhere.
PERCENTILES = (50, 85, 95)
#: Model and throughput dates "disagree" beyond this many calendar days.
DISAGREE_DAYS = 14
#: The date formats of an export named by their pattern (``--date-format``).
FORMATS = ("ISO", "d.M.yyyy", "M/d/yyyy", "d/M/yyyy", "dd/MMM/yy", "d MMM yyyy")
#: Statuses of an item not done that mean it has not started (case does not matter):
#: an item in one of them is not work in progress, whatever its start column says.
NOT_STARTED_STATUSES = ("To Do", "Todo", "Open", "Backlog", "New", "Submitted")
#: Largest number of draws held at once by a forecast (runs x days): ~32 MB of int64.
_BLOCK_CELLS = 4_000_000

Layout = Literal["stages", "flat"]


class HistoryError(ScenarioError):
    """A work-item export or a history option is invalid (names the column/row/option)."""

    def with_source(self, source: str) -> HistoryError:
        if self.source:
            return self
        return HistoryError(str(self), source=source, problems=self.problems)


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


# ------------------------------------------------------------- percentiles
def nearest_rank(values: Iterable[float], p: float) -> float | int | None:
    """The smallest value with at least ``p`` percent of the values at or below it.

    Infinite values (a forecast run that never finished) sort last; a percentile
    that falls among them is None. None for no values.
    """
    v = np.sort(
        np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)
    )
    if v.size == 0:
        return None
    k = _rank(p, v.size)
    x = float(v[k])
    if not math.isfinite(x):
        return None
    return int(x) if x.is_integer() else x


def _rank(p: float, n: int) -> int:
    """0-based index of the nearest-rank ``p``-th percentile of ``n`` sorted values."""
    # The tolerance keeps 85% of 100 at rank 85 despite 0.85 * 100 = 85.00000000000001.
    return min(max(math.ceil(p * n / 100 - 1e-9), 1), n) - 1


# ---------------------------------------------------------------- calendar
def _busdays(cal: Calendar) -> np.busdaycalendar:
    mask = [d in cal.workdays for d in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")]
    return np.busdaycalendar(
        weekmask=mask, holidays=np.array(sorted(cal.holidays), dtype="datetime64[D]")
    )


def _roll(dates: np.ndarray, busdays: np.busdaycalendar) -> np.ndarray:
    """Each date moved to the next working day if it is not one (NaT stays NaT)."""
    out = np.array(dates, dtype="datetime64[D]", copy=True)
    ok = ~np.isnat(out)
    if ok.any():
        out[ok] = np.busday_offset(out[ok], 0, roll="forward", busdaycal=busdays)
    return out


def _as_date(value: Any, option: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        d = dt.date.fromisoformat(text)
    except ValueError:
        raise HistoryError(f"{option}: '{text}' is not a date (write it as YYYY-MM-DD)") from None
    if not MIN_DATE <= d <= MAX_DATE:
        raise HistoryError(f"{option}: {d} is outside {MIN_DATE} to {MAX_DATE}")
    return d


def _day_after(d: dt.date) -> dt.date:
    return d + dt.timedelta(days=1)


def _iso(d: dt.date | None) -> str | None:
    return None if d is None else d.isoformat()


def _whole(value: Any, option: str, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise HistoryError(f"{option}: expected a whole number, got {value}")
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise HistoryError(f"{option}: expected a whole number, got '{value}'") from None
    if not math.isfinite(f) or f != int(f):
        raise HistoryError(f"{option}: expected a whole number, got '{value}'")
    n = int(f)
    if not low <= n <= high:
        raise HistoryError(f"{option}: must be from {low:,} to {high:,}, got {n:,}")
    return n


def _runs(runs: int) -> int:
    return _whole(runs, "runs", 1, MAX_RUNS)


def _rng(seed: int) -> np.random.Generator:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise HistoryError(f"seed: expected a whole number >= 0, got {seed!r}")
    return np.random.default_rng(seed)
