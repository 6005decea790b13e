"""Compile a Scenario into plain arrays the replication loop can read fast.

The model never touches pydantic objects inside the event loop: everything it
needs is flattened here once per simulation, and every random input is drawn
here, vectorised over all replications, from streams keyed by stable names.

Common random numbers: the stream for a name (``effort:ingest``,
``risk:vendor-env:fires``, ...) depends only on the seed and that name, and
replication ``r`` reads row ``r``. Adding an item adds a stream; it does not
change the draws of any other item or risk.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from simulation.scenario.calendar import WorkCalendar
from simulation.scenario.distributions import Distribution
from simulation.scenario.schema import Scenario

#: Simulated-time cap in working days (20 years). A run that has not closed by
#: then is reported as not delivered.
MAX_SIM_DAYS = 5_200.0
#: Rework rounds are capped so a pathological draw cannot explode the effort.
MAX_REWORK_ROUNDS = 200


#: Replications per random-number block. Replication ``r`` reads row ``r % BLOCK``
#: of block ``r // BLOCK``, so its draws do not depend on how many runs there are
#: or how they are split between processes.
BLOCK = 250


#: Domain tags, so a block stream and a per-replication stream of one key differ.
_BLOCK_STREAM, _RUN_STREAM = 0, 1


@lru_cache(maxsize=65_536)
def key_words(key: str) -> tuple[int, int, int, int]:
    """A stream key as four 32-bit words of its 128-bit BLAKE2b digest.

    128 bits make two different keys' streams collide with negligible chance
    (a 32-bit checksum collided for real ids such as ``plumless``/``buckeroo``).
    """
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=16).digest()
    return tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))


def stream(seed: int, key: str, block: int = 0) -> np.random.Generator:
    """The random stream for ``key`` under ``seed`` (stable across runs and machines)."""
    return np.random.default_rng(
        np.random.SeedSequence([int(seed), *key_words(key), _BLOCK_STREAM, int(block)])
    )


def run_stream(seed: int, key: str, run: int) -> np.random.Generator:
    """A per-replication stream, for inputs whose count varies by run (creep)."""
    return np.random.default_rng(
        np.random.SeedSequence([int(seed), *key_words(key), _RUN_STREAM, int(run)])
    )


def blocked(
    seed: int,
    key: str,
    start: int,
    stop: int,
    draw: Callable[[np.random.Generator, int], np.ndarray],
) -> np.ndarray:
    """Values for replications ``start..stop-1`` from the blocks of stream ``key``."""
    parts = []
    for b in range(start // BLOCK, (stop - 1) // BLOCK + 1):
        values = draw(stream(seed, key, b), BLOCK)
        lo, hi = max(start - b * BLOCK, 0), min(stop - b * BLOCK, BLOCK)
        parts.append(values[lo:hi])
    return np.concatenate(parts)


def rework_rounds(u: np.ndarray, p: float) -> np.ndarray:
    """Geometric number of rework rounds from uniforms: P(K >= k) = p**k."""
    if p <= 0:
        return np.zeros(u.shape)
    k = np.floor(np.log(np.maximum(u, 1e-300)) / np.log(p))
    return np.minimum(k, MAX_REWORK_ROUNDS)


@dataclass
class ItemSpec:
    """A work item the file defines (planned or a scheduled addition)."""

    index: int
    id: str
    name: str
    value_per_week: float
    must_have: bool
    depends_on: tuple[str, ...]
    source: str  # "planned" or "added"


@dataclass
class ScopeEvent:
    at_day: float
    add: list[int]  # ItemSpec indices
    top: bool
    remove: list[str]
    resize: list[tuple[str, int, float | None]]  # (item id, draws.resize column, factor)


class Staffing(NamedTuple):
    """A staffing change as the event loop reads it (``team.changes`` in the file)."""

    at_day: float  # working day
    add: int  # people joining (> 0) or leaving (< 0)
    ramp_up_days: float  # working days to full productivity
    start_productivity: float  # share of an experienced person's, on joining
    mentoring: float  # share of one experienced person taken while ramping


@dataclass
class RiskSpec:
    id: str
    kind: str
    items: tuple[str, ...]
    people: int


@dataclass
class Plan:
    """Everything a replication needs, as plain Python data."""

    specs: list[ItemSpec]
    planned: list[int]
    scope_events: list[ScopeEvent]
    staffing: list[Staffing]
    risks: list[RiskSpec]
    team_size: int
    focus: float
    wip_limit: int
    approach: str
    release_every: float
    discovery: float
    hardening: float
    feedback_lag: float
    fix_fraction: float
    rework_probability: float
    rework_fraction: float
    misfit_probability: float
    change_control: float
    freeze_day: float | None
    creep_rate_per_day: float
    creep_until: float | None
    creep_effort: Distribution | None
    creep_value: float
    #: The status a re-forecast replays from (``simulation.engine.asof.AsOf``), or None.
    as_of: Any = None


@dataclass
class Draws:
    """Random inputs for replications ``0..runs-1`` (row r = replication r)."""

    effort: np.ndarray  # (runs, n_specs) base effort, person-days
    rework: np.ndarray  # (runs, n_specs) rework rounds
    misfit: np.ndarray  # (runs, n_specs) bool
    resize: np.ndarray  # (runs, n_resize) redrawn efforts
    risk_fires: np.ndarray  # (runs, n_risks) bool
    risk_day: np.ndarray  # (runs, n_risks) working day it strikes
    risk_size: np.ndarray  # (runs, n_risks) days stopped/away, or extra effort
    seed: int  # for the per-replication streams (creep)


def compile_plan(sc: Scenario) -> Plan:
    """Flatten a scenario for the event loop."""
    specs: list[ItemSpec] = []
    for it in sc.items:
        specs.append(
            ItemSpec(
                len(specs),
                it.id,
                it.label,
                it.value.per_week,
                it.must_have,
                it.depends_on,
                "planned",
            )
        )
    planned = list(range(len(specs)))
    events: list[ScopeEvent] = []
    n_resize = 0
    for change in sc.scope.changes:
        add = []
        for it in change.add:
            specs.append(
                ItemSpec(
                    len(specs),
                    it.id,
                    it.label,
                    it.value.per_week,
                    it.must_have,
                    it.depends_on,
                    "added",
                )
            )
            add.append(len(specs) - 1)
        resize = []
        for rz in change.resize:
            resize.append((rz.id, n_resize, rz.factor))
            n_resize += 1
        events.append(
            ScopeEvent(change.at_day, add, change.priority == "top", list(change.remove), resize)
        )
    events.sort(key=lambda e: e.at_day)  # stable: same-day changes keep file order
    staffing = sorted(
        (
            Staffing(c.at_day, c.add, c.ramp_up_days, c.start_productivity, c.mentoring)
            for c in sc.team.changes
        ),
        key=lambda c: c.at_day,
    )
    risks = [RiskSpec(r.id, r.impact.kind, r.impact.items, r.impact.people or 0) for r in sc.risks]
    creep = sc.scope.creep
    dpw = sc.calendar.days_per_week
    return Plan(
        specs=specs,
        planned=planned,
        scope_events=events,
        staffing=staffing,
        risks=risks,
        team_size=sc.team.size,
        focus=sc.team.focus,
        wip_limit=sc.team.wip_limit or 10**9,
        approach=sc.delivery.approach,
        release_every=sc.delivery.release_every_days,
        discovery=sc.delivery.discovery_days,
        hardening=sc.delivery.hardening_days,
        feedback_lag=sc.iteration.feedback_lag_days,
        fix_fraction=sc.iteration.fix_fraction,
        rework_probability=sc.iteration.rework_probability,
        rework_fraction=sc.iteration.rework_fraction,
        misfit_probability=sc.iteration.misfit_probability,
        change_control=sc.scope.change_control_days,
        freeze_day=sc.scope.freeze_day,
        creep_rate_per_day=(creep.rate_per_week / dpw) if creep else 0.0,
        creep_until=creep.until_day if creep else None,
        creep_effort=creep.effort if creep else None,
        creep_value=creep.value.per_week if creep else 0.0,
        as_of=sc._as_of,
    )


def draw_inputs(sc: Scenario, start: int, stop: int, seed: int) -> Draws:
    """Every pre-determinable random input for replications ``start..stop-1``.

    Row ``i`` of each array belongs to replication ``start + i``.
    """
    everything = list(sc.items) + [it for ch in sc.scope.changes for it in ch.add]
    runs = stop - start
    n = len(everything)
    effort = np.empty((runs, n))
    rework = np.zeros((runs, n))
    misfit = np.zeros((runs, n), dtype=bool)
    p_rework = sc.iteration.rework_probability
    p_misfit = sc.iteration.misfit_probability

    def uniforms(rng: np.random.Generator, k: int) -> np.ndarray:
        return rng.random(k)

    for j, it in enumerate(everything):
        effort[:, j] = blocked(seed, f"effort:{it.id}", start, stop, it.effort.sample)
        if p_rework > 0:
            u = blocked(seed, f"rework:{it.id}", start, stop, uniforms)
            rework[:, j] = rework_rounds(u, p_rework)
        if p_misfit > 0:
            misfit[:, j] = blocked(seed, f"misfit:{it.id}", start, stop, uniforms) < p_misfit
    resizes = [rz for ch in sc.scope.changes for rz in ch.resize]
    resize = np.full((runs, len(resizes)), np.nan)
    for j, rz in enumerate(resizes):
        if rz.effort is not None:
            resize[:, j] = blocked(seed, f"resize:{j}:{rz.id}", start, stop, rz.effort.sample)
    k = len(sc.risks)
    fires = np.zeros((runs, k), dtype=bool)
    day = np.zeros((runs, k))
    size = np.zeros((runs, k))
    for j, risk in enumerate(sc.risks):
        fires[:, j] = (
            blocked(seed, f"risk:{risk.id}:fires", start, stop, uniforms) < risk.probability
        )
        if risk.window is not None:
            lo, hi = risk.window
            day[:, j] = lo + (hi - lo) * blocked(seed, f"risk:{risk.id}:day", start, stop, uniforms)
        impact = risk.impact
        dist = impact.days if impact.kind != "extra_work" else impact.effort
        size[:, j] = blocked(seed, f"risk:{risk.id}:size", start, stop, dist.sample)
    draws = Draws(effort, rework, misfit, resize, fires, day, size, seed)
    if sc._as_of is not None:  # a re-forecast: the draws made to agree with the status
        draws = sc._as_of.condition(sc, draws, start, stop)
    return draws


def make_calendar(sc: Scenario) -> WorkCalendar:
    return WorkCalendar(sc.calendar, sc.start_date)
