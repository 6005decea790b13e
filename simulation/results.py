"""The tables one simulated scenario gives: what ``run`` returns.

:class:`Results` is data: the scenario, the seed and three long tables
(``runs``, ``items``, ``weekly``; DESIGN section 5). Statistics about them
live in :mod:`simulation.summary`; making them is :mod:`simulation.runner`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .schema import Scenario
from .summary import summarise


@dataclass
class Results:
    """Tables from one simulated scenario (see DESIGN section 5)."""

    scenario: Scenario
    seed: int
    runs: pd.DataFrame
    items: pd.DataFrame
    weekly: pd.DataFrame
    potential_value: float
    precision: dict[str, Any] | None = None   # set by runs="auto"
    _summary: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def n_runs(self) -> int:
        return len(self.runs)

    def summary(self) -> dict[str, Any]:
        """The forecast as a plain dict (the CLI's ``--json``)."""
        if self._summary is None:
            self._summary = summarise(self)
        return self._summary
