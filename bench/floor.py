"""The floor: the bare minimum SimPy model of the benchmark's work.

This is the yardstick for the engine's speed, not a second engine. It reads the
same scenario data (plain YAML data, the same number of items and people) and
keeps only:

* the team as a ``simpy.Resource`` (one person per item, FIFO on request);
* dependencies (an item's process starts when its last predecessor is done);
* rework: geometric rounds, each ``rework_fraction`` x effort more;
* scope creep: a Poisson process of new items until ``until_day``;
* one blocker (the first blocker risk): all work stops for its days;
* the release cadence (discovery, hardening, a release every N days);
* a numpy value pass after the runs: Bass adoption integrated over weekly cells,
  discounted, summed per run.

Left out on purpose (the engine does them, the floor does not): misfits and
their fix items, change-control overhead, extra-work risks, staffing changes,
WIP limits, backlog-order pulling, pandas tables, summaries. So the engine
does somewhat more work per run than the floor; the benchmark's
engine/floor ratio is a ceiling to aim under, not a like-for-like race.

Random inputs are drawn up front with numpy for all runs (one generator per
seed); the SimPy loop only reads them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import simpy

#: Rework rounds cap (the engine uses the same cap).
MAX_REWORK_ROUNDS = 200
#: Runs per block in the value pass (bounds memory at 10,000 runs).
VALUE_BLOCK_RUNS = 500
Z90 = 1.2815515655446004  # z-score of the 90th percentile


def _sample(dist: Any, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
    """Draw from a distribution written as in a scenario file (the kinds the recipe uses)."""
    if isinstance(dist, (int, float)):
        return np.full(size, float(dist))
    kind = dist["dist"]
    if kind == "triangular":
        return rng.triangular(dist["low"], dist["mode"], dist["high"], size)
    if kind == "pert":
        lo, mo, hi = dist["low"], dist["mode"], dist["high"]
        span = hi - lo
        return lo + span * rng.beta(1 + 4 * (mo - lo) / span, 1 + 4 * (hi - mo) / span, size)
    if kind == "uniform":
        return rng.uniform(dist["low"], dist["high"], size)
    if kind == "lognormal":
        sigma = (math.log(dist["p90"]) - math.log(dist["median"])) / Z90
        return dist["median"] * np.exp(sigma * rng.standard_normal(size))
    raise ValueError(f"floor model does not know distribution {kind!r}")


def _rounds(u: np.ndarray, p: float) -> np.ndarray:
    if p <= 0:
        return np.zeros(u.shape)
    return np.minimum(np.floor(np.log(np.maximum(u, 1e-300)) / math.log(p)), MAX_REWORK_ROUNDS)


def _bass_integral(t: np.ndarray, p: float, q: float) -> np.ndarray:
    """Integral of the Bass adoption curve F from 0 to ``t`` weeks (0 for t <= 0)."""
    t = np.maximum(t, 0.0)
    b, r = p + q, q / p
    return t - (1.0 + r) / (r * b) * np.log((1.0 + r) / (1.0 + r * np.exp(-b * t)))


def simulate(data: dict[str, Any], runs: int, seed: int = 1) -> dict[str, np.ndarray]:
    """Run the floor model ``runs`` times.

    Parameters
    ----------
    data : dict
        Scenario data as read from YAML (``bench/recipe.scenario_data(n)``).
    runs : int
        Replications.
    seed : int
        Seed of the single numpy generator that draws every input.

    Returns
    -------
    dict of numpy arrays
        ``delivery_day``, ``end_day``, ``cost``, ``value`` (runs,), ``weekly_value``
        (runs, weeks) and ``done_day`` (runs, items incl. creep slots; NaN = none).
    """
    items = data["items"]
    n = len(items)
    index = {it["id"]: i for i, it in enumerate(items)}
    deps = [tuple(index[d] for d in it.get("depends_on", ())) for it in items]
    per_week = np.array([it.get("value", {}).get("per_week", 0.0) for it in items])
    team = data["team"]
    size, focus = team["size"], team.get("focus", 1.0)
    delivery = data["delivery"]
    every, disc = delivery["release_every_days"], delivery.get("discovery_days", 0.0)
    hard = delivery.get("hardening_days", 0.0)
    it_ = data.get("iteration", {})
    p_rw, f_rw = it_.get("rework_probability", 0.0), it_.get("rework_fraction", 0.0)
    creep = data["scope"]["creep"]
    dpw = len(data.get("calendar", {}).get("workdays", range(5)))
    creep_until = creep["until_day"]
    blocker = next(r for r in data["risks"] if r["impact"]["kind"] == "blocker")

    # ---- every random input, vectorised over runs
    rng = np.random.default_rng(seed)
    work = np.empty((runs, n))
    for j, it in enumerate(items):
        work[:, j] = _sample(it["effort"], rng, runs)
    work *= 1.0 + f_rw * _rounds(rng.random((runs, n)), p_rw)
    work /= focus
    n_creep = rng.poisson(creep["rate_per_week"] / dpw * creep_until, runs)
    m = int(n_creep.max(initial=0))
    creep_t = np.sort(rng.uniform(0.0, creep_until, (runs, m)), axis=1)
    creep_w = _sample(creep["effort"], rng, (runs, m))
    creep_w *= (1.0 + f_rw * _rounds(rng.random((runs, m)), p_rw)) / focus
    b_fires = rng.random(runs) < blocker["probability"]
    b_day = rng.uniform(*blocker["window"], runs)
    b_len = _sample(blocker["impact"]["days"], rng, runs)

    done = np.full((runs, n + m), np.nan)
    for r in range(runs):
        done[r, : n + n_creep[r]] = _one_run(
            n,
            deps,
            work[r].tolist(),
            creep_t[r, : n_creep[r]].tolist(),
            creep_w[r, : n_creep[r]].tolist(),
            size,
            disc,
            (b_day[r], b_len[r]) if b_fires[r] else None,
        )

    # ---- release cadence, closure, cost (numpy, all runs at once)
    k = np.maximum(np.ceil((done + hard - disc) / every - 1e-9), 1.0)
    live = disc + k * every
    delivery_day = np.nanmax(live, axis=1)
    end_day = np.nanmax(done, axis=1)
    # The team is paid until closure or the last piece of work, whichever is later.
    cost = size * team.get("cost_per_person_day", 0.0) * np.maximum(end_day, delivery_day)

    # ---- value pass: Bass adoption over weekly cells, discounted, per run
    vs = data["value"]
    weeks = vs["horizon_weeks"]
    p, q = vs["adoption"]["p"], vs["adoption"]["q"]
    rate = vs.get("discount_rate_annual", 0.0)
    disc_w = (1.0 + rate) ** (-(np.arange(weeks) + 0.5) / 52.0)
    edges = np.arange(weeks + 1, dtype=float)
    values = np.concatenate([per_week, np.full(m, creep["value"]["per_week"])])
    weekly = np.empty((runs, weeks))
    for a in range(0, runs, VALUE_BLOCK_RUNS):
        L = live[a : a + VALUE_BLOCK_RUNS] / dpw  # (b, items) weeks
        cum = _bass_integral(edges - np.nan_to_num(L, nan=np.inf)[..., None], p, q)
        weekly[a : a + VALUE_BLOCK_RUNS] = (
            np.einsum("j,bjw->bw", values, np.diff(cum, axis=2)) * disc_w
        )
    return {
        "delivery_day": delivery_day,
        "end_day": end_day,
        "cost": cost,
        "value": weekly.sum(axis=1),
        "weekly_value": weekly,
        "done_day": done,
    }


def _one_run(n, deps, work, creep_t, creep_w, size, disc, blocker):
    """One replication: returns done days (planned items, then creep items).

    An item's process starts when its last predecessor is done (a counter per
    item), so waiting for dependencies costs no SimPy events.
    """
    env = simpy.Environment()
    team = simpy.Resource(env, capacity=size)
    done = [math.nan] * (n + len(creep_t))
    waiting = [len(d) for d in deps]
    children: list[list[int]] = [[] for _ in range(n)]
    for i, d in enumerate(deps):
        for j in d:
            children[j].append(i)
    b_day, b_len = blocker if blocker else (math.inf, 0.0)
    if b_day < disc:  # a blocker during discovery delays the build start
        disc += b_len
    b_end = b_day + b_len

    def item(i, w):
        with team.request() as req:
            yield req
            start = max(env.now, disc)
            if b_day <= start < b_end:
                start = b_end
            finish = start + w
            if start < b_day < finish:
                finish += b_len
            yield env.timeout(finish - env.now)
        done[i] = env.now
        if i < n:
            for c in children[i]:
                waiting[c] -= 1
                if not waiting[c]:
                    env.process(item(c, work[c]))

    def creep_arrivals():
        for c, (t, w) in enumerate(zip(creep_t, creep_w, strict=True)):
            yield env.timeout(t - env.now)
            env.process(item(n + c, w))

    for i in range(n):
        if not waiting[i]:
            env.process(item(i, work[i]))
    if creep_t:
        env.process(creep_arrivals())
    env.run()
    return done
