"""Fans: quantiles of a weekly quantity across the simulated futures, per week end.

One owner for the fans the Forecast and What-if pages draw and the report's value
chart: the 90% and 50% bands and the median (:data:`simulation.present.charts.FAN_QUANTILES`)
of a column of the engine's weekly table, each week dated by the day it ends.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulation.present.charts import FAN_QUANTILES
from simulation.scenario.calendar import WorkCalendar

#: The columns of :func:`fan_table`.
FAN_COLUMNS = ["week", "date", *FAN_QUANTILES]


def week_end_dates(cal: WorkCalendar, weeks: np.ndarray) -> pd.Series:
    """Date of the last working day of each week number (week 1 = days 0-4)."""
    return pd.Series(pd.to_datetime(cal.dates_of(np.asarray(weeks, float) * cal.days_per_week)))


def runs_by_weeks(weekly: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """``column`` of the weekly table as runs x weeks (rows by run, columns by week,
    a week missing for a run is NaN) and the weeks, ascending.

    The engine's weekly table already is that grid row by row (every run, weeks
    1..W, runs ascending), so it is reshaped as it is; any other table is pivoted.
    The two give the same array; the reshape takes a fraction of a millisecond
    where the pivot of 1,000 runs took about 60 ms.
    """
    week, run = weekly["week"].to_numpy(), weekly["run"].to_numpy()
    n_weeks = int(week.max())
    if n_weeks >= 1 and len(week) % n_weeks == 0:
        runs = run.reshape(-1, n_weeks)
        if (
            np.array_equal(week, np.tile(np.arange(1, n_weeks + 1), len(runs)))
            and (runs == runs[:, :1]).all()
            and (np.diff(runs[:, 0]) > 0).all()
        ):
            values = weekly[column].to_numpy(dtype=float).reshape(-1, n_weeks)
            return values, np.arange(1, n_weeks + 1)
    grid = weekly.pivot(index="run", columns="week", values=column)
    return grid.to_numpy(dtype=float), grid.columns.to_numpy()


def fan_table(
    weekly: pd.DataFrame, column: str, cal: WorkCalendar, until_week: int | None = None
) -> pd.DataFrame:
    """Quantiles of ``column`` across runs, per week: the data of a fan chart.

    Parameters
    ----------
    weekly : DataFrame
        The engine's weekly table (``run``, ``week`` and ``column``).
    column : str
        E.g. ``work_done`` (person-days) or ``cum_value`` (money).
    cal : WorkCalendar
        Turns week numbers into the date each week ends.
    until_week : int, optional
        Last week kept (default: all).

    Returns
    -------
    DataFrame
        ``week``, ``date`` and one column per :data:`FAN_QUANTILES` key.
    """
    if weekly.empty:
        return pd.DataFrame(columns=FAN_COLUMNS)
    values, weeks = runs_by_weeks(weekly, column)
    if until_week is not None:
        keep = weeks <= max(int(until_week), 1)
        values, weeks = values[:, keep], weeks[keep]
    q = (
        np.nanquantile(values, list(FAN_QUANTILES.values()), axis=0)
        if values.size
        else np.empty((len(FAN_QUANTILES), 0))
    )
    out = pd.DataFrame({"week": weeks.astype(int)})
    out["date"] = week_end_dates(cal, out["week"].to_numpy())
    for i, key in enumerate(FAN_QUANTILES):
        out[key] = q[i]
    return out
