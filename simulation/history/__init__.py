"""History: forecast and calibrate from a team's own work-item export (docs/reference/history.md).

A CSV export of work items is read in one of two layouts:

* **stages** (Jira via ActionableAgile's jira-to-analytics): ``ID``, optional
  ``Link`` / ``Name``, one column per workflow stage holding the date the item
  entered it, in workflow order, then ``Type`` and any other columns;
* **flat** (Azure DevOps ``Activated Date`` / ``Closed Date``, Jira ``Created``
  / ``Resolved``, or any two date columns named with the options).

From the items it computes cycle times (working days, both ends counted) with
nearest-rank percentiles, and runs the throughput Monte Carlo of flow
forecasters: *when* will N items be done, *how many* by a date, and a
**backtest** that checks the forecast against what really happened. Finally
:func:`calibrate` writes the history's cycle times into a scenario's efforts as
``empirical`` samples, so the scenario stays self-contained.

Every problem with the file or an option raises :class:`HistoryError` (a
:class:`~simulation.scenario.errors.ScenarioError`) naming the column, row or option.
Dates are read as written: the time of day and any time zone are ignored.
"""

from .backtesting import Backtest, backtest, verdict_words
from .calibration import calibrate, calibration_table, suggest_mapping
from .common import (
    BACKTEST_STEP_DAYS,
    DEFAULT_BACKTEST_ITEMS,
    DEFAULT_RUNS,
    DEFAULT_SEED,
    DEFAULT_WINDOW_DAYS,
    DISAGREE_DAYS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_FORECAST_DAYS,
    MAX_ITEMS,
    MAX_ROWS,
    MAX_WINDOW_DAYS,
    PERCENTILES,
    HistoryError,
    nearest_rank,
)
from .forecast import (
    HowManyForecast,
    Throughput,
    WhenForecast,
    forecast_how_many,
    forecast_when,
    second_opinion,
    throughput_window,
)
from .reading import FORMATS, NOT_STARTED_STATUSES, Columns, History, read_history

__all__ = [
    "BACKTEST_STEP_DAYS",
    "DEFAULT_BACKTEST_ITEMS",
    "DEFAULT_RUNS",
    "DEFAULT_SEED",
    "DEFAULT_WINDOW_DAYS",
    "DISAGREE_DAYS",
    "FORMATS",
    "MAX_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_FORECAST_DAYS",
    "MAX_ITEMS",
    "MAX_ROWS",
    "MAX_WINDOW_DAYS",
    "NOT_STARTED_STATUSES",
    "PERCENTILES",
    "Backtest",
    "Columns",
    "History",
    "HistoryError",
    "HowManyForecast",
    "Throughput",
    "WhenForecast",
    "backtest",
    "calibrate",
    "calibration_table",
    "forecast_how_many",
    "forecast_when",
    "nearest_rank",
    "read_history",
    "second_opinion",
    "suggest_mapping",
    "throughput_window",
    "verdict_words",
]
