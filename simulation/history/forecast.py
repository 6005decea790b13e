"""Throughput forecasts: the window of daily done counts, *when* N items are done and
*how many* by a date (Monte Carlo), and the throughput beside the model's dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from simulation.scenario.schema import Calendar

from .common import (
    _BLOCK_CELLS,
    DEFAULT_RUNS,
    DEFAULT_SEED,
    DEFAULT_WINDOW_DAYS,
    DISAGREE_DAYS,
    MAX_FORECAST_DAYS,
    MAX_ITEMS,
    MAX_WINDOW_DAYS,
    PERCENTILES,
    HistoryError,
    _as_date,
    _busdays,
    _iso,
    _rank,
    _rng,
    _roll,
    _runs,
    _whole,
    nearest_rank,
)

if TYPE_CHECKING:
    from .reading import History


# --------------------------------------------------------------- throughput
@dataclass(frozen=True)
class Throughput:
    """Done counts of every working day of the window, zeros included.

    ``start`` and ``end`` are the window's first and last calendar days; ``days``
    the working days and ``samples`` their counts (same order). ``asked_days`` is
    the window asked for (calendar days); the window is shorter when the export
    starts later than that (:attr:`shortened`).
    """

    start: dt.date
    end: dt.date
    days: np.ndarray
    samples: np.ndarray
    asked_days: int = 0

    def table(self) -> pd.DataFrame:
        return pd.DataFrame({"date": pd.to_datetime(self.days), "done": self.samples})

    @property
    def calendar_days(self) -> int:
        """Calendar days the window covers, both ends counted."""
        return (self.end - self.start).days + 1

    @property
    def shortened(self) -> bool:
        """True when the export starts inside the window asked for."""
        return self.calendar_days < self.asked_days

    def note(self) -> str | None:
        """A sentence for people when the window is shorter than asked, else None."""
        if not self.shortened:
            return None
        return (
            f"The export starts on {self.start.isoformat()}, so the throughput window holds "
            f"{self.calendar_days} calendar days, not the {self.asked_days} asked for: days "
            "before the export are not counted as days with nothing done."
        )


def throughput_window(
    history: History, window_days: int = DEFAULT_WINDOW_DAYS, until: dt.date | None = None
) -> Throughput:
    """The last ``window_days`` calendar days up to and including ``until`` (default:
    the last done date), starting no earlier than the first date of the export (its
    earliest start or done date): days before the export are unknown, not days on
    which nothing was done. An item done on a non-working day counts on the next one."""
    window_days = _whole(window_days, "window_days", 1, MAX_WINDOW_DAYS)
    busdays = history.busdays
    done = _roll(history.done_items()["done"].to_numpy("datetime64[D]"), busdays)
    if done.size == 0:
        raise HistoryError(
            "no item has a done date, so there is no throughput", source=history.source
        )
    end = np.datetime64(until, "D") if until is not None else done.max()
    first = max(end - np.timedelta64(window_days - 1, "D"), _export_start(history))
    days = np.arange(first, end + 1, dtype="datetime64[D]")
    days = days[np.is_busday(days, busdaycal=busdays)]
    if days.size == 0:
        raise HistoryError(
            f"window_days: the {window_days}-day window up to {end} holds no "
            "working day; make it longer"
        )
    done = done[(done >= first) & (done <= end)]
    counts = np.searchsorted(np.sort(done), days, side="right") - np.searchsorted(
        np.sort(done), days, side="left"
    )
    return Throughput(
        start=first.astype(dt.date),
        end=end.astype(dt.date),
        days=days,
        samples=counts.astype(np.int64),
        asked_days=window_days,
    )


def _export_start(history: History) -> np.datetime64:
    """The first date the export covers: its earliest start or done date."""
    dates = pd.concat([history.items["start"], history.items["done"]]).dropna()
    return np.datetime64(dates.min().date(), "D")


def _check_samples(samples: np.ndarray) -> np.ndarray:
    s = np.asarray(samples)
    if s.ndim != 1 or s.size == 0:
        raise HistoryError("throughput: needs at least one working day of samples")
    if not np.issubdtype(s.dtype, np.integer):
        if not np.all(np.isfinite(s)) or np.any(s != np.round(s)):
            raise HistoryError("throughput: samples must be whole numbers of items")
        s = s.astype(np.int64)
    if (s < 0).any():
        raise HistoryError("throughput: samples must be >= 0")
    return s.astype(np.int64)


def _days_to_reach(samples: np.ndarray, n: int, runs: int, rng: np.random.Generator) -> np.ndarray:
    """Per run, the first working day (1-based) on which the cumulative count reaches
    ``n``; ``inf`` when it has not by :data:`MAX_FORECAST_DAYS`."""
    out = np.full(runs, np.inf)
    mean = float(samples.mean())
    if mean == 0:
        return out  # nothing is ever done: every run is "never"
    total = np.zeros(runs, dtype=np.int64)
    active = np.arange(runs)
    day0 = 0
    # Blocks sized to finish most runs at once (twice the mean duration), capped in memory.
    block = int(min(max(2 * n / mean, 8), max(_BLOCK_CELLS // runs, 8), MAX_FORECAST_DAYS))
    while active.size and day0 < MAX_FORECAST_DAYS:
        width = min(block, MAX_FORECAST_DAYS - day0)
        draws = samples[rng.integers(0, samples.size, size=(active.size, width))]
        cum = np.cumsum(draws, axis=1)
        cum += total[active, None]
        reached = cum[:, -1] >= n
        first = np.argmax(cum >= n, axis=1)
        out[active[reached]] = day0 + first[reached] + 1
        total[active] = cum[:, -1]
        active = active[~reached]
        day0 += width
    return out


@dataclass(frozen=True)
class WhenForecast:
    """When ``n`` items will be done from ``start``, over ``runs`` Monte Carlo runs.

    ``days`` holds each run's working day (1 = the first working day on or after
    ``start``; ``inf`` = not within :data:`MAX_FORECAST_DAYS`); ``dates`` the
    matching dates (NaT for never).
    """

    n: int
    start: dt.date
    days: np.ndarray
    dates: np.ndarray
    seed: int

    @property
    def runs(self) -> int:
        return int(self.days.size)

    def percentile_day(self, p: float) -> int | None:
        d = nearest_rank(self.days, p)
        return None if d is None else int(d)

    def percentile_date(self, p: float) -> dt.date | None:
        """The earliest date by which at least ``p`` percent of the runs are done."""
        d = np.sort(self.dates)  # NaT sorts last in numpy
        x = d[_rank(p, d.size)]
        return None if np.isnat(x) else x.astype(dt.date)

    def histogram(self) -> pd.DataFrame:
        """Runs finishing on each date: ``date``, ``runs``, ``share`` (never excluded)."""
        ok = self.dates[~np.isnat(self.dates)]
        dates, counts = np.unique(ok, return_counts=True)
        return pd.DataFrame(
            {"date": pd.to_datetime(dates), "runs": counts, "share": counts / max(self.runs, 1)}
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"n": self.n, "from": self.start.isoformat()}
        for p in PERCENTILES:
            out[f"p{p}_date"] = _iso(self.percentile_date(p))
        for p in PERCENTILES:
            out[f"p{p}_days"] = self.percentile_day(p)
        out["never_runs"] = int(np.isinf(self.days).sum())
        return out


def forecast_when(
    samples: np.ndarray,
    n: int,
    start: dt.date | str,
    calendar: Calendar | None = None,
    *,
    runs: int = DEFAULT_RUNS,
    seed: int = DEFAULT_SEED,
) -> WhenForecast:
    """Monte Carlo of the date on which ``n`` items are done.

    From ``start`` (day 1 = the first working day on or after it) each working day
    draws one of ``samples`` (daily done counts) uniformly; a run's answer is the
    first working day on which the cumulative count reaches ``n``.

    Parameters
    ----------
    samples : array of int
        Done counts per working day (items).
    n : int
        Items to finish, 1 to :data:`MAX_ITEMS`.
    start : date
    calendar : Calendar, optional
        Working days (default Monday to Friday).
    runs, seed : int
        Monte Carlo runs (1 to 100,000) and the seed of a ``numpy`` Generator.
    """
    s = _check_samples(samples)
    n = _whole(n, "when", 1, MAX_ITEMS)
    runs = _runs(runs)
    begin = _as_date(start, "from")
    days = _days_to_reach(s, n, runs, _rng(seed))
    busdays = _busdays(calendar or Calendar())
    first = np.busday_offset(np.datetime64(begin, "D"), 0, roll="forward", busdaycal=busdays)
    dates = np.full(runs, np.datetime64("NaT"), dtype="datetime64[D]")
    ok = np.isfinite(days)
    if ok.any():
        dates[ok] = np.busday_offset(first, days[ok].astype(np.int64) - 1, busdaycal=busdays)
    return WhenForecast(n=n, start=begin, days=days, dates=dates, seed=seed)


@dataclass(frozen=True)
class HowManyForecast:
    """Items done from ``start`` to ``by`` (both included) in each run (``counts``)."""

    by: dt.date
    start: dt.date
    working_days: int
    counts: np.ndarray
    seed: int

    def at_least(self, p: float) -> int:
        """The most items done in at least ``p`` percent of the runs."""
        c = np.sort(self.counts)
        return int(c[c.size - 1 - _rank(p, c.size)])

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "by": self.by.isoformat(),
            "from": self.start.isoformat(),
            "working_days": self.working_days,
        }
        for p in PERCENTILES:
            out[f"p{p}"] = self.at_least(p)
        return out


def forecast_how_many(
    samples: np.ndarray,
    by: dt.date | str,
    start: dt.date | str,
    calendar: Calendar | None = None,
    *,
    runs: int = DEFAULT_RUNS,
    seed: int = DEFAULT_SEED,
) -> HowManyForecast:
    """Monte Carlo of the items done over the working days from ``start`` to ``by``.

    ``p85`` of the result is the count reached in at least 85% of the runs.
    """
    s = _check_samples(samples)
    runs = _runs(runs)
    begin, end = _as_date(start, "from"), _as_date(by, "how_many_by")
    busdays = _busdays(calendar or Calendar())
    working = int(
        np.busday_count(np.datetime64(begin, "D"), np.datetime64(end, "D") + 1, busdaycal=busdays)
    )
    if working < 1:
        raise HistoryError(
            f"how_many_by: {end} leaves no working day from {begin}; pick a later date"
        )
    if working > MAX_FORECAST_DAYS:
        raise HistoryError(
            f"how_many_by: at most {MAX_FORECAST_DAYS:,} working days ahead (got {working:,})"
        )
    rng = _rng(seed)
    counts = np.zeros(runs, dtype=np.int64)
    step = max(_BLOCK_CELLS // runs, 1)
    for d0 in range(0, working, step):
        width = min(step, working - d0)
        counts += s[rng.integers(0, s.size, size=(runs, width))].sum(axis=1)
    return HowManyForecast(by=end, start=begin, working_days=working, counts=counts, seed=seed)


# --------------------------------------------------------------- comparison
def second_opinion(
    when: WhenForecast, model_p50: dt.date | str | None, model_p85: dt.date | str | None
) -> dict[str, Any]:
    """The throughput forecast beside the model's dates.

    Returns ``throughput_p50``/``throughput_p85`` (dates), ``shift_p50_days`` /
    ``shift_p85_days`` (model minus throughput, calendar days; negative = the
    model is earlier) and ``disagree``: True when either differs by more than
    :data:`DISAGREE_DAYS` (two weeks), and ``model_earlier`` telling which way.
    """
    tp50, tp85 = when.percentile_date(50), when.percentile_date(85)
    out: dict[str, Any] = {"n": when.n, "throughput_p50": tp50, "throughput_p85": tp85}
    shifts = []
    for key, model, tp in (("p50", model_p50, tp50), ("p85", model_p85, tp85)):
        m = _as_date(model, f"model {key}") if model is not None else None
        shift = (m - tp).days if m is not None and tp is not None else None
        out[f"model_{key}"] = m
        out[f"shift_{key}_days"] = shift
        if shift is not None:
            shifts.append(shift)
    big = [s for s in shifts if abs(s) > DISAGREE_DAYS]
    out["disagree"] = bool(big)
    out["model_earlier"] = bool(big) and max(big, key=abs) < 0
    return out
