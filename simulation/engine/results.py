"""The tables one simulated scenario gives: what ``run`` returns.

:class:`Results` is data: the scenario, the seed, the summary's statistics and
the tables the caller asked for (``runs``, ``items``, ``weekly``;
docs/reference/python-api.md). Statistics about them live in
:mod:`simulation.engine.summary`; making them is the runner's job
(:mod:`simulation.engine.runner`, ``docs/explanation/big-runs.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from simulation.engine.reduce import RunStats
from simulation.scenario.errors import ScenarioError
from simulation.scenario.schema import Scenario

if TYPE_CHECKING:  # annotations only: pandas is imported where tables are made
    import pandas as pd

#: Which tables each ``tables=`` choice keeps.
KEPT = {"all": ("runs", "items", "weekly"), "runs": ("runs",), "none": ()}


@dataclass
class Results:
    """Tables from one simulated scenario (see docs/reference/python-api.md).

    A table the run did not keep (``run(..., tables="runs" | "none")``) raises
    a :class:`ScenarioError` naming the ``tables`` option when read.
    """

    scenario: Scenario
    seed: int
    runs_table: pd.DataFrame | None = field(default=None, repr=False)
    items_table: pd.DataFrame | None = field(default=None, repr=False)
    weekly_table: pd.DataFrame | None = field(default=None, repr=False)
    potential_value: float = float("nan")
    precision: dict[str, Any] | None = None  # set by runs="auto"
    #: The drawn inputs per run (``effort:ID``, ``misfit:ID``, ``risk:ID`` -> array in
    #: the runs table's order): what :meth:`sensitivity` correlates.
    inputs: dict[str, np.ndarray] | None = field(default=None, repr=False)
    #: Per row of ``items``: whether the item is on the chain that set that run's
    #: delivery day (:func:`simulation.engine.drivers.critical_jobs`).
    critical: np.ndarray | None = field(default=None, repr=False)
    #: The summary's statistics, merged over every chunk (:mod:`simulation.engine.reduce`).
    stats: RunStats | None = field(default=None, repr=False)
    #: What the run kept: ``"all"``, ``"runs"`` or ``"none"``.
    tables: str = "all"
    #: Without tables: the per-run columns paired differences need (``compare``).
    paired: dict[str, np.ndarray] | None = field(default=None, repr=False)
    _summary: dict[str, Any] | None = field(default=None, repr=False)

    def _table(self, name: str) -> pd.DataFrame:
        table = getattr(self, f"{name}_table")
        if table is None:
            raise ScenarioError(
                f"tables: this run kept tables={self.tables!r}, without the {name} table; "
                f"run it with tables='all'" + ("" if name != "runs" else " or 'runs'")
            )
        return table

    @property
    def runs(self) -> pd.DataFrame:
        """One row per simulated future."""
        return self._table("runs")

    @runs.setter
    def runs(self, value: pd.DataFrame) -> None:
        self.runs_table = value

    @property
    def items(self) -> pd.DataFrame:
        """One row per item per future."""
        return self._table("items")

    @items.setter
    def items(self, value: pd.DataFrame) -> None:
        self.items_table = value

    @property
    def weekly(self) -> pd.DataFrame:
        """One row per week of the value horizon per future."""
        return self._table("weekly")

    @weekly.setter
    def weekly(self, value: pd.DataFrame) -> None:
        self.weekly_table = value

    @property
    def n_runs(self) -> int:
        if self.stats is not None:
            return self.stats.n
        return len(self.runs)

    def column(self, name: str) -> np.ndarray:
        """One per-run column (runs-table order), from the runs table or the paired columns."""
        if self.runs_table is not None:
            return self.runs_table[name].to_numpy()
        if self.paired is not None and name in self.paired:
            return self.paired[name]
        return self.runs[name].to_numpy()  # raises, naming the tables option

    def summary(self) -> dict[str, Any]:
        """The forecast as a plain dict (the CLI's ``--json``)."""
        if self._summary is None:
            from simulation.engine.summary import summarise

            self._summary = summarise(self)
        return self._summary

    def sensitivity(self) -> pd.DataFrame:
        """Spearman correlation of each uncertain input with delivery day and NPV.

        Columns ``input, kind, id, name, delivery_rho, npv_rho, se``; see
        :func:`simulation.engine.drivers.sensitivity`.
        """
        from simulation.engine import drivers

        return drivers.sensitivity(self)

    def criticality(self) -> pd.DataFrame:
        """Per item, the share of futures in which it set the delivery day.

        Columns ``id, name, criticality``; see :func:`simulation.engine.drivers.criticality`.
        """
        from simulation.engine import drivers

        return drivers.criticality(self)
