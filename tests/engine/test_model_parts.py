"""The model's mechanisms on their own, without SimPy: team, backlog, releases.

Each part of :mod:`simulation.engine.model` that holds a rule of the README's "How
the model works" is plain Python, so its rule is checked here by hand.
"""

from __future__ import annotations

import pytest

from simulation.engine.model import Backlog, Job, ReleasePolicy, Team


def job(id_: str, deps: tuple[str, ...] = ()) -> Job:
    return Job(
        id=id_,
        name=id_,
        source="planned",
        value=0.0,
        must_have=True,
        deps=deps,
        base=1.0,
        rework=0.0,
        work=1.0,
        misfit=False,
        scope=True,
        added=0.0,
    )


def test_team_duration_is_effort_over_focus():
    team = Team(size=2, focus=0.8, staffed=False)
    assert team.duration(team.people[0], 0.0, 8.0) == pytest.approx(10.0), "8 / 0.8"


def test_brooks_mentoring_slows_the_experienced():
    """Two newcomers each taking 25% of one person, spread over two experienced people."""
    team = Team(size=2, focus=1.0, staffed=True)
    team.change(10.0, add=2, ramp=20.0, start_p=0.5, mentoring=0.25)
    assert team.productivity(team.people[0], 15.0) == pytest.approx(1 - 0.5 / 2)
    assert team.productivity(team.people[0], 30.0) == 1.0, "ramp over: no mentoring"
    assert team.headcount == [(0.0, 2), (10.0, 4)]


def test_newcomer_duration_integrates_the_ramp():
    """From 50% to 100% over 10 days: 7.5 person-days in the ramp, then full speed."""
    team = Team(size=0, focus=1.0, staffed=True)
    team.change(0.0, add=1, ramp=10.0, start_p=0.5, mentoring=0.0)
    newcomer = team.people[0]
    assert team.duration(newcomer, 0.0, 7.5) == pytest.approx(10.0)
    assert team.duration(newcomer, 0.0, 9.5) == pytest.approx(12.0)
    # inside the ramp: 0.5 x + 0.025 x^2 = 3.125 -> x = 5 days
    assert team.duration(newcomer, 0.0, 3.125) == pytest.approx(5.0)


def test_leaving_people_finish_their_item_first():
    team = Team(size=1, focus=1.0, staffed=True)
    busy = team.free.popleft()
    team.change(5.0, add=-1, ramp=0.0, start_p=1.0, mentoring=0.0)
    assert team.people == [busy] and team.leaving == 1, "busy: leaves when free"
    team.release(busy, 8.0)
    assert team.people == [] and team.headcount[-1] == (8.0, 0)


def test_backlog_pulls_ready_items_in_order():
    backlog = Backlog()
    a, b, c = job("a"), job("b", ("a",)), job("c")
    for j in (a, b, c):
        backlog.enqueue(j, top=False)
    assert [j.id for _, j in sorted(backlog.ready)] == ["a", "c"], "b waits for a"
    backlog.satisfy("a")
    fix = job("fix-a")
    backlog.enqueue(fix, top=True)
    assert [j.id for _, j in sorted(backlog.ready)] == ["fix-a", "a", "b", "c"]


@pytest.mark.parametrize(
    "approach, done, live",
    [
        ("continuous", 13.0, 13.0),
        ("incremental", 13.0, 15.0),  # 13 + 2 hardening = 15: the release at 5 + 1 x 10
        ("incremental", 14.0, 25.0),  # 16 misses it: the next, 5 + 2 x 10
        ("incremental", 3.0, 15.0),  # the first release after discovery
        ("incremental", 13.0 + 1e-12, 15.0),  # rounding never skips a release
    ],
)
def test_release_policy(approach, done, live):
    policy = ReleasePolicy(approach, release_every=10.0, discovery=5.0, hardening=2.0)
    assert policy.live_time(done) == pytest.approx(live)
