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

from __future__ import annotations

from typing import TYPE_CHECKING

from simulation.scenario.lazy import lazy_names

#: Each public name and the module that owns it: imported on first use (PEP 562),
#: so the command line can name the formats without loading pandas.
_OWNERS = {
    "BACKTEST_STEP_DAYS": "simulation.history.common",
    "Backtest": "simulation.history.backtesting",
    "Columns": "simulation.history.reading",
    "DEFAULT_BACKTEST_ITEMS": "simulation.history.common",
    "DEFAULT_RUNS": "simulation.history.common",
    "DEFAULT_SEED": "simulation.history.common",
    "DEFAULT_WINDOW_DAYS": "simulation.history.common",
    "DISAGREE_DAYS": "simulation.history.common",
    "FORMATS": "simulation.history.common",
    "History": "simulation.history.reading",
    "HistoryError": "simulation.history.common",
    "HowManyForecast": "simulation.history.forecast",
    "MAX_COLUMNS": "simulation.history.common",
    "MAX_FILE_BYTES": "simulation.history.common",
    "MAX_FORECAST_DAYS": "simulation.history.common",
    "MAX_ITEMS": "simulation.history.common",
    "MAX_ROWS": "simulation.history.common",
    "MAX_WINDOW_DAYS": "simulation.history.common",
    "NOT_STARTED_STATUSES": "simulation.history.common",
    "PERCENTILES": "simulation.history.common",
    "Throughput": "simulation.history.forecast",
    "WhenForecast": "simulation.history.forecast",
    "backtest": "simulation.history.backtesting",
    "calibrate": "simulation.history.calibration",
    "calibration_table": "simulation.history.calibration",
    "forecast_how_many": "simulation.history.forecast",
    "forecast_when": "simulation.history.forecast",
    "nearest_rank": "simulation.history.common",
    "header_columns": "simulation.history.reading",
    "read_history": "simulation.history.reading",
    "second_opinion": "simulation.history.forecast",
    "suggest_mapping": "simulation.history.calibration",
    "throughput_window": "simulation.history.forecast",
    "verdict_words": "simulation.history.backtesting",
}

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
    "header_columns",
    "nearest_rank",
    "read_history",
    "second_opinion",
    "suggest_mapping",
    "throughput_window",
    "verdict_words",
]

if TYPE_CHECKING:  # what type checkers and the API docs read
    from .backtesting import Backtest, backtest, verdict_words
    from .calibration import calibrate, calibration_table, suggest_mapping
    from .common import (
        BACKTEST_STEP_DAYS,
        DEFAULT_BACKTEST_ITEMS,
        DEFAULT_RUNS,
        DEFAULT_SEED,
        DEFAULT_WINDOW_DAYS,
        DISAGREE_DAYS,
        FORMATS,
        MAX_COLUMNS,
        MAX_FILE_BYTES,
        MAX_FORECAST_DAYS,
        MAX_ITEMS,
        MAX_ROWS,
        MAX_WINDOW_DAYS,
        NOT_STARTED_STATUSES,
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
    from .reading import Columns, History, header_columns, read_history


__getattr__, __dir__ = lazy_names(__name__, _OWNERS, globals(), __all__)
