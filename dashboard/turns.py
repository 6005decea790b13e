"""A simulation's turn on this server, from a page: the runs limit, the place in line, Cancel.

:func:`take` wraps the moment a page starts a simulation
(:mod:`dashboard.simulate`): it refuses more runs than the server allows one
session (:func:`dashboard.server_settings.over_limit`), waits in the server's
line (:mod:`dashboard.admission`) showing "Waiting: 2nd in line" and a
**Cancel** button, and hands the memory of a big run back to the system when it
ends. The engine's progress callback calls :func:`between_chunks`, so a big run
pauses for smaller ones between chunks.

Cancel works through Streamlit: the click asks for a new script run, which
Streamlit starts by interrupting this one at its next page update (the line's
place, or the progress bar after a chunk); the interrupted wait or run leaves the
line, and the engine drops the chunks not yet started. The click also marks the
simulation as cancelled for this session, so the new run does not simply start it
again: the page says so and offers **Simulate again**.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import hashlib
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import Any, TypeVar

import streamlit as st

from dashboard import admission, server_settings
from simulation.engine.runner import AUTO_MAX_RUNS
from simulation.scenario.errors import ScenarioError

T = TypeVar("T")

#: Session key: the simulation this session cancelled last (its ``ident``).
CANCELLED = "sim_cancelled"

#: The running simulation's gate, ticket, place-in-line reporter and its slot on the page.
_CURRENT: ContextVar[tuple[admission.Gate, admission.Ticket, Any, Any] | None] = ContextVar(
    "sim_turn", default=None
)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, 21st."""
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def place_text(place: int, paused: bool) -> str:
    """What a waiting simulation's session reads."""
    if paused:
        return (
            f"Paused: this big run goes on when the smaller simulations are done "
            f"({ordinal(place)} in line)."
        )
    return f"Waiting: {ordinal(place)} in line (the server runs a few simulations at a time)."


def take(
    kind: str,
    ident: Hashable,
    runs: int | str,
    scenarios: int,
    compute: Callable[[], T],
    pressed: bool = False,
) -> T:
    """``compute()`` in its turn on this server.

    Parameters
    ----------
    kind : str
        What is simulated (``"forecast"``, ``"comparison"``): names the widgets.
    ident : hashable
        The simulation's identity (its cache key): what a Cancel marks.
    runs : int or "auto"
        Runs per scenario, as asked for (checked against the session limit).
    scenarios : int
        Scenarios simulated with those runs (a comparison has several).
    compute : callable
        Runs the simulation (its progress callback calls :func:`between_chunks`).
    pressed : bool
        The person pressed a button for this simulation just now: an earlier
        Cancel of it does not hold it back.

    Raises
    ------
    ScenarioError
        More runs than this server allows one session.
    admission.Cancelled
        This session cancelled this simulation and has not asked for it again.
    """
    problem = server_settings.over_limit(runs)
    if problem:
        raise ScenarioError(problem)
    ss = st.session_state
    # Widget keys per simulation: a page may run two of a kind at once (History's
    # before/after preview runs two forecasts).
    tag = f"{kind}_{hashlib.blake2b(repr(ident).encode(), digest_size=6).hexdigest()}"
    if pressed:
        ss.pop(CANCELLED, None)
    elif ss.get(CANCELLED) == ident:
        st.info("You cancelled this simulation.", icon=":material/cancel:")
        if not st.button("Simulate again", key=f"sim_again_{tag}", icon=":material/play_arrow:"):
            raise admission.Cancelled
        del ss[CANCELLED]
    gate = admission.server_gate()
    ticket = gate.ticket(_total(runs, scenarios))
    box = st.empty()
    with box.container():
        line = st.empty()
        st.button(
            "Cancel",
            key=f"sim_cancel_{tag}",
            icon=":material/cancel:",
            on_click=_mark_cancelled,
            args=(ident,),
            help="Stop this simulation (or leave the line).",
        )

    def show(place: int) -> None:
        line.info(place_text(place, ticket.started), icon=":material/hourglass_top:")

    token = _CURRENT.set((gate, ticket, show, line))
    try:
        gate.acquire(ticket, show)
        line.empty()
        return compute()
    finally:
        gate.release(ticket)
        _CURRENT.reset(token)
        if ticket.big:
            return_memory()
        box.empty()


def _total(runs: int | str, scenarios: int) -> int:
    """Runs in all: ``runs: auto`` counts as its most."""
    return (AUTO_MAX_RUNS if runs == "auto" else int(runs)) * max(scenarios, 1)


def in_line(runs: int | str, scenarios: int, compute: Callable[[], T]) -> T:
    """``compute()`` in its turn on this server, without widgets: for work that runs
    off the page's script (a report built when its download button is pressed)."""
    gate = admission.server_gate()
    ticket = gate.ticket(_total(runs, scenarios))
    gate.acquire(ticket)
    try:
        return compute()
    finally:
        gate.release(ticket)
        if ticket.big:
            return_memory()


def between_chunks() -> None:
    """Called after each chunk of the running simulation (its progress callback): a
    cancelled one stops, a big one pauses while smaller ones run or wait."""
    current = _CURRENT.get()
    if current is None:
        return
    gate, ticket, show, line = current
    paused: list[int] = []

    def report(place: int) -> None:
        paused.append(place)
        show(place)

    gate.between_chunks(ticket, report)
    if paused:  # going on again: the "Paused" line goes
        line.empty()


def _mark_cancelled(ident: Hashable) -> None:
    st.session_state[CANCELLED] = ident


def return_memory() -> None:
    """Hand the memory a finished big run freed back to the system.

    Collect the cycles, then ask glibc's allocator to return its free pages
    (``malloc_trim``); without it the server keeps the peak of its biggest run.
    """
    gc.collect()
    name = ctypes.util.find_library("c")
    if name:
        # Not glibc (no malloc_trim): the collection is all there is to do.
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(name).malloc_trim(0)
