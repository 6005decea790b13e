"""The product lens: value, adoption, NPV and the outcome, computed with numpy.

The event loop records when each item went live (and, for a misfit, when its
fix went live). This module turns those days into money, after the loop, for
all replications at once.

Conventions (documented in the README):

* Time is cut into weekly cells (a week = the calendar's working days).
* An item live since ``L`` with value ``V`` per week earns, in a cell
  ``[s, e]``, ``V * integral of adoption(t - L) dt`` over the cell, using the
  closed-form integral of each adoption curve, so partial weeks are exact.
  While a misfit is unfixed (``L <= t < fix live``) it earns the misfit factor
  of that.
* Urgency multiplies a cell by its average urgency over the cell; discounting
  multiplies it by ``(1 + r) ** -(mid-week / 52)``. Cost is discounted the same
  way, so NPV = discounted value - discounted cost, both up to the horizon.
* The run-rate at time ``t`` is ``sum V * adoption * fit`` (no urgency, no
  discount). It never decreases, so the outcome day (first working day on
  which the run-rate reaches ``target_fraction`` of the planned must-have
  run-rate) is found week by week, then day by day inside the crossing week.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.scenario.calendar import WorkCalendar
from simulation.scenario.schema import Adoption, Scenario

WEEKS_PER_YEAR = 52.0
#: Rows (run x item) handled per numpy block, to bound memory at 10,000 runs.
BLOCK_ROWS = 40_000
#: Below this q/p a Bass curve is computed as pure innovation (q = 0); the error
#: is of order q/p, far below anything a forecast shows.
BASS_NEGLIGIBLE_Q_OVER_P = 1e-12


def adoption_level(tau: np.ndarray, a: Adoption) -> np.ndarray:
    """Share of the full value reached ``tau`` weeks after go-live (0 before)."""
    t = np.maximum(tau, 0.0)
    if a.model == "instant":
        return (tau >= 0).astype(float)
    if a.model == "linear":
        return np.minimum(t / a.weeks, 1.0) * (tau >= 0)
    b = a.p + a.q
    e = np.exp(-b * t)
    return (1.0 - e) / (1.0 + (a.q / a.p) * e)


def adoption_integral(tau: np.ndarray, a: Adoption) -> np.ndarray:
    """Integral of :func:`adoption_level` from go-live to ``tau`` weeks after it."""
    t = np.maximum(tau, 0.0)
    if a.model == "instant":
        return t
    if a.model == "linear":
        w = a.weeks
        return np.where(t < w, t * t / (2 * w), t - w / 2)
    p, q = a.p, a.q
    if np.ndim(p) or np.ndim(q):  # one curve per row (RunAdoption.rows)
        return _bass_integral_rows(t, p, q)
    if q / p < BASS_NEGLIGIBLE_Q_OVER_P:
        # Imitation too weak to matter: the curve is 1 - e^{-pt} (the closed form
        # below would divide 0 by 0 as q/p underflows).
        return t - (1.0 - np.exp(-p * t)) / p
    b = p + q
    r = q / p
    # integral of 1 - F(t) = (1 + r) / (r b) * ln((1 + r) / (1 + r e^{-bt}))
    return t - (1.0 + r) / (r * b) * np.log((1.0 + r) / (1.0 + r * np.exp(-b * t)))


def _bass_integral_rows(t: np.ndarray, p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """:func:`adoption_integral` of Bass with ``p`` and ``q`` given per row (arrays)."""
    r = q / p
    pure = r < BASS_NEGLIGIBLE_Q_OVER_P
    rs = np.where(pure, 1.0, r)
    b = p + q
    general = t - (1.0 + rs) / (rs * b) * np.log((1.0 + rs) / (1.0 + rs * np.exp(-b * t)))
    return np.where(pure, t - (1.0 - np.exp(-p * t)) / p, general)


@dataclass(frozen=True)
class RunAdoption:
    """One adoption curve per run (a re-forecast's curves drawn from a fit's uncertainty).

    ``p``, ``q`` (Bass, per week) and ``weeks`` (linear) are arrays indexed by the
    local run number; ``model`` is one model for all runs.
    """

    model: str
    p: np.ndarray
    q: np.ndarray
    weeks: np.ndarray

    def rows(self, run: np.ndarray) -> RunAdoption:
        """The curves of rows belonging to ``run``, shaped (rows, 1) to broadcast."""
        return RunAdoption(self.model, self.p[run, None], self.q[run, None], self.weeks[run, None])


def urgency_factors(sc: Scenario, cal: WorkCalendar, weeks: int) -> np.ndarray:
    """Average urgency multiplier in each weekly cell."""
    u = sc.value.urgency
    edges = np.arange(weeks + 1, dtype=float)
    if u.profile == "standard":
        return np.ones(weeks)
    if u.profile == "decaying":
        h = u.half_life_weeks
        s, e = edges[:-1], edges[1:]
        return h / np.log(2) * (2.0 ** (-s / h) - 2.0 ** (-e / h)) / (e - s)
    # fixed_date: full value before the date, ``value_after`` from the date on.
    switch_week = cal.day_start(u.date) / cal.days_per_week
    before = np.clip(switch_week - edges[:-1], 0.0, 1.0)
    return before + (1.0 - before) * u.value_after


def discount_factors(sc: Scenario, weeks: int) -> np.ndarray:
    r = sc.value.discount_rate_annual
    mid = np.arange(weeks) + 0.5
    return (1.0 + r) ** (-mid / WEEKS_PER_YEAR)


def outcome_counts_every_item(sc: Scenario) -> bool:
    """True when no planned must-have item carries value: every item then counts.

    Otherwise only must-have items (planned or added) count toward the outcome;
    nice-to-haves earn value but never move it (docs/reference/model.md).
    """
    return sum(it.value.per_week for it in sc.items if it.must_have) == 0


def planned_run_rate(sc: Scenario) -> float:
    """Full run-rate (per week) of the planned must-have items: the outcome's 100%."""
    every = outcome_counts_every_item(sc)
    return float(sum(it.value.per_week for it in sc.items if every or it.must_have))


def outcome_target_rate(sc: Scenario) -> float:
    """Run-rate (value per week) at which the outcome counts as reached.

    ``target_fraction`` x :func:`planned_run_rate` (docs/reference/model.md): the
    planned must-have items, or every planned item when none of the must-haves
    carries value.
    """
    return sc.value.outcome.target_fraction * planned_run_rate(sc)


@dataclass
class ValueResult:
    value: np.ndarray  # (runs,) discounted, urgency-weighted value to the horizon
    first_value_day: np.ndarray
    outcome_day: np.ndarray  # NaN where not reached within the horizon
    weekly_value: np.ndarray  # (runs, weeks) value earned in each week
    run_rate: np.ndarray  # (runs, weeks) run-rate of the items that count toward
    #                             the outcome, at each week's end
    potential: float  # every file item live, full adoption from day 0


def value_pass(
    sc: Scenario,
    cal: WorkCalendar,
    n_runs: int,
    run: np.ndarray,
    live: np.ndarray,
    fix_live: np.ndarray,
    misfit: np.ndarray,
    per_week: np.ndarray,
    must_have: np.ndarray,
    per_run: RunAdoption | None = None,
) -> ValueResult:
    """Value of every replication from its item rows (all arrays one entry per row).

    ``run`` must be sorted ascending. ``live`` and ``fix_live`` are in working
    days (NaN = never); ``misfit`` marks rows whose value is reduced until
    ``fix_live``; ``must_have`` marks the rows whose run-rate counts toward the
    outcome (all rows when :func:`outcome_counts_every_item`). ``per_run``, when
    given, replaces the scenario's adoption curve with one curve per run.
    """
    vs = sc.value
    adoption = vs.adoption
    dpw = cal.days_per_week
    weeks = vs.horizon_weeks
    m = sc.iteration.misfit_value_factor
    weight = urgency_factors(sc, cal, weeks) * discount_factors(sc, weeks)
    edges = np.arange(weeks + 1, dtype=float)
    target = outcome_target_rate(sc)

    counted = np.ones(len(run), dtype=bool) if outcome_counts_every_item(sc) else must_have
    keep = (per_week > 0) & np.isfinite(live)
    run, live, fix_live, misfit, per_week, per_week_counted = _merge_alike(
        run[keep],
        live[keep],
        np.where(misfit[keep], fix_live[keep], -1.0),
        misfit[keep],
        per_week[keep],
        np.where(counted[keep], per_week[keep], 0.0),
    )
    fix_live = np.where(misfit, fix_live, np.nan)
    L = live / dpw
    Lf = np.where(misfit, np.where(np.isfinite(fix_live), fix_live / dpw, np.inf), L)

    weekly_value = np.zeros((n_runs, weeks))
    run_rate = np.zeros((n_runs, weeks + 1))
    for a in range(0, len(run), BLOCK_ROWS):
        sl = slice(a, a + BLOCK_ROWS)
        r, l_, lf, v = run[sl], L[sl, None], Lf[sl, None], per_week[sl, None]
        vc = per_week_counted[sl, None]
        a_ = adoption if per_run is None else per_run.rows(r)
        full = adoption_integral(edges - l_, a_)
        mis = adoption_integral(np.minimum(edges, lf) - l_, a_)
        cells = v * (np.diff(full, axis=1) - (1.0 - m) * np.diff(mis, axis=1))
        fit = np.where(edges < lf, m, 1.0)
        rate = vc * adoption_level(edges - l_, a_) * fit
        # Rows are sorted by run: sum each run's rows in one pass.
        u, starts = np.unique(r, return_index=True)
        weekly_value[u] += np.add.reduceat(cells * weight, starts, axis=0)
        run_rate[u] += np.add.reduceat(rate, starts, axis=0)

    value = weekly_value.sum(axis=1)
    curves = adoption if per_run is None else per_run
    outcome_day = _outcome_days(run_rate, target, run, L, Lf, per_week_counted, curves, m, dpw)

    eff_live = np.where(misfit & (m == 0), Lf * dpw, live)
    first = np.full(n_runs, np.nan)
    if len(run):
        order = np.lexsort((eff_live, run))
        r_sorted = run[order]
        starts = np.r_[0, np.flatnonzero(np.diff(r_sorted)) + 1]
        first[r_sorted[starts]] = eff_live[order][starts]
    first[~np.isfinite(first)] = np.nan
    # Every item the file defines (planned and scheduled additions); creep is left
    # out because how many creep items arrive is itself random.
    potential = float(sum(it.value.per_week for _, it in sc.all_items()) * weight.sum())
    return ValueResult(value, first, outcome_day, weekly_value, run_rate[:, 1:], potential)


def _merge_alike(run, live, fix_live, misfit, per_week, per_week_counted):
    """Merge rows of one run that earn on the same curve (same live and fix days).

    Items released together share their adoption curve, so their values (and
    the part that counts toward the outcome) add up before the curves are
    computed: incremental and big-bang runs shrink several times over. Rows come
    back sorted by run.
    """
    fix_key = np.where(np.isnan(fix_live), np.inf, fix_live)
    order = np.lexsort((misfit, fix_key, live, run))
    run, live, fix_key, misfit, per_week, per_week_counted = (
        run[order],
        live[order],
        fix_key[order],
        misfit[order],
        per_week[order],
        per_week_counted[order],
    )
    if len(run) == 0:
        return run, live, fix_key, misfit, per_week, per_week_counted
    # Neighbours compared with != (not np.diff): fix days may be inf, and inf - inf warns.
    new = np.r_[
        True,
        (run[1:] != run[:-1])
        | (live[1:] != live[:-1])
        | (fix_key[1:] != fix_key[:-1])
        | (misfit[1:] != misfit[:-1]),
    ]
    starts = np.flatnonzero(new)
    fix_out = np.where(np.isinf(fix_key[starts]), np.nan, fix_key[starts])
    return (
        run[starts],
        live[starts],
        fix_out,
        misfit[starts],
        np.add.reduceat(per_week, starts),
        np.add.reduceat(per_week_counted, starts),
    )


def _outcome_days(run_rate, target, run, L, Lf, per_week, adoption, m, dpw) -> np.ndarray:
    """First whole working day on which the run-rate reaches the target."""
    n_runs = run_rate.shape[0]
    out = np.full(n_runs, np.nan)
    if target <= 0:  # nothing planned has value: there is no outcome to reach
        return out
    reached = run_rate >= target * (1 - 1e-12)
    hit = reached.any(axis=1)
    k = np.argmax(reached, axis=1)  # first week edge at which it is reached
    out[hit & (k == 0)] = 0.0
    todo = np.flatnonzero(hit & (k > 0))
    if len(todo) == 0:
        return out
    # Refine inside the crossing week: days (k-1)*dpw + 1 .. k*dpw.
    days = (k[todo, None] - 1) * dpw + np.arange(1, dpw + 1)  # (len(todo), dpw)
    rows_of = {rr: i for i, rr in enumerate(todo)}
    sel = np.isin(run, todo)
    idx = np.array([rows_of[rr] for rr in run[sel]], dtype=int)
    t = days[idx] / dpw  # (rows, dpw) weeks
    fit = np.where(t < Lf[sel, None], m, 1.0)
    curve = adoption.rows(run[sel]) if isinstance(adoption, RunAdoption) else adoption
    contrib = per_week[sel, None] * adoption_level(t - L[sel, None], curve) * fit
    rate = np.zeros((len(todo), dpw))
    np.add.at(rate, idx, contrib)
    first = np.argmax(rate >= target * (1 - 1e-12), axis=1)
    out[todo] = days[np.arange(len(todo)), first]
    return out
