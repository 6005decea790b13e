"""Scope changes during the run: scheduled changes, creep, change control and the freeze.

Implements *Scope changes* in the README's "How the model works": a
scheduled change adds items (end or top of the backlog), removes items not yet
started or re-estimates items not yet done; creep arrives as a Poisson process
until ``until_day`` or closure; every accepted change costs
``change_control_days`` (an overhead item at the top); after ``freeze_day`` a
change is deferred (not built in this initiative).
"""

from __future__ import annotations

from simulation.engine.model.job import CREEP, OVERHEAD
from simulation.engine.model.releases import EPS
from simulation.engine.plan import MAX_SIM_DAYS, rework_rounds, run_stream

#: Creep arrivals drawn per numpy call.
CREEP_BATCH = 32


class ScopeEvents:
    """The scope processes of a :class:`~simulation.engine.model.replication.Replication` (a mixin).

    Uses the replication's clock (``env``), ``plan``, backlog, jobs and
    closure state; adds work through ``_add_spec`` and ``_new_job``.
    """

    def _accepting_changes(self) -> bool:
        freeze = self.plan.freeze_day
        return not self.closed and (freeze is None or self.env.now < freeze - EPS)

    def _overhead(self) -> None:
        """Change control: an analysis item at the top of the backlog."""
        days = self.plan.change_control
        if days > 0:
            self.n_changes += 1
            self._new_job(
                f"change-control-{self.n_changes}",
                "Change control",
                OVERHEAD,
                0.0,
                False,
                (),
                days,
                0.0,
                False,
                True,
                True,
            )

    def _scope_event(self, ev) -> None:
        """A scheduled scope change (``scope.changes``) arrives."""
        if not self._accepting_changes():
            # Deferred to after closure: not built here; dependents need not wait.
            self.deferred += len(ev.add)
            for idx in ev.add:
                self.backlog.satisfy(self.plan.specs[idx].id)
            return
        for idx in reversed(ev.add) if ev.top else ev.add:
            self._add_spec(idx, ev.top)
        self._overhead()
        for iid in ev.remove:
            job = self.by_id.get(iid)
            if job is not None and job.state == "backlog":
                job.state = "removed"
                self.backlog.satisfy(iid)
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
            if not batch:  # draw arrivals in batches: one numpy call per 32, not per item
                k = CREEP_BATCH
                batch = list(
                    zip(
                        rng.exponential(1.0 / plan.creep_rate_per_day, k).tolist(),
                        plan.creep_effort.sample(rng, k).tolist(),
                        rework_rounds(rng.random(k), plan.rework_probability).tolist(),
                        (rng.random(k) < plan.misfit_probability).tolist(),
                        strict=True,
                    )
                )[::-1]
            gap, base, rounds, misfit = batch.pop()
            t += gap
            if t > until or self.closed:
                return
            if t <= self.t0:  # a re-forecast: arrivals before its clock are in the status
                continue
            yield env.timeout(t - env.now)
            if self.closed:
                return
            n += 1
            if not self._accepting_changes():
                self.deferred += 1
                continue
            self._overhead()
            self._new_job(
                f"creep-{n}",
                f"Creep request {n}",
                CREEP,
                plan.creep_value,
                False,
                (),
                base,
                rounds,
                misfit,
                True,
                False,
            )
            self._dispatch()
