"""A work item inside one replication: what the items table reports per row."""

from __future__ import annotations

import math
from dataclasses import dataclass

# Item sources, as they appear in the items table.
PLANNED, ADDED, CREEP, FIX, OVERHEAD = "planned", "added", "creep", "fix", "overhead"


@dataclass(slots=True, eq=False)  # identity equality: a job is one event-loop object
class Job:
    """One work item inside one replication.

    Days are working days from the start; efforts are person-days.
    """

    id: str
    name: str
    source: str  # PLANNED, ADDED, CREEP, FIX or OVERHEAD
    value: float  # value per week once live
    must_have: bool
    deps: tuple[str, ...]  # ids that must be done (or removed) first
    base: float  # drawn effort, person-days
    rework: float  # rework rounds
    work: float  # effort with rework, person-days
    misfit: bool
    scope: bool  # counts toward closure
    added: float  # day it joined the backlog
    start: float = math.nan
    done: float = math.nan
    live: float = math.nan
    finish: float = math.nan  # planned finish while in progress
    person: object = None  # the Person working on it
    fix_of: Job | None = None  # the misfit item this job fixes
    after: Job | None = None  # the item its person finished last before starting it
    critical: bool = False  # on the chain that set the delivery day (engine.drivers)
    fix_live: float = math.nan  # day this item's fix went live
    state: str = "backlog"  # backlog | doing | done | removed
    rank: int = 0  # backlog position: smaller is pulled first
    waiting: int = 0  # dependencies not yet satisfied
    spent: float = 0.0  # person-days already worked when a re-forecast starts
