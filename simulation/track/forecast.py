"""The re-forecast: the plan played again from where the work and the product stand.

``track(status, runs, seed)`` builds the plan as it is today (scope added and
removed, the adoption curve fitted to the measurements), replays it from the
status with the plan's own random streams (:mod:`simulation.engine.asof`), and
fixes what has been measured: the value realised to date and an outcome already
reached. The exact meaning is in ``docs/reference/track.md``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

from simulation.engine.asof import AsOf, Doing, Done, RiskFact, with_as_of
from simulation.engine.plan import blocked
from simulation.engine.results import Results
from simulation.engine.runner import run
from simulation.engine.value import RunAdoption, discount_factors, value_pass
from simulation.scenario.calendar import WorkCalendar
from simulation.scenario.schema import Scenario, parse_scenario
from simulation.scenario.yamlio import scenario_to_data
from simulation.track.adoption import AdoptionFit, draw_parameters, fit_adoption
from simulation.track.status import Status


@dataclass
class Reforecast(Results):
    """Results of a re-forecast, with where the initiative stood (days are working days).

    ``realised_value`` is the value earned to date from the measured adoption
    (money, undiscounted); ``since_plan`` holds the change from the plan's own
    forecast under the same seed.
    """

    as_of: dt.date | None = None
    t0: float = 0.0
    done: list[str] = field(default_factory=list)
    in_progress: list[str] = field(default_factory=list)
    overrunning: list[str] = field(default_factory=list)
    realised_value: float = 0.0
    adoption_fit: AdoptionFit | None = None
    outcome_reached_on: dt.date | None = None
    plan_summary: dict[str, Any] | None = None

    def since_plan(self) -> dict[str, float]:
        """Now minus the plan: P85 delivery (working days), mean NPV, outcome chance."""
        now, plan = self.summary(), self.plan_summary or {}
        if not plan:
            return {}

        def diff(a: Any, b: Any) -> float:
            return float(a - b) if a is not None and b is not None else math.nan

        return {
            "delivery_p85_days": diff(now["delivery"]["p85_day"], plan["delivery"]["p85_day"]),
            "npv_mean": diff(now["value"]["npv_mean"], plan["value"]["npv_mean"]),
            "outcome_probability": diff(
                now["value"]["outcome_probability"], plan["value"]["outcome_probability"]
            ),
        }

    def status_summary(self) -> dict[str, Any]:
        """The ``--json`` fields of a re-forecast beside the run summary."""
        fit = self.adoption_fit.as_dict() if self.adoption_fit else {}
        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "done": len(self.done),
            "in_progress": len(self.in_progress),
            "overrunning": list(self.overrunning),
            "realised_value": round(self.realised_value, 2),
            "adoption_fit": fit,
            "since_plan": {k: round(v, 4) for k, v in self.since_plan().items()},
        }


def plan_today(status: Status, fit: AdoptionFit | None = None) -> Scenario:
    """The plan with the status's scope changes (and the fitted adoption) applied."""
    plan = status.plan
    if not status.added and not status.removed and (fit is None or not fit.fitted):
        return plan
    data = scenario_to_data(plan)
    gone = set(status.removed)

    def keep(items: list[dict]) -> list[dict]:
        out = []
        for it in items:
            if it["id"] in gone:
                continue
            if it.get("depends_on"):
                it = {**it, "depends_on": [d for d in it["depends_on"] if d not in gone]}
            out.append(it)
        return out

    data["items"] = keep(data["items"]) + [
        it.model_dump(mode="json", exclude_none=True, exclude_defaults=True) | {"id": it.id}
        for it in status.added
    ]
    for change in data.get("scope", {}).get("changes", []):
        if "add" in change:
            change["add"] = keep(change["add"])
        if "remove" in change:
            change["remove"] = [r for r in change["remove"] if r not in gone]
        if "resize" in change:
            change["resize"] = [r for r in change["resize"] if r["id"] not in gone]
    for risk in data.get("risks", []):
        items = risk.get("impact", {}).get("items")
        if items:
            risk["impact"]["items"] = [i for i in items if i not in gone]
    if fit is not None and fit.fitted:
        data.setdefault("value", {})["adoption"] = fit.adoption().model_dump(
            mode="json", exclude_defaults=False
        )
    return parse_scenario(data, "status")


def as_of_clock(status: Status, sc: Scenario) -> AsOf:
    """The status in the model's clock: dates to working days (``docs/reference/track.md``)."""
    cal = WorkCalendar(sc.calendar, sc.start_date)
    done, doing = {}, {}
    for iid, p in status.items.items():
        if p.done is not None:
            done[iid] = Done(
                cal.day_start(p.started) if p.started else math.nan,
                cal.day_end(p.done),
                cal.day_end(p.live) if p.live else math.nan,
            )
        else:
            doing[iid] = Doing(cal.day_start(p.started), float(p.spent or 0.0))
    risks = {
        rid: RiskFact(r.state, cal.day_start(r.date) if r.date else 0.0, r.size)
        for rid, r in status.risks.items()
    }
    return AsOf(cal.day_end(status.as_of), done, doing, risks, status.team_size)


def _first_live(status: Status, sc: Scenario) -> dt.date | None:
    """The first day anything was live: the earliest live (else done) date of a done item."""
    days = [p.live or p.done for p in status.items.values() if p.done is not None]
    return min(days) if days else None


def track(status: Status, runs: int | str | None = None, seed: int | None = None) -> Reforecast:
    """Re-forecast both lenses from ``status``.

    Parameters
    ----------
    status : Status
        Where the work and the product stand (:func:`simulation.track.load_status`).
    runs, seed : optional
        As for ``run``; default the plan's ``simulation`` settings.

    Returns
    -------
    Reforecast
        The re-forecast's tables (the plan's columns) with the as-of date, the
        overrunning items, the realised value and the adoption fit.
    """
    plan = status.plan
    runs = plan.simulation.runs if runs is None else runs
    seed = plan.simulation.seed if seed is None else seed
    first = _first_live(status, plan)
    measured = [(d, s) for d, s in status.adoption if first is not None and d >= first]
    t = np.array([((d - first).days + 7) / 7 for d, _ in measured])
    fit = fit_adoption(t, np.array([s for _, s in measured]), plan.value.adoption)
    sc = plan_today(status, fit)
    as_of = as_of_clock(status, sc)
    res = run(with_as_of(sc, as_of), runs=runs, seed=seed)
    plan_res = run(plan, runs=runs, seed=seed, tables="runs")  # its summary only
    out = Reforecast(
        **{f.name: getattr(res, f.name) for f in fields(Results)},
        as_of=status.as_of,
        t0=as_of.t0,
        done=status.done_ids,
        in_progress=status.doing_ids,
        overrunning=as_of.overrunning(sc, seed),
        adoption_fit=fit,
        plan_summary=plan_res.summary(),
    )
    out._summary = None
    cal = WorkCalendar(sc.calendar, sc.start_date)
    if fit.fitted:
        _draw_adoption(out, sc, cal, fit, seed)
    _fix_realised_value(out, status, sc, cal)
    _fix_outcome(out, status, sc, cal)
    _fix_cost_to_date(out, status, sc, cal)
    return out


def _draw_adoption(
    out: Reforecast, sc: Scenario, cal: WorkCalendar, fit: AdoptionFit, seed: int
) -> None:
    """The product lens again, each run with its own curve drawn from the fit's uncertainty."""
    n = len(out.runs)
    z = blocked(seed, "track:adoption", 0, n, lambda rng, k: rng.standard_normal((k, 2)))
    curves = draw_parameters(fit, z)
    per_run = RunAdoption(
        fit.model,
        np.array([c.p for c in curves]),
        np.array([c.q for c in curves]),
        np.array([c.weeks for c in curves]),
    )
    order = out.runs["run"].to_numpy()
    pos = pd.Series(np.arange(n), index=order)
    items = out.items
    local = pos.loc[items["run"].to_numpy()].to_numpy()
    rows = np.argsort(local, kind="stable")
    vr = value_pass(
        sc,
        cal,
        n,
        local[rows],
        items["live_day"].to_numpy(dtype=float)[rows],
        items["fix_live_day"].to_numpy(dtype=float)[rows],
        items["misfit"].to_numpy(dtype=bool)[rows],
        items["value_per_week"].to_numpy(dtype=float)[rows],
        items["must_have"].to_numpy(dtype=bool)[rows],
        per_run=per_run,
    )
    value, outcome, weekly, rate = vr.value, vr.outcome_day, vr.weekly_value, vr.run_rate
    runs = out.runs.copy()
    runs["value"] = value
    runs["npv"] = runs["value"] - runs["cost_discounted"]
    with np.errstate(divide="ignore", invalid="ignore"):
        runs["roi"] = np.where(
            runs["cost_discounted"] > 0, runs["npv"] / runs["cost_discounted"], np.nan
        )
    runs["outcome_day"] = outcome
    runs["outcome_date"] = cal.dates_of(outcome)
    by = sc.value.outcome.by
    by_day = cal.day_end(by) if by else sc.value.horizon_weeks * cal.days_per_week
    runs["outcome_reached"] = np.isfinite(outcome) & (outcome <= by_day + 1e-9)
    out.runs = runs
    w = out.weekly.sort_values(["run", "week"]).copy()
    idx = pos.loc[w["run"].to_numpy()].to_numpy()
    col = w["week"].to_numpy() - 1
    w["value"] = weekly[idx, col]
    w["run_rate"] = rate[idx, col]
    w["cum_value"] = w.groupby("run")["value"].cumsum()
    out.weekly = w.sort_index()
    out._summary = None


def _fix_realised_value(out: Reforecast, status: Status, sc: Scenario, cal: WorkCalendar) -> None:
    """Value to date from the measured shares; it replaces the model's weeks up to ``as_of``."""
    if not status.adoption:
        return
    items = out.items[out.items["run"] == out.runs["run"].iloc[0]]
    live = {
        str(i): d for i, d in zip(items["id"], items["live_day"], strict=True) if np.isfinite(d)
    }
    values = {it.id: it.value.per_week for _, it in sc.all_items()}
    dpw = cal.days_per_week
    weeks = sc.value.horizon_weeks
    disc = discount_factors(sc, weeks)
    realised = discounted = 0.0
    for week_of, share in status.adoption:
        start = cal.day_start(week_of)
        rate = sum(values.get(i, 0.0) for i in status.done_ids if live.get(i, math.inf) <= start)
        realised += rate * share
        k = min(int(start // dpw), weeks - 1)
        discounted += rate * share * disc[k]
    out.realised_value = realised
    k0 = min(int(out.t0 // dpw), weeks)
    w = out.weekly
    model_to_date = w[w["week"] <= k0].groupby("run")["value"].sum()
    runs = out.runs.copy()
    runs["value"] = runs["value"] - runs["run"].map(model_to_date).fillna(0.0) + discounted
    runs["npv"] = runs["value"] - runs["cost_discounted"]
    with np.errstate(divide="ignore", invalid="ignore"):
        runs["roi"] = np.where(
            runs["cost_discounted"] > 0, runs["npv"] / runs["cost_discounted"], np.nan
        )
    out.runs = runs
    out._summary = None


def _fix_cost_to_date(out: Reforecast, status: Status, sc: Scenario, cal: WorkCalendar) -> None:
    """A stated ``cost_to_date`` replaces the model's cost of the days up to ``as_of``.

    The model's cost to ``t0`` is the plan's team (size and staffing changes dated
    before ``t0``) x the cost per person-day x working days: the same in every run.
    The discounted cost moves by the same amount discounted at the weeks it covers.
    """
    if status.cost_to_date is None:
        return
    t0 = out.t0
    people_days = sc.team.size * t0 + sum(
        c.add * (t0 - c.at_day) for c in sc.team.changes if c.at_day < t0
    )
    delta = status.cost_to_date - sc.team.cost_per_person_day * people_days
    weeks = max(1, min(math.ceil(t0 / cal.days_per_week), sc.value.horizon_weeks))
    factor = float(discount_factors(sc, sc.value.horizon_weeks)[:weeks].mean())
    runs = out.runs.copy()
    runs["cost"] = runs["cost"] + delta
    runs["cost_discounted"] = runs["cost_discounted"] + delta * factor
    runs["npv"] = runs["value"] - runs["cost_discounted"]
    with np.errstate(divide="ignore", invalid="ignore"):
        runs["roi"] = np.where(
            runs["cost_discounted"] > 0, runs["npv"] / runs["cost_discounted"], np.nan
        )
    out.runs = runs
    out._summary = None


def _fix_outcome(out: Reforecast, status: Status, sc: Scenario, cal: WorkCalendar) -> None:
    """A measured outcome progress of 1 (the target) fixes the outcome as reached that day."""
    reached = [d for d, v in status.outcome if v >= 1.0]
    if not reached:
        return
    day = min(reached)
    out.outcome_reached_on = day
    by = sc.value.outcome.by
    runs = out.runs.copy()
    runs["outcome_day"] = cal.day_end(day)
    runs["outcome_date"] = np.datetime64(day, "D")
    runs["outcome_reached"] = by is None or day <= by
    out.runs = runs
    out._summary = None
