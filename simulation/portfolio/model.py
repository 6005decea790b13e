"""One replication of a portfolio: every initiative on one SimPy clock.

Each initiative is the single-initiative model
(:class:`~simulation.engine.model.replication.Replication`) with its own plan
and its own random draws; here they share one :class:`simpy.Environment`, and
three things tie them together (``docs/reference/portfolio.md``):

* **Shared people.** A pool's people work for the initiatives it serves. When
  one of them is free and an initiative has a ready item it cannot start with
  its own people, the pool assigns: initiatives in priority order, each its
  ready items in backlog order. The assignment runs once per moment, after
  everything else due at that moment, so a higher-priority initiative whose
  item becomes ready at the same moment is not passed over.
* **Cross-initiative dependencies.** The waiting item gets the other
  initiative's item as one more dependency (``initiative/item``, a name no item
  of a plan can have), satisfied when that item is done or removed.
* **Start dates.** An initiative keeps its own day 0 (its start date): it reads
  the shared clock through :class:`LocalClock`, shifted by its start.

With nothing shared and nothing awaited, an initiative's events are exactly
those it has alone, in the same order, so its numbers are the same.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections import deque
from collections.abc import Callable
from typing import Any

import simpy
from simpy.core import NORMAL
from simpy.events import Process, Timeout

from simulation.engine.model import Backlog, Person, Replication
from simulation.engine.model.releases import EPS
from simulation.engine.plan import MAX_SIM_DAYS, Draws, Plan
from simulation.portfolio.portfolios import Move, SharedPool


class LocalClock:
    """An initiative's view of the portfolio's clock: its day 0 is ``origin``.

    The initiative reads and computes times on its own clock, exactly as it
    would alone: an event due at local time ``t`` fires with ``now == t``
    (not ``t + origin - origin``, which rounding could move by a hair), and
    is queued at ``t + origin`` on the shared clock. Rounding may merge two
    local times a hair apart into one shared moment (they then keep the order
    they were scheduled in); equal local times stay equal. Everything else an
    event needs (the active process) is the shared environment's.

    It queues events the way :meth:`simpy.Environment.schedule` does, on the
    environment's own queue and event counter (SimPy 4.1, pinned in
    requirements.txt); the isolation test in ``tests/portfolio`` fails if a
    SimPy upgrade changes that.
    """

    __slots__ = ("_env", "_local", "_stamp", "origin")

    def __init__(self, env: simpy.Environment, origin: float):
        self._env = env
        self.origin = origin
        self._local = -origin  # local time of the last own event ...
        self._stamp = 0.0  # ... and the shared time it fired at

    @property
    def now(self) -> float:
        env_now = self._env._now
        return self._local if env_now == self._stamp else env_now - self.origin

    def schedule(self, event: Any, priority: int = NORMAL, delay: float = 0) -> None:
        env = self._env
        local = self.now + delay
        due = max(local + self.origin, env._now)
        event.callbacks.insert(0, lambda _ev: self._fired(local, due))
        heapq.heappush(env._queue, (due, priority, next(env._eid), event))

    def _fired(self, local: float, due: float) -> None:
        self._local = local
        self._stamp = due

    def timeout(self, delay: float, value: Any = None) -> Timeout:
        return Timeout(self, delay, value)  # type: ignore[arg-type]

    def process(self, generator: Any) -> Process:
        return Process(self, generator)  # type: ignore[arg-type]

    @property
    def _active_proc(self) -> Any:
        return self._env._active_proc

    @_active_proc.setter
    def _active_proc(self, proc: Any) -> None:
        self._env._active_proc = proc


class SharedPerson(Person):
    """A person of a shared pool (no ramp-up: they know the portfolio's work)."""

    __slots__ = ("pool", "since")

    def __init__(self, pool: PoolState):
        super().__init__()
        self.pool = pool
        self.since = 0.0  # initiative day they started their current item


class PoolState:
    """Who of a shared pool is here and free during one replication, and its headcount."""

    def __init__(self, spec: SharedPool):
        self.spec = spec
        self.people: list[SharedPerson] = []
        self.free: deque[SharedPerson] = deque()
        self.leaving = 0
        #: (portfolio day, people in the pool from then on): what the pool is paid for.
        self.headcount: list[tuple[float, int]] = [(0.0, 0)]
        self.add(spec.size, 0.0)

    def _count(self, t: float, delta: int) -> None:
        self.headcount.append((t, self.headcount[-1][1] + delta))

    def add(self, count: int, now: float) -> None:
        for _ in range(count):
            person = SharedPerson(self)
            self.people.append(person)
            self.free.append(person)
        if count:
            self._count(now, count)

    def remove(self, count: int, now: float) -> tuple[int, int]:
        """``count`` people leave: idle ones now, busy ones when they finish.

        Returns (people gone now, people who leave when they finish).
        """
        idle = busy = 0
        for _ in range(min(count, len(self.people) - self.leaving)):
            if self.free:
                self.people.remove(self.free.pop())
                self._count(now, -1)
                idle += 1
            else:
                self.leaving += 1
                busy += 1
        return idle, busy

    def release(self, person: SharedPerson, now: float) -> bool:
        """``person`` finished an item at portfolio day ``now``: free, or gone if due to
        leave (then True)."""
        if self.leaving > 0:
            self.leaving -= 1
            self.people.remove(person)
            self._count(now, -1)
            return True
        self.free.append(person)
        return False


class WatchedBacklog(Backlog):
    """A backlog that tells the portfolio when an item others wait for is satisfied."""

    def __init__(self, watched: dict[str, Callable[[], None]]):
        super().__init__()
        self.watched = watched

    def satisfy(self, item_id: str) -> None:
        first = item_id not in self.satisfied
        super().satisfy(item_id)
        if first and item_id in self.watched:
            self.watched[item_id]()


class InitiativeRun(Replication):
    """One initiative inside a portfolio replication (the single-initiative model, plus hooks)."""

    def __init__(
        self,
        portfolio: PortfolioRun,
        iid: str,
        plan: Plan,
        draws: Draws,
        run: int,
        row: int,
        origin: float,
        pools: list[PoolState],
    ):
        clock = portfolio.env if origin == 0 else LocalClock(portfolio.env, origin)
        super().__init__(plan, draws, run, row, env=clock)  # type: ignore[arg-type]
        self.portfolio = portfolio
        self.id = iid
        self.origin = origin
        self.pools = pools
        #: (start, end, cost per person-day) of each item a shared person did here.
        self.shared_busy: list[tuple[float, float, float]] = []
        mover = any(m.source == iid for m in portfolio.moves)
        if not pools and not mover:  # the single-initiative methods, without the hooks' cost
            self._dispatch = Replication._dispatch.__get__(self)  # type: ignore[method-assign]
            self._duration = Replication._duration.__get__(self)  # type: ignore[method-assign]
            self._release = Replication._release.__get__(self)  # type: ignore[method-assign]

    def _duration(self, person: Person, t0: float, work: float) -> float:
        if isinstance(person, SharedPerson):
            person.since = t0
            return work / person.pool.spec.focus
        return super()._duration(person, t0, work)

    def _release(self, person: Person, now: float) -> None:
        if isinstance(person, SharedPerson):
            self.shared_busy.append((person.since, now, person.pool.spec.cost_per_person_day))
            if person.pool.release(person, self.portfolio.env.now):
                self.portfolio.arrived(person.pool.spec.id)
            self.portfolio.request()
        else:
            leaving = self.team.leaving
            super()._release(person, now)
            if self.team.leaving < leaving:
                self.portfolio.arrived(self.id)

    def _dispatch(self) -> None:
        super()._dispatch()
        if self.pools and self.backlog.ready:
            self.portfolio.request()

    def take_shared(self) -> None:
        """Start ready items with free shared people (backlog order, up to the WIP limit)."""
        ready = self.backlog.ready
        if not ready:
            return
        hold = max(self.build_start, self.blocked_until)
        if self.env.now < hold - EPS:
            return  # it wakes at ``hold`` and asks again
        while ready and len(self.doing) < self.plan.wip_limit:
            pool = next((p for p in self.pools if p.free), None)
            if pool is None:
                return
            job = heapq.heappop(ready)[1]
            if job.state == "backlog":  # removed items are skipped lazily
                self._start(job, pool.free.popleft())


class PortfolioRun:
    """Replication ``run`` of every initiative of a portfolio, on one clock.

    Parameters
    ----------
    initiatives : list of (id, plan, draws, origin, pool ids)
        In priority order; ``origin`` is the initiative's start in working
        days of the portfolio's clock.
    pools : list of SharedPool
    waits : dict
        ``(initiative, item)`` awaited -> the ``(initiative, key)`` pairs to
        satisfy when it is done (``key`` = ``initiative/item``).
    moves : list of Move
    """

    def __init__(
        self,
        initiatives: list[tuple[str, Plan, Draws, float, tuple[str, ...]]],
        pools: list[SharedPool],
        waits: dict[tuple[str, str], list[tuple[str, str]]],
        moves: tuple[Move, ...],
        run: int,
        row: int,
    ):
        self.env = simpy.Environment()
        self.pools = {p.id: PoolState(p) for p in pools}
        self.pending = False
        self.moves = moves
        #: source -> targets of people still finishing an item before they move.
        self.in_transit: dict[str, deque[str]] = {}
        self.reps: list[InitiativeRun] = []
        self.by_id: dict[str, InitiativeRun] = {}
        for iid, plan, draws, origin, pool_ids in initiatives:
            rep = InitiativeRun(
                self, iid, plan, draws, run, row, origin, [self.pools[p] for p in pool_ids]
            )
            self.reps.append(rep)
            self.by_id[iid] = rep
        for rep in self.reps:
            watched = {
                item: self._notifier(targets)
                for (src, item), targets in waits.items()
                if src == rep.id
            }
            if watched:
                rep.backlog = WatchedBacklog(watched)

    def _notifier(self, targets: list[tuple[str, str]]) -> Callable[[], None]:
        def notify() -> None:
            for iid, key in targets:
                rep = self.by_id.get(iid)
                if rep is not None:
                    rep.backlog.satisfy(key)
                    rep._dispatch()

        return notify

    def request(self) -> None:
        """Ask the pools to assign free people once everything due now has happened."""
        if not self.pending and any(p.free for p in self.pools.values()):
            self.pending = True
            Timeout(self.env, 0.0).callbacks.append(self._assign)

    def _assign(self, _ev: Any) -> None:
        self.pending = False
        for rep in self.reps:  # priority order
            if rep.pools and rep.backlog.ready:
                rep.take_shared()

    def _move(self, move: Move) -> None:
        """Idle people of ``move.source`` join the target now; busy ones when they finish."""
        idle, busy = self._leave(move.source, move.count)
        self._join(move.target, idle)
        self.in_transit.setdefault(move.source, deque()).extend([move.target] * busy)

    def arrived(self, source: str) -> None:
        """Someone left ``source`` on finishing their item: a move's target gets them now."""
        queue = self.in_transit.get(source)
        if queue:
            self._join(queue.popleft(), 1)

    def _join(self, target: str, count: int) -> None:
        if count <= 0:
            return
        if target in self.pools:
            self.pools[target].add(count, self.env.now)
            self.request()
        elif target in self.by_id:
            rep = self.by_id[target]
            rep.team.change(rep.env.now, count, 0.0, 1.0, 0.0)
            rep._dispatch()

    def _leave(self, source: str, count: int) -> tuple[int, int]:
        """(people who left ``source`` now, people who leave when they finish their item)."""
        if source in self.pools:
            return self.pools[source].remove(count, self.env.now)
        rep = self.by_id.get(source)
        if rep is None:
            return 0, 0
        count = min(count, len(rep.team.people) - rep.team.leaving)
        idle = min(count, len(rep.team.free))
        rep.team.change(rep.env.now, -count, 0.0, 1.0, 0.0)
        return idle, count - idle

    def simulate(self) -> PortfolioRun:
        # Moves first: one dated day 0 happens before anyone picks up work.
        for move in self.moves:
            ev = self.env.timeout(move.at_day)
            ev.callbacks.append(lambda _ev, m=move: self._move(m))
        for rep in self.reps:
            rep.schedule()
        last = max((rep.origin for rep in self.reps), default=0.0)
        self.env.run(until=MAX_SIM_DAYS + last)
        return self


def with_cross_dependencies(plan: Plan, extra: dict[str, list[str]]) -> Plan:
    """``plan`` with more dependencies on some items (item id -> ``initiative/item`` keys)."""
    if not extra:
        return plan
    specs = [
        dataclasses.replace(s, depends_on=(*s.depends_on, *extra[s.id])) if s.id in extra else s
        for s in plan.specs
    ]
    return dataclasses.replace(plan, specs=specs)
