"""Simulating a portfolio: per-initiative results in both lenses, and the portfolio's.

:func:`run_portfolio` plays every initiative of a portfolio together
(:class:`~simulation.portfolio.model.PortfolioRun`) ``runs`` times and returns
:class:`PortfolioResults`: one :class:`~simulation.engine.results.Results` per
initiative (its ``runs`` and ``weekly`` tables, the same columns as a
single-initiative run; the ``items`` table is left empty), the portfolio's
per-run table and its weekly value. :func:`compare_portfolios` runs variants
under the same seed and pairs them run by run (common random numbers).

Meaning (``docs/reference/portfolio.md``): an initiative's cost is its own
team's paid days plus the days shared people spent on its items; the
portfolio's value is the sum over its initiatives, its cost and NPV add the
pools' idle days (paid, but on no initiative's items); all on time means
every initiative delivered by its deadline (one without a deadline counts when
delivered); the weekly value puts each initiative's weeks on the portfolio's
calendar (shifted by its start, to the nearest week).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulation.engine.chunks import REPLICATION_COLUMNS, replication_row, runs_table
from simulation.engine.model import headcount_curve, person_days
from simulation.engine.plan import Plan, compile_plan, draw_inputs, make_calendar
from simulation.engine.results import Results
from simulation.engine.summary import json_number, paired_deltas, t95
from simulation.engine.value import discount_factors, value_pass
from simulation.portfolio.model import PortfolioRun, with_cross_dependencies
from simulation.portfolio.portfolios import MAX_RUNS, Portfolio
from simulation.scenario.calendar import WorkCalendar
from simulation.scenario.errors import ScenarioError

Progress = Callable[[int, int], None]


#: Portfolio-level paired metrics: column of the portfolio's runs table -> JSON key.
PORTFOLIO_METRICS = {
    "value": "value",
    "npv": "npv",
    "cost": "cost",
    "all_on_time": "all_on_time",
}


@dataclass
class PortfolioResults:
    """Tables from one simulated portfolio."""

    portfolio: Portfolio
    seed: int
    initiatives: dict[str, Results]  # in priority order
    runs: pd.DataFrame  # run, value, cost, shared_idle_cost, npv, all_on_time
    weekly: pd.DataFrame  # run, week, initiative, value (portfolio weeks)
    offsets: dict[str, float] = field(default_factory=dict)  # working days from day 0
    _summary: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def n_runs(self) -> int:
        return len(self.runs)

    def summary(self) -> dict[str, Any]:
        """The forecast as a plain dict (``portfolio --json``)."""
        if self._summary is None:
            r = self.runs
            self._summary = {
                "portfolio": self.portfolio.name,
                "runs": len(r),
                "seed": int(self.seed),
                "initiatives": {k: v.summary() for k, v in self.initiatives.items()},
                "all_on_time_probability": json_number(r["all_on_time"].mean()),
                "value_mean": json_number(r["value"].mean()),
                "npv_mean": json_number(r["npv"].mean()),
                "cost_mean": json_number(r["cost"].mean()),
                "shared_idle_cost_mean": json_number(r["shared_idle_cost"].mean()),
            }
            if self.portfolio.cancelled:
                self._summary["cancelled"] = list(self.portfolio.cancelled)
        return self._summary

    def weekly_value(self) -> pd.DataFrame:
        """Mean value earned per portfolio week, per initiative (``week, initiative, value``)."""
        return (
            self.weekly.groupby(["week", "initiative"], sort=False, observed=True)["value"]
            .mean()
            .reset_index()
        )


def portfolio_calendar(portfolio: Portfolio) -> WorkCalendar:
    """The portfolio's clock: the first initiative's calendar, day 0 at the portfolio's start."""
    first = portfolio.initiatives[0].scenario
    return WorkCalendar(first.calendar, portfolio.start_date or first.start_date)


def origins(portfolio: Portfolio) -> dict[str, float]:
    """Each initiative's start in working days of the portfolio's clock."""
    cal = portfolio_calendar(portfolio)
    return {ini.id: cal.day_start(ini.scenario.start_date) for ini in portfolio.initiatives}


def _check(runs: Any, seed: Any) -> tuple[int, int]:
    if (
        isinstance(runs, bool)
        or not isinstance(runs, int | np.integer)
        or not 1 <= runs <= MAX_RUNS
    ):
        raise ScenarioError(f"runs: must be a whole number from 1 to {MAX_RUNS:,}, got {runs!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ScenarioError(f"seed: must be a whole number >= 0, got {seed!r}")
    return int(runs), int(seed)


def run_portfolio(
    portfolio: Portfolio,
    runs: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> PortfolioResults:
    """Simulate every initiative of ``portfolio`` together, ``runs`` times (in this process).

    Parameters
    ----------
    portfolio : Portfolio
        A validated portfolio (:func:`~simulation.portfolio.loading.load_portfolio`).
    runs, seed : int, optional
        Default the portfolio's ``simulation`` section. Initiative ``i`` draws
        from its own named streams under ``seed``, exactly as it would alone.
    progress : callable, optional
        ``progress(runs_done, runs_total)``, every 50 runs.

    Returns
    -------
    PortfolioResults
    """
    runs, seed = _check(
        portfolio.runs if runs is None else runs, portfolio.seed if seed is None else seed
    )
    origin = origins(portfolio)
    extra: dict[str, dict[str, list[str]]] = {}
    waits: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for dep in portfolio.depends_on:
        wi, witem = dep.waiting
        extra.setdefault(wi, {}).setdefault(witem, []).append(dep.after)
        waits.setdefault(dep.awaited, []).append((wi, dep.after))
    compiled = []
    for ini in portfolio.initiatives:
        plan = compile_plan(ini.scenario)
        if ini.team_size != plan.team_size:
            plan = _with_team(plan, ini.team_size)
        plan = with_cross_dependencies(plan, extra.get(ini.id, {}))
        draws = draw_inputs(ini.scenario, 0, runs, seed)
        pools = tuple(p.id for p in portfolio.pools_serving(ini.id))
        compiled.append((ini.id, plan, draws, origin[ini.id], pools))
    collected: dict[str, _Collector] = {
        ini.id: _Collector(ini.scenario, runs) for ini in portfolio.initiatives
    }
    idle = _IdleShared(portfolio, runs, origin)
    for r in range(runs):
        rep = PortfolioRun(compiled, list(portfolio.shared), waits, portfolio.moves, r, r)
        rep.simulate()
        ends = [ini_rep.origin + collected[ini_rep.id].add(ini_rep, r) for ini_rep in rep.reps]
        idle.add(rep, r, max(ends))
        if progress and ((r + 1) % 50 == 0 or r + 1 == runs):
            progress(r + 1, runs)
    results = {iid: c.results(seed) for iid, c in collected.items()}
    return _portfolio_results(portfolio, seed, results, origin, idle)


def busy_curves(
    busy: list[tuple[int, float, float, float]], edges: np.ndarray, runs: int
) -> np.ndarray:
    """Cumulative money paid for busy intervals ``(run, start, end, rate)`` at each edge.

    Row ``r`` of the ``(runs, len(edges))`` result is run ``r``'s; days in working days.
    """
    out = np.zeros((runs, len(edges)))
    if busy:
        run, a, b, rate = (np.asarray(c) for c in zip(*busy, strict=True))
        paid = rate[:, None] * (np.clip(edges[None, :], a[:, None], b[:, None]) - a[:, None])
        np.add.at(out, run.astype(np.int64), paid)
    return out


class _IdleShared:
    """What the pools are paid while nobody needs them (the portfolio's, no initiative's).

    A pool's people are paid every working day from the portfolio's day 0 until
    the last initiative's work ends; the days they spend on an initiative's
    items are that initiative's cost, the rest is idle. Discounted on the
    portfolio's weeks at the first initiative's rate.
    """

    def __init__(self, portfolio: Portfolio, runs: int, origin: dict[str, float]):
        first = portfolio.initiatives[0].scenario
        cal = portfolio_calendar(portfolio)
        dpw = cal.days_per_week
        self.weeks = max(
            round(origin[i.id] / dpw) + i.scenario.value.horizon_weeks
            for i in portfolio.initiatives
        )
        self.edges = np.arange(self.weeks + 1) * float(dpw)
        self.disc = discount_factors(first, self.weeks)
        self.runs = runs
        self.paid_total = np.zeros(runs)
        self.paid = np.zeros((runs, self.weeks + 1))
        self.busy: list[tuple[int, float, float, float]] = []  # run, start, end, rate

    def add(self, rep: PortfolioRun, r: int, end: float) -> None:
        """Record run ``r``: the pools' paid days to ``end`` and their busy intervals."""
        if not rep.pools:
            return
        for pool in rep.pools.values():
            rate = pool.spec.cost_per_person_day
            self.paid_total[r] += rate * person_days(pool.headcount, end)
            self.paid[r] += rate * headcount_curve(pool.headcount, end, self.edges)
        self.busy += [
            (r, a + ini.origin, b + ini.origin, rate)
            for ini in rep.reps
            for a, b, rate in ini.shared_busy
        ]

    def totals(self) -> tuple[np.ndarray, np.ndarray]:
        """Per run: the idle cost, and the idle cost discounted."""
        busy_total = np.zeros(self.runs)
        if self.busy:
            run, a, b, rate = (np.asarray(c) for c in zip(*self.busy, strict=True))
            np.add.at(busy_total, run.astype(np.int64), rate * (b - a))
        idle = self.paid - busy_curves(self.busy, self.edges, self.runs)
        cost = np.maximum(self.paid_total - busy_total, 0.0)
        return cost, (np.diff(idle, axis=1) * self.disc).sum(axis=1)


def _with_team(plan: Plan, size: int) -> Plan:
    """The plan with the initiative's own team inside the portfolio (0 allowed)."""
    return dataclasses.replace(plan, team_size=size)


class _Collector:
    """One initiative's rows over the runs, turned into its Results at the end."""

    def __init__(self, sc, runs: int):
        self.sc = sc
        self.cal = make_calendar(sc)
        self.n = runs
        weeks = sc.value.horizon_weeks
        self.edges = np.arange(weeks + 1) * float(self.cal.days_per_week)
        self.rows: dict[str, list] = {k: [] for k in REPLICATION_COLUMNS}
        self.paid = np.zeros((runs, weeks + 1))
        self.busy: list[tuple[int, float, float, float]] = []  # run, start, end, rate
        self.items: dict[str, list] = {
            k: [] for k in ("run", "live", "fix_live", "misfit", "value", "must_have")
        }
        self.ends: list[float] = []

    def add(self, rep, r: int) -> float:
        """Record replication ``r`` of this initiative; returns its end (its own working day)."""
        jobs = rep.jobs
        shared = sum(rate * (b - a) for a, b, rate in rep.shared_busy)
        row, end = replication_row(rep, r, self.sc.team.cost_per_person_day, shared)
        for k, v in row.items():
            self.rows[k].append(v)
        self.ends.append(end)
        self.paid[r] = headcount_curve(rep.headcount, end, self.edges)
        self.busy += [(r, a, b, rate) for a, b, rate in rep.shared_busy]
        it = self.items
        for j in jobs:
            it["run"].append(r)
            it["live"].append(j.live)
            it["fix_live"].append(j.fix_live)
            it["misfit"].append(j.misfit)
            it["value"].append(j.value)
            it["must_have"].append(j.must_have)
        return end

    def results(self, seed: int) -> Results:
        sc, cal = self.sc, self.cal
        weeks = sc.value.horizon_weeks
        it = {k: np.asarray(v) for k, v in self.items.items()}
        vr = value_pass(
            sc,
            cal,
            self.n,
            it["run"].astype(np.int64),
            it["live"].astype(float),
            it["fix_live"].astype(float),
            it["misfit"].astype(bool),
            it["value"].astype(float),
            it["must_have"].astype(bool),
        )
        disc = discount_factors(sc, weeks)
        cost_weekly = np.diff(self.paid, axis=1) * sc.team.cost_per_person_day * disc
        cost_weekly = (
            cost_weekly + np.diff(busy_curves(self.busy, self.edges, self.n), axis=1) * disc
        )
        runs_arr = {k: np.asarray(v) for k, v in self.rows.items()}
        runs_arr["value"] = vr.value
        runs_arr["cost_discounted"] = cost_weekly.sum(axis=1)
        runs_arr["first_value_day"] = vr.first_value_day
        runs_arr["outcome_day"] = vr.outcome_day
        runs_arr["risks_fired"] = pd.Categorical(runs_arr["risks_fired"])
        runs_df = runs_table(sc, cal, runs_arr)
        weekly = pd.DataFrame(
            {
                "run": np.repeat(np.arange(self.n), weeks),
                "week": np.tile(np.arange(1, weeks + 1), self.n),
                "value": vr.weekly_value.ravel(),
                "cost": cost_weekly.ravel(),
            }
        )
        weekly["cum_value"] = weekly.groupby("run")["value"].cumsum()
        return Results(sc, seed, runs_df, pd.DataFrame(), weekly, vr.potential)


def _portfolio_results(
    portfolio: Portfolio,
    seed: int,
    results: dict[str, Results],
    origin: dict[str, float],
    idle: _IdleShared,
) -> PortfolioResults:
    n = next(iter(results.values())).n_runs
    value = np.zeros(n)
    npv = np.zeros(n)
    on_time = np.ones(n, dtype=bool)
    frames = []
    dpw = portfolio_calendar(portfolio).days_per_week
    for iid, res in results.items():
        r = res.runs
        value += r["value"].to_numpy()
        npv += r["npv"].to_numpy()
        on_time &= r["on_time"].to_numpy(dtype=bool)
        shift = round(origin[iid] / dpw)
        w = res.weekly
        frames.append(
            pd.DataFrame(
                {
                    "run": w["run"].to_numpy(),
                    "week": w["week"].to_numpy() + shift,
                    "initiative": iid,
                    "value": w["value"].to_numpy(),
                }
            )
        )
    idle_cost, idle_discounted = idle.totals()
    cost = sum(res.runs["cost"].to_numpy() for res in results.values()) + idle_cost
    runs_df = pd.DataFrame(
        {
            "run": np.arange(n),
            "value": value,
            "cost": cost,
            "shared_idle_cost": idle_cost,
            "npv": npv - idle_discounted,
            "all_on_time": on_time,
        }
    )
    weekly = pd.concat(frames, ignore_index=True)
    weekly["initiative"] = pd.Categorical(weekly["initiative"], categories=list(results))
    return PortfolioResults(portfolio, seed, results, runs_df, weekly, origin)


# ------------------------------------------------------------------ comparison
@dataclass
class PortfolioComparison:
    """Portfolios run under the same seed, each paired run by run against the first."""

    results: dict[str, PortfolioResults]
    #: variant -> initiative id (or ``"portfolio"``) -> metric -> {mean, ci90, p05, p95}
    deltas: dict[str, dict[str, dict[str, dict[str, Any]]]]

    @property
    def baseline(self) -> str:
        return next(iter(self.results))

    def summary(self) -> dict[str, Any]:
        """``portfolio --json`` with variants: every portfolio's summary and the paired deltas."""
        return {
            "scenarios": {k: v.summary() for k, v in self.results.items()},
            "deltas": self.deltas,
        }

    def ripple(self, variant: str) -> pd.DataFrame:
        """One row per initiative of the baseline: what ``variant`` does to it.

        Columns ``initiative, delivery_day, on_time, npv, outcome`` (mean paired
        differences; NaN where not defined) and ``cancelled``; a last row
        ``portfolio`` carries the portfolio's Δ NPV and Δ all on time.
        """
        rows = []
        for iid, metrics in self.deltas[variant].items():
            row = {"initiative": iid, "cancelled": bool(metrics.get("cancelled"))}
            for key in ("delivery_day", "on_time", "npv", "outcome", "all_on_time", "value"):
                m = metrics.get(key)
                row[key] = m["mean"] if isinstance(m, dict) and m["mean"] is not None else math.nan
            rows.append(row)
        return pd.DataFrame(rows)


def _delta_stats(d: np.ndarray) -> dict[str, Any]:
    d = d[np.isfinite(d)]
    n = len(d)
    if n == 0:
        return {"mean": None, "ci90": [None, None], "p05": None, "p95": None}
    mean = float(d.mean())
    half = t95(n - 1) * float(d.std(ddof=1)) / math.sqrt(n) if n > 1 else math.nan
    return {
        "mean": json_number(mean),
        "ci90": [json_number(mean - half), json_number(mean + half)],
        "p05": json_number(float(np.quantile(d, 0.05))),
        "p95": json_number(float(np.quantile(d, 0.95))),
    }


def _on_portfolio_clock(runs: pd.DataFrame, origin: float) -> pd.DataFrame:
    """Days counted from the portfolio's day 0, so deferring an initiative shows as later."""
    out = runs.copy()
    for col in ("delivery_day", "first_value_day"):
        out[col] = out[col] + origin
    return out


def portfolio_deltas(base: PortfolioResults, other: PortfolioResults) -> dict[str, dict]:
    """Per initiative of ``base`` and for the portfolio: paired differences ``other - base``.

    Days (delivery, first value) are compared on the portfolio's clock, so
    ``defer`` moves them by the deferral.

    A cancelled initiative has ``{"cancelled": true}`` and the loss of its
    value, NPV and cost (Δ = minus its own in every run).
    """
    out: dict[str, dict] = {}
    for iid, res in base.initiatives.items():
        if iid in other.initiatives:
            out[iid] = {
                row["metric"]: {
                    "mean": json_number(row["mean"]),
                    "ci90": [json_number(row["ci_low"]), json_number(row["ci_high"])],
                    "p05": json_number(row["p05"]),
                    "p95": json_number(row["p95"]),
                }
                for row in paired_deltas(
                    _on_portfolio_clock(res.runs, base.offsets[iid]),
                    _on_portfolio_clock(other.initiatives[iid].runs, other.offsets[iid]),
                )
            }
        else:
            r = res.runs
            out[iid] = {
                "cancelled": True,
                **{
                    key: _delta_stats(-r[col].to_numpy(dtype=float))
                    for col, key in (("value", "value"), ("npv", "npv"), ("cost", "cost"))
                },
            }
    out["portfolio"] = {
        key: _delta_stats(
            other.runs[col].to_numpy(dtype=float) - base.runs[col].to_numpy(dtype=float)
        )
        for col, key in PORTFOLIO_METRICS.items()
    }
    return out


def compare_portfolios(
    portfolios: dict[str, Portfolio],
    runs: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> PortfolioComparison:
    """Every portfolio with the same runs and seed; paired differences against the first."""
    if not portfolios:
        raise ValueError("compare_portfolios needs at least one portfolio")
    first = next(iter(portfolios.values()))
    runs = first.runs if runs is None else runs
    seed = first.seed if seed is None else seed
    total = len(portfolios)
    results = {}
    for i, (name, p) in enumerate(portfolios.items()):
        sub = None
        if progress:

            def sub(done: int, n: int, i: int = i) -> None:
                progress(i * n + done, total * n)

        results[name] = run_portfolio(p, runs=runs, seed=seed, progress=sub)
    base_name = next(iter(results))
    deltas = {
        name: portfolio_deltas(results[base_name], res)
        for name, res in results.items()
        if name != base_name
    }
    return PortfolioComparison(results, deltas)
