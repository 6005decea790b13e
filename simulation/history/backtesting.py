"""The backtest: *when* forecasts made at past cut-offs against what really happened."""

from __future__ import annotations

import datetime as dt
import math
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

#: Fewer cut-offs than this are too few for a verdict on the backtest.
VERDICT_MIN_CUTOFFS = 5
#: The narrowest band around 50% and 85% still called calibrated (share of cut-offs):
#: cut-offs a week apart overlap, so their shares vary more than independent ones.
VERDICT_MIN_BAND = 0.10


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

    def verdict(self) -> str:
        """``calibrated``, ``over-confident``, ``under-confident``, ``mixed`` or ``too few``.

        The share of actuals on or before the P50 date should be about 50% and on or
        before the P85 date about 85%. A share further than two standard errors
        (``sqrt(p (1 - p) / cutoffs)``, at least :data:`VERDICT_MIN_BAND`) below its
        ideal means the forecast's dates came too early: over-confident; above it,
        too late: under-confident; one of each is mixed. Fewer than
        :data:`VERDICT_MIN_CUTOFFS` cut-offs are too few to judge.
        """
        if self.cutoffs < VERDICT_MIN_CUTOFFS:
            return "too few"
        sides = set()
        for ideal, share in ((0.50, self.within_p50), (0.85, self.within_p85)):
            band = max(2 * math.sqrt(ideal * (1 - ideal) / self.cutoffs), VERDICT_MIN_BAND)
            assert share is not None
            if share < ideal - band:
                sides.add("over-confident")
            elif share > ideal + band:
                sides.add("under-confident")
        if len(sides) == 2:
            return "mixed"
        return sides.pop() if sides else "calibrated"

    def verdict_sentence(self) -> str:
        """The verdict in words, with the two shares against their ideals."""
        return verdict_words(self.verdict(), self.cutoffs, self.within_p50, self.within_p85)

    def to_dict(self) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {
            "n": self.n,
            "window_days": self.window_days,
            "cutoffs": self.cutoffs,
            "within_p50": r(self.within_p50),
            "within_p85": r(self.within_p85),
            "verdict": self.verdict(),
        }


def verdict_words(
    verdict: str, cutoffs: int, within_p50: float | None, within_p85: float | None
) -> str:
    """A backtest's verdict (:meth:`Backtest.verdict`) as a sentence for people."""
    if verdict == "too few":
        return (
            f"Only {cutoffs} cut-off(s): too few to judge the forecast "
            f"(at least {VERDICT_MIN_CUTOFFS})."
        )
    shares = (
        f"the actual date came on or before the P50 date in {within_p50:.0%} of "
        f"{cutoffs} cut-offs (ideal 50%) and on or before the P85 date in "
        f"{within_p85:.0%} (ideal 85%)"
    )
    return {
        "calibrated": f"Calibrated: {shares}. Its dates can be read as stated.",
        "over-confident": f"Over-confident: {shares}. Reality came later than the "
        "forecast said; read its dates as too early.",
        "under-confident": f"Under-confident: {shares}. Reality came earlier than the "
        "forecast said; its dates are cautious.",
        "mixed": f"Mixed: {shares}. The spread of its dates is off: one percentile "
        "is too early and the other too late.",
    }[verdict]


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
