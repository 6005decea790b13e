"""The backtest: *when* forecasts made at past cut-offs against what really happened."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .common import (
    BACKTEST_STEP_DAYS,
    DEFAULT_BACKTEST_ITEMS,
    DEFAULT_RUNS,
    DEFAULT_SEED,
    DEFAULT_WINDOW_DAYS,
    MAX_ITEMS,
    MAX_WINDOW_DAYS,
    HistoryError,
    _roll,
    _runs,
    _whole,
)
from .forecast import forecast_when, throughput_window

if TYPE_CHECKING:
    from .reading import History


# ----------------------------------------------------------------- backtest
@dataclass(frozen=True)
class Backtest:
    """Forecasts made at past cut-offs against what really happened.

    ``table``: ``cutoff``, ``start`` (the day after), ``p50`` and ``p85``
    (forecast dates; NaT = never), ``actual`` (the date the N-th item after the
    cut-off was done), ``within_p50`` and ``within_p85``.
    """

    n: int
    window_days: int
    table: pd.DataFrame

    @property
    def cutoffs(self) -> int:
        return len(self.table)

    @property
    def within_p50(self) -> float | None:
        return float(self.table["within_p50"].mean()) if self.cutoffs else None

    @property
    def within_p85(self) -> float | None:
        return float(self.table["within_p85"].mean()) if self.cutoffs else None

    def to_dict(self) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {
            "n": self.n,
            "window_days": self.window_days,
            "cutoffs": self.cutoffs,
            "within_p50": r(self.within_p50),
            "within_p85": r(self.within_p85),
        }


def backtest(
    history: History,
    n: int = DEFAULT_BACKTEST_ITEMS,
    *,
    window_days: int = DEFAULT_WINDOW_DAYS,
    runs: int = DEFAULT_RUNS,
    seed: int = DEFAULT_SEED,
) -> Backtest:
    """Calibration of the *when* forecast on the team's own past.

    Cut-offs every 7 calendar days from (first done date + ``window_days``) while at
    least ``n`` items were done after the cut-off. At each, the window is the
    ``window_days`` calendar days up to and including the cut-off (only what was
    known then); ``n`` items are forecast from the day after; the actual is the
    date the ``n``-th item after the cut-off was done. A well-calibrated forecast
    has about 50% of actuals on or before its P50 and 85% on or before its P85.
    Each cut-off's forecast uses its own seed (``seed`` + its index), so adding
    history never changes earlier cut-offs' answers.
    """
    n = _whole(n, "backtest items", 1, MAX_ITEMS)
    window_days = _whole(window_days, "window_days", 1, MAX_WINDOW_DAYS)
    runs = _runs(runs)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise HistoryError(f"seed: expected a whole number >= 0, got {seed!r}")
    busdays = history.busdays
    done = np.sort(_roll(history.done_items()["done"].to_numpy("datetime64[D]"), busdays))
    rows = []
    if done.size:
        cutoff = done[0] + np.timedelta64(window_days, "D")
        k = 0
        while True:
            after = done[done > cutoff]
            if after.size < n:
                break
            tp = throughput_window(history, window_days, until=cutoff.astype(dt.date))
            f = forecast_when(
                tp.samples,
                n,
                (cutoff + 1).astype(dt.date),
                history.calendar,
                runs=runs,
                seed=int(seed) + k,
            )
            actual = after[n - 1]
            p50, p85 = f.percentile_date(50), f.percentile_date(85)
            rows.append(
                {
                    "cutoff": cutoff,
                    "start": cutoff + 1,
                    "p50": np.datetime64(p50, "D") if p50 else np.datetime64("NaT"),
                    "p85": np.datetime64(p85, "D") if p85 else np.datetime64("NaT"),
                    "actual": actual,
                    # A forecast of "never" is later than any actual date.
                    "within_p50": p50 is None or actual <= np.datetime64(p50, "D"),
                    "within_p85": p85 is None or actual <= np.datetime64(p85, "D"),
                }
            )
            cutoff = cutoff + np.timedelta64(BACKTEST_STEP_DAYS, "D")
            k += 1
    table = pd.DataFrame(
        rows, columns=["cutoff", "start", "p50", "p85", "actual", "within_p50", "within_p85"]
    )
    for c in ("cutoff", "start", "p50", "p85", "actual"):
        table[c] = pd.to_datetime(table[c])
    table["within_p50"] = table["within_p50"].astype(bool)
    table["within_p85"] = table["within_p85"].astype(bool)
    return Backtest(n=n, window_days=window_days, table=table)
