"""What-if page: what a new user needs from it, one test per behaviour.

Each test drives the page through AppTest as the user did (a facilitator with
several candidate changes, a trainer, a product leader with their own file)
and checks the page's behaviour, and its numbers against the engine's.
"""

from __future__ import annotations

import pytest

from dashboard import fmt, levers, narrative, page_tables
from simulation import compare
from tests.ui.test_pages import (
    PEOPLE_BOUND,
    RUNS,
    WHATIF,
    _widgets,
    add_lever,
    clean,
    comparison_table,
    start,
    upload,
)

#: Every test saves into its own folder (tests/conftest.py), never into scenarios/user.
pytestmark = pytest.mark.usefixtures("user_dir")


def whatif():
    at = start()
    at.switch_page(WHATIF).run()
    clean(at, "What-if page")
    return at


def widget(at, key: str):
    return next(w for w in _widgets(at) if w.key == key)


def names(at) -> list[str]:
    return [v.name for v in at.session_state["variants"]]


# ------------------------------------------------------------------ point 1
def test_a_new_variant_is_offered_in_add_to_at_once():
    """Right after a lever makes a variant, the next lever's "Add to" lists it, without
    switching levers first (it used to lag one variant behind)."""
    at = whatif()
    add_lever(at, "delay_start", delay=5.0, name="Accepted set")
    clean(at, "after the first lever")
    assert "Accepted set" in at.selectbox(key="lv_target").options
    add_lever(at, "delay_start", delay=10.0, name="Other")
    assert at.selectbox(key="lv_target").options == ["A new variant", "Accepted set", "Other"]
    add_lever(at, "freeze_scope", target="Accepted set")
    assert names(at) == ["Accepted set", "Other"], "added to it, no 'Accepted set (2)'"
    assert len(at.session_state["variants"][0].changes) == 2


# ------------------------------------------------------------------ point 2
def test_the_lever_form_starts_afresh_after_add_lever():
    """The next item does not silently inherit the last one's name and dependencies."""
    at = whatif()
    add_lever(
        at,
        "add_item",
        item_name="Tracking",
        item_deps=["ingest"],
        item_low=1.0,
        name="With tracking",
    )
    clean(at, "after adding an item")
    assert names(at) == ["With tracking"]
    assert widget(at, "lv_item_name").value == "New feature"
    assert widget(at, "lv_item_deps").value == []
    assert widget(at, "lv_item_low").value == 8.0
    assert widget(at, "lv_name").value == ""
    assert any("back to their defaults" in s.value for s in at.success)
    add_lever(at, "add_item", item_deps=[])
    (second,) = at.session_state["variants"][1].changes
    assert second.items[0].depends_on == () and second.items[0].name == "New feature"


def test_a_failed_lever_keeps_what_was_typed():
    at = whatif()
    add_lever(at, "add_item", item_name="Broken", item_low=30.0, item_high=5.0)
    assert any("does not fit" in e.value for e in at.error)
    assert widget(at, "lv_item_name").value == "Broken", "nothing typed is lost on an error"


# ------------------------------------------------------------------ point 3
def test_duplicate_and_rename_a_variant():
    """A+C+D without E: duplicate the set, remove E from the copy; rename either."""
    at = whatif()
    add_lever(at, "delay_start", delay=5.0, name="Set")
    for day in (30.0, 40.0):
        add_lever(at, "freeze_scope", target="Set", freeze=day)
    next(b for b in at.button if b.key == "duplicate_0_Set").click().run()
    clean(at, "after duplicating")
    assert names(at) == ["Set", "Set (copy)"]
    original, copy = at.session_state["variants"]
    assert copy.changes == original.changes and copy.changes is not original.changes
    next(b for b in at.button if b.key == "rm_1_2_Set (copy)").click().run()
    assert len(at.session_state["variants"][1].changes) == 2
    assert len(at.session_state["variants"][0].changes) == 3, "the original keeps all three"

    at.text_input(key="rename_1_Set (copy)").set_value("Set without the late freeze")
    next(b for b in at.button if b.key == "rename_btn_1_Set (copy)").click().run()
    clean(at, "after renaming")
    assert names(at) == ["Set", "Set without the late freeze"]
    at.text_input(key="rename_0_Set").set_value("Set without the late freeze")
    next(b for b in at.button if b.key == "rename_btn_0_Set").click().run()
    assert names(at) == ["Set", "Set without the late freeze"], "names stay unique"
    assert any("already the name" in e.value for e in at.error)
    assert "Set without the late freeze" in at.selectbox(key="lv_target").options


# ------------------------------------------------------------------ point 6
def test_make_baseline_keeps_the_original_plan_and_says_what_it_is():
    at = whatif()
    before = at.session_state["scenario"]
    add_lever(at, "delay_start", delay=10.0, name="Late start")
    next(b for b in at.button if b.label == "Make baseline").click().run()
    clean(at, "after promoting")
    after = at.session_state["scenario"]
    assert after.name == f"{before.name} with: Late start"
    assert "Delays the start of build work by 10 working days" in after.description
    assert (
        after.delivery
        == levers.variant_scenario(before, [c for c in levers.delay_start(10.0)]).delivery
    )
    (original,) = at.session_state["variants"]
    assert original.name == "Original plan" and original.base == before
    at.button(key="run_comparison").click().run()
    clean(at, "comparing with the original plan")
    table = comparison_table(at)
    assert list(table.index) == ["Baseline", "Original plan"]
    cmp = compare(
        {"Baseline": after, "Original plan": before}, runs=RUNS, seed=after.simulation.seed
    )
    p50 = cmp.results["Original plan"].summary()["delivery"]["p50_date"]
    assert table.loc["Original plan", "P50 delivery"].startswith(fmt.date(p50) + " (-"), (
        "the original plan is earlier than the promoted late start, as the engine says"
    )


# ------------------------------------------------------------------ point 7
def test_six_scenarios_are_rows_and_cost_is_shown():
    at = whatif()
    for day in (5.0, 10.0, 15.0, 20.0, 25.0):
        add_lever(at, "delay_start", delay=day)
    at.button(key="run_comparison").click().run()
    clean(at, "six scenarios")
    table = comparison_table(at)
    assert len(table) == 6 and table.index[0] == "Baseline"
    assert list(table.columns) == page_tables.COMPARISON_MEASURES
    sc = at.session_state["scenario"]
    cmp = compare(
        {"Baseline": sc, "v": levers.variant_scenario(sc, at.session_state["variants"][0].changes)},
        runs=RUNS,
        seed=sc.simulation.seed,
    )
    cost = cmp.results["v"].summary()["cost"]["mean"]
    assert table.iloc[1]["Cost (mean)"].startswith(fmt.money(cost) + " (+"), (
        "waiting costs money: the engine's mean cost, and its difference"
    )


# ------------------------------------------------------------------ point 8
BASE = {"p50_date": "2027-05-04", "p85_date": "2027-06-02"}


def test_headline_leads_with_the_largest_shift():
    """P50 ten days later while P85 stays: both said, the P50 first."""
    text = narrative.date_headline(
        BASE, {"p50_date": "2027-05-18", "p85_date": "2027-06-02"}, {"p50": 10.0, "p85": 0.0}
    )
    assert text.startswith("the P50 date moves 10 working days later"), text
    assert "the P85 date stays at 2 Jun 2027" in text
    text = narrative.date_headline(
        BASE, {"p50_date": "2027-05-05", "p85_date": "2027-06-16"}, {"p50": 1.0, "p85": 10.0}
    )
    assert text.startswith("the P85 date moves 10 working days later"), text
    assert "the P50 date moves 1 working day later" in text
    text = narrative.date_headline(
        BASE, {"p50_date": "2027-05-11", "p85_date": "2027-06-09"}, {"p50": 5.0, "p85": 5.0}
    )
    assert text.startswith("the P50 and P85 dates both move 5 working days later"), text
    text = narrative.date_headline(BASE, BASE, {"p50": 0.0, "p85": 0.0})
    assert text.startswith("the P50 and P85 dates stay at"), text


def test_the_page_sentence_states_both_dates():
    at = whatif()
    add_lever(
        at,
        "add_item",
        item_name="Big extra",
        item_day=0.0,
        item_low=30.0,
        item_mode=40.0,
        item_high=60.0,
        item_top=True,
    )
    at.button(key="run_comparison").click().run()
    sentence = next(m.value for m in at.markdown if m.value.startswith("**Add Big extra**:"))
    assert "P50" in sentence and "P85" in sentence, sentence


# ----------------------------------------------------------------- point 10
def test_creep_change_control_and_resize_levers():
    """Each builds the engine's own change; the comparison moves as the engine says."""
    at = whatif()
    sc = at.session_state["scenario"]
    assert sc.scope.creep is not None
    add_lever(at, "set_creep", creep_rate=2.0, name="More creep")
    add_lever(at, "change_control", change_control=3.0, name="Heavy control")
    add_lever(at, "resize_item", resize_id="inventory", resize_factor=2.0, name="Bigger")
    clean(at, "after the three levers")
    v = {x.name: x.changes for x in at.session_state["variants"]}
    assert [c.kind for c in v["More creep"]] == ["set"]
    assert levers.variant_scenario(sc, v["More creep"]).scope.creep.rate_per_week == 2.0
    assert levers.variant_scenario(sc, v["Heavy control"]).scope.change_control_days == 3.0
    (rz,) = v["Bigger"]
    assert rz.kind == "resize_items" and rz.items[0].id == "inventory" and rz.items[0].factor == 2.0
    at.button(key="run_comparison").click().run()
    clean(at, "comparing them")
    cmp = compare(
        {"Baseline": sc, **{n: levers.variant_scenario(sc, c) for n, c in v.items()}},
        runs=RUNS,
        seed=sc.simulation.seed,
    )
    table = comparison_table(at)
    for name in v:
        mean = cmp.results[name].summary()["delivery"]["mean_day"]
        base = cmp.results["Baseline"].summary()["delivery"]["mean_day"]
        assert mean > base, f"{name} delays delivery in the engine"
        assert table.loc[name, "Delivery shift (mean)"].startswith("+"), name


def test_creep_lever_explains_a_scenario_without_creep():
    at = start()
    upload(at, PEOPLE_BOUND)
    at.switch_page(WHATIF).run()
    add_lever(at, "set_creep")
    clean(at, "creep lever without creep")
    assert any("no scope creep" in i.value for i in at.info)
    assert any("no scope creep" in e.value for e in at.error)
    assert at.session_state["variants"] == []
