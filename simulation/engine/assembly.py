"""Tables from chunks: the columns the workers built, joined end to end.

The workers compute every column of their rows (:mod:`simulation.engine.chunks`);
here the parent merges their statistics and copies the weekly table's numbers
(the biggest table) into place as each chunk arrives (:class:`Assembler`), so
little is left to do once the last chunk is in: joining the runs and items
columns end to end. No per-row Python (``docs/explanation/big-runs.md``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulation.engine.chunks import RUN_COLUMNS, WEEKLY_COLUMNS
from simulation.engine.reduce import RunStats
from simulation.engine.results import Results
from simulation.scenario.schema import Scenario


class Assembler:
    """Collects chunk results (in any order) into one :class:`Results`.

    Parameters
    ----------
    sc : Scenario
    seed : int
    tables : {"all", "runs", "none"}
        What the chunks carry (see :func:`simulation.engine.chunks.simulate_chunk`).
    chunks : int
        How many chunks will be added; each has an index ``0..chunks-1`` in
        replication order.
    """

    def __init__(self, sc: Scenario, seed: int, tables: str, chunks: int) -> None:
        self.sc, self.seed, self.tables = sc, seed, tables
        self.stats = RunStats()
        self.potential = float("nan")
        self.parts: list[dict[str, Any] | None] = [None] * chunks
        #: The weekly table's numbers, column-major (one row per weekly column),
        #: filled as chunks arrive when the run's size is known (:meth:`expect`).
        self._weekly: np.ndarray | None = None
        self._first_run = 0

    def expect(self, first_run: int, runs: int) -> None:
        """Runs ``first_run..first_run+runs-1`` will be added: place weekly rows as they come."""
        if self.tables == "all" and not self.parts:
            weeks = self.sc.value.horizon_weeks
            self._weekly = np.empty((len(WEEKLY_COLUMNS), runs * weeks))
            self._first_run = first_run

    def add(self, index: int, part: dict[str, Any]) -> None:
        """Take chunk ``index``: merge its statistics, keep its columns (if any).

        A chunk's weekly block is copied into place now, while the workers
        are still busy, so the table costs the parent no copy at the end.
        """
        self.stats.merge(part.pop("stats"))
        self.potential = part.pop("potential")
        if self._weekly is not None and "weekly" in part:
            block = part.pop("weekly")
            weeks = self.sc.value.horizon_weeks
            start = (int(part["runs"]["run"][0]) - self._first_run) * weeks
            self._weekly[:, start : start + len(block)] = block.T
        self.parts[index] = part if part else {}

    def paired(self, column: str) -> np.ndarray:
        """One per-run column of the chunks so far (runs table or paired scalars)."""
        key = "runs" if self.tables != "none" else "paired"
        return np.concatenate([p[key][column] for p in self.parts if p is not None])

    def results(self) -> Results:
        """The :class:`Results` of every chunk added (all of them must be in)."""
        parts = self.parts
        if any(p is None for p in parts):
            raise RuntimeError("a chunk is missing")
        res = Results(
            self.sc,
            self.seed,
            None,
            None,
            None,
            self.potential,
            stats=self.stats,
            tables=self.tables,
        )
        if self.tables == "none":
            if parts and "paired" in parts[0]:
                res.paired = {k: _join([p["paired"][k] for p in parts]) for k in parts[0]["paired"]}
            return res
        import pandas as pd

        res.runs = pd.DataFrame({k: _join([p["runs"][k] for p in parts]) for k in RUN_COLUMNS})
        res.inputs = {k: _join([p["inputs"][k] for p in parts]) for k in parts[0]["inputs"]}
        if self.tables == "all":
            items = {k: _join([p["items"][k] for p in parts]) for k in parts[0]["items"]}
            res.items = pd.DataFrame(items)
            res.critical = np.concatenate([p["critical"] for p in parts])
            if self._weekly is None:  # size not known ahead: join the blocks now
                self._weekly = np.concatenate([p["weekly"] for p in parts]).T
            res.weekly = _weekly_table(res.runs["run"].to_numpy(), self._weekly)
            self._weekly = None
        return res


def _weekly_table(run: np.ndarray, values: np.ndarray) -> Any:
    """The weekly table around ``values`` (weekly columns x rows), without copying them."""
    import pandas as pd

    n = len(run)
    weeks = values.shape[1] // max(n, 1)
    # A 2-D float array becomes the table's one float block as it is (copy=False).
    df = pd.DataFrame(values.T, columns=list(WEEKLY_COLUMNS), copy=False)
    df.insert(0, "week", np.tile(np.arange(1, weeks + 1), n))
    df.insert(0, "run", np.repeat(run, weeks))
    return df


def _join(parts: list[Any]) -> Any:
    """Arrays end to end; categoricals over the union of their values."""
    first = parts[0]
    if isinstance(first, np.ndarray):
        return np.concatenate(parts) if len(parts) > 1 else first
    from pandas.api.types import union_categoricals

    return union_categoricals(parts)
