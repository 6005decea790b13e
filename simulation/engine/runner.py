"""Monte Carlo runner: many replications of a scenario, tidy tables out.

``run(scenario, runs, seed)`` plays the initiative ``runs`` times and returns
:class:`Results` with the forecast's statistics and, as asked with ``tables=``,
three long tables (``runs``, ``items``, ``weekly``). Replication ``r`` always
sees the same random inputs for the same seed (common random numbers), so the
results are identical whether the runs are done in this process, spread over
worker processes or over a Dask cluster.

The work is split three ways: :mod:`simulation.engine.chunks` simulates and
reduces a chunk of replications, :mod:`simulation.engine.executors` decides
where the chunks run, :mod:`simulation.engine.assembly` joins what they
return (``docs/explanation/big-runs.md``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from simulation.engine.assembly import Assembler
from simulation.engine.chunks import TABLES, check_tables
from simulation.engine.chunks import simulate_chunk as simulate_chunk
from simulation.engine.executors import (
    CHUNK_RUNS as CHUNK_RUNS,
)
from simulation.engine.executors import (
    Progress,
    chunk_bounds,
    run_chunks,
)
from simulation.engine.executors import (
    default_workers as default_workers,
)
from simulation.engine.executors import (
    shutdown_pool as shutdown_pool,
)
from simulation.engine.executors import (
    warm_pool as warm_pool,
)
from simulation.engine.results import Results
from simulation.engine.summary import Comparison, paired_deltas
from simulation.scenario.errors import ScenarioError, SimulationError
from simulation.scenario.schema import MAX_RUNS_NO_TABLES, MAX_RUNS_WITH_TABLES, Scenario

__all__ = ["TABLES", "SimulationError", "compare", "run", "run_many", "with_runs"]


# -------------------------------------------------------------------- run
#: ``runs: auto`` stops when the 95% confidence half-width of the P85 delivery
#: day is at most this many working days ...
AUTO_HALF_WIDTH_DAYS = 0.5
#: ... or at this many runs, whichever comes first.
AUTO_MAX_RUNS = 20_000
AUTO_STEP_RUNS = 1_000


def p85_half_width(delivery_day: np.ndarray) -> float:
    """95% confidence half-width of the 85th percentile (distribution-free, order statistics)."""
    x = np.sort(np.where(np.isnan(delivery_day), np.inf, delivery_day))
    n = len(x)
    spread = 1.959964 * math.sqrt(n * 0.85 * 0.15)
    lo = max(math.floor(n * 0.85 - spread) - 1, 0)
    hi = min(math.ceil(n * 0.85 + spread) - 1, n - 1)
    width = (x[hi] - x[lo]) / 2
    return float(width) if math.isfinite(width) else math.inf


def _check_runs_seed(runs: Any, seed: Any, tables: str = "all") -> None:
    if runs != "auto" and (
        isinstance(runs, bool)
        or not isinstance(runs, (int, np.integer))
        or not 1 <= runs <= MAX_RUNS_NO_TABLES
    ):
        raise ScenarioError(
            f"runs: must be a whole number from 1 to {MAX_RUNS_NO_TABLES:,} or 'auto', got {runs!r}"
        )
    limit = MAX_RUNS_WITH_TABLES[tables]
    if runs != "auto" and runs > limit:
        raise ScenarioError(
            f"runs: {runs:,} runs is over the limit of {limit:,} with tables={tables!r}; "
            f"ask for fewer tables (tables='none' keeps only the summary, up to "
            f"{MAX_RUNS_NO_TABLES:,} "
            "runs) or fewer runs"
        )
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ScenarioError(f"seed: must be a whole number >= 0, got {seed!r}")


def run(
    scenario: Scenario,
    runs: int | str | None = None,
    seed: int | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    scheduler: Any = None,
    tables: str = "all",
) -> Results:
    """Simulate ``scenario`` ``runs`` times.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (it is not modified).
    runs : int or "auto", optional
        Replications; default ``scenario.simulation.runs``. ``"auto"`` keeps
        adding 1,000 runs until the P85 delivery day's 95% confidence
        half-width is within half a working day (at most 20,000 runs).
    seed : int, optional
        Base seed; default ``scenario.simulation.seed``.
    workers : int, optional
        1 = in this process; N > 1 = N worker processes (a pool kept for the
        session); None = chosen by runs x items
        (:func:`simulation.engine.executors.default_workers`). The results are
        identical whatever the value.
    progress : callable, optional
        Called as ``progress(runs_done, runs_total)`` while simulating (once per
        finished chunk of :data:`CHUNK_RUNS` runs). An exception it raises stops
        the run there and comes out of ``run`` unchanged: the chunks not yet
        started are dropped (the dashboard's **Cancel**).
    scheduler : str or distributed.Client, optional
        A Dask scheduler address (``tcp://HOST:PORT``) or a connected client:
        every chunk becomes a task on that cluster and ``workers`` is ignored.
        The results are identical to a local run's (see
        :mod:`simulation.engine.cluster` for retries and timeouts).
    tables : {"all", "runs", "none"}
        The tables to keep besides the summary: every table (default), the
        runs table only (with the drawn inputs :meth:`Results.sensitivity`
        reads), or none. Fewer tables, less memory and more runs allowed
        (``MAX_RUNS_WITH_TABLES`` in :mod:`simulation.scenario.schema`).

    Returns
    -------
    Results

    Raises
    ------
    ScenarioError
        Bad ``runs``, ``seed`` or ``tables``; more runs than ``tables`` allows;
        a malformed or unreachable ``scheduler``
        (:class:`simulation.engine.cluster.SchedulerError`, a subclass).
    SimulationError
        A worker process died (local pool), or the cluster was lost mid-run.
    """
    runs = scenario.simulation.runs if runs is None else runs
    seed = scenario.simulation.seed if seed is None else seed
    tables = check_tables(tables)
    _check_runs_seed(runs, seed, tables)
    seed = int(seed)
    if runs == "auto":
        return _run_auto(scenario, seed, workers, progress, scheduler, tables)
    return _simulate(scenario, seed, int(runs), workers, progress, scheduler, tables).results()


def _simulate(
    sc: Scenario,
    seed: int,
    runs: int,
    workers: int | None,
    progress: Progress | None,
    scheduler: Any,
    tables: str,
    paired: bool = False,
    start: int = 0,
    into: Assembler | None = None,
) -> Assembler:
    """Replications ``start..start+runs-1`` in chunks, added to ``into`` (or a new one)."""
    bounds = chunk_bounds(start, start + runs)
    if into is None:  # one batch of known size (not runs: auto's growing one)
        into = Assembler(sc, seed, tables, 0)
        into.expect(start, runs)
    offset = len(into.parts)
    into.parts += [None] * len(bounds)
    tasks = [(sc, seed, a, b, tables, paired) for a, b in bounds]
    run_chunks(
        tasks,
        _workers(workers, runs, sc),
        lambda i, part: into.add(offset + i, part),
        progress,
        scheduler,
    )
    return into


def _workers(workers: int | None, runs: int, sc: Scenario) -> int:
    if workers is not None:
        return max(int(workers), 1)
    return default_workers(runs, len(sc.items))


def _run_auto(
    sc: Scenario,
    seed: int,
    workers: int | None,
    progress: Progress | None,
    scheduler: Any,
    tables: str,
) -> Results:
    done = 0
    acc = Assembler(sc, seed, tables, 0)
    while True:
        step = min(AUTO_STEP_RUNS, AUTO_MAX_RUNS - done)

        def sub(k: int, _n: int, base: int = done, step: int = step) -> None:
            if progress:
                progress(base + k, max(base + step, AUTO_MAX_RUNS // 4))

        _simulate(sc, seed, step, workers, sub, scheduler, tables, True, done, acc)
        done += step
        half = p85_half_width(acc.paired("delivery_day"))
        if half <= AUTO_HALF_WIDTH_DAYS or done >= AUTO_MAX_RUNS:
            break
    if progress:
        progress(done, done)
    res = acc.results()
    res.precision = {
        "p85_half_width_days": half,
        "target_days": AUTO_HALF_WIDTH_DAYS,
        "converged": half <= AUTO_HALF_WIDTH_DAYS,
    }
    return res


def with_runs(scenarios: dict[str, Scenario], runs: int) -> dict[str, Scenario]:
    """Every scenario set to ``runs`` replications, each re-validated.

    Paired differences need the same runs for every scenario: with
    ``runs: auto`` the dashboard fixes the count the baseline settled on
    before comparing (:func:`compare` does the same when it runs the baseline).
    """
    from simulation.scenario.changes import SetField  # the change types: only a compare needs them

    change = SetField(path="simulation.runs", value=runs)
    return {name: change.apply(sc) for name, sc in scenarios.items()}


def run_many(
    scenarios: dict[str, Scenario],
    runs: int,
    seed: int,
    workers: int | None = None,
    progress: Progress | None = None,
    scheduler: Any = None,
    tables: str = "all",
) -> dict[str, Results]:
    """Every scenario with the same ``runs`` and ``seed`` (common random numbers).

    Locally one scenario after the other; on a cluster (``scheduler``) every
    scenario's chunks are submitted at once. ``progress(runs_done, runs_total)``
    counts the runs of all the scenarios. Arguments as for :func:`run`
    (``runs`` a number here, not ``"auto"``); without tables each result keeps
    the per-run columns paired differences need (``Results.paired``).
    """
    tables = check_tables(tables)
    _check_runs_seed(runs, seed, tables)
    if runs == "auto":
        raise ScenarioError("runs: run_many needs a number of runs, not 'auto'")
    runs, seed = int(runs), int(seed)
    if scheduler is not None:
        accs = {name: Assembler(sc, seed, tables, 0) for name, sc in scenarios.items()}
        tasks, owner = [], []
        for name, sc in scenarios.items():
            bounds = chunk_bounds(0, runs)
            accs[name].expect(0, runs)
            accs[name].parts = [None] * len(bounds)
            for k, (a, b) in enumerate(bounds):
                tasks.append((sc, seed, a, b, tables, True))
                owner.append((name, k))

        def on_part(i: int, part: dict) -> None:
            name, k = owner[i]
            accs[name].add(k, part)

        run_chunks(tasks, 1, on_part, progress, scheduler)
        return {name: acc.results() for name, acc in accs.items()}
    return _run_in_turn(scenarios, runs, seed, workers, progress, tables)


def _run_in_turn(
    scenarios: dict[str, Scenario],
    runs: int | str,
    seed: int,
    workers: int | None,
    progress,
    tables: str = "all",
) -> dict[str, Results]:
    """Each scenario on this machine, one after the other, with one progress bar.

    With ``runs="auto"`` the first scenario settles the count and the others
    use it, so every pair of tables lines up run by run.
    """
    results = {}
    total = len(scenarios)
    _check_runs_seed(runs, seed, tables)
    for i, (name, sc) in enumerate(scenarios.items()):
        sub = None
        if progress:

            def sub(done, n, i=i):
                progress(i * n + done, total * n)

        if tables != "none":  # the runs table carries the pairing
            results[name] = run(sc, runs, seed, workers, sub, tables=tables)
        elif runs == "auto":
            results[name] = _run_auto(sc, int(seed), workers, sub, None, tables)
        else:  # no table: keep the paired columns, 7 numbers a run
            acc = _simulate(sc, int(seed), int(runs), workers, sub, None, tables, True)
            results[name] = acc.results()
        runs = results[name].n_runs
    return results


def compare(
    scenarios: dict[str, Scenario],
    runs: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    progress=None,
    scheduler: Any = None,
    tables: str = "all",
) -> Comparison:
    """Run every scenario with the same seeds; paired differences against the first.

    ``scheduler`` as for :func:`run`: on a cluster every scenario's chunks are
    submitted at once (with ``runs="auto"``, after the first scenario has
    settled the count). ``tables`` as for :func:`run`: the pairing needs no
    table (each run keeps its seven paired numbers).
    """
    if not scenarios:
        raise ValueError("compare needs at least one scenario")
    tables = check_tables(tables)
    first = next(iter(scenarios.values()))
    runs = first.simulation.runs if runs is None else runs
    seed = first.simulation.seed if seed is None else seed
    if scheduler is not None:
        results = _compare_on_cluster(scenarios, runs, seed, progress, scheduler, tables)
    else:
        results = _run_in_turn(scenarios, runs, seed, workers, progress, tables)
    base_name = next(iter(results))
    rows = []
    base = _pairable(results[base_name])
    for name, res in results.items():
        if name == base_name:
            continue
        for row in paired_deltas(base, _pairable(res)):
            rows.append({"variant": name, **row})
    import pandas as pd

    deltas = pd.DataFrame(
        rows, columns=["variant", "metric", "mean", "ci_low", "ci_high", "p05", "p95", "n"]
    )
    return Comparison(results, deltas)


def _pairable(res: Results) -> Any:
    """The per-run columns of ``res`` that paired differences read."""
    return res.runs_table if res.runs_table is not None else res.paired


def _compare_on_cluster(
    scenarios: dict[str, Scenario],
    runs: int | str,
    seed: int,
    progress: Progress | None,
    scheduler: Any,
    tables: str,
) -> dict[str, Results]:
    _check_runs_seed(runs, seed, tables)
    if runs != "auto":
        return run_many(
            scenarios, runs, seed, progress=progress, scheduler=scheduler, tables=tables
        )
    # runs="auto": the baseline settles the count first (as locally), then the
    # variants go to the cluster together with that count.
    names = list(scenarios)
    total = len(names)

    def first_part(done: int, n: int) -> None:
        if progress:
            progress(done, total * n)

    base = run(
        scenarios[names[0]],
        runs="auto",
        seed=seed,
        progress=first_part,
        scheduler=scheduler,
        tables=tables,
    )
    n = base.n_runs

    def rest(done: int, _total: int) -> None:
        if progress:
            progress(n + done, total * n)

    others = (
        run_many(
            {k: scenarios[k] for k in names[1:]},
            n,
            seed,
            progress=rest,
            scheduler=scheduler,
            tables=tables,
        )
        if total > 1
        else {}
    )
    return {names[0]: base, **others}
