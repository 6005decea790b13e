"""Tables from chunks: the columns the workers built, joined end to end.

The workers compute every column of their rows (:mod:`simulation.engine.chunks`);
here the parent only copies blocks of numbers into place, as each chunk arrives
(:class:`Assembler`), so little is left to do once the last chunk is in. No
per-row Python: columnar concatenation only (``docs/explanation/big-runs.md``).
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

    def add(self, index: int, part: dict[str, Any]) -> None:
        """Take chunk ``index``: merge its statistics, keep its columns (if any)."""
        self.stats.merge(part.pop("stats"))
        self.potential = part.pop("potential")
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
            res.weekly = _weekly_table(res.runs["run"].to_numpy(), [p["weekly"] for p in parts])
        return res


def _weekly_table(run: np.ndarray, blocks: list[np.ndarray]) -> Any:
    import pandas as pd

    values = np.concatenate(blocks) if len(blocks) > 1 else blocks[0]
    n = len(run)
    weeks = len(values) // max(n, 1)
    frame = {"run": np.repeat(run, weeks), "week": np.tile(np.arange(1, weeks + 1), n)}
    frame.update({k: values[:, j] for j, k in enumerate(WEEKLY_COLUMNS)})
    return pd.DataFrame(frame)


def _join(parts: list[Any]) -> Any:
    """Arrays end to end; categoricals over the union of their values."""
    first = parts[0]
    if isinstance(first, np.ndarray):
        return np.concatenate(parts) if len(parts) > 1 else first
    from pandas.api.types import union_categoricals

    return union_categoricals(parts)
