"""A plan replayed from a status: the engine's side of a re-forecast.

A re-forecast (``docs/reference/track.md``) runs the plan's own model with the
plan's own random streams, but from the status's clock: done items are fixed at
their done day, items in progress carry the work already spent, risks are passed,
occurred or conditioned on the part of their window that is left, and no new work
starts before ``t0``. :class:`AsOf` holds those facts in working days; attached to
a scenario (:func:`with_as_of`) it reaches :func:`simulation.engine.plan.compile_plan`
and :func:`simulation.engine.plan.draw_inputs` through ``run``'s own signature.

Conditioning keeps every draw the status agrees with and redraws only the others
from a stream of their own (``track:...``): an effort drawn above the work spent
stays, one at or below it is redrawn from the effort distribution above it. The
kept and the redrawn together have exactly the conditional distribution, and a
status that says "everything went as drawn" changes no number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from simulation.engine.plan import Draws, blocked, stream
from simulation.scenario.distributions import Distribution
from simulation.scenario.schema import Scenario

#: Below this chance of the effort exceeding the work spent, an item is overrunning.
OVERRUN_CHANCE = 0.01
#: An overrunning item's remaining work is this share of a fresh effort draw.
OVERRUN_SHARE = 0.25
#: Draws used to estimate P(E > spent) (standard error under 0.0008 near 1%).
EXCEED_SAMPLES = 20_000


@dataclass(frozen=True)
class Done:
    """A finished item: started (NaN when unknown), done and live days (NaN: by the rules)."""

    start: float
    done: float
    live: float


@dataclass(frozen=True)
class Doing:
    """An item in progress: the day it started and the person-days already spent."""

    start: float
    spent: float


@dataclass(frozen=True)
class RiskFact:
    """What the status says about a risk: ``occurred`` at ``day`` for ``size``, or ``passed``."""

    state: str  # "occurred" or "passed"
    day: float = 0.0
    size: float | None = None  # days stopped/away, or extra effort; None keeps the draw


@dataclass(frozen=True)
class AsOf:
    """A status in the model's clock (working days from the start).

    Attributes
    ----------
    t0 : float
        The clock starts here: no new work starts before it (the end of the as-of day).
    done, doing : mapping of item id
        Finished items and items in progress.
    risks : mapping of risk id to RiskFact
        Risks that occurred or passed; every other risk is conditioned on ``t0``.
    team_size : int or None
        People on the team from ``t0``; None keeps the plan's staffing.
    """

    t0: float
    done: Mapping[str, Done] = field(default_factory=dict)
    doing: Mapping[str, Doing] = field(default_factory=dict)
    risks: Mapping[str, RiskFact] = field(default_factory=dict)
    team_size: int | None = None

    def overrunning(self, sc: Scenario, seed: int) -> list[str]:
        """Ids of the items in progress whose effort exceeds the work spent with under 1% chance.

        ``seed`` is the run's: the same estimate :meth:`condition` decides with.
        """
        return [
            iid
            for iid, rec in self.doing.items()
            if exceed_chance(sc.item(iid).effort, rec.spent, seed, iid) < OVERRUN_CHANCE
        ]

    def condition(self, sc: Scenario, draws: Draws, start: int, stop: int) -> Draws:
        """The plan's draws for replications ``start..stop-1``, made to agree with the status."""
        seed = draws.seed
        everything = list(sc.items) + [it for ch in sc.scope.changes for it in ch.add]
        effort = draws.effort.copy()
        for j, it in enumerate(everything):
            rec = self.doing.get(it.id)
            if rec is None:
                continue
            e = effort[:, j]
            if exceed_chance(it.effort, rec.spent, seed, it.id) < OVERRUN_CHANCE:
                effort[:, j] = rec.spent + OVERRUN_SHARE * e
                continue
            fresh = blocked(
                seed,
                f"track:effort:{it.id}",
                start,
                stop,
                lambda rng, k, d=it.effort, s=rec.spent: draw_above(d, s, rng, k),
            )
            effort[:, j] = np.where(e > rec.spent, e, fresh)
        fires, day, size = draws.risk_fires.copy(), draws.risk_day.copy(), draws.risk_size.copy()
        t0 = self.t0
        for j, risk in enumerate(sc.risks):
            fact = self.risks.get(risk.id)
            if fact is not None and fact.state == "passed":
                fires[:, j] = False
            elif fact is not None:  # occurred: its stated impact, only what is left of it
                fires[:, j] = True
                if fact.size is not None:
                    size[:, j] = fact.size
                if risk.window is not None:
                    left = fact.day + size[:, j] - t0
                    fires[:, j] = left > 0
                    day[:, j] = np.maximum(fact.day, t0)
                    size[:, j] = np.where(fact.day < t0, np.maximum(left, 0.0), size[:, j])
            elif risk.window is not None and risk.window[0] < t0:
                a, b = risk.window
                if b <= t0:
                    fires[:, j] = False
                    continue
                p = risk.probability
                q = p * (b - t0) / (b - a) / (1 - p * (t0 - a) / (b - a))
                agrees = ~fires[:, j] | (day[:, j] > t0)

                def uniforms(rng: np.random.Generator, k: int) -> np.ndarray:
                    return rng.random(k)

                u = blocked(seed, f"track:risk:{risk.id}:fires", start, stop, uniforms)
                v = blocked(seed, f"track:risk:{risk.id}:day", start, stop, uniforms)
                fires[:, j] = np.where(agrees, fires[:, j], u < q)
                day[:, j] = np.where(agrees, day[:, j], t0 + (b - t0) * v)
        return Draws(effort, draws.rework, draws.misfit, draws.resize, fires, day, size, draws.seed)


def exceed_chance(dist: Distribution, spent: float, seed: int, key: str) -> float:
    """P(E > spent) for the effort distribution E, estimated from a fixed stream."""
    if spent <= 0:
        return 1.0
    sample = dist.sample(stream(seed, f"track:exceed:{key}"), EXCEED_SAMPLES)
    return float(np.mean(sample > spent))


def draw_above(dist: Distribution, spent: float, rng: np.random.Generator, k: int) -> np.ndarray:
    """``k`` draws of E conditioned on E > ``spent`` (rejection; P(E > spent) >= 1% here)."""
    out = np.full(k, np.nan)
    missing = np.arange(k)
    for _ in range(10_000):
        x = dist.sample(rng, max(4 * len(missing), 64))
        x = x[x > spent][: len(missing)]
        out[missing[: len(x)]] = x
        missing = missing[len(x) :]
        if not len(missing):
            return out
    out[missing] = spent  # not reached while P(E > spent) >= 1%
    return out


def with_as_of(sc: Scenario, as_of: AsOf) -> Scenario:
    """A copy of ``sc`` that ``run`` replays from ``as_of`` (the file form is unchanged)."""
    out = sc.model_copy()
    out._as_of = as_of
    return out


def as_of_of(sc: Scenario) -> AsOf | None:
    """The status a scenario is replayed from, if any."""
    return getattr(sc, "_as_of", None)
