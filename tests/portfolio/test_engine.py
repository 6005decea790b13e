"""The portfolio engine, checked against hand calculations and the single-initiative model.

Times are working days from the portfolio's day 0 (Monday 2027-01-04 unless a
test says otherwise); a 10-day item done by a full-time person takes 10 days.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from simulation import run
from simulation.portfolio import (
    CrossDependency,
    Initiative,
    Move,
    Portfolio,
    SharedPool,
    compare_portfolios,
    load_portfolio,
    run_portfolio,
)
from simulation.portfolio.changes import (
    Cancel,
    Defer,
    InInitiative,
    MovePeople,
    Reprioritise,
    apply_portfolio_changes,
)
from simulation.scenario.changes import AddItems
from tests.helpers import LIBRARY, make_scenario

START = dt.date(2027, 1, 4)


def initiative(iid, team=0, start=START, **sections):
    """An initiative with ``team`` own people (its plan: one 10-day item unless given)."""
    sections.setdefault("items", [{"id": f"{iid}-x", "effort": 10}])
    sc = make_scenario(start_date=start.isoformat(), **sections)
    return Initiative(iid, f"{iid}.yaml", sc, team)


def portfolio(*inis, shared=(), deps=(), **kw):
    p = Portfolio(
        name="test",
        initiatives=tuple(inis),
        shared=tuple(shared),
        depends_on=tuple(deps),
        start_date=min(i.scenario.start_date for i in inis),
        **kw,
    )
    return p


def delivery(res, iid):
    return float(res.initiatives[iid].runs["delivery_day"].iloc[0])


def two_sharing_one_person():
    pool = SharedPool("eng", 1, 100.0, ("a", "b"))
    return portfolio(initiative("a"), initiative("b"), shared=[pool])


def test_priority_sets_who_goes_first():
    """One shared person, no own people, one fixed 10-day item each: the first in
    priority order is done on day 10, the second waits for the person: day 20.
    Cost: each initiative pays the person's 10 busy days x 100. A bug that pools
    people in file order ignoring priority, or charges idle time, breaks it."""
    res = run_portfolio(two_sharing_one_person(), runs=1, seed=1)
    assert delivery(res, "a") == pytest.approx(10)
    assert delivery(res, "b") == pytest.approx(20)
    assert res.initiatives["a"].runs["cost"].iloc[0] == pytest.approx(1000)
    assert res.initiatives["b"].runs["cost"].iloc[0] == pytest.approx(1000)


def test_reprioritised_they_swap():
    """The same two with ``reprioritise [b, a]``: b done on day 10, a on day 20; the
    paired delta of a's delivery is +10 and b's -10 in every run."""
    base = two_sharing_one_person()
    swapped = apply_portfolio_changes(base, (Reprioritise(("b", "a")),))
    res = run_portfolio(swapped, runs=1, seed=1)
    assert (delivery(res, "b"), delivery(res, "a")) == pytest.approx((10, 20))
    cmp = compare_portfolios({"base": base, "swap": swapped}, runs=3, seed=1)
    assert cmp.deltas["swap"]["a"]["delivery_day"]["mean"] == pytest.approx(10)
    assert cmp.deltas["swap"]["b"]["delivery_day"]["mean"] == pytest.approx(-10)


def test_own_team_first_then_the_pool():
    """a has one person of its own and two 10-day items; the pool's one person
    serves a and b (b one 10-day item, lower priority). a's own person takes
    a's first item, the shared person a's second (priority): a done at 10; b
    waits for the shared person: done at 20."""
    a = initiative("a", team=1, items=[{"id": "a1", "effort": 10}, {"id": "a2", "effort": 10}])
    p = portfolio(a, initiative("b"), shared=[SharedPool("eng", 1, 0.0, ("a", "b"))])
    res = run_portfolio(p, runs=1, seed=1)
    assert (delivery(res, "a"), delivery(res, "b")) == pytest.approx((10, 20))


def test_cross_dependency_shifts_the_waiting_item():
    """b (own person) has x (4 days) then y (5 days, independent); y waits for a's
    item (12 days, a's own person). Alone b would be done at 9; waiting, y
    starts at 12 and is done at 17. a is untouched: 12."""
    a = initiative("a", team=1, items=[{"id": "a1", "effort": 12}])
    b = initiative("b", team=1, items=[{"id": "x", "effort": 4}, {"id": "y", "effort": 5}])
    p = portfolio(a, b, deps=[CrossDependency("b/y", "a/a1")])
    res = run_portfolio(p, runs=1, seed=1)
    assert delivery(res, "b") == pytest.approx(17)
    assert delivery(res, "a") == pytest.approx(12)
    alone = run_portfolio(portfolio(a, b), runs=1, seed=1)
    assert delivery(alone, "b") == pytest.approx(9)


def test_later_start_reads_its_own_clock():
    """b starts a week later (2027-01-11, 5 working days) and shares one person
    with a (10 days, starts day 0): the person is busy with a until portfolio
    day 10 = b's day 5, so b (10 days) is done at b's day 15."""
    a = initiative("a")
    b = initiative("b", start=dt.date(2027, 1, 11))
    p = portfolio(a, b, shared=[SharedPool("eng", 1, 0.0, ("a", "b"))])
    res = run_portfolio(p, runs=1, seed=1)
    assert delivery(res, "b") == pytest.approx(15)
    assert res.offsets["b"] == 5


def test_defer_moves_the_start_and_the_date():
    """Deferring a lone initiative (one own person, 10-day item) by 5 working days
    leaves its delivery day at 10 on its own clock and moves its date a week:
    from Fri 2027-01-15 to Fri 2027-01-22."""
    p = portfolio(initiative("a", team=1), initiative("b", team=1))
    later = apply_portfolio_changes(p, (Defer("a", 5),))
    res = run_portfolio(later, runs=1, seed=1)
    assert delivery(res, "a") == pytest.approx(10)
    assert str(res.initiatives["a"].runs["delivery_date"].iloc[0])[:10] == "2027-01-22"


def test_move_people_adds_to_the_target():
    """a: one own person, two 10-day items (20 days alone). Moving one person from
    b's team (b: two people, one item) to a at day 0 gives a two people: 10."""
    a = initiative("a", team=1, items=[{"id": "a1", "effort": 10}, {"id": "a2", "effort": 10}])
    p = portfolio(a, initiative("b", team=2))
    assert delivery(run_portfolio(p, runs=1, seed=1), "a") == pytest.approx(20)
    moved = apply_portfolio_changes(p, (MovePeople("b", "a", 1, 0.0),))
    res = run_portfolio(moved, runs=1, seed=1)
    assert delivery(res, "a") == pytest.approx(10)
    assert delivery(res, "b") == pytest.approx(10)


def test_cancel_frees_the_shared_person():
    """Cancelling a (first priority) gives the shared person to b at once: b done at
    10 instead of 20; the ripple marks a as cancelled and its NPV lost."""
    base = two_sharing_one_person()
    cut = apply_portfolio_changes(base, (Cancel("a"),))
    cmp = compare_portfolios({"base": base, "cut": cut}, runs=2, seed=1)
    assert cmp.deltas["cut"]["b"]["delivery_day"]["mean"] == pytest.approx(-10)
    assert cmp.deltas["cut"]["a"]["cancelled"] is True
    ripple = cmp.ripple("cut").set_index("initiative")
    assert bool(ripple.loc["a", "cancelled"])


def test_initiative_change_ripples_to_the_other():
    """Adding 5 person-days to a (first priority) on day 0 keeps the shared person
    on a until 15, so b is done at 25: Δ a = Δ b = +5 (paired, every run)."""
    base = two_sharing_one_person()
    more = apply_portfolio_changes(
        base, (InInitiative("a", AddItems(at_day=0, items=[{"id": "extra", "effort": 5}])),)
    )
    cmp = compare_portfolios({"base": base, "more": more}, runs=2, seed=1)
    assert cmp.deltas["more"]["a"]["delivery_day"]["mean"] == pytest.approx(5)
    assert cmp.deltas["more"]["b"]["delivery_day"]["mean"] == pytest.approx(5)


def test_isolated_initiatives_get_exactly_their_standalone_numbers():
    """The library's three plans in one portfolio, each with its own team, sharing
    nobody and waiting for nothing, two of them starting later than day 0: every
    column of each one's runs table equals a standalone ``run`` under the same
    seed, bit for bit. Catches an engine that shares a random stream, lets one
    initiative's events reorder another's, or rounds a later start's clock."""
    p = load_portfolio(LIBRARY / "portfolios" / "data-platform.yaml")
    alone = tuple(Initiative(i.id, i.plan, i.scenario, i.scenario.team.size) for i in p.initiatives)
    iso = p.with_(initiatives=alone, shared=(), depends_on=())
    res = run_portfolio(iso, runs=120, seed=7)
    assert {v for v in res.offsets.values()} == {0, 5, 20}  # later starts are exercised
    for ini in iso.initiatives:
        single = run(ini.scenario, runs=120, seed=7, workers=1).runs
        mine = res.initiatives[ini.id].runs
        for col in single.columns:
            assert single[col].astype(str).equals(mine[col].astype(str)), (ini.id, col)


def test_all_on_time_is_the_product_for_independent_initiatives():
    """Three independent initiatives (distinct item ids, own teams, nothing shared),
    each one 10-day uniform(6, 14) item and a deadline at day 10 (Fri 2027-01-15):
    each is on time with chance 1/2, so all three with 1/8. Over 2,000 runs the
    standard error is sqrt(1/8 x 7/8 / 2000) = 0.0074; we allow 4 of them. A bug
    that reuses one initiative's draws for the others gives 1/2."""
    inis = [
        initiative(
            k,
            team=1,
            deadline="2027-01-15",
            items=[{"id": f"{k}-work", "effort": {"dist": "uniform", "low": 6, "high": 14}}],
        )
        for k in ("a", "b", "c")
    ]
    res = run_portfolio(portfolio(*inis), runs=2000, seed=3)
    each = [res.initiatives[k].runs["on_time"].mean() for k in "abc"]
    assert res.runs["all_on_time"].mean() == pytest.approx(np.prod(each), abs=4 * 0.0074)
    assert res.runs["all_on_time"].mean() == pytest.approx(1 / 8, abs=4 * 0.0074 + 0.03)


def test_portfolio_value_is_the_sum_and_weeks_are_shifted():
    """Portfolio value and NPV per run = the sum over initiatives (no pool, so no idle
    shared cost); b starts a week
    later, so its first weekly value lands in portfolio week 2 (one week shift)."""
    a = initiative("a", team=1, items=[{"id": "a1", "effort": 5, "value": {"per_week": 100}}])
    b = initiative(
        "b",
        team=1,
        start=dt.date(2027, 1, 11),
        items=[{"id": "b1", "effort": 5, "value": {"per_week": 100}}],
    )
    res = run_portfolio(portfolio(a, b), runs=1, seed=1)
    total = sum(r.runs["npv"].iloc[0] for r in res.initiatives.values())
    assert res.runs["npv"].iloc[0] == pytest.approx(total)
    w = res.weekly
    assert w[(w.initiative == "b")]["week"].min() == 2
    assert not math.isnan(res.summary()["npv_mean"])


def test_same_seed_same_numbers():
    """Two runs of the bundled portfolio with one seed give identical tables."""
    p = load_portfolio(LIBRARY / "portfolios" / "data-platform.yaml")
    one = run_portfolio(p, runs=40, seed=5)
    two = run_portfolio(p, runs=40, seed=5)
    for iid in one.initiatives:
        assert one.initiatives[iid].runs.equals(two.initiatives[iid].runs)
    assert one.runs.equals(two.runs)


def test_idle_shared_people_are_the_portfolios_cost():
    """A pool of three (100 a day) serving a and b, one 10-day item each: two
    people busy 10 days (1,000 charged to each initiative), the third idle
    until the last work ends at day 10: 1,000 of idle cost, the portfolio's
    alone; portfolio cost 3,000, and (no discounting) its NPV is the sum of
    the initiatives' minus that 1,000. Catches idle time charged to nobody
    (moving people into a pool would look free) or to an initiative."""
    pool = SharedPool("eng", 3, 100.0, ("a", "b"))
    res = run_portfolio(portfolio(initiative("a"), initiative("b"), shared=[pool]), runs=1, seed=1)
    assert res.initiatives["a"].runs["cost"].iloc[0] == pytest.approx(1000)
    assert res.runs["shared_idle_cost"].iloc[0] == pytest.approx(1000)
    assert res.runs["cost"].iloc[0] == pytest.approx(3000)
    total = sum(r.runs["npv"].iloc[0] for r in res.initiatives.values())
    assert res.runs["npv"].iloc[0] == pytest.approx(total - 1000)


def test_defer_shows_in_the_ripple_on_the_portfolio_clock():
    """Deferring a lone initiative (own person, 10-day item) by 5 working days: its
    own delivery day stays 10, but the ripple compares on the portfolio's clock,
    so Δ delivery = +5 working days (not 0, which would hide the deferral)."""
    p = portfolio(initiative("a", team=1), initiative("b", team=1))
    later = apply_portfolio_changes(p, (Defer("a", 5),))
    cmp = compare_portfolios({"base": p, "later": later}, runs=2, seed=1)
    assert cmp.deltas["later"]["a"]["delivery_day"]["mean"] == pytest.approx(5)
    assert cmp.deltas["later"]["b"]["delivery_day"]["mean"] == pytest.approx(0)


def test_a_move_on_day_0_happens_before_work_starts():
    """b has two people and two 10-day items, no discovery; one of them moves to a
    on day 0. Had b's people picked up work first, both of b's items would be
    done at 10 (the mover leaving only after finishing); moved first, b's one
    person does both: 20. a (no own people, one 10-day item) is done at 10."""
    b = initiative("b", team=2, items=[{"id": "b1", "effort": 10}, {"id": "b2", "effort": 10}])
    p = portfolio(initiative("a", team=0), b, shared=[SharedPool("eng", 1, 0.0, ("a",))])
    moved = apply_portfolio_changes(p, (MovePeople("b", "a", 1, 0.0),))
    res = run_portfolio(moved, runs=1, seed=1)
    assert delivery(res, "b") == pytest.approx(20)
    assert delivery(res, "a") == pytest.approx(10)


def test_a_busy_mover_joins_when_their_item_is_done():
    """b's one person is on a 10-day item when a move to a is due on day 5; a has no
    people and one 10-day item. The mover finishes b's item (day 10), then joins a:
    a is done at 20, not 15 (which would count the person in both places from day
    5), and b pays 10 person-days at 100, a 10."""
    a = initiative("a", team=0)
    plan = make_scenario(
        start_date=START.isoformat(),
        team={"size": 1, "cost_per_person_day": 100},
        items=[{"id": "b-x", "effort": 10}],
    )
    b = Initiative("b", "b.yaml", plan, 1)
    p = portfolio(a, b, moves=(Move(5.0, "b", "a", 1),))
    res = run_portfolio(p, runs=1, seed=1)
    assert delivery(res, "b") == pytest.approx(10)
    assert delivery(res, "a") == pytest.approx(20)
    assert res.initiatives["b"].runs["cost"].iloc[0] == pytest.approx(10 * 100)
