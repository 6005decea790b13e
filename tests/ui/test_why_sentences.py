"""Why more people did not bring the date earlier.

The reasons come from the engine's tables: idle person-days (paid headcount
minus the time people held an item), the WIP limit against the headcount,
items that started the moment their dependency was done, and the busy
person-days newcomers' ramp-up and mentoring add. Checked on the library's
own cases, with the paid person-days recomputed by hand.
"""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from dashboard import levers, narrative, page_tables
from simulation import compare, load_scenario
from simulation.scenario.schema import parse_scenario
from tests.helpers import LIBRARY
from tests.ui.test_pages import PEOPLE_BOUND, RUNS, WHATIF, add_lever, clean, start

SEED = 11


def paired(base, variant):
    cmp = compare({"Baseline": base, "Variant": variant}, runs=RUNS, seed=SEED)
    d = cmp.deltas.set_index(["variant", "metric"]).loc[("Variant", "delivery_day"), "mean"]
    return cmp.results["Baseline"], cmp.results["Variant"], float(d)


@pytest.fixture(scope="module")
def supply_chain_more_people():
    base = load_scenario(LIBRARY / "supply-chain.yaml")
    variant = levers.variant_scenario(base, levers.add_people(base, 20.0, 2))
    return paired(base, variant)


def test_wip_limit_binds_on_the_supply_chain(supply_chain_more_people):
    b, v, shift = supply_chain_more_people
    assert shift == 0.0, "with the WIP limit at 5, two more people change nothing"
    facts = page_tables.people_effect(b, v)
    assert facts["people"] == (7, 5) and facts["wip_limit"] == 5
    assert facts["idle"][0] > facts["idle"][1], "the same work, more paid idle days"
    assert facts["busy"][0] == pytest.approx(facts["busy"][1]), "same futures, same work"
    why = narrative.why_sentences(facts, shift, 0.0)
    assert why and why[0].startswith(
        "The WIP limit of 5 items lets at most 5 of the 7 people work at once"
    ), why
    assert len(why) <= 2


def test_paid_person_days_are_the_headcount_over_time(supply_chain_more_people):
    """Independent of the cost: 5 people throughout and 2 more from day 20, to the end."""
    _b, v, _shift = supply_chain_more_people
    end = v.runs["end_day"].to_numpy(dtype=float)
    by_hand = float(np.mean(5 * end + 2 * np.maximum(end - 20.0, 0.0)))
    busy, paid = page_tables._busy_and_paid(v)
    assert paid == pytest.approx(by_hand, rel=1e-9)
    items = v.items
    assert busy == pytest.approx(float((items["done_day"] - items["start_day"]).sum()) / v.n_runs)


def test_the_chain_is_named_when_the_limit_is_raised():
    """Raising the WIP limit too: the dependency chain still holds the supply chain."""
    base = load_scenario(LIBRARY / "supply-chain.yaml")
    variant = levers.variant_scenario(base, levers.add_people(base, 20.0, 2, raise_wip=True))
    b, v, shift = paired(base, variant)
    facts = page_tables.people_effect(b, v)
    assert facts["wip_limit"] is None
    assert facts["held"] >= facts["dependent"] / 2, facts
    why = narrative.why_sentences(facts, shift, 0.0)
    assert any("chain of dependent items sets the pace" in s for s in why), why


def test_late_newcomers_ramp_up_and_mentoring_make_it_later():
    base = load_scenario(LIBRARY / "onboarding.yaml")
    late = load_scenario(LIBRARY / "onboarding-people-late.yaml")
    b, v, shift = paired(base, late)
    assert shift > 0, "Brooks' law: later, as the library file says"
    facts = page_tables.people_effect(b, v)
    (newcomers,) = facts["newcomers"]
    assert newcomers.mentoring == 0.5 and newcomers.start_productivity == 0.2
    assert facts["busy"][0] > facts["busy"][1] + 10, "the same work took far more time"
    why = narrative.why_sentences(facts, shift, 1.0)
    assert why[0].startswith(
        "The 2 newcomers from day 35 start at 20% of full productivity, need 30 working days"
    ), why
    assert "50% of an experienced colleague" in why[0] and "Brooks' law" in why[0]


def test_nothing_to_explain_when_people_help():
    sc = parse_scenario(yaml.safe_load(PEOPLE_BOUND))
    variant = levers.variant_scenario(sc, levers.add_people(sc, 0.0, 2))
    b, v, shift = paired(sc, variant)
    assert shift < -1, "twelve independent items: two more people are faster"
    assert narrative.why_sentences(page_tables.people_effect(b, v), shift, -5.0) == []
    assert page_tables.people_effect(b, b) is None, "no more people: nothing to explain"


def test_the_page_says_why_under_the_comparison():
    at = start()
    at.switch_page(WHATIF).run()
    add_lever(
        at,
        "add_people",
        people=2,
        ramp=0.0,
        start_prod=100.0,
        mentoring=0.0,
        raise_wip=False,
        name="Two more",
    )
    at.button(key="run_comparison").click().run()
    clean(at, "comparison")
    why = [c.value for c in at.caption if c.value.startswith("**Why not earlier:**")]
    assert len(why) == 1 and "The WIP limit of 5 items" in why[0], why


def _fake(size, items, end, wip=None, changes=()):
    """A results-like object: one future, items as (start, done) in working days."""
    from types import SimpleNamespace

    import pandas as pd

    team = SimpleNamespace(
        size=size,
        wip_limit=wip,
        changes=tuple(SimpleNamespace(at_day=d, add=a) for d, a in changes),
    )
    return SimpleNamespace(
        scenario=SimpleNamespace(team=team),
        items=pd.DataFrame(
            {"run": 0, "start_day": [s for s, _ in items], "done_day": [d for _, d in items]}
        ),
        runs=pd.DataFrame({"run": [0], "end_day": [end]}),
    )


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        # 2 people, one 10-day item: 20 paid, 10 idle with nothing left to start.
        (dict(size=2, items=[(0, 10)], end=10), {"wip": 0, "waiting": 0, "tail": 0.5}),
        # WIP limit 1 of 2 people, two 5-day items in a row: the second person is held
        # back the whole 10 days: 10 of 20.
        (
            dict(size=2, items=[(0, 5), (5, 10)], end=10, wip=1),
            {"wip": 0.5, "waiting": 0, "tail": 0},
        ),
        # No limit, b waits on a: days 0-4 one person waits (4), days 4-10 nothing left (6).
        (dict(size=2, items=[(0, 4), (4, 10)], end=10), {"wip": 0, "waiting": 0.2, "tail": 0.3}),
        # 1 person, a second from day 5: paid 10 + 5 = 15, idle 5 at the end: 1/3.
        (
            dict(size=1, items=[(0, 10)], end=10, changes=[(5, 1)]),
            {"wip": 0, "waiting": 0, "tail": 1 / 3},
        ),
    ],
)
def test_idle_parts_by_hand(case, expected):
    """Each reason's share of the paid person-days, worked out by hand in the comments.
    Catches a reason counted under another, the headcount change ignored and an idle
    stretch counted twice."""
    got = page_tables.idle_parts(_fake(**case))
    assert got == pytest.approx(expected, abs=1e-12)


def test_idle_parts_add_up_to_the_idle_share(supply_chain_more_people):
    """The reasons add up to 1 - busy / paid, which is computed from the cost, another
    way; and the sentence names them, largest first, in words (idle explained)."""
    b, v, shift = supply_chain_more_people
    facts = page_tables.people_effect(b, v)
    assert sum(facts["idle_parts"].values()) == pytest.approx(facts["idle"][0], abs=1e-9)
    why = narrative.why_sentences(facts, shift, 0.0)
    assert (
        "nobody had an item in hand: " in why[0] and "waiting for an item they depend on" in why[0]
    )
    assert "WIP limit" in why[0].split("at once.")[1], "WIP stays in capitals"
