"""Deterministic checks: every distribution fixed, results worked out by hand.

Each test states the hand calculation in its docstring. Times are working
days from day 0; a 10-day item started at day 0 by a full-time person is done
at t = 10.
"""

from __future__ import annotations

import math

import pytest

from simulation import run
from tests.helpers import items, make_scenario


def one_run(sc, **kw):
    res = run(sc, runs=1, seed=1, workers=1, **kw)
    return res.runs.iloc[0], res.items[res.items.run == 0].set_index("id")


def delivery(**sections) -> float:
    return float(one_run(make_scenario(**sections))[0]["delivery_day"])


def test_serial_chain_and_cost():
    """One person, 10 + 10 + 20 days in a row: delivered at 40; cost 40 x 800."""
    row, _ = one_run(
        make_scenario(team={"size": 1, "cost_per_person_day": 800}, items=items(10, 10, 20))
    )
    assert row["delivery_day"] == pytest.approx(40)
    assert row["cost"] == pytest.approx(40 * 800)
    assert row["effort_total"] == pytest.approx(40)


def test_parallel_team():
    """Two people, four independent 10-day items: two waves, done at 20; cost 2 x 20 x 100."""
    row, _ = one_run(
        make_scenario(team={"size": 2, "cost_per_person_day": 100}, items=items(10, 10, 10, 10))
    )
    assert row["delivery_day"] == pytest.approx(20)
    assert row["cost"] == pytest.approx(2 * 20 * 100)


def test_dependencies_follow_the_critical_path():
    """a=5; b=10 after a; c=3 after a; d=4 after b and c: 5 + 10 + 4 = 19."""
    assert delivery(
        team={"size": 3}, items=items(5, 10, 3, 4, deps={"b": ["a"], "c": ["a"], "d": ["b", "c"]})
    ) == pytest.approx(19)


def test_wip_limit_serialises_a_big_team():
    """Three people but WIP limit 1: three 10-day items run one after another: 30."""
    assert delivery(team={"size": 3, "wip_limit": 1}, items=items(10, 10, 10)) == pytest.approx(30)


def test_focus_stretches_duration():
    """Focus 0.5: a 10 person-day item takes 20 working days."""
    assert delivery(team={"size": 1, "focus": 0.5}, items=items(10)) == pytest.approx(20)


def test_backlog_order_is_pull_order():
    """One person: items are worked in backlog order (a, b, c: done at 2, 5, 9)."""
    _, it = one_run(make_scenario(items=items(2, 3, 4)))
    assert list(it.loc[["a", "b", "c"], "done_day"]) == pytest.approx([2, 5, 9])


def test_incremental_release_cadence_with_hardening():
    """Releases every 10 days after 5 days of discovery (15, 25, ...), 2 days of hardening.

    Items of 6 days done at 11, 17, 23 need a release at or after 13, 19, 25:
    they go live at 15, 25, 25. Delivered at 25.
    """
    row, it = one_run(
        make_scenario(
            items=items(6, 6, 6),
            delivery={
                "approach": "incremental",
                "release_every_days": 10,
                "discovery_days": 5,
                "hardening_days": 2,
            },
        )
    )
    assert list(it.loc[["a", "b", "c"], "done_day"]) == pytest.approx([11, 17, 23])
    assert list(it.loc[["a", "b", "c"], "live_day"]) == pytest.approx([15, 25, 25])
    assert row["delivery_day"] == pytest.approx(25)


def test_big_bang_launch_after_hardening():
    """Big bang: two 6-day items done at 12, three days hardening: everything live at 15."""
    row, it = one_run(
        make_scenario(items=items(6, 6), delivery={"approach": "big_bang", "hardening_days": 3})
    )
    assert row["delivery_day"] == pytest.approx(15)
    assert list(it["live_day"]) == pytest.approx([15, 15])


def test_scheduled_addition():
    """A 6-day item added on day 15 to a 40-day plan (one person) finishes at 46."""
    assert delivery(
        items=items(10, 10, 20),
        scope={"changes": [{"at_day": 15, "add": [{"id": "x", "effort": 6}]}]},
    ) == pytest.approx(46)


def test_change_control_overhead():
    """The same addition with 1 day of change control: 47."""
    assert delivery(
        items=items(10, 10, 20),
        scope={
            "changes": [{"at_day": 15, "add": [{"id": "x", "effort": 6}]}],
            "change_control_days": 1,
        },
    ) == pytest.approx(47)


def test_addition_at_top_jumps_the_queue():
    """Added at the top on day 15: x (6 days) runs 20-26 before c, which ends at 46."""
    row, it = one_run(
        make_scenario(
            items=items(10, 10, 20),
            scope={
                "changes": [{"at_day": 15, "priority": "top", "add": [{"id": "x", "effort": 6}]}]
            },
        )
    )
    assert it.loc["x", "done_day"] == pytest.approx(26)
    assert row["delivery_day"] == pytest.approx(46)


def test_freeze_defers_later_changes():
    """Freeze on day 10: the day-15 addition is deferred, the plan stays at 40."""
    row, it = one_run(
        make_scenario(
            items=items(10, 10, 20),
            scope={
                "changes": [{"at_day": 15, "add": [{"id": "x", "effort": 6}]}],
                "freeze_day": 10,
            },
        )
    )
    assert row["delivery_day"] == pytest.approx(40)
    assert row["deferred"] == 1
    assert "x" not in it.index


def test_removal_and_resize():
    """Remove b (10) before it starts and double c (20 -> 40): 10 + 40 = 50."""
    assert delivery(
        items=items(10, 10, 20),
        scope={"changes": [{"at_day": 5, "remove": ["b"], "resize": [{"id": "c", "factor": 2}]}]},
    ) == pytest.approx(50)


def test_blocker_stops_all_work():
    """A certain blocker on day 5 for 3 days: two 10-day items in a row finish at 23."""
    risk = {
        "id": "env",
        "probability": 1,
        "window": [5, 5],
        "impact": {"kind": "blocker", "days": 3},
    }
    assert delivery(items=items(10, 10), risks=[risk]) == pytest.approx(23)


def test_blocker_during_discovery_extends_it():
    """5 days of discovery, a 4-day blocker on day 2: build starts at 9, 10-day item ends at 19."""
    risk = {
        "id": "env",
        "probability": 1,
        "window": [2, 2],
        "impact": {"kind": "blocker", "days": 4},
    }
    assert delivery(items=items(10), risks=[risk], delivery={"discovery_days": 5}) == pytest.approx(
        19
    )


def test_overlapping_blockers_count_once():
    """Blockers on [1, 11] and [3, 13] stop work for 12 days in all: a 20-day item ends at 32."""
    risks = [
        {"id": "r1", "probability": 1, "window": [1, 1], "impact": {"kind": "blocker", "days": 10}},
        {"id": "r2", "probability": 1, "window": [3, 3], "impact": {"kind": "blocker", "days": 10}},
    ]
    assert delivery(items=items(20), risks=risks) == pytest.approx(32)


def test_zero_probability_risk_never_fires():
    """A risk with probability 0 changes nothing: 10 + 10 = 20."""
    risk = {
        "id": "env",
        "probability": 0,
        "window": [5, 5],
        "impact": {"kind": "blocker", "days": 30},
    }
    assert delivery(items=items(10, 10), risks=[risk]) == pytest.approx(20)


def test_extra_work_risk():
    """Extra work of 5 person-days on a: 10 + 5 + 10 = 25."""
    risk = {
        "id": "dq",
        "probability": 1,
        "impact": {"kind": "extra_work", "items": ["a"], "effort": 5},
    }
    assert delivery(items=items(10, 10), risks=[risk]) == pytest.approx(25)


def test_capacity_loss_pauses_a_busy_person():
    """Two people on two 10-day items; one leaves on day 4 for 3 days: that item ends at 13."""
    risk = {
        "id": "flu",
        "probability": 1,
        "window": [4, 4],
        "impact": {"kind": "capacity_loss", "people": 1, "days": 3},
    }
    assert delivery(team={"size": 2}, items=items(10, 10), risks=[risk]) == pytest.approx(13)


def test_capacity_loss_of_an_idle_person_costs_nothing():
    """Three people, two items: the idle third person leaving changes nothing (10)."""
    risk = {
        "id": "flu",
        "probability": 1,
        "window": [4, 4],
        "impact": {"kind": "capacity_loss", "people": 1, "days": 3},
    }
    assert delivery(team={"size": 3}, items=items(10, 10), risks=[risk]) == pytest.approx(10)


def test_staffing_addition_without_ramp_up():
    """One person plus one more on day 0: four 10-day items in two waves, 20."""
    assert delivery(
        team={"size": 1, "changes": [{"at_day": 0, "add": 1}]}, items=items(10, 10, 10, 10)
    ) == pytest.approx(20)


def test_newcomer_ramp_up():
    """A newcomer at day 0, productivity 0.5 climbing linearly to 1 over 10 days.

    Veteran: a 0-10, c 10-20. Newcomer on b: p(t) = 0.5 + 0.05 t, so by day 10
    they have done 0.5 x 10 + 0.05 x 10^2 / 2 = 7.5 person-days; the last 2.5
    take until 12.5. Then d: 12.5-22.5. Delivered at 22.5.
    """
    assert delivery(
        team={
            "size": 1,
            "changes": [{"at_day": 0, "add": 1, "ramp_up_days": 10, "start_productivity": 0.5}],
        },
        items=items(10, 10, 10, 10),
    ) == pytest.approx(22.5)


def test_newcomer_on_a_long_item_speeds_up_during_it():
    """A slow starter on a long item: 0.1 rising to 1 over 10 days, item of 100 person-days.

    Ramp work = 0.1 x 10 + 0.09 x 10^2 / 2 = 5.5; the other 94.5 at full speed: done at
    104.5, earlier than the veteran alone (110). Productivity is not frozen at the start.
    """
    base = dict(items=items(10, 100))
    assert delivery(**base) == pytest.approx(110)
    assert delivery(
        team={
            "size": 1,
            "changes": [{"at_day": 0, "add": 1, "ramp_up_days": 10, "start_productivity": 0.1}],
        },
        **base,
    ) == pytest.approx(104.5)


def test_newcomer_finishing_inside_the_ramp():
    """0.2 rising by 0.08 a day: 2 person-days take x with 0.2 x + 0.04 x^2 = 2, x = 5."""
    _, it = one_run(
        make_scenario(
            team={
                "size": 1,
                "changes": [{"at_day": 0, "add": 1, "ramp_up_days": 10, "start_productivity": 0.2}],
            },
            items=items(20, 2),
        )
    )
    assert it.loc["b", "done_day"] == pytest.approx(5)


def test_mentoring_slows_the_veteran():
    """Mentoring 0.5: the veteran works at 0.5 while the newcomer ramps (days 0-40).

    Veteran: a at 0.5 takes 20. Newcomer (start 1.0, still ramping): b 0-10.
    Cost: 2 people x 20 days.
    """
    row, it = one_run(
        make_scenario(
            team={
                "size": 1,
                "cost_per_person_day": 1,
                "changes": [
                    {
                        "at_day": 0,
                        "add": 1,
                        "ramp_up_days": 40,
                        "start_productivity": 1,
                        "mentoring": 0.5,
                    }
                ],
            },
            items=items(10, 10),
        )
    )
    assert it.loc["a", "done_day"] == pytest.approx(20)
    assert it.loc["b", "done_day"] == pytest.approx(10)
    assert row["cost"] == pytest.approx(40)


def test_people_leaving():
    """Two people, one leaves on day 5 (after finishing their item): 3 x 10-day items end at 20.

    a (0-10) and b (0-10) in parallel; at 10 the leaver goes; c 10-20 by one person.
    Cost: 2 people x 10 days + 1 x 10 = 30 person-days.
    """
    row, _ = one_run(
        make_scenario(
            team={"size": 2, "cost_per_person_day": 1, "changes": [{"at_day": 5, "add": -1}]},
            items=items(10, 10, 10),
        )
    )
    assert row["delivery_day"] == pytest.approx(20)
    assert row["cost"] == pytest.approx(30)


def test_delivery_date_uses_the_calendar():
    """40 working days from Monday 2027-01-04 with Good Friday off end on Monday 2027-03-01."""
    row, _ = one_run(make_scenario(items=items(40), calendar={"holidays": ["2027-02-19"]}))
    # 40 working days Jan 4 - Feb 26 without holidays; one holiday pushes it to Mar 1.
    assert str(row["delivery_date"])[:10] == "2027-03-01"


def test_on_time_against_the_deadline():
    """Done on day 40 (2027-02-26): on time for a deadline that day, late for the day before."""
    sc = dict(items=items(40))
    assert bool(one_run(make_scenario(deadline="2027-02-26", **sc))[0]["on_time"])
    assert not bool(one_run(make_scenario(deadline="2027-02-25", **sc))[0]["on_time"])


def test_misfit_found_after_closure_is_a_post_closure_fix():
    """Certain misfit: a (10 days) live at 10 is the whole scope, so the project closes at 10.

    The misfit surfaces at 10 + 5; the fix (0.5 x 10 = 5 days) runs 15-20 after
    closure: delivery stays 10, cost runs to 20.
    """
    row, it = one_run(
        make_scenario(
            team={"size": 1, "cost_per_person_day": 1},
            items=items(10),
            iteration={"misfit_probability": 1, "feedback_lag_days": 5, "fix_fraction": 0.5},
        )
    )
    assert row["delivery_day"] == pytest.approx(10)
    assert it.loc["fix-a", "added_day"] == pytest.approx(15)
    assert it.loc["a", "fix_live_day"] == pytest.approx(20)
    assert row["cost"] == pytest.approx(20)


def test_misfit_found_before_closure_delays_it():
    """a (10) and b (10) in a row, both misfit, lag 5, fix 0.25 of effort.

    a live 10, found at 15 while b runs; fix-a (2.5) runs 20-22.5 and counts
    toward scope, so closure is 22.5. b's misfit surfaces at 25, after closure:
    its fix runs 25-27.5 and does not move the delivery day.
    """
    row, it = one_run(
        make_scenario(
            items=items(10, 10),
            iteration={"misfit_probability": 1, "feedback_lag_days": 5, "fix_fraction": 0.25},
        )
    )
    assert row["delivery_day"] == pytest.approx(22.5)
    assert it.loc["fix-b", "done_day"] == pytest.approx(27.5)
    assert row["end_day"] == pytest.approx(27.5)


def test_big_bang_misfits_surface_after_launch():
    """Under big bang nothing is live before launch, so every fix comes after closure."""
    row, it = one_run(
        make_scenario(
            items=items(10, 10),
            delivery={"approach": "big_bang"},
            iteration={"misfit_probability": 1, "feedback_lag_days": 5, "fix_fraction": 0.5},
        )
    )
    assert row["delivery_day"] == pytest.approx(20)
    fixes = it[it.source == "fix"]
    assert len(fixes) == 2 and (fixes["added_day"] >= 20).all()
    assert not fixes["in_scope"].any()


def test_removing_everything_closes_at_once():
    """All scope removed before work starts: closure at day 0 with nothing done."""
    row, _ = one_run(
        make_scenario(items=items(10), scope={"changes": [{"at_day": 0, "remove": ["a"]}]})
    )
    assert row["delivery_day"] == pytest.approx(0)
    assert row["items_done"] == 0


def test_team_that_leaves_entirely_never_delivers():
    """Everyone leaves on day 1 while a 10-day item remains: the run is marked undelivered."""
    row, _ = one_run(
        make_scenario(team={"size": 1, "changes": [{"at_day": 1, "add": -1}]}, items=items(5, 10))
    )
    assert not row["delivered"]
    assert math.isnan(row["delivery_day"])
