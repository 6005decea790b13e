"""Risks that strike during the run: blockers and capacity loss.

Implements *Risks* in the README's "How the model works": a ``blocker``
stops all work for ``days`` (overlapping blockers count once; one during
discovery extends it); ``capacity_loss`` takes ``people`` away for ``days``,
idle people first, otherwise the item a busy person was on pauses.
``extra_work`` needs no event: its effort is added when the item is built
(see :meth:`simulation.engine.model.replication.Replication._read_draws`).
"""

from __future__ import annotations

from simulation.engine.model.job import Job
from simulation.engine.model.team import Person


class Risks:
    """The risk events of a :class:`~simulation.engine.model.replication.Replication` (a mixin)."""

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
            free = self.team.free
            paused: set[Job] = set()
            for _ in range(risk.people):
                if free:
                    person = free.pop()
                    self._at(now + days, self._return_person, person)
                    continue
                busy = [job for job in self.doing if job not in paused]
                if not busy:
                    break
                job = max(busy, key=lambda jb: jb.finish)
                job.finish += days  # its person is away: the item pauses
                paused.add(job)

    def _return_person(self, person: Person) -> None:
        if person in self.team.people:
            self.team.free.append(person)
            self._dispatch()
