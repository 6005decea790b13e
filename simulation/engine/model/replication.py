"""One replication: the clock, dispatching work, finishing items and closure.

Implements *Backlog and team* (free people pull ready items, up to the WIP
limit), *Rework* (drawn up front: an item's work includes its rounds) and
*Closure and cost* of the README's "How the model works". The mechanisms it
drives have their own homes: :class:`~simulation.engine.model.backlog.Backlog`,
:class:`~simulation.engine.model.team.Team`,
:class:`~simulation.engine.model.releases.ReleasePolicy`, and the event processes
:class:`~simulation.engine.model.scope.ScopeEvents`,
:class:`~simulation.engine.model.fixes.MisfitFixes` and
:class:`~simulation.engine.model.risks.Risks`.

Closure is the moment the last scope item (planned, accepted changes, creep,
fixes found before closure) is live. Work continues after closure for fixes
found later (they cost money but do not move the delivery day). The value
(product lens) is computed afterwards with numpy from the live days recorded
here; see :mod:`simulation.engine.value`.
"""

from __future__ import annotations

import heapq
import math

import simpy
from simpy.events import Timeout

from simulation.engine.model.backlog import Backlog
from simulation.engine.model.fixes import MisfitFixes
from simulation.engine.model.job import ADDED, OVERHEAD, PLANNED, Job
from simulation.engine.model.progress import Progress
from simulation.engine.model.releases import EPS, ReleasePolicy
from simulation.engine.model.risks import Risks
from simulation.engine.model.scope import ScopeEvents
from simulation.engine.model.team import Person, Team
from simulation.engine.plan import MAX_SIM_DAYS, Draws, Plan, Staffing


class Replication(ScopeEvents, MisfitFixes, Risks, Progress):
    """State and processes of one run of the initiative (a continuous clock in working days)."""

    def __init__(
        self,
        plan: Plan,
        draws: Draws,
        run: int,
        row: int | None = None,
        env: simpy.Environment | None = None,
    ):
        self.plan = plan
        self.run = run
        # A clock of its own, or one shared with other initiatives (a portfolio:
        # docs/reference/portfolio.md), whose events then interleave with theirs.
        self.env = simpy.Environment() if env is None else env
        self.jobs: list[Job] = []
        self.by_id: dict[str, Job] = {}  # the file's items, by id
        self.backlog = Backlog()
        self.team = Team(plan.team_size, plan.focus, staffed=bool(plan.staffing))
        self.releases = ReleasePolicy(
            plan.approach, plan.release_every, plan.discovery, plan.hardening
        )
        self.doing: list[Job] = []
        #: The clock of a re-forecast: no new work starts before it (0 in a plain run).
        self.t0 = plan.as_of.t0 if plan.as_of is not None else 0.0
        self.build_start = max(plan.discovery, self.t0)
        self.blocked_until = 0.0
        self.scope_open = 0
        self.closure_token = 0
        self.delivery = math.nan
        self.launch_pending: list[Job] = []
        self.post_closure_queue: list[Job] = []
        self.deferred = 0
        self.last_work_done = 0.0
        self.last_scope_done: Job | None = None  # where the criticality walk starts
        self.risks_fired: list[str] = []
        self.extra: dict[str, float] = {}
        self.wake_pending: set[float] = set()
        self.n_changes = 0
        self.seed = draws.seed
        self._due = self._finish_due  # one bound method for every finish timeout
        self._read_draws(draws, run if row is None else row)

    @property
    def closed(self) -> bool:
        """Whether the project has closed (its delivery day is known)."""
        return self.delivery == self.delivery  # NaN until closure

    @property
    def headcount(self) -> list[tuple[float, int]]:
        """(day, people on the team from then on): what the cost counts."""
        return self.team.headcount

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
        """Schedule the run's events and play it to the end (or to :data:`MAX_SIM_DAYS`)."""
        self.schedule()
        self.env.run(until=MAX_SIM_DAYS)
        if self.plan.as_of is not None:
            self._restore_starts()
        return self

    def schedule(self) -> None:
        """Put the planned items in the backlog and schedule every event of the run."""
        plan, env = self.plan, self.env
        for idx in plan.planned:
            self._add_spec(idx, top=False)
        if plan.as_of is not None and plan.as_of.team_size is not None:
            self._at(self.t0, self._team_today, plan.as_of.team_size)
        for ev in plan.scope_events:
            self._at(ev.at_day, self._scope_event, ev)
        for change in plan.staffing:
            self._at(change.at_day, self._staffing, change)
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
        if plan.as_of is not None and self.scope_open == 0:  # everything already done
            self._closure_candidate()

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

    # ------------------------------------------------------------ new work
    def _new_job(
        self, id, name, source, value, must_have, deps, base, rounds, misfit, scope, top
    ) -> Job:
        job = Job(
            id=id,
            name=name,
            source=source,
            value=value,
            must_have=must_have,
            deps=deps,
            base=base,
            rework=rounds,
            work=base * (1.0 + self.plan.rework_fraction * rounds),
            misfit=misfit,
            scope=scope,
            added=self.env.now,
        )
        self.jobs.append(job)
        self.backlog.enqueue(job, top)
        if scope:
            self.scope_open += 1
            self.closure_token += 1
        return job

    def _add_spec(self, idx: int, top: bool) -> Job:
        # Only the file's items are known by id (dependencies, removals, resizes,
        # extra work): the engine's own items (creep, change control, fixes) never
        # answer to a user's id, whatever they are called.
        s = self.plan.specs[idx]
        as_of = self.plan.as_of
        doing = as_of.doing.get(s.id) if as_of is not None else None
        job = self._new_job(
            s.id,
            s.name,
            s.source,
            s.value_per_week,
            s.must_have,
            () if doing is not None else s.depends_on,  # in progress: already past them
            self.effort[idx] + self.extra.get(s.id, 0.0),
            self.rounds[idx],
            self.misfits[idx],
            True,
            top or doing is not None,
        )
        self.by_id[s.id] = job
        if doing is not None:
            job.spent = min(doing.spent, job.work)
        elif as_of is not None and s.id in as_of.done:
            self._record_done(job)
        return job

    # ------------------------------------------------------------ dispatch
    def _dispatch(self) -> None:
        now = self.env.now
        hold = self.build_start if self.build_start > self.blocked_until else self.blocked_until
        if now < hold - EPS:
            self._wake(hold)
            return
        limit = self.plan.wip_limit
        ready = self.backlog.ready
        free = self.team.free
        while ready and free and len(self.doing) < limit:
            job = heapq.heappop(ready)[1]
            if job.state == "backlog":  # removed items are skipped lazily
                self._start(job, free.popleft())

    def _start(self, job: Job, person: Person) -> None:
        now = self.env.now
        job.state = "doing"
        job.start = now
        job.person = person
        job.after = person.last  # what may have released this start: see simulation.engine.drivers
        job.finish = now + self._duration(person, now, job.work - job.spent)
        self.doing.append(job)
        self._await_finish(job)

    def _duration(self, person: Person, t0: float, work: float) -> float:
        """Working days for ``person`` to do ``work`` person-days from ``t0`` (the team's rule)."""
        return self.team.duration(person, t0, work)

    def _release(self, person: Person, now: float) -> None:
        """``person`` finished an item at ``now``: back to their team."""
        self.team.release(person, now)

    def _await_finish(self, job: Job) -> None:
        """A SimPy timeout to the item's finish; blockers may push the finish later."""
        delay = job.finish - self.env.now
        Timeout(self.env, delay if delay > 0.0 else 0.0, job).callbacks.append(self._due)

    def _finish_due(self, ev: Timeout) -> None:
        job = ev.value
        if self.env.now >= job.finish - EPS:
            self._finish(job)
        else:  # extended meanwhile: wait for the new finish
            self._await_finish(job)

    def _finish(self, job: Job) -> None:
        now = self.env.now
        job.state = "done"
        job.done = now
        self.doing.remove(job)
        if job.source in (PLANNED, ADDED):
            self.backlog.satisfy(job.id)
        self.last_work_done = now
        job.person.last = job
        self._release(job.person, now)
        job.person = None
        if job.source == OVERHEAD:
            job.live = now
        elif self.releases.big_bang and not self.closed:
            self.launch_pending.append(job)
        else:
            self._go_live(job, self.releases.live_time(now))
        if job.scope:
            self.last_scope_done = job
            self.scope_open -= 1
            if self.scope_open == 0:
                self._closure_candidate()
        self._dispatch()

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
        if self.releases.big_bang:
            self._at(now + self.plan.hardening, self._launch, token)
        else:
            last = max((j.live for j in self.jobs if j.scope and j.state == "done"), default=now)
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
        self.delivery = self.env.now
        queued, self.post_closure_queue = self.post_closure_queue, []
        for job in queued:
            job.added = self.env.now
            self.backlog.enqueue(job, top=True)
        self._dispatch()

    # ------------------------------------------------------------ staffing
    def _staffing(self, change: Staffing) -> None:
        """A staffing change (``team.changes``) takes effect; see :meth:`Team.change`."""
        self.team.change(
            self.env.now,
            change.add,
            change.ramp_up_days,
            change.start_productivity,
            change.mentoring,
        )
        self._dispatch()
