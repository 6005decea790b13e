"""The team: people, their productivity (Brooks' law) and how long an item takes them.

Implements *Backlog and team* (an item takes ``effort / (focus x
productivity)`` days, one person per item) and *Staffing and Brooks' law*
(newcomers ramp up linearly and take mentoring from the experienced people)
of the README's "How the model works". Plain Python, no SimPy: every method
takes the time it is asked about, so the rules can be tested on their own.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

#: An experienced person never drops below this productivity while mentoring.
MIN_PRODUCTIVITY = 0.1


class Person:
    """One person on the team; a newcomer ramps up from ``start_p`` over ``ramp`` days."""

    __slots__ = ("joined", "last", "mentoring", "ramp", "start_p")

    def __init__(
        self, joined: float = 0.0, ramp: float = 0.0, start_p: float = 1.0, mentoring: float = 0.0
    ):
        self.joined = joined  # working day they joined
        self.ramp = ramp  # working days to full productivity
        self.start_p = start_p  # productivity on joining
        self.mentoring = mentoring  # share of one experienced person while ramping
        self.last = None  # the item they finished last (the criticality walk)

    def ramping(self, t: float) -> bool:
        return self.ramp > 0 and t < self.joined + self.ramp


class Team:
    """Who is on the team, who is free, and the headcount paid over time.

    Parameters
    ----------
    size : int
        People at day 0, all fully productive.
    focus : float
        Share of their time on this initiative.
    staffed : bool
        Whether anyone ever joins; if not, everyone is fully productive
        always and durations skip the ramp-up arithmetic (the hot path).
    """

    def __init__(self, size: int, focus: float, staffed: bool):
        self.focus = focus
        self.staffed = staffed
        self.people: list[Person] = []
        self.free: deque[Person] = deque()
        self.leaving = 0  # people to release when they next become free
        #: (day, people on the team from then on): what the cost counts.
        self.headcount: list[tuple[float, int]] = [(0.0, size)]
        for _ in range(size):
            self.hire(Person())

    # ------------------------------------------------------- who is here
    def hire(self, person: Person) -> None:
        self.people.append(person)
        self.free.append(person)

    def release(self, person: Person, now: float) -> None:
        """``person`` finished an item: free again, or gone if someone was due to leave."""
        if self.leaving > 0:
            self.leaving -= 1
            self.people.remove(person)
            self._headcount(now, -1)
        else:
            self.free.append(person)

    def change(self, now: float, add: int, ramp: float, start_p: float, mentoring: float) -> None:
        """A staffing change: ``add`` newcomers join, or ``-add`` people leave.

        Idle people leave at once; busy ones finish their current item first.
        """
        if add > 0:
            for _ in range(add):
                self.hire(Person(now, ramp, start_p, mentoring))
            self._headcount(now, add)
        else:
            for _ in range(-add):
                if self.free:
                    person = self.free.pop()
                    self.people.remove(person)
                    self._headcount(now, -1)
                else:
                    self.leaving += 1

    def _headcount(self, t: float, delta: int) -> None:
        self.headcount.append((t, self.headcount[-1][1] + delta))

    # ---------------------------------------------------- how fast they work
    def productivity(self, person: Person, t: float) -> float:
        """Productivity at ``t`` (only asked when someone joins: see :meth:`duration`)."""
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

    def duration(self, person: Person, t0: float, work: float) -> float:
        """Working days for ``person`` to do ``work`` person-days from ``t0``.

        A newcomer's productivity climbs linearly during the item, so their
        duration integrates the ramp (closed form); everyone else works at the
        productivity read at the start (mentoring load included).
        """
        focus = self.focus
        if not self.staffed:
            return work / focus
        if not person.ramping(t0):
            return work / (focus * self.productivity(person, t0))
        slope = (1.0 - person.start_p) / person.ramp  # productivity per day
        p0 = person.start_p + slope * (t0 - person.joined)
        span = person.joined + person.ramp - t0  # days of ramp left
        ramp_work = focus * (p0 * span + slope * span * span / 2)
        if work >= ramp_work:
            return span + (work - ramp_work) / focus
        c = work / focus  # solve p0 x + slope x^2 / 2 = c for x (stable form)
        return 2 * c / (p0 + math.sqrt(p0 * p0 + 2 * slope * c))


def headcount_curve(headcount: list[tuple[float, int]], end: float, grid: np.ndarray) -> np.ndarray:
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
