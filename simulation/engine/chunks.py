"""A chunk of replications: simulated, then reduced to what the caller keeps.

:func:`simulate_chunk` plays replications ``start..stop-1`` of a scenario and
returns, always, their :class:`~simulation.engine.reduce.RunStats` (what the
summary needs) and, when asked, their share of the tables as column arrays:
the runs table with its derived columns already computed (``tables="runs"``),
and the items and weekly tables too (``tables="all"``). The work of building
the tables is done here, in the worker, so the parent only joins columns
(:mod:`simulation.engine.assembly`). See ``docs/explanation/big-runs.md``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from simulation.engine.drivers import CREEP_REQUESTS, critical_jobs, drawn_inputs
from simulation.engine.model import Replication, headcount_curve, person_days
from simulation.engine.plan import compile_plan, draw_inputs, make_calendar
from simulation.engine.reduce import RunStats
from simulation.engine.value import discount_factors, value_pass
from simulation.scenario.calendar import WorkCalendar
from simulation.scenario.schema import Scenario

#: What a run keeps besides the summary's statistics: every table, the runs
#: table only, or none.
TABLES = ("all", "runs", "none")
#: Runs-table columns kept per run for paired differences when no table is kept
#: (``compare`` pairs run ``r`` of a variant with run ``r`` of the base).
PAIRED_COLUMNS = (
    "delivery_day",
    "cost",
    "on_time",
    "npv",
    "value",
    "outcome_reached",
    "first_value_day",
)

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
TEXT_COLUMNS = ("id", "name", "source", "state")
NUMBER_COLUMNS = tuple(c for c in ITEM_COLUMNS if c not in TEXT_COLUMNS)
STATES = ("backlog", "doing", "done", "removed")
_STATE_CODE = {state: i for i, state in enumerate(STATES)}
#: The runs table's columns, in order.
RUN_COLUMNS = (
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
)
#: The weekly table's columns after ``run`` and ``week``, in order.
WEEKLY_COLUMNS = ("work_done", "scope", "live_items", "run_rate", "value", "cost", "cum_value")


def check_tables(tables: Any) -> str:
    """``tables`` if it is one of :data:`TABLES`, else a ScenarioError naming it."""
    if tables not in TABLES:
        from simulation.scenario.errors import ScenarioError

        raise ScenarioError(f"tables: must be one of {', '.join(TABLES)}, got {tables!r}")
    return tables


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

    def columns(self, codes: np.ndarray) -> dict[str, Any]:
        """The id, name and source columns for rows with these codes."""
        keys = list(self.codes)
        return {
            col: _categorical(codes, [k[i] for k in keys])
            for i, col in enumerate(("id", "name", "source"))
        }


def _categorical(codes: np.ndarray, labels: list[str]) -> Any:
    """Rows ``codes`` into ``labels`` (which may repeat) as a categorical."""
    import pandas as pd

    inverse, distinct = pd.factorize(np.asarray(labels, dtype=object))
    return pd.Categorical.from_codes(inverse[codes], categories=distinct)


def simulate_chunk(
    sc: Scenario, seed: int, start: int, stop: int, tables: str = "all", paired: bool = False
) -> dict[str, Any]:
    """Replications ``start..stop-1``: their statistics, and the tables asked for.

    Runs in a worker process, on a cluster or in-process; a pure function of
    its arguments.

    Parameters
    ----------
    sc : Scenario
    seed : int
    start, stop : int
        First replication and one past the last.
    tables : {"all", "runs", "none"}
        ``"runs"``: the runs table's columns (and the drawn inputs the
        sensitivity reads); ``"all"``: the items and weekly tables too.
    paired : bool
        Without tables, keep :data:`PAIRED_COLUMNS` per run anyway (for
        paired differences and ``runs: auto``): 7 numbers a run.

    Returns
    -------
    dict
        ``stats`` (:class:`RunStats`), ``potential`` (float) and, as asked,
        ``runs``, ``inputs``, ``items``, ``critical``, ``weekly`` (column arrays).
    """
    plan = compile_plan(sc)
    draws = draw_inputs(sc, start, stop, seed)
    cal = make_calendar(sc)
    weeks = sc.value.horizon_weeks
    dpw = cal.days_per_week
    edges = np.arange(weeks + 1) * float(dpw)
    cost_pd = sc.team.cost_per_person_day
    want_items = tables == "all"

    n = stop - start
    runs_cols: dict[str, list] = {k: [] for k in REPLICATION_COLUMNS}
    creep_requests: list[int] = []
    paid = np.zeros((n, weeks + 1))
    item_rows: list[tuple] = []
    label_codes: list[int] = []
    state_codes: list[int] = []
    labels = _Labels()
    for i, r in enumerate(range(start, stop)):
        rep = Replication(plan, draws, r, i).simulate()
        jobs = rep.jobs
        delivered = rep.closed
        row, end = replication_row(rep, r, cost_pd)
        for k, v in row.items():
            runs_cols[k].append(v)
        creep_requests.append(sum(1 for j in jobs if j.source == "creep"))
        paid[i] = headcount_curve(rep.headcount, end, edges)
        if want_items:
            # Marks job.critical, read below with the rest of the row (engine.drivers).
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
        state_codes += [_STATE_CODE[j.state] for j in jobs]
        if want_items:
            label_codes += [labels.code(j) for j in jobs]

    runs_arr: dict[str, Any] = {k: np.asarray(v) for k, v in runs_cols.items()}
    numbers = dict(zip((*NUMBER_COLUMNS, "critical"), zip(*item_rows, strict=True), strict=True))
    items_arr: dict[str, Any] = {k: np.asarray(numbers[k]) for k in NUMBER_COLUMNS}
    items_arr["state"] = np.asarray(state_codes, dtype=np.int8)
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
    _derive_runs(sc, cal, runs_arr)
    out: dict[str, Any] = {"stats": RunStats.of(runs_arr), "potential": float(vr.potential)}
    if tables == "none":
        if paired:
            out["paired"] = {k: runs_arr[k] for k in ("run", *PAIRED_COLUMNS)}
        return out

    import pandas as pd

    runs_arr["risks_fired"] = pd.Categorical(runs_arr["risks_fired"])
    out["runs"] = {k: runs_arr[k] for k in RUN_COLUMNS}
    # What drives it (engine.drivers): beside the tables, so they keep their columns.
    out["inputs"] = drawn_inputs(plan, draws)
    if not want_items:
        if sc.scope.creep is not None:  # what the sensitivity reads from the items table
            out["inputs"][CREEP_REQUESTS] = np.asarray(creep_requests)
        return out
    text = labels.columns(np.asarray(label_codes, dtype=np.int64))
    # Text columns repeat a few values on every row: categoricals keep the tables
    # small and make the hand-over from worker processes cheap.
    text["state"] = pd.Categorical.from_codes(items_arr.pop("state"), categories=list(STATES))
    out["items"] = {k: text[k] if k in text else items_arr[k] for k in ITEM_COLUMNS}
    out["critical"] = np.asarray(numbers["critical"], dtype=bool)
    state = out["items"]["state"]
    weekly = _weekly_arrays(out["items"], state, local_run, n, weeks, dpw)
    weekly["run_rate"] = vr.run_rate
    weekly["value"] = vr.weekly_value
    weekly["cost"] = cost_weekly
    weekly["cum_value"] = np.cumsum(weekly["value"], axis=1)
    # One block per chunk, rows = runs x weeks, columns in table order: the parent
    # copies it into place with no reshaping (engine.assembly).
    out["weekly"] = np.column_stack([weekly[k].ravel() for k in WEEKLY_COLUMNS])
    return out


def _derive_runs(sc: Scenario, cal: WorkCalendar, r: dict[str, Any]) -> None:
    """The runs table's derived columns (dates, on time, NPV, ROI, outcome), in place."""
    r["delivery_date"] = cal.dates_of(r["delivery_day"])
    deadline = cal.day_end(sc.deadline) if sc.deadline else math.inf
    r["on_time"] = r["delivered"] & (r["delivery_day"] <= deadline + 1e-9)
    by = sc.value.outcome.by
    by_day = cal.day_end(by) if by else sc.value.horizon_weeks * cal.days_per_week
    r["outcome_date"] = cal.dates_of(r["outcome_day"])
    r["outcome_reached"] = ~np.isnan(r["outcome_day"]) & (r["outcome_day"] <= by_day + 1e-9)
    r["first_value_date"] = cal.dates_of(r["first_value_day"])
    r["npv"] = r["value"] - r["cost_discounted"]
    with np.errstate(divide="ignore", invalid="ignore"):
        r["roi"] = np.where(r["cost_discounted"] > 0, r["npv"] / r["cost_discounted"], np.nan)


#: The per-run numbers one replication gives before the value pass, in this order.
REPLICATION_COLUMNS = (
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


def replication_row(
    rep: Any, r: int, cost_pd: float, extra_cost: float = 0.0
) -> tuple[dict, float]:
    """Replication ``r``'s per-run numbers (:data:`REPLICATION_COLUMNS`) and its end day.

    ``cost_pd`` is money per person-day of its own team; ``extra_cost`` money paid
    on top (a portfolio's shared people). The end is the later of the last work
    done and delivery (or the clock's stop when it never delivers), in working days.
    """
    jobs = rep.jobs
    delivered = rep.closed
    end = max(rep.last_work_done, rep.delivery if delivered else rep.env.now)
    row = {
        "run": r,
        "delivered": delivered,
        "delivery_day": rep.delivery,
        "end_day": end,
        "cost": cost_pd * person_days(rep.headcount, end) + extra_cost,
        "effort_total": sum(j.work for j in jobs if j.state == "done"),
        "items_done": sum(
            1 for j in jobs if j.state == "done" and j.source not in ("overhead", "fix")
        ),
        "items_added": sum(1 for j in jobs if j.source in ("added", "creep")),
        "deferred": rep.deferred,
        "fixes": sum(1 for j in jobs if j.source == "fix"),
        "risks_fired": ",".join(rep.risks_fired),
    }
    return row, end


def runs_table(sc: Scenario, cal: WorkCalendar, r: dict[str, Any]) -> Any:
    """The runs table from the replication's per-run arrays: derived columns added,
    columns in :data:`RUN_COLUMNS` order (for callers that simulate runs themselves,
    such as a portfolio)."""
    import pandas as pd

    r = dict(r)
    _derive_runs(sc, cal, r)
    return pd.DataFrame({k: r[k] for k in RUN_COLUMNS})


def _weekly_arrays(
    items: dict[str, np.ndarray], state: Any, run: np.ndarray, n: int, weeks: int, dpw: int
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
    counted = np.asarray(state != "removed")
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
