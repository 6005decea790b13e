"""The server's admission gate: at most N simulations at once, first come, first served.

One gate per server process (:func:`server_gate`), shared by every session. A
simulation takes a :class:`Ticket`, waits in line for a slot
(:meth:`Gate.acquire`, which reports its place in line while it waits), runs, and
gives the slot back (:meth:`Gate.release`). Cancelling a ticket
(:meth:`Gate.cancel`) takes it out of the line, or stops its run at the next
chunk boundary.

Big runs (more than :data:`BIG_RUNS` runs in all) use the server's spare time:
they start only while no smaller simulation runs or waits, and between chunks
(:meth:`Gate.between_chunks`) a running big run gives its slot back and waits
again whenever a smaller one runs or waits. A colleague's 1,000-run forecast
then waits at most for the chunks the big run already has in flight, never for
the whole big run (``docs/reference/server-settings.md``). Big runs among
themselves are first come, first served, and do not pause for each other.

No Streamlit here: :mod:`dashboard.turns` shows the line on a page.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from dashboard import server_settings

#: Runs in all (runs x scenarios) above which a simulation is big: five times a
#: library scenario's own 1,000 runs.
BIG_RUNS = 5_000
#: Seconds between two reports of a waiting ticket's place (the page's chance to
#: notice a Cancel click or a closed tab).
POLL_S = 0.5

#: ``poll(place)``: a waiting ticket's place in line (1 = next to start).
Poll = Callable[[int], None]


class Cancelled(Exception):
    """The simulation was cancelled: it left the line, or stopped between chunks."""


@dataclass(eq=False)
class Ticket:
    """One simulation's place at the gate."""

    runs: int  #: runs in all (runs x scenarios)
    big: bool  #: more than the gate's big-run size: runs in the spare time
    seq: int  #: arrival order
    started: bool = False  #: has held a slot (a waiting big run is then paused)
    cancelled: threading.Event = field(default_factory=threading.Event)


class Gate:
    """At most ``slots`` simulations at once; the others wait in line (thread-safe)."""

    def __init__(self, slots: int, big_runs: int = BIG_RUNS, poll_s: float = POLL_S) -> None:
        if slots < 1:
            raise ValueError(f"a gate needs at least one slot, got {slots}")
        self.slots = slots
        self.big_runs = big_runs
        self.poll_s = poll_s
        self._cond = threading.Condition()
        self._line: list[Ticket] = []  # waiting, in arrival order
        self._running: list[Ticket] = []
        self._seq = itertools.count()

    # ------------------------------------------------------------ the line
    def ticket(self, runs: int) -> Ticket:
        """A ticket for a simulation of ``runs`` runs in all (not yet in line)."""
        return Ticket(runs=runs, big=runs > self.big_runs, seq=next(self._seq))

    def acquire(self, ticket: Ticket, poll: Poll | None = None) -> None:
        """Join the line and wait until ``ticket`` may run; it then holds a slot.

        ``poll(place)`` is called in this thread while it waits: on joining, on
        every change in the line and at least every :attr:`poll_s` seconds. An
        exception from ``poll`` (or a :meth:`cancel`, raising :class:`Cancelled`)
        takes the ticket out of the line.
        """
        with self._cond:
            self._line.append(ticket)
            self._line.sort(key=lambda t: t.seq)
            self._cond.notify_all()
        self._wait(ticket, poll)

    def release(self, ticket: Ticket) -> None:
        """Give the slot back (or leave the line); safe to call more than once."""
        with self._cond:
            for queue in (self._line, self._running):
                if ticket in queue:
                    queue.remove(ticket)
            self._cond.notify_all()

    def cancel(self, ticket: Ticket) -> None:
        """Cancel ``ticket`` from any thread: it leaves the line, or stops between chunks."""
        ticket.cancelled.set()
        with self._cond:
            self._cond.notify_all()

    def between_chunks(self, ticket: Ticket, poll: Poll | None = None) -> None:
        """Called by a running simulation after each chunk: stop if cancelled; pause a
        big run while a smaller simulation runs or waits (its slot goes to them)."""
        with self._cond:
            if ticket.cancelled.is_set():
                raise Cancelled
            if not (ticket.big and self._small_busy()):
                return
            self._running.remove(ticket)
            self._line.append(ticket)
            self._line.sort(key=lambda t: t.seq)
            self._cond.notify_all()
        self._wait(ticket, poll)

    @contextmanager
    def turn(self, runs: int, poll: Poll | None = None) -> Iterator[Ticket]:
        """``with gate.turn(runs) as ticket:`` the simulation holds a slot inside."""
        ticket = self.ticket(runs)
        try:
            self.acquire(ticket, poll)
            yield ticket
        finally:
            self.release(ticket)

    # --------------------------------------------------------------- state
    def counts(self) -> tuple[int, int]:
        """``(running, waiting)`` simulations now."""
        with self._cond:
            return len(self._running), len(self._line)

    def place(self, ticket: Ticket) -> int:
        """``ticket``'s place in line (1 = next to start; 0 = not waiting)."""
        with self._cond:
            return self._place(ticket) if ticket in self._line else 0

    # ------------------------------------------------------------ internal
    def _small_busy(self) -> bool:
        return any(not t.big for t in self._line) or any(not t.big for t in self._running)

    def _may_start(self, ticket: Ticket) -> bool:
        if len(self._running) >= self.slots:
            return False
        if any(t.big == ticket.big and t.seq < ticket.seq for t in self._line):
            return False  # first come, first served within a lane
        return not (ticket.big and self._small_busy())

    def _place(self, ticket: Ticket) -> int:
        before = [
            t
            for t in self._line
            if (not t.big and ticket.big) or (t.big == ticket.big and t.seq < ticket.seq)
        ]
        return len(before) + 1

    def _wait(self, ticket: Ticket, poll: Poll | None) -> None:
        try:
            while True:
                with self._cond:
                    if ticket.cancelled.is_set():
                        raise Cancelled
                    if self._may_start(ticket):
                        self._line.remove(ticket)
                        self._running.append(ticket)
                        ticket.started = True
                        self._cond.notify_all()
                        return
                    place = self._place(ticket)
                if poll is not None:
                    poll(place)  # outside the lock: it may draw on a page, or raise
                with self._cond:
                    if (
                        not ticket.cancelled.is_set()
                        and not self._may_start(ticket)
                        and self._place(ticket) == place
                    ):
                        self._cond.wait(self.poll_s)
        except BaseException:
            self.release(ticket)
            raise


_SERVER: Gate | None = None
_SERVER_LOCK = threading.Lock()


def server_gate() -> Gate:
    """The gate every session of this server process shares (made on first use, with
    ``SIM_MAX_CONCURRENT_RUNS`` slots; :mod:`dashboard.server_settings`)."""
    global _SERVER
    with _SERVER_LOCK:
        if _SERVER is None:
            _SERVER = Gate(server_settings.concurrent_limit())
        return _SERVER
