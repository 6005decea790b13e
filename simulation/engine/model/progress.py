"""Work already done when a re-forecast starts: the replication's side of a status.

Implements the replay rules of ``docs/reference/track.md``: an item the status
records as done is finished on its done day (live on its live day, else by the
delivery approach from the done day) and never pulled again; an item in progress
goes to the top of the backlog, ready whatever its dependencies, and only its work
left (effort minus what was spent) takes time from ``t0``. Inactive (``as_of`` is
None) in a plain run.
"""

from __future__ import annotations

import math

from simulation.engine.model.job import Job
from simulation.engine.plan import Staffing


class Progress:
    """The status replay of a replication (a mixin of ``Replication``)."""

    def _record_done(self, job: Job) -> None:
        """Finish ``job`` as the status says (a done item never takes a person's time again)."""
        rec = self.plan.as_of.done[job.id]
        job.state = "done"
        job.start = rec.start
        job.done = rec.done
        self.backlog.satisfy(job.id)
        self.last_work_done = max(self.last_work_done, rec.done)
        if not math.isnan(rec.live):
            self._go_live(job, rec.live)
        elif self.releases.big_bang:
            self.launch_pending.append(job)
        else:
            self._go_live(job, self.releases.live_time(rec.done))
        if job.scope:
            self.last_scope_done = job
            self.scope_open -= 1

    def _team_today(self, size: int) -> None:
        """The team the status names, from ``t0`` on (later staffing changes still apply)."""
        delta = size - len(self.team.people) + self.team.leaving
        if delta:
            self._staffing(Staffing(self.env.now, delta, 0.0, 1.0, 0.0))

    def _restore_starts(self) -> None:
        """Items that were in progress started on their recorded day, not at ``t0``."""
        doing = self.plan.as_of.doing
        for job in self.jobs:
            rec = doing.get(job.id)
            if rec is not None and job.source in ("planned", "added") and job.state != "backlog":
                job.start = rec.start
