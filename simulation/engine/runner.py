"""Monte Carlo runner: many replications of a scenario, tidy tables out.

``run(scenario, runs, seed)`` plays the initiative ``runs`` times and returns
:class:`Results` with three long tables (``runs``, ``items``, ``weekly``) and a
``summary()``. Replication ``r`` always sees the same random inputs for the same
seed (common random numbers), so the tables are identical whether the runs are
done in this process or spread over worker processes.
"""

from __future__ import annotations

import atexit
import math
import multiprocessing
import os
import pickle
import shutil
import sys
import tempfile
import time
import types
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from simulation.engine.drivers import critical_jobs, drawn_inputs
from simulation.engine.model import Replication, headcount_curve, person_days
from simulation.engine.plan import compile_plan, draw_inputs, make_calendar
from simulation.engine.results import Results
from simulation.engine.summary import Comparison, paired_deltas
from simulation.engine.value import discount_factors, value_pass
from simulation.scenario.calendar import WorkCalendar
from simulation.scenario.changes import SetField
from simulation.scenario.errors import ScenarioError, SimulationError
from simulation.scenario.schema import MAX_RUNS, Scenario

#: Replications per unit of work handed to a process (amortises the hand-over).
CHUNK_RUNS = 250
#: Below this many runs, worker processes cost more than they save (measured on the
#: 60-item benchmark: 1,000 runs take 1.4 s in-process, 0.76 s on a warm 2-process pool).
PARALLEL_MIN_RUNS = 1_000

Progress = Callable[[int, int], None]


# ------------------------------------------------------------------ chunks
ITEM_COLUMNS = (
    "run",
    "id",
    "name",
    "source",
    "state",
    "added_day",
    "start_day",
    "done_day",
    "live_day",
    "effort",
    "base_effort",
    "rework_rounds",
    "misfit",
    "fix_live_day",
    "value_per_week",
    "must_have",
    "in_scope",
)
#: Collected per job as numbers; the text columns (id, name, source, state) are
#: built from small vocabularies instead (see :class:`_Labels`).
NUMBER_COLUMNS = (
    "run",
    "added_day",
    "start_day",
    "done_day",
    "live_day",
    "effort",
    "base_effort",
    "rework_rounds",
    "misfit",
    "fix_live_day",
    "value_per_week",
    "must_have",
    "in_scope",
)
STATES = ("backlog", "doing", "done", "removed")
_STATE_CODE = {state: i for i, state in enumerate(STATES)}


class _Labels:
    """Item text as codes: each distinct (id, name, source) gets a number once.

    A chunk has tens of thousands of item rows but only a few hundred distinct
    items; hashing every row's strings into arrays and categoricals cost about a
    fifth of a chunk's time. Here a row costs one dict lookup.
    """

    def __init__(self) -> None:
        self.codes: dict[tuple[str, str, str], int] = {}

    def code(self, job: Any) -> int:
        key = (job.id, job.name, job.source)
        c = self.codes.get(key)
        if c is None:
            c = self.codes[key] = len(self.codes)
        return c

    def columns(self, codes: np.ndarray) -> dict[str, pd.Categorical]:
        """The id, name and source columns for rows with these codes."""
        keys = list(self.codes)
        return {
            col: _categorical(codes, [k[i] for k in keys])
            for i, col in enumerate(("id", "name", "source"))
        }


def _categorical(codes: np.ndarray, labels: list[str]) -> pd.Categorical:
    """Rows ``codes`` into ``labels`` (which may repeat) as a categorical."""
    inverse, distinct = pd.factorize(np.asarray(labels, dtype=object))
    return pd.Categorical.from_codes(inverse[codes], categories=distinct)


def simulate_chunk(
    sc: Scenario, seed: int, start: int, stop: int
) -> dict[str, dict[str, np.ndarray]]:
    """Replications ``start..stop-1``, as column arrays.

    Runs in a worker process or in-process; a pure function of its arguments.
    """
    plan = compile_plan(sc)
    draws = draw_inputs(sc, start, stop, seed)
    cal = make_calendar(sc)
    weeks = sc.value.horizon_weeks
    dpw = cal.days_per_week
    edges = np.arange(weeks + 1) * float(dpw)
    cost_pd = sc.team.cost_per_person_day

    n = stop - start
    runs_cols: dict[str, list] = {
        k: []
        for k in (
            "run",
            "delivered",
            "delivery_day",
            "end_day",
            "cost",
            "effort_total",
            "items_done",
            "items_added",
            "deferred",
            "fixes",
            "risks_fired",
        )
    }
    paid = np.zeros((n, weeks + 1))
    item_rows: list[tuple] = []
    label_codes: list[int] = []
    state_codes: list[int] = []
    labels = _Labels()
    for i, r in enumerate(range(start, stop)):
        rep = Replication(plan, draws, r, i).simulate()
        jobs = rep.jobs
        delivered = rep.closed
        end = max(rep.last_work_done, rep.delivery if delivered else rep.env.now)
        runs_cols["run"].append(r)
        runs_cols["delivered"].append(delivered)
        runs_cols["delivery_day"].append(rep.delivery)
        runs_cols["end_day"].append(end)
        runs_cols["cost"].append(cost_pd * person_days(rep.headcount, end))
        runs_cols["effort_total"].append(sum(j.work for j in jobs if j.state == "done"))
        runs_cols["items_done"].append(
            sum(1 for j in jobs if j.state == "done" and j.source not in ("overhead", "fix"))
        )
        runs_cols["items_added"].append(sum(1 for j in jobs if j.source in ("added", "creep")))
        runs_cols["deferred"].append(rep.deferred)
        runs_cols["fixes"].append(sum(1 for j in jobs if j.source == "fix"))
        runs_cols["risks_fired"].append(",".join(rep.risks_fired))
        paid[i] = headcount_curve(rep.headcount, end, edges)
        # Marks job.critical, read below with the rest of the row (simulation.engine.drivers).
        critical_jobs(jobs, rep.by_id, delivered, rep.last_scope_done)
        item_rows += [
            (
                r,
                j.added,
                j.start,
                j.done,
                j.live,
                j.work,
                j.base,
                j.rework,
                j.misfit,
                j.fix_live,
                j.value,
                j.must_have,
                j.scope,
                j.critical,
            )
            for j in jobs
        ]
        label_codes += [labels.code(j) for j in jobs]
        state_codes += [_STATE_CODE[j.state] for j in jobs]

    runs_arr = {k: np.asarray(v) for k, v in runs_cols.items()}
    numbers = dict(zip((*NUMBER_COLUMNS, "critical"), zip(*item_rows, strict=True), strict=True))
    # Text columns repeat a few values on every row: categoricals keep the tables
    # small and make the hand-over from worker processes cheap.
    text = labels.columns(np.asarray(label_codes, dtype=np.int64))
    text["state"] = pd.Categorical.from_codes(
        np.asarray(state_codes, dtype=np.int8), categories=list(STATES)
    )
    items_arr = {k: text[k] if k in text else np.asarray(numbers[k]) for k in ITEM_COLUMNS}
    local_run = items_arr["run"] - start
    vr = value_pass(
        sc,
        cal,
        n,
        local_run,
        items_arr["live_day"],
        items_arr["fix_live_day"],
        items_arr["misfit"],
        items_arr["value_per_week"],
        items_arr["must_have"],
    )
    cost_weekly = np.diff(paid, axis=1) * cost_pd * discount_factors(sc, weeks)
    runs_arr["value"] = vr.value
    runs_arr["cost_discounted"] = cost_weekly.sum(axis=1)
    runs_arr["first_value_day"] = vr.first_value_day
    runs_arr["outcome_day"] = vr.outcome_day
    weekly = _weekly_arrays(items_arr, local_run, n, weeks, dpw)
    weekly["run_rate"] = vr.run_rate
    weekly["value"] = vr.weekly_value
    weekly["cost"] = cost_weekly
    runs_arr["risks_fired"] = pd.Categorical(runs_arr["risks_fired"])
    # What drives it (simulation.engine.drivers): beside the tables, so they keep their columns.
    return {
        "runs": runs_arr,
        "items": items_arr,
        "weekly": weekly,
        "potential": np.array([vr.potential]),
        "drivers": {
            "critical": np.asarray(numbers["critical"], dtype=bool),
            "inputs": drawn_inputs(plan, draws),
        },
    }


def _weekly_arrays(
    items: dict[str, np.ndarray], run: np.ndarray, n: int, weeks: int, dpw: int
) -> dict[str, np.ndarray]:
    """Burn-up per week end: cumulative work done, scope known, items live."""

    def cumulative(day: np.ndarray, weight: np.ndarray) -> np.ndarray:
        ok = np.isfinite(day)
        week = np.minimum(np.ceil(day[ok] / dpw - 1e-9), weeks + 1).astype(int)
        week = np.maximum(week, 0)
        counts = np.bincount(
            run[ok] * (weeks + 2) + week, weights=weight[ok], minlength=n * (weeks + 2)
        ).reshape(n, weeks + 2)
        return np.cumsum(counts, axis=1)[:, 1 : weeks + 1]

    effort = items["effort"].astype(float)
    counted = np.asarray(items["state"] != "removed")
    value_item = np.asarray(items["source"] != "overhead")
    return {
        "work_done": cumulative(np.where(counted, items["done_day"], np.nan), effort),
        "scope": cumulative(
            np.where(counted & items["in_scope"], items["added_day"], np.nan), effort
        ),
        "live_items": cumulative(
            np.where(value_item, items["live_day"], np.nan), np.ones(len(effort))
        ),
    }


# ------------------------------------------------------------------- pool
_POOL: ProcessPoolExecutor | None = None
_POOL_SIZE = 0


def _pool(workers: int) -> ProcessPoolExecutor:
    """One process pool per Python process, reused (start-up cost is paid once)."""
    global _POOL, _POOL_SIZE
    if _POOL is None or workers != _POOL_SIZE:
        shutdown_pool()
        # forkserver, not fork: the dashboard's server is multi-threaded, and a forked
        # child can inherit a lock some other thread held. The server process imports
        # the engine once; each worker then starts from it in milliseconds.
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["simulation.engine.runner"])
        _POOL = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
        with _bare_main():  # start every worker now, while __main__ is hidden
            for fut in [_POOL.submit(time.sleep, 0.05) for _ in range(workers)]:
                fut.result()
        _POOL_SIZE = workers
    return _POOL


def shutdown_pool() -> None:
    global _POOL
    if _POOL is not None:
        _POOL.shutdown(wait=False, cancel_futures=True)
        _POOL = None


atexit.register(shutdown_pool)


@contextmanager
def _bare_main():
    """Start worker processes without the host's ``__main__``.

    forkserver children re-import the parent's main module, which here may be a
    Streamlit script or stdin: they must only import the engine.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def warm_pool() -> None:
    """Start the worker processes now (e.g. when the dashboard opens), not on first use."""
    workers = default_workers(PARALLEL_MIN_RUNS)
    if workers > 1:
        _pool(workers)


def default_workers(runs: int) -> int:
    """All cores for big jobs; in-process below :data:`PARALLEL_MIN_RUNS`."""
    if runs < PARALLEL_MIN_RUNS:
        return 1
    return max(os.cpu_count() or 1, 1)


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


def _check_runs_seed(runs: Any, seed: Any) -> None:
    if runs != "auto" and (
        isinstance(runs, bool)
        or not isinstance(runs, (int, np.integer))
        or not 1 <= runs <= MAX_RUNS
    ):
        raise ScenarioError(
            f"runs: must be a whole number from 1 to {MAX_RUNS:,} or 'auto', got {runs!r}"
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
        session); None = all cores for jobs of 1,000 runs or more, in-process
        below. The tables are identical whatever the value.
    progress : callable, optional
        Called as ``progress(runs_done, runs_total)`` while simulating (once per
        finished chunk of :data:`CHUNK_RUNS` runs).
    scheduler : str or distributed.Client, optional
        A Dask scheduler address (``tcp://HOST:PORT``) or a connected client:
        every chunk becomes a task on that cluster and ``workers`` is ignored.
        The tables are identical to a local run's (see
        :mod:`simulation.engine.cluster` for retries and timeouts).

    Returns
    -------
    Results

    Raises
    ------
    ScenarioError
        Bad ``runs`` or ``seed``; a malformed or unreachable ``scheduler``
        (:class:`simulation.engine.cluster.SchedulerError`, a subclass).
    SimulationError
        A worker process died (local pool), or the cluster was lost mid-run.
    """
    runs = scenario.simulation.runs if runs is None else runs
    seed = scenario.simulation.seed if seed is None else seed
    _check_runs_seed(runs, seed)
    seed = int(seed)
    if runs == "auto":
        return _run_auto(scenario, seed, workers, progress, scheduler)
    runs = int(runs)
    parts = _simulate(scenario, seed, 0, runs, workers, progress, scheduler)
    return _assemble(scenario, seed, parts)


def _run_auto(
    sc: Scenario, seed: int, workers: int | None, progress: Progress | None, scheduler: Any = None
) -> Results:
    parts: list[dict] = []
    done = 0
    while True:
        step = min(AUTO_STEP_RUNS, AUTO_MAX_RUNS - done)

        def sub(k: int, _n: int, base: int = done, step: int = step) -> None:
            if progress:
                progress(base + k, max(base + step, AUTO_MAX_RUNS // 4))

        parts += _simulate(sc, seed, done, done + step, workers, sub, scheduler)
        done += step
        days = np.concatenate([p["runs"]["delivery_day"] for p in parts])
        half = p85_half_width(days)
        if half <= AUTO_HALF_WIDTH_DAYS or done >= AUTO_MAX_RUNS:
            break
    if progress:
        progress(done, done)
    res = _assemble(sc, seed, parts)
    res.precision = {
        "p85_half_width_days": half,
        "target_days": AUTO_HALF_WIDTH_DAYS,
        "converged": half <= AUTO_HALF_WIDTH_DAYS,
    }
    return res


def _chunk_bounds(start: int, stop: int) -> list[tuple[int, int]]:
    return [(a, min(a + CHUNK_RUNS, stop)) for a in range(start, stop, CHUNK_RUNS)]


def _on_cluster(
    scheduler: Any, jobs: list[tuple[Scenario, int, int, int]], progress: Progress | None
) -> list[list[dict]]:
    """The chunks of every job ``(scenario, seed, start, stop)`` on a Dask cluster, submitted
    at once (a sweep keeps every worker busy); per job, its chunks in order."""
    from simulation.engine.cluster import map_chunks

    tasks, owner = [], []
    for j, (sc, seed, start, stop) in enumerate(jobs):
        for a, b in _chunk_bounds(start, stop):
            tasks.append((sc, seed, a, b))
            owner.append(j)
    parts = map_chunks(scheduler, simulate_chunk, tasks, [t[3] - t[2] for t in tasks], progress)
    out: list[list[dict]] = [[] for _ in jobs]
    for j, part in zip(owner, parts, strict=True):
        out[j].append(part)
    return out


def _simulate(
    sc: Scenario,
    seed: int,
    start: int,
    stop: int,
    workers: int | None,
    progress: Progress | None,
    scheduler: Any = None,
) -> list[dict]:
    """Replications ``start..stop-1`` in chunks: in this process, in a pool or on a cluster."""
    if scheduler is not None:
        return _on_cluster(scheduler, [(sc, seed, start, stop)], progress)[0]
    total = stop - start
    workers = default_workers(total) if workers is None else max(int(workers), 1)
    bounds = _chunk_bounds(start, stop)
    parts: list[Any] = [None] * len(bounds)
    done = 0
    if workers == 1 or len(bounds) == 1:
        for i, (a, b) in enumerate(bounds):
            parts[i] = simulate_chunk(sc, seed, a, b)
            done += b - a
            if progress:
                progress(done, total)
        return parts
    pool = _pool(workers)
    folder = tempfile.mkdtemp(prefix="sim-chunks-", dir=_HANDOFF_DIR)
    try:
        with _bare_main():  # in case the pool replaces a worker
            futures = {
                pool.submit(_chunk_to_file, sc, seed, a, b, folder): i
                for i, (a, b) in enumerate(bounds)
            }
        for fut in as_completed(futures):
            i = futures[fut]
            parts[i] = _read_chunk(fut.result())
            done += bounds[i][1] - bounds[i][0]
            if progress:
                progress(done, total)
    except BrokenProcessPool as exc:
        shutdown_pool()
        raise SimulationError(
            "a worker process stopped unexpectedly (out of memory or killed); "
            "no results were produced - try again, or with workers=1"
        ) from exc
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return parts


#: Where workers leave their chunks' tables: memory-backed where the system has it.
_HANDOFF_DIR = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


def _chunk_to_file(sc: Scenario, seed: int, start: int, stop: int, folder: str) -> str:
    """In a worker: simulate a chunk and leave its tables in a file in ``folder``.

    Only the file's name crosses the pool's result pipe. A message that short is
    written to the pipe in one piece, so a worker killed mid-hand-over (out of
    memory, or by a signal) cannot leave half a message there; with the tables
    themselves in the pipe, CPython's executor then waited forever for the rest
    instead of reporting a broken pool.
    """
    part = simulate_chunk(sc, seed, start, stop)
    path = os.path.join(folder, f"{start}.pickle")
    with open(path + ".part", "wb") as f:
        pickle.dump(part, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(path + ".part", path)
    return path


def _read_chunk(path: str) -> dict:
    with open(path, "rb") as f:
        part = pickle.load(f)
    os.unlink(path)
    return part


def _assemble(sc: Scenario, seed: int, parts: list[dict]) -> Results:
    cal = make_calendar(sc)
    runs = _concat([p["runs"] for p in parts])
    items = _concat([p["items"] for p in parts])
    weekly = {k: np.concatenate([p["weekly"][k] for p in parts]) for k in parts[0]["weekly"]}
    weekly["cum_value"] = np.cumsum(weekly["value"], axis=1)
    runs_df = _runs_table(sc, cal, runs)
    n, weeks = weekly["value"].shape
    weekly_df = pd.DataFrame(
        {
            "run": np.repeat(runs["run"], weeks),
            "week": np.tile(np.arange(1, weeks + 1), n),
            **{k: v.ravel() for k, v in weekly.items()},
        }
    )
    items_df = pd.DataFrame(items)
    inputs = {
        k: np.concatenate([p["drivers"]["inputs"][k] for p in parts])
        for k in parts[0]["drivers"]["inputs"]
    }
    critical = np.concatenate([p["drivers"]["critical"] for p in parts])
    return Results(
        sc,
        seed,
        runs_df,
        items_df,
        weekly_df,
        float(parts[0]["potential"][0]),
        inputs=inputs,
        critical=critical,
    )


def _concat(columns: list[dict[str, Any]]) -> dict[str, Any]:
    """Join chunk columns: arrays end to end, categoricals over the union of their values."""
    out = {}
    for k, first in columns[0].items():
        parts = [c[k] for c in columns]
        out[k] = (
            union_categoricals(parts)
            if isinstance(first, pd.Categorical)
            else (np.concatenate(parts))
        )
    return out


def _runs_table(sc: Scenario, cal: WorkCalendar, r: dict[str, np.ndarray]) -> pd.DataFrame:
    df = pd.DataFrame(r)
    df["delivery_date"] = cal.dates_of(df["delivery_day"].to_numpy())
    deadline = cal.day_end(sc.deadline) if sc.deadline else math.inf
    df["on_time"] = df["delivered"] & (df["delivery_day"] <= deadline + 1e-9)
    by = sc.value.outcome.by
    by_day = cal.day_end(by) if by else sc.value.horizon_weeks * cal.days_per_week
    df["outcome_date"] = cal.dates_of(df["outcome_day"].to_numpy())
    df["outcome_reached"] = df["outcome_day"].notna() & (df["outcome_day"] <= by_day + 1e-9)
    df["first_value_date"] = cal.dates_of(df["first_value_day"].to_numpy())
    df["npv"] = df["value"] - df["cost_discounted"]
    with np.errstate(divide="ignore", invalid="ignore"):
        df["roi"] = np.where(df["cost_discounted"] > 0, df["npv"] / df["cost_discounted"], np.nan)
    order = [
        "run",
        "delivered",
        "delivery_day",
        "delivery_date",
        "on_time",
        "cost",
        "value",
        "npv",
        "roi",
        "first_value_day",
        "first_value_date",
        "outcome_day",
        "outcome_date",
        "outcome_reached",
        "effort_total",
        "items_done",
        "items_added",
        "fixes",
        "deferred",
        "end_day",
        "cost_discounted",
        "risks_fired",
    ]
    return df[order]


def with_runs(scenarios: dict[str, Scenario], runs: int) -> dict[str, Scenario]:
    """Every scenario set to ``runs`` replications, each re-validated.

    Paired differences need the same runs for every scenario: with
    ``runs: auto`` the dashboard fixes the count the baseline settled on
    before comparing (:func:`compare` does the same when it runs the baseline).
    """
    change = SetField(path="simulation.runs", value=runs)
    return {name: change.apply(sc) for name, sc in scenarios.items()}


def run_many(
    scenarios: dict[str, Scenario],
    runs: int,
    seed: int,
    workers: int | None = None,
    progress: Progress | None = None,
    scheduler: Any = None,
) -> dict[str, Results]:
    """Every scenario with the same ``runs`` and ``seed`` (common random numbers).

    Locally one scenario after the other; on a cluster (``scheduler``) every
    scenario's chunks are submitted at once. ``progress(runs_done, runs_total)``
    counts the runs of all the scenarios. Arguments as for :func:`run`
    (``runs`` a number here, not ``"auto"``).
    """
    _check_runs_seed(runs, seed)
    if runs == "auto":
        raise ScenarioError("runs: run_many needs a number of runs, not 'auto'")
    runs, seed = int(runs), int(seed)
    if scheduler is not None:
        parts = _on_cluster(scheduler, [(sc, seed, 0, runs) for sc in scenarios.values()], progress)
        return {
            name: _assemble(sc, seed, p)
            for (name, sc), p in zip(scenarios.items(), parts, strict=True)
        }
    return _run_in_turn(scenarios, runs, seed, workers, progress)


def _run_in_turn(
    scenarios: dict[str, Scenario], runs: int | str, seed: int, workers: int | None, progress
) -> dict[str, Results]:
    """Each scenario on this machine, one after the other, with one progress bar.

    With ``runs="auto"`` the first scenario settles the count and the others
    use it, so every pair of tables lines up run by run.
    """
    results = {}
    total = len(scenarios)
    for i, (name, sc) in enumerate(scenarios.items()):
        sub = None
        if progress:

            def sub(done, n, i=i):
                progress(i * n + done, total * n)

        results[name] = run(sc, runs=runs, seed=seed, workers=workers, progress=sub)
        runs = results[name].n_runs
    return results


def compare(
    scenarios: dict[str, Scenario],
    runs: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    progress=None,
    scheduler: Any = None,
) -> Comparison:
    """Run every scenario with the same seeds; paired differences against the first.

    ``scheduler`` as for :func:`run`: on a cluster every scenario's chunks are
    submitted at once (with ``runs="auto"``, after the first scenario has
    settled the count).
    """
    if not scenarios:
        raise ValueError("compare needs at least one scenario")
    first = next(iter(scenarios.values()))
    runs = first.simulation.runs if runs is None else runs
    seed = first.simulation.seed if seed is None else seed
    if scheduler is not None:
        results = _compare_on_cluster(scenarios, runs, seed, progress, scheduler)
    else:
        results = _run_in_turn(scenarios, runs, seed, workers, progress)
    base_name = next(iter(results))
    rows = []
    for name, res in results.items():
        if name == base_name:
            continue
        for row in paired_deltas(results[base_name].runs, res.runs):
            rows.append({"variant": name, **row})
    deltas = pd.DataFrame(
        rows, columns=["variant", "metric", "mean", "ci_low", "ci_high", "p05", "p95", "n"]
    )
    return Comparison(results, deltas)


def _compare_on_cluster(
    scenarios: dict[str, Scenario],
    runs: int | str,
    seed: int,
    progress: Progress | None,
    scheduler: Any,
) -> dict[str, Results]:
    _check_runs_seed(runs, seed)
    if runs != "auto":
        return run_many(scenarios, runs, seed, progress=progress, scheduler=scheduler)
    # runs="auto": the baseline settles the count first (as locally), then the
    # variants go to the cluster together with that count.
    names = list(scenarios)
    total = len(names)

    def first_part(done: int, n: int) -> None:
        if progress:
            progress(done, total * n)

    base = run(
        scenarios[names[0]], runs="auto", seed=seed, progress=first_part, scheduler=scheduler
    )
    n = base.n_runs

    def rest(done: int, _total: int) -> None:
        if progress:
            progress(n + done, total * n)

    others = (
        run_many({k: scenarios[k] for k in names[1:]}, n, seed, progress=rest, scheduler=scheduler)
        if total > 1
        else {}
    )
    return {names[0]: base, **others}
