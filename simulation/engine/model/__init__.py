"""The SimPy model of one replication: the project lens, one mechanism per module.

============================  ===========================================  ==================
README "How the model works"  what it does                                 where
============================  ===========================================  ==================
Backlog and team              ready queue, backlog order                   backlog.Backlog
Backlog and team; Brooks      people, productivity, durations, headcount   team.Team
Delivery approach             when a finished item goes live               releases.ReleasePolicy
Closure and cost              clock, dispatch, finishing, closure, launch  replication.Replication
Misfits and feedback          fix items after feedback                     fixes.MisfitFixes
Scope changes                 scheduled changes, creep, control, freeze    scope.ScopeEvents
Risks                         blockers, capacity loss                      risks.Risks
============================  ===========================================  ==================

Every random input is drawn beforehand (:mod:`simulation.engine.plan`); the value
(product lens) is computed afterwards from the live days recorded here
(:mod:`simulation.engine.value`).
"""

from simulation.engine.model.backlog import Backlog
from simulation.engine.model.job import ADDED, CREEP, FIX, OVERHEAD, PLANNED, Job
from simulation.engine.model.releases import ReleasePolicy
from simulation.engine.model.replication import Replication
from simulation.engine.model.team import (
    MIN_PRODUCTIVITY,
    Person,
    Team,
    headcount_curve,
    person_days,
)

__all__ = [
    "ADDED",
    "CREEP",
    "FIX",
    "MIN_PRODUCTIVITY",
    "OVERHEAD",
    "PLANNED",
    "Backlog",
    "Job",
    "Person",
    "ReleasePolicy",
    "Replication",
    "Team",
    "headcount_curve",
    "person_days",
]
