"""When a finished item goes live: the delivery approach.

Implements *Delivery approach* in the README's "How the model works":
``continuous`` (live when done), ``incremental`` (at the first release
``discovery_days + k x release_every_days`` at least ``hardening_days`` after
it is done) and ``big_bang`` (everything together at launch, ``hardening_days``
after the last scope item is done; the launch itself is part of closure, see
:mod:`simulation.engine.model.replication`). Plain Python, no SimPy.
"""

from __future__ import annotations

import math

EPS = 1e-9


class ReleasePolicy:
    """Go-live times for one scenario's delivery approach (days are working days)."""

    def __init__(self, approach: str, release_every: float, discovery: float, hardening: float):
        self.big_bang = approach == "big_bang"
        self.incremental = approach == "incremental"
        self.release_every = release_every
        self.discovery = discovery
        self.hardening = hardening

    def live_time(self, done: float) -> float:
        """The day an item done on day ``done`` goes live (not for big bang: see launch)."""
        if self.incremental:
            ready = done + self.hardening
            releases = (ready - self.discovery) / self.release_every
            if not math.isfinite(releases):  # a cadence too short to count: continuous
                return max(ready, self.discovery)
            k = max(math.ceil(releases - EPS), 1)
            return self.discovery + k * self.release_every
        return done
