"""The SimPy model of one replication: the project lens.

One replication builds a backlog, a team and a SimPy environment, then plays
the initiative out day by day (a continuous clock in working days):

* ready items (dependencies done) are pulled in backlog order by free people,
  one person per item, up to the WIP limit; an item takes
  ``effort / (focus * productivity)`` days;
* items go live by the delivery approach (continuous, incremental releases,
  big bang launch); misfits are discovered ``feedback_lag_days`` after going
  live and add a fix item at the top of the backlog;
* scheduled scope changes, creep, staffing changes and risks arrive as events.

Closure is the moment the last scope item (planned, accepted changes, creep,
fixes found before closure) is live. Work continues after closure for fixes
found later (they cost money but do not move the delivery day). The value
(product lens) is computed afterwards with numpy from the live days recorded
here; see :mod:`simulation.value`.
"""

from __future__ import annotations

import heapq
import math
from collections import deque

import numpy as np
import simpy
from simpy.events import Timeout

from .plan import MAX_SIM_DAYS, Draws, Plan, rework_rounds, run_stream

EPS = 1e-9
#: Creep arrivals drawn per numpy call.
CREEP_BATCH = 32
#: An experienced person never drops below this productivity while mentoring.
MIN_PRODUCTIVITY = 0.1

# Item sources, as they appear in the items table.
PLANNED, ADDED, CREEP, FIX, OVERHEAD = "planned", "added", "creep", "fix", "overhead"


class Job:
    """One work item inside one replication."""

    __slots__ = (
        "added",
        "base",
        "deps",
        "done",
        "finish",
        "fix_live",
        "fix_of",
        "id",
        "live",
        "misfit",
        "must_have",
        "name",
        "person",
        "rank",
        "rework",
        "scope",
        "source",
        "start",
        "state",
        "value",
        "waiting",
        "work",
    )

    def __init__(self, id, name, source, value, must_have, deps, base, rework, misfit,
                 scope, added, rework_fraction):
        self.id = id
        self.name = name
        self.source = source
        self.value = value
        self.must_have = must_have
        self.deps = deps
        self.base = base                 # drawn effort, person-days
        self.rework = rework             # rework rounds
        self.work = base * (1.0 + rework_fraction * rework)
        self.misfit = misfit
        self.scope = scope               # counts toward closure
        self.added = added
        self.start = math.nan
        self.done = math.nan
        self.live = math.nan
        self.finish = math.nan
        self.person = None
        self.fix_of = None
        self.fix_live = math.nan
        self.state = "backlog"           # backlog | doing | done | removed
        self.rank = 0                    # backlog position: smaller is pulled first
        self.waiting = 0                 # dependencies not yet satisfied


class Person:
    __slots__ = ("away_until", "joined", "mentoring", "ramp", "start_p")

    def __init__(self, joined=0.0, ramp=0.0, start_p=1.0, mentoring=0.0):
        self.joined = joined
        self.ramp = ramp
        self.start_p = start_p
        self.mentoring = mentoring

    def ramping(self, t: float) -> bool:
        return self.ramp > 0 and t < self.joined + self.ramp


class Replication:
    """State and processes of one run of the initiative."""

    def __init__(self, plan: Plan, draws: Draws, run: int, row: int | None = None):
        self.plan = plan
        self.run = run
        self.env = simpy.Environment()
        self.jobs: list[Job] = []
        self.by_id: dict[str, Job] = {}
        # Ready items (all dependencies satisfied) in backlog order, as a heap of
        # (rank, job); items waiting on a dependency are listed under its id.
        self.ready: list[tuple[int, Job]] = []
        self.waiters: dict[str, list[Job]] = {}
        self.top_rank = 0
        self.end_rank = 0
        self.satisfied: set[str] = set()   # ids whose dependents may start (done/removed/deferred)
        self.free: deque[Person] = deque()
        self.people: list[Person] = []
        self.doing: list[Job] = []
        self.leaving = 0                  # people to release when they next become free
        self.headcount = [(0.0, plan.team_size)]
        self.build_start = plan.discovery
        self.blocked_until = 0.0
        self.scope_open = 0
        self.closure_token = 0
        self.closed = False
        self.delivery = math.nan
        self.launch_pending: list[Job] = []
        self.post_closure_queue: list[Job] = []
        self.deferred = 0
        self.last_work_done = 0.0
        self.risks_fired: list[str] = []
        self.extra: dict[str, float] = {}
        self.wake_pending: set[float] = set()
        self.n_changes = 0
        self.seed = draws.seed
        # Read for every item (the hot path), so looked up once here.
        self.big_bang = plan.approach == "big_bang"
        self.incremental = plan.approach == "incremental"
        self.staffed = bool(plan.staffing)   # else everyone is fully productive always
        self._due = self._finish_due         # one bound method for every finish timeout
        self._read_draws(draws, run if row is None else row)

    # ----------------------------------------------------------- set-up
    def _read_draws(self, draws: Draws, r: int) -> None:
        plan = self.plan
        self.effort = draws.effort[r].tolist()
        self.rounds = draws.rework[r].tolist()
        self.misfits = draws.misfit[r].tolist()
        self.resized = draws.resize[r].tolist()
        self.risk_fires = draws.risk_fires[r].tolist()
        self.risk_day = draws.risk_day[r].tolist()
        self.risk_size = draws.risk_size[r].tolist()
        for j, risk in enumerate(plan.risks):
            if risk.kind == "extra_work" and self.risk_fires[j]:
                for iid in risk.items:
                    self.extra[iid] = self.extra.get(iid, 0.0) + self.risk_size[j]

    def simulate(self) -> Replication:
        plan, env = self.plan, self.env
        for _ in range(plan.team_size):
            self._hire(Person())
        for idx in plan.planned:
            self._add_spec(idx, top=False)
        for ev in plan.scope_events:
            self._at(ev.at_day, self._scope_event, ev)
        for change in plan.staffing:
            self._at(change[0], self._staffing, change)
        for j, risk in enumerate(plan.risks):
            if self.risk_fires[j] and risk.kind != "extra_work":
                self.risks_fired.append(risk.id)
                self._at(self.risk_day[j], self._risk, j)
            elif self.risk_fires[j]:
                self.risks_fired.append(risk.id)
        if plan.creep_rate_per_day > 0:
            env.process(self._creep())
        # Scheduled last, so changes dated day 0 (staffing, scope) apply before work starts.
        self._at(self.build_start, self._woken, None)
        env.run(until=MAX_SIM_DAYS)
        return self

    def _at(self, t: float, fn, arg) -> None:
        """Call ``fn(arg)`` at time ``t`` (a bare SimPy timeout with a callback)."""
        ev = self.env.timeout(max(t - self.env.now, 0.0))
        ev.callbacks.append(lambda _ev: fn(arg))

    def _wake(self, t: float) -> None:
        """Make sure the dispatcher looks at the backlog at time ``t``."""
        if t <= self.env.now + EPS:
            self._dispatch()
        elif t not in self.wake_pending:
            self.wake_pending.add(t)
            self._at(t, self._woken, t)

    def _woken(self, t: float) -> None:
        self.wake_pending.discard(t)
        self._dispatch()

    # ------------------------------------------------------------ backlog
    def _new_job(self, id, name, source, value, must_have, deps, base, rounds, misfit,
                 scope, top) -> Job:
        job = Job(id, name, source, value, must_have, deps, base, rounds, misfit, scope,
                  self.env.now, self.plan.rework_fraction)
        self.jobs.append(job)
        self._enqueue(job, top)
        if scope:
            self.scope_open += 1
            self.closure_token += 1
        return job

    def _add_spec(self, idx: int, top: bool) -> Job:
        # Only the file's items are known by id (dependencies, removals, resizes,
        # extra work): the engine's own items (creep, change control, fixes) never
        # answer to a user's id, whatever they are called.
        s = self.plan.specs[idx]
        job = self._new_job(s.id, s.name, s.source, s.value_per_week, s.must_have,
                            s.depends_on, self.effort[idx] + self.extra.get(s.id, 0.0),
                            self.rounds[idx], self.misfits[idx], True, top)
        self.by_id[s.id] = job
        return job

    def _overhead(self) -> None:
        """Change control: an analysis item at the top of the backlog."""
        days = self.plan.change_control
        if days > 0:
            self.n_changes += 1
            self._new_job(f"change-control-{self.n_changes}", "Change control", OVERHEAD, 0.0,
                          False, (), days, 0.0, False, True, True)

    def _accepting_changes(self) -> bool:
        freeze = self.plan.freeze_day
        return not self.closed and (freeze is None or self.env.now < freeze - EPS)

    def _enqueue(self, job: Job, top: bool) -> None:
        """Put a job in the backlog, at the top or the end."""
        if top:
            self.top_rank -= 1
            job.rank = self.top_rank
        else:
            self.end_rank += 1
            job.rank = self.end_rank
        sat = self.satisfied
        for d in job.deps:
            if d not in sat:
                job.waiting += 1
                self.waiters.setdefault(d, []).append(job)
        if job.waiting == 0:
            heapq.heappush(self.ready, (job.rank, job))

    def _satisfy(self, item_id: str) -> None:
        """Dependents of ``item_id`` need not wait for it any more."""
        if item_id in self.satisfied:
            return
        self.satisfied.add(item_id)
        for job in self.waiters.pop(item_id, ()):
            job.waiting -= 1
            if job.waiting == 0 and job.state == "backlog":
                heapq.heappush(self.ready, (job.rank, job))

    # ------------------------------------------------------------ dispatch
    def _dispatch(self) -> None:
        now = self.env.now
        hold = self.build_start if self.build_start > self.blocked_until else self.blocked_until
        if now < hold - EPS:
            self._wake(hold)
            return
        limit = self.plan.wip_limit
        ready = self.ready
        while ready and self.free and len(self.doing) < limit:
            job = heapq.heappop(ready)[1]
            if job.state == "backlog":      # removed items are skipped lazily
                self._start(job, self.free.popleft())

    def _productivity(self, person: Person, t: float) -> float:
        """Productivity at ``t`` (only asked when someone joins: see :meth:`_duration`)."""
        if person.ramping(t):
            return person.start_p + (1 - person.start_p) * (t - person.joined) / person.ramp
        load = 0.0
        experienced = 0
        for p in self.people:
            if p.ramping(t):
                load += p.mentoring
            else:
                experienced += 1
        if load == 0 or experienced == 0:
            return 1.0
        return max(1.0 - load / experienced, MIN_PRODUCTIVITY)

    def _duration(self, person: Person, t0: float, work: float) -> float:
        """Working days for ``person`` to do ``work`` person-days from ``t0``.

        A newcomer's productivity climbs linearly during the item, so their
        duration integrates the ramp (closed form); everyone else works at the
        productivity read at the start (mentoring load included).
        """
        focus = self.plan.focus
        if not self.staffed:
            return work / focus
        if not person.ramping(t0):
            return work / (focus * self._productivity(person, t0))
        slope = (1.0 - person.start_p) / person.ramp            # productivity per day
        p0 = person.start_p + slope * (t0 - person.joined)
        span = person.joined + person.ramp - t0                 # days of ramp left
        ramp_work = focus * (p0 * span + slope * span * span / 2)
        if work >= ramp_work:
            return span + (work - ramp_work) / focus
        c = work / focus     # solve p0 x + slope x^2 / 2 = c for x (stable form)
        return 2 * c / (p0 + math.sqrt(p0 * p0 + 2 * slope * c))

    def _start(self, job: Job, person: Person) -> None:
        now = self.env.now
        job.state = "doing"
        job.start = now
        job.person = person
        job.finish = now + self._duration(person, now, job.work)
        self.doing.append(job)
        self._await_finish(job)

    def _await_finish(self, job: Job) -> None:
        """A SimPy timeout to the item's finish; blockers may push the finish later."""
        delay = job.finish - self.env.now
        Timeout(self.env, delay if delay > 0.0 else 0.0, job).callbacks.append(self._due)

    def _finish_due(self, ev: Timeout) -> None:
        job = ev.value
        if self.env.now >= job.finish - EPS:
            self._finish(job)
        else:                            # extended meanwhile: wait for the new finish
            self._await_finish(job)

    def _finish(self, job: Job) -> None:
        now = self.env.now
        job.state = "done"
        job.done = now
        self.doing.remove(job)
        if job.source in (PLANNED, ADDED):
            self._satisfy(job.id)
        self.last_work_done = now
        self._release_person(job.person)
        job.person = None
        if job.source == OVERHEAD:
            job.live = now
        elif self.big_bang and not self.closed:
            self.launch_pending.append(job)
        else:
            self._go_live(job, self._live_time(now))
        if job.scope:
            self.scope_open -= 1
            if self.scope_open == 0:
                self._closure_candidate()
        self._dispatch()

    def _live_time(self, done: float) -> float:
        if self.incremental:
            plan = self.plan
            ready = done + plan.hardening
            releases = (ready - plan.discovery) / plan.release_every
            if not math.isfinite(releases):   # a cadence too short to count: continuous
                return max(ready, plan.discovery)
            k = max(math.ceil(releases - EPS), 1)
            return plan.discovery + k * plan.release_every
        return done

    def _go_live(self, job: Job, t: float) -> None:
        job.live = t
        if job.fix_of is not None:
            job.fix_of.fix_live = t
        if job.misfit and job.fix_of is None:
            self._at(t + self.plan.feedback_lag, self._misfit_found, job)

    # ------------------------------------------------------------ closure
    def _closure_candidate(self) -> None:
        now = self.env.now
        token = self.closure_token
        if self.big_bang:
            self._at(now + self.plan.hardening, self._launch, token)
        else:
            last = max((j.live for j in self.jobs if j.scope and j.state == "done"),
                       default=now)
            self._at(max(last, now), self._close, token)

    def _launch(self, token: int) -> None:
        if token != self.closure_token or self.scope_open:
            return
        now = self.env.now
        pending, self.launch_pending = self.launch_pending, []
        for job in pending:
            self._go_live(job, now)
        self._close(token)

    def _close(self, token: int) -> None:
        if token != self.closure_token or self.scope_open or self.closed:
            return
        self.closed = True
        self.delivery = self.env.now
        queued, self.post_closure_queue = self.post_closure_queue, []
        for job in queued:
            job.added = self.env.now
            self._enqueue(job, top=True)
        self._dispatch()

    # ------------------------------------------------------ iteration: fit
    def _misfit_found(self, job: Job) -> None:
        plan = self.plan
        pre_closure = self._accepting_changes()
        fix = Job(f"fix-{job.id}", f"Fix: {job.name}", FIX, 0.0, False, (),
                  plan.fix_fraction * job.base, 0.0, False, pre_closure, self.env.now, 0.0)
        fix.fix_of = job
        self.jobs.append(fix)
        if pre_closure:
            self._enqueue(fix, top=True)
            self.scope_open += 1
            self.closure_token += 1
        elif self.closed:
            self._enqueue(fix, top=True)
        else:
            self.post_closure_queue.append(fix)
        self._dispatch()

    # -------------------------------------------------------- scope change
    def _scope_event(self, ev) -> None:
        if not self._accepting_changes():
            # Deferred to after closure: not built here; dependents need not wait.
            self.deferred += len(ev.add)
            for idx in ev.add:
                self._satisfy(self.plan.specs[idx].id)
            return
        for idx in (reversed(ev.add) if ev.top else ev.add):
            self._add_spec(idx, ev.top)
        self._overhead()
        for iid in ev.remove:
            job = self.by_id.get(iid)
            if job is not None and job.state == "backlog":
                job.state = "removed"
                self._satisfy(iid)
                if job.scope:
                    self.scope_open -= 1
        for iid, col, factor in ev.resize:
            job = self.by_id.get(iid)
            if job is None or job.state in ("done", "removed"):
                continue
            if factor is None:
                new_base = self.resized[col]
                factor = new_base / job.base if job.base > 0 else 1.0
            job.base *= factor
            job.work *= factor
            if job.state == "doing":
                now = self.env.now
                job.finish = now + (job.finish - now) * factor
        if self.scope_open == 0 and not self.closed:
            self._closure_candidate()
        self._dispatch()

    def _creep(self):
        """New items arrive as a Poisson process until ``until_day`` or closure."""
        plan, env = self.plan, self.env
        rng = run_stream(self.seed, "creep", self.run)
        until = plan.creep_until if plan.creep_until is not None else MAX_SIM_DAYS
        n = 0
        t = 0.0
        batch: list[tuple[float, float, float, bool]] = []
        while True:
            if not batch:   # draw arrivals in batches: one numpy call per 32, not per item
                k = CREEP_BATCH
                batch = list(zip(rng.exponential(1.0 / plan.creep_rate_per_day, k).tolist(),
                                 plan.creep_effort.sample(rng, k).tolist(),
                                 rework_rounds(rng.random(k), plan.rework_probability).tolist(),
                                 (rng.random(k) < plan.misfit_probability).tolist(),
                                 strict=True))[::-1]
            gap, base, rounds, misfit = batch.pop()
            t += gap
            if t > until or self.closed:
                return
            yield env.timeout(t - env.now)
            if self.closed:
                return
            n += 1
            if not self._accepting_changes():
                self.deferred += 1
                continue
            self._overhead()
            self._new_job(f"creep-{n}", f"Creep request {n}", CREEP, plan.creep_value,
                          False, (), base, rounds, misfit, True, False)
            self._dispatch()

    # --------------------------------------------------------------- team
    def _hire(self, person: Person) -> None:
        self.people.append(person)
        self.free.append(person)

    def _release_person(self, person: Person) -> None:
        if self.leaving > 0:
            self.leaving -= 1
            self.people.remove(person)
            self._headcount(-1)
        else:
            self.free.append(person)

    def _headcount(self, delta: int) -> None:
        t = self.env.now
        self.headcount.append((t, self.headcount[-1][1] + delta))

    def _staffing(self, change) -> None:
        _, add, ramp, start_p, mentoring = change
        if add > 0:
            for _ in range(add):
                self._hire(Person(self.env.now, ramp, start_p, mentoring))
            self._headcount(add)
        else:
            for _ in range(-add):
                if self.free:
                    person = self.free.pop()
                    self.people.remove(person)
                    self._headcount(-1)
                else:
                    self.leaving += 1
        self._dispatch()

    # -------------------------------------------------------------- risks
    def _risk(self, j: int) -> None:
        risk = self.plan.risks[j]
        now = self.env.now
        days = self.risk_size[j]
        if risk.kind == "blocker":
            end = now + days
            extra = max(0.0, end - max(now, self.blocked_until))
            self.blocked_until = max(self.blocked_until, end)
            if now < self.build_start:
                self.build_start += extra
            for job in self.doing:
                job.finish += extra
            self._wake(max(self.build_start, self.blocked_until))
        else:  # capacity_loss: idle people leave first, then busy people pause their item
            paused: set[Job] = set()
            for _ in range(risk.people):
                if self.free:
                    person = self.free.pop()
                    self._at(now + days, self._return_person, person)
                    continue
                busy = [job for job in self.doing if job not in paused]
                if not busy:
                    break
                job = max(busy, key=lambda jb: jb.finish)
                job.finish += days   # its person is away: the item pauses
                paused.add(job)

    def _return_person(self, person: Person) -> None:
        if person in self.people:
            self.free.append(person)
            self._dispatch()


def headcount_curve(headcount: list[tuple[float, int]], end: float,
                    grid: np.ndarray) -> np.ndarray:
    """Cumulative person-days paid at each time in ``grid`` (the team is paid until ``end``)."""
    times = [0.0]
    cum = [0.0]
    for (t0, n), (t1, _) in zip(headcount, [*headcount[1:], (end, 0)], strict=True):
        a, b = min(t0, end), min(t1, end)
        if b > a:
            times.append(b)
            cum.append(cum[-1] + n * (b - a))
    return np.interp(grid, times, cum)


def person_days(headcount: list[tuple[float, int]], end: float) -> float:
    """Person-days paid over ``[0, end]``."""
    return float(headcount_curve(headcount, end, np.array([end]))[0])
