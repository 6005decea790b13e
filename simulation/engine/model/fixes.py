"""Misfits and feedback: a fix for an item that missed the real need.

Implements *Misfits and feedback* in the README's "How the model works": a
misfit item is found ``feedback_lag_days`` after it goes live and a fix item
(``fix_fraction`` x its effort) goes to the top of the backlog. A fix found
before closure is part of the scope; one found after closure (or after the
freeze) is built after closure: it costs money, never moves the delivery day.
"""

from __future__ import annotations

from simulation.engine.model.job import FIX, Job


class MisfitFixes:
    """The feedback process of a replication (:mod:`simulation.engine.model.replication`)."""

    def _misfit_found(self, job: Job) -> None:
        plan = self.plan
        pre_closure = self._accepting_changes()
        base = plan.fix_fraction * job.base
        fix = Job(
            id=f"fix-{job.id}",
            name=f"Fix: {job.name}",
            source=FIX,
            value=0.0,
            must_have=False,
            deps=(),
            base=base,
            rework=0.0,
            work=base,
            misfit=False,
            scope=pre_closure,
            added=self.env.now,
            fix_of=job,
        )
        self.jobs.append(fix)
        if pre_closure:
            self.backlog.enqueue(fix, top=True)
            self.scope_open += 1
            self.closure_token += 1
        elif self.closed:
            self.backlog.enqueue(fix, top=True)
        else:
            self.post_closure_queue.append(fix)
        self._dispatch()
