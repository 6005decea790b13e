"""Sequencing: the order to build in, by mean NPV (docs/reference/sequencing.md).

:func:`best_order` tries orders of the scenario's unstarted items, each as a
``reorder`` change of the scenario simulated with the scenario's seeds (common
random numbers: replication ``r`` of every order sees the same efforts, risks
and luck, so two orders differ only by their order):

* **candidates**: every order when there are at most
  :data:`MAX_EXHAUSTIVE_ORDERS` of them (five items); otherwise the CD3 order
  improved by pairwise swaps: each pass simulates every order one swap away
  from the current one and moves to the best if it raises mean NPV, until no
  swap does;
* **search, then confirm**: the search simulates each order with
  ``min(runs, SEARCH_RUNS)`` futures; the best :data:`FINALISTS` of them, the
  CD3 order and the current order are then simulated with ``runs`` futures and
  ranked by mean NPV (money over the value horizon, as in ``run``), with the
  P50 and P85 delivery day beside each;
* **CD3** (cost of delay divided by duration): items by value per week ÷ median
  effort, highest first (one person's duration is effort ÷ focus, so the order
  is the same as by duration); ``best_beats_share`` is the share of futures in
  which the best order's NPV beats the CD3 order's by more than
  :data:`BEATS_TOLERANCE`.

A chosen order is a :class:`~simulation.scenario.changes.Reorder` change of the
base: :meth:`Sequencing.variant` is that scenario, :meth:`Sequencing.variant_file`
the variant file that reproduces it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulation.engine.plan import make_calendar
from simulation.engine.runner import run
from simulation.engine.summary import json_number, percentile
from simulation.scenario.changes import Reorder, variant_data
from simulation.scenario.distributions import Distribution
from simulation.scenario.errors import ScenarioError
from simulation.scenario.schema import Scenario
from simulation.scenario.validation import suggest

#: Orders: at most this many are all tried (5! = 120); more items are searched by swaps.
MAX_EXHAUSTIVE_ORDERS = 120
#: Futures per order while searching (the finalists get the full ``runs``).
SEARCH_RUNS = 100
#: Orders re-simulated with the full runs and ranked (besides CD3 and the current order).
FINALISTS = 10
#: Money: an order "beats" another in a future when its NPV is higher by more than this.
BEATS_TOLERANCE = 0.5
#: Mean NPVs equal to this many decimals are a tie (sums of the same values taken in
#: another order differ in the last bits); ties keep the order in which they were tried.
NPV_DIGITS = 6
#: Swap passes at most (each pass must raise mean NPV, so this is only a guard).
MAX_PASSES = 50
#: Draws used to find the median effort of a distribution with no closed form.
MEDIAN_DRAWS = 20_001

Progress = Callable[[int, int], None]

TABLE_COLUMNS = [
    "rank",
    "order",
    "names",
    "value_mean",
    "npv_mean",
    "npv_vs_best",
    "delivery_p50_day",
    "delivery_p85_day",
    "delivery_p50_date",
    "delivery_p85_date",
    "beats_cd3",
    "behind_cd3",
    "cd3",
    "current",
]


# ------------------------------------------------------------------ CD3
def median_effort(effort: Distribution) -> float:
    """The median of an effort distribution (person-days); exact for a fixed effort."""
    if effort.dist == "fixed":
        return float(effort.value)
    draws = effort.sample(np.random.default_rng(0), MEDIAN_DRAWS)
    return float(np.median(draws))


def cd3_order(scenario: Scenario, ids: Sequence[str]) -> list[str]:
    """``ids`` by CD3 (value per week ÷ median effort), highest first.

    Ties keep backlog order; an item of no effort comes first (its delay costs
    nothing to remove).
    """

    def score(iid: str) -> float:
        it = scenario.item(iid)
        effort = median_effort(it.effort)
        return math.inf if effort <= 0 else it.value.per_week / effort

    return sorted(ids, key=lambda i: -score(i))


def unstarted_items(scenario: Scenario) -> list[str]:
    """The planned items not removed before work starts, in backlog order."""
    gone = {iid for ch in scenario.scope.changes if ch.at_day == 0 for iid in ch.remove}
    return [it.id for it in scenario.items if it.id not in gone]


def check_items(scenario: Scenario, items: Sequence[str] | None) -> list[str]:
    """The items to order: ``items`` checked (ids named ``items[j]``), or every unstarted one."""
    planned = unstarted_items(scenario)
    if items is None:
        return planned
    if isinstance(items, str):
        items = [i.strip() for i in items.split(",") if i.strip()]
    if not items:
        raise ScenarioError("items: name at least one item to order")
    seen: set[str] = set()
    for j, iid in enumerate(items):
        if iid in seen:
            raise ScenarioError(f"items[{j}]: '{iid}' is listed twice")
        if iid not in planned:
            raise ScenarioError(
                f"items[{j}]: no unstarted planned item has id '{iid}'" + suggest(iid, planned)
            )
        seen.add(iid)
    return list(items)


# ------------------------------------------------------------------ results
@dataclass
class Sequencing:
    """The orders tried and the ranking of the finalists (docs/reference/sequencing.md).

    ``table`` has one row per finalist, best first (:data:`TABLE_COLUMNS`):
    ``order`` (item ids), ``names``, ``value_mean`` and ``npv_mean`` (money),
    ``npv_vs_best`` (mean of the paired difference against the best, money),
    P50/P85 delivery day (working days) and date, ``beats_cd3`` (share of
    futures this order's NPV beats the CD3 order's), ``behind_cd3`` (share in
    which the CD3 order's beats this one's), and flags for the CD3
    order and the scenario's current order.
    """

    scenario: Scenario
    items: list[str]
    runs: int
    seed: int
    method: str
    tried: int
    table: pd.DataFrame
    cd3: list[str]
    current: list[str]
    npv: dict[tuple[str, ...], np.ndarray] = field(repr=False, default_factory=dict)

    @property
    def best(self) -> list[str]:
        return list(self.table["order"].iloc[0])

    def row(self, order: Sequence[str]) -> pd.Series:
        key = tuple(order)
        hits = self.table[self.table["order"].map(tuple) == key]
        if hits.empty:
            raise ScenarioError(f"order: {', '.join(order)} is not among the ranked orders")
        return hits.iloc[0]

    @property
    def best_beats_share(self) -> float:
        """Share of futures in which the best order's NPV beats the CD3 order's."""
        return float(self.table["beats_cd3"].iloc[0])

    @property
    def best_behind_share(self) -> float:
        """Share of futures in which the CD3 order's NPV beats the best order's."""
        return float(self.table["behind_cd3"].iloc[0])

    def change(self, order: Sequence[str] | None = None) -> Reorder:
        """The ``reorder`` change that builds ``order`` (default: the best) first."""
        return Reorder(ids=tuple(self.best if order is None else order))

    def variant(self, order: Sequence[str] | None = None) -> Scenario:
        """The scenario with ``order`` (default: the best): a variant of the base."""
        return self.change(order).apply(self.scenario)

    def variant_file(
        self, extends: str, order: Sequence[str] | None = None, name: str | None = None
    ) -> dict[str, Any]:
        """A variant file's content (``extends`` the base file) for ``order``."""
        change = self.change(order)
        names = ", ".join(self.scenario.item(i).label for i in change.ids)
        return variant_data(
            extends,
            name or f"{self.scenario.name}: build order",
            [change],
            description=f"The base built in this order: {names}.",
        )

    def summary(self) -> dict[str, Any]:
        """The ``sequence --json`` document."""
        cd3 = self.row(self.cd3)
        current = self.row(self.current)
        return {
            "scenario": self.scenario.name,
            "runs": self.runs,
            "seed": self.seed,
            "items": list(self.items),
            "method": self.method,
            "orders_tried": self.tried,
            "orders": [
                {
                    "order": list(r.order),
                    "value_mean": json_number(r.value_mean),
                    "npv_mean": json_number(r.npv_mean),
                    "delivery_p50_day": json_number(r.delivery_p50_day),
                    "delivery_p85_day": json_number(r.delivery_p85_day),
                }
                for r in self.table.itertuples()
            ],
            "best": self.best,
            "cd3": {
                "order": list(self.cd3),
                "npv_mean": json_number(cd3.npv_mean),
                "best_beats_share": json_number(self.best_beats_share),
                "best_behind_share": json_number(self.best_behind_share),
            },
            "current": {"order": list(self.current), "npv_mean": json_number(current.npv_mean)},
        }


# ------------------------------------------------------------------ search
class _Simulator:
    """Orders simulated with one seed, cached: (order, runs) -> the runs table's columns."""

    def __init__(self, scenario: Scenario, seed: int, workers: int | None) -> None:
        self.scenario, self.seed, self.workers = scenario, seed, workers
        self.cache: dict[tuple[tuple[str, ...], int], dict[str, np.ndarray]] = {}

    def __call__(self, order: Sequence[str], runs: int) -> dict[str, np.ndarray]:
        key = (tuple(order), runs)
        if key not in self.cache:
            sc = Reorder(ids=tuple(order)).apply(self.scenario)
            r = run(sc, runs=runs, seed=self.seed, workers=self.workers, tables="runs").runs
            self.cache[key] = {
                k: r[k].to_numpy(dtype=float) for k in ("npv", "value", "delivery_day")
            }
        return self.cache[key]

    def mean_npv(self, order: Sequence[str], runs: int) -> float:
        return float(self(order, runs)["npv"].mean())


def _swap_search(
    start: list[str], sim: _Simulator, runs: int, progress: Progress | None
) -> list[tuple[str, ...]]:
    """Pairwise-swap hill climbing from ``start``; every order visited, in visit order."""
    visited = [tuple(start)]
    current, value = list(start), sim.mean_npv(start, runs)
    n = len(start)
    for _ in range(MAX_PASSES):
        best, best_value = None, value
        for i, j in itertools.combinations(range(n), 2):
            trial = list(current)
            trial[i], trial[j] = trial[j], trial[i]
            v = sim.mean_npv(trial, runs)
            if tuple(trial) not in visited:
                visited.append(tuple(trial))
            if v > best_value + BEATS_TOLERANCE:
                best, best_value = trial, v
        if progress:
            progress(len(visited), len(visited) + n * (n - 1) // 2)
        if best is None:
            break
        current, value = best, best_value
    return visited


def best_order(
    scenario: Scenario,
    items: Sequence[str] | None = None,
    runs: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Sequencing:
    """The order to build ``items`` in (default: every unstarted item), by mean NPV.

    Parameters
    ----------
    scenario : Scenario
        The base; its backlog order is "the current order".
    items : list of str, optional
        Item ids to order (they go first, in the order found; the others keep
        their order after them). Default: every planned item not removed before
        work starts.
    runs : int, optional
        Futures per finalist order (default: the scenario's runs; ``"auto"``
        counts as 1,000). The search uses ``min(runs, SEARCH_RUNS)``.
    seed : int, optional
        Base seed (default: the scenario's); every order gets the same futures.
    workers : int, optional
        As for :func:`simulation.run`.
    progress : callable, optional
        ``progress(done, total)`` in orders simulated (the total grows while
        swaps are searched).

    Returns
    -------
    Sequencing

    Raises
    ------
    ScenarioError
        An unknown or repeated item id (``items[j]: ...``), bad ``runs`` or ``seed``.
    """
    ids = check_items(scenario, items)
    if not ids:
        raise ScenarioError("items: no unstarted item to order (every item is removed)")
    runs = scenario.simulation.runs if runs is None else runs
    runs = 1_000 if runs == "auto" else runs
    seed = scenario.simulation.seed if seed is None else seed
    if isinstance(runs, bool) or not isinstance(runs, (int, np.integer)) or runs < 1:
        raise ScenarioError(f"runs: must be a whole number >= 1, got {runs!r}")
    runs = int(runs)
    sim = _Simulator(scenario, seed, workers)
    search_runs = min(runs, SEARCH_RUNS)
    cd3 = cd3_order(scenario, ids)
    current = list(ids)
    if math.factorial(len(ids)) <= MAX_EXHAUSTIVE_ORDERS:
        method = "exhaustive"
        candidates = [tuple(p) for p in itertools.permutations(ids)]
        for k, order in enumerate(candidates, 1):
            sim(order, search_runs)
            if progress:
                progress(k, len(candidates))
    else:
        method = "cd3+swaps"
        candidates = _swap_search(cd3, sim, search_runs, progress)
    searched = sorted(
        range(len(candidates)),
        key=lambda k: (-round(sim.mean_npv(candidates[k], search_runs), NPV_DIGITS), k),
    )
    finalists = [candidates[k] for k in searched[:FINALISTS]]
    for extra in (tuple(cd3), tuple(current)):
        if extra not in finalists:
            finalists.append(extra)
    table = _ranking(
        scenario, sim, finalists, runs, tuple(cd3), tuple(current), progress, len(candidates)
    )
    npv = {order: sim(order, runs)["npv"] for order in finalists}
    return Sequencing(
        scenario=scenario,
        items=ids,
        runs=runs,
        seed=int(seed),
        method=method,
        tried=len(candidates),
        table=table,
        cd3=cd3,
        current=current,
        npv=npv,
    )


def _ranking(
    scenario: Scenario,
    sim: _Simulator,
    finalists: list[tuple[str, ...]],
    runs: int,
    cd3: tuple[str, ...],
    current: tuple[str, ...],
    progress: Progress | None,
    searched: int = 0,
) -> pd.DataFrame:
    """The finalists at the full runs, best mean NPV first (ties: search order).

    ``progress`` counts on from the ``searched`` orders, so a bar never runs back.
    """
    cols = []
    for k, order in enumerate(finalists, 1):
        cols.append(sim(order, runs))
        if progress:
            progress(searched + k, searched + len(finalists))
    means = [float(c["npv"].mean()) for c in cols]
    ranked = sorted(range(len(finalists)), key=lambda k: (-round(means[k], NPV_DIGITS), k))
    best_npv = cols[ranked[0]]["npv"]
    cd3_npv = cols[finalists.index(cd3)]["npv"]
    cal = make_calendar(scenario)
    rows = []
    for rank, k in enumerate(ranked, 1):
        c, order = cols[k], finalists[k]
        p50, p85 = percentile(c["delivery_day"], 50), percentile(c["delivery_day"], 85)
        rows.append(
            {
                "rank": rank,
                "order": list(order),
                "names": " → ".join(scenario.item(i).label for i in order),
                "value_mean": float(c["value"].mean()),
                "npv_mean": means[k],
                "npv_vs_best": float((c["npv"] - best_npv).mean()),
                "delivery_p50_day": p50,
                "delivery_p85_day": p85,
                "delivery_p50_date": cal.date_of(p50),
                "delivery_p85_date": cal.date_of(p85),
                "beats_cd3": float(np.mean(c["npv"] - cd3_npv > BEATS_TOLERANCE)),
                "behind_cd3": float(np.mean(cd3_npv - c["npv"] > BEATS_TOLERANCE)),
                "cd3": order == cd3,
                "current": order == current,
            }
        )
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)
