"""The tables one simulated scenario gives: what ``run`` returns.

:class:`Results` is data: the scenario, the seed and three long tables
(``runs``, ``items``, ``weekly``; docs/reference/python-api.md). Statistics about them
live in :mod:`simulation.engine.summary`; making them is :mod:`simulation.engine.runner`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulation.engine import drivers
from simulation.engine.summary import summarise
from simulation.scenario.schema import Scenario


@dataclass
class Results:
    """Tables from one simulated scenario (see docs/reference/python-api.md)."""

    scenario: Scenario
    seed: int
    runs: pd.DataFrame
    items: pd.DataFrame
    weekly: pd.DataFrame
    potential_value: float
    precision: dict[str, Any] | None = None  # set by runs="auto"
    #: The drawn inputs per run (``effort:ID``, ``misfit:ID``, ``risk:ID`` -> array in
    #: the runs table's order): what :meth:`sensitivity` correlates.
    inputs: dict[str, np.ndarray] | None = field(default=None, repr=False)
    #: Per row of ``items``: whether the item is on the chain that set that run's
    #: delivery day (:func:`simulation.engine.drivers.critical_jobs`).
    critical: np.ndarray | None = field(default=None, repr=False)
    _summary: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def n_runs(self) -> int:
        return len(self.runs)

    def summary(self) -> dict[str, Any]:
        """The forecast as a plain dict (the CLI's ``--json``)."""
        if self._summary is None:
            self._summary = summarise(self)
        return self._summary

    def sensitivity(self) -> pd.DataFrame:
        """Spearman correlation of each uncertain input with delivery day and NPV.

        Columns ``input, kind, id, name, delivery_rho, npv_rho, se``; see
        :func:`simulation.engine.drivers.sensitivity`.
        """
        return drivers.sensitivity(self)

    def criticality(self) -> pd.DataFrame:
        """Per item, the share of futures in which it set the delivery day.

        Columns ``id, name, criticality``; see :func:`simulation.engine.drivers.criticality`.
        """
        return drivers.criticality(self)
