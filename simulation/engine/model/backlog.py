"""The backlog: items in order, and which of them are ready to start.

Implements the pull rule of *Backlog and team* in the README's "How the model
works": ready items (every ``depends_on`` item done, removed or deferred) are
pulled in backlog order; additions go to the end or, with ``priority: top``
(and for fixes and change control), to the top. Plain Python, no SimPy.
"""

from __future__ import annotations

import heapq

from simulation.engine.model.job import Job


class Backlog:
    """Backlog order and the ready queue.

    Ready items sit in a heap of ``(rank, job)`` (smaller rank is pulled
    first); an item waiting on a dependency is listed under that id until it
    is satisfied. Removed items stay in the heap and are skipped when popped.
    """

    def __init__(self) -> None:
        self.ready: list[tuple[int, Job]] = []
        self.waiters: dict[str, list[Job]] = {}
        self.top_rank = 0
        self.end_rank = 0
        self.satisfied: set[str] = set()  # ids whose dependents may start

    def enqueue(self, job: Job, top: bool) -> None:
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

    def satisfy(self, item_id: str) -> None:
        """Dependents of ``item_id`` need not wait for it any more."""
        if item_id in self.satisfied:
            return
        self.satisfied.add(item_id)
        for job in self.waiters.pop(item_id, ()):
            job.waiting -= 1
            if job.waiting == 0 and job.state == "backlog":
                heapq.heappush(self.ready, (job.rank, job))
