"""What-if changes: hand-computed effects, immutability, text, file forms, variants.

Most checks use one deterministic plan: one person, focus 1, continuous
delivery, items a (10 person-days), b (10) and c (20) done in that order, so
the plan delivers on day 40 and every change has a delivery day that can be
worked out by hand (the working is in each docstring).
"""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic.fields import FieldInfo

from simulation import ScenarioError, load_scenario, run
from simulation.scenario.changes import (
    CHANGE_TYPES,
    AddItems,
    AddPeople,
    AddRisk,
    DelayStart,
    FreezeScope,
    RemoveItems,
    RemoveRisk,
    Reorder,
    ResizeItems,
    SetApproach,
    SetField,
    SetIteration,
    apply_changes,
    change_to_data,
    parse_change,
    parse_changes,
    variant_base,
    variant_changes,
    variant_data,
    variant_descriptions,
)
from simulation.scenario.schema import Item, Resize, Risk, Scenario, parse_scenario

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = ROOT / "scenarios"

PLAN: dict[str, Any] = {
    "name": "Deterministic plan",
    "start_date": "2027-01-04",
    "team": {"size": 1},
    "items": [
        {"id": "a", "name": "Alpha", "effort": 10, "value": {"per_week": 100}},
        {"id": "b", "effort": 10, "value": {"per_week": 100}},
        {"id": "c", "effort": 20, "value": {"per_week": 100}},
    ],
}


def plan(**sections: Any) -> Scenario:
    """The deterministic plan, with whole sections replaced."""
    return parse_scenario({**PLAN, **sections})


def delivery_days(sc: Scenario) -> set[float]:
    """Delivery days over a few runs (one value when the scenario is deterministic)."""
    return set(run(sc, runs=3, seed=1).runs["delivery_day"].round(9))


def only_day(sc: Scenario) -> float:
    days = delivery_days(sc)
    assert len(days) == 1, f"a deterministic scenario delivered on different days: {days}"
    return days.pop()


def item(iid: str, effort: Any, **extra: Any) -> Item:
    return Item.model_validate({"id": iid, "effort": effort, **extra})


REALTIME = Item.model_validate(
    {
        "id": "realtime",
        "name": "Near-real-time refresh",
        "effort": {"dist": "triangular", "low": 8, "mode": 12, "high": 25},
        "value": {"per_week": 2500},
    }
)

#: One sample of every change type (used for immutability and round trips).
SAMPLES = [
    AddItems(at_day=30, items=(REALTIME,)),
    AddItems(
        items=(item("x", 6), item("y", {"dist": "pert", "low": 1, "mode": 2, "high": 4})),
        priority="top",
    ),
    RemoveItems(at_day=5, ids=("c",)),
    ResizeItems(
        at_day=5,
        items=(Resize(id="c", factor=1.5), Resize.model_validate({"id": "b", "effort": 4})),
    ),
    Reorder(ids=("c", "a")),
    DelayStart(days=10),
    AddRisk(
        risk=Risk.model_validate(
            {
                "id": "sandbox",
                "name": "Sandbox late",
                "probability": 0.3,
                "window": [0, 40],
                "impact": {
                    "kind": "blocker",
                    "days": {"dist": "triangular", "low": 5, "mode": 10, "high": 20},
                },
            }
        )
    ),
    RemoveRisk(id="known"),
    AddPeople(at_day=40, count=2, ramp_up_days=20, start_productivity=0.3, mentoring=0.25),
    SetApproach(approach="incremental", release_every_days=15, hardening_days=2),
    FreezeScope(at_day=60),
    SetIteration(misfit_probability=0.4, feedback_lag_days=5),
    SetField(path="team.size", value=2),
    SetField(path="deadline", value=None),
]


def sample_base() -> Scenario:
    """The plan plus a risk called 'known', so every sample change applies."""
    return plan(
        risks=[
            {
                "id": "known",
                "probability": 0.5,
                "impact": {"kind": "extra_work", "items": ["a"], "effort": 2},
            }
        ],
        deadline="2027-03-31",
    )


# ------------------------------------------------------ hand-computed effects
def test_plan_itself_delivers_on_day_40():
    """The yardstick: 10 + 10 + 20 person-days, one person, in order."""
    assert only_day(plan()) == 40


def test_delay_start_shifts_everything_but_keeps_day_0():
    """delay_start 10: the build starts on day 10, so 10 + 40 = day 50.

    Day 0 stays the start date: the delivery date is working day 50 from
    Monday 2027-01-04 (Friday 2027-03-12) and the first item goes live on day 20.
    """
    sc = DelayStart(days=10).apply(plan())
    res = run(sc, runs=2, seed=1).runs
    assert set(res["delivery_day"]) == {50}, "delay of 10 on a 40-day plan must deliver on 50"
    assert str(res["delivery_date"].iloc[0])[:10] == "2027-03-12", (
        "day 0 must stay the start date, so day 50 is Friday 12 March"
    )
    assert set(res["first_value_day"]) == {20}, "item a (10 days) starts on day 10, live on 20"
    assert sc.start_date.isoformat() == "2027-01-04", "the start date must not move"
    assert sc.delivery.discovery_days == 10, "delay_start is implemented as discovery days"


def test_delay_start_adds_to_existing_discovery():
    """Discovery 5 plus a delay of 10: build starts on day 15, delivery 55."""
    assert only_day(DelayStart(days=10).apply(plan(delivery={"discovery_days": 5}))) == 55


def test_add_items_at_end_and_at_top():
    """A 6-day item added on day 15.

    At the end of the backlog: a 0-10, b 10-20, c 20-40, new 40-46 -> 46.
    At the top: b (started on day 10) finishes at 20, then new 20-26, c 26-46 -> 46,
    but the new item is done on day 26 instead of 46.
    """
    for priority, done in (("end", 46), ("top", 26)):
        sc = AddItems(at_day=15, items=(item("x", 6),), priority=priority).apply(plan())
        res = run(sc, runs=2, seed=1)
        assert set(res.runs["delivery_day"]) == {46}, f"priority {priority}: 40 + 6 = 46"
        x_done = set(res.items.loc[res.items["id"] == "x", "done_day"])
        assert x_done == {done}, f"priority {priority}: the new item should be done on {done}"
        assert set(res.items.loc[res.items["id"] == "x", "source"]) == {"added"}, (
            "an added item is counted as added scope, not as planned"
        )


def test_add_items_pays_change_control():
    """Day-0 addition of 6 days with 2 days of change control: 40 + 6 + 2 = 48."""
    sc = AddItems(items=(item("x", 6),)).apply(plan(scope={"change_control_days": 2}))
    assert only_day(sc) == 48


def test_reorder_moves_items_to_the_top_and_keeps_the_rest():
    """Plan a (10 days), b (10), c (20), one person, 100/week each, 104 weeks.

    ``reorder [c]`` builds c, a, b: c live at day 20 (week 4), a at 30 (week 6),
    b at 40 (week 8), so value = 100 x (100 + 98 + 96) = 29,400 against the
    plan's a at week 2, b at 4, c at 8: 100 x (102 + 100 + 96) = 29,800.
    Catches an apply that drops the unlisted items or puts them first.
    """
    out = Reorder(ids=("c",)).apply(plan())
    assert [it.id for it in out.items] == ["c", "a", "b"]
    assert only_day(out) == 40, "the order cannot change one person's total work"
    assert run(out, runs=1, seed=1).runs["value"].iloc[0] == 29_400
    assert run(plan(), runs=1, seed=1).runs["value"].iloc[0] == 29_800


@pytest.mark.parametrize(
    "data, message",
    [
        ({"reorder": ["a", "a"]}, "changes[0].reorder[1]: 'a' is listed twice (also ids[0])"),
        ({"reorder": []}, "changes[0].reorder: needs at least 1 entry"),
        ({"reorder": {"ids": ["a"], "at_day": 3}}, "changes[0].reorder.at_day: unknown key"),
    ],
)
def test_reorder_rejects_bad_lists(data, message):
    """A repeated id, an empty list or a stray key is named with its path."""
    with pytest.raises(ScenarioError) as err:
        parse_changes([data])
    assert str(err.value).startswith(message), f"got: {err.value}"


def test_reorder_refuses_an_item_added_later():
    """An item a scope change adds is not in the starting backlog, so it cannot be ordered."""
    base = AddItems(at_day=5, items=(item("x", 6),)).apply(plan())
    with pytest.raises(ScenarioError, match=r"reorder.ids\[0\]: 'x' is added by a scope change"):
        Reorder(ids=("x",)).apply(base)


def test_remove_items_only_if_not_started():
    """Removing c on day 5 saves its 20 days (-> 20); removing b on day 15 does
    nothing, because b started on day 10 (-> 40)."""
    assert only_day(RemoveItems(at_day=5, ids=("c",)).apply(plan())) == 20
    assert only_day(RemoveItems(at_day=15, ids=("b",)).apply(plan())) == 40
    assert only_day(RemoveItems(ids=("a",)).apply(plan())) == 30, (
        "removing a before work starts must save its 10 days"
    )


def test_resize_items():
    """c x1.5 on day 5: 10 + 10 + 30 = 50; c re-estimated to 5 days: 10 + 10 + 5 = 25."""
    assert only_day(ResizeItems(at_day=5, items=(Resize(id="c", factor=1.5),)).apply(plan())) == 50
    redraw = ResizeItems(items=(Resize.model_validate({"id": "c", "effort": 5}),))
    assert only_day(redraw.apply(plan())) == 25


def test_add_and_remove_risk():
    """A certain blocker of 7 days on day 5 -> 47; certain extra work of 4 on a -> 44;
    removing that risk again -> 40."""
    blocker = Risk.model_validate(
        {"id": "env", "probability": 1, "window": [5, 5], "impact": {"kind": "blocker", "days": 7}}
    )
    assert only_day(AddRisk(risk=blocker).apply(plan())) == 47
    extra = Risk.model_validate(
        {
            "id": "dq",
            "probability": 1,
            "impact": {"kind": "extra_work", "items": ["a"], "effort": 4},
        }
    )
    with_risk = AddRisk(risk=extra).apply(plan())
    assert only_day(with_risk) == 44
    assert only_day(RemoveRisk(id="dq").apply(with_risk)) == 40


def test_add_people_full_and_ramping():
    """One more person.

    On day 0 at full productivity: a and b in parallel 0-10, c 10-30 -> 30.
    On day 15: the newcomer takes c at 15 -> 35 (b ends at 20).
    On day 0 ramping from 50% over 10 days, mentoring 50%: the mentor does a
    at 1 - 0.5 = 0.5 (0-20); the newcomer's productivity climbs 0.5 + 0.05 t
    during b, so by day 10 they have done 7.5 of its 10 person-days and finish
    at 12.5, then take c (20 days, fully ramped) -> 32.5: slower than the
    full-speed addition (30).
    """
    assert only_day(AddPeople(at_day=0, count=1).apply(plan())) == 30
    assert only_day(AddPeople(at_day=15, count=1).apply(plan())) == 35
    ramping = AddPeople(at_day=0, count=1, ramp_up_days=10, start_productivity=0.5, mentoring=0.5)
    assert only_day(ramping.apply(plan())) == 32.5


def test_set_approach():
    """Big bang with 5 hardening days: 40 + 5 = 45, first value on 45 too.
    Incremental every 15 days: items done on 10, 20, 40 go live at 15, 30, 45 -> 45."""
    bb = run(SetApproach(approach="big_bang", hardening_days=5).apply(plan()), runs=2, seed=1)
    assert set(bb.runs["delivery_day"]) == {45}
    assert set(bb.runs["first_value_day"]) == {45}, "under big bang nothing is live before launch"
    inc = SetApproach(approach="incremental", release_every_days=15).apply(plan())
    assert only_day(inc) == 45
    assert inc.delivery.hardening_days == 0, "an unset option must keep the base's value"


def test_freeze_scope_defers_later_additions():
    """A 6-day addition on day 15 delivers on 46; with the scope frozen on day 10 it
    is deferred, so the plan still delivers on day 40."""
    added = AddItems(at_day=15, items=(item("x", 6),)).apply(plan())
    assert only_day(added) == 46
    frozen = FreezeScope(at_day=10).apply(added)
    res = run(frozen, runs=2, seed=1).runs
    assert set(res["delivery_day"]) == {40}, "the frozen addition must not be built"
    assert set(res["deferred"]) == {1}, "the addition must be counted as deferred"


def test_set_iteration_misfits():
    """Every item misfits (probability 1), found 5 days after going live, fix = half.

    a live 10, found 15 -> fix-a (5) runs 20-25 after b; b live 20, found 25 ->
    fix-b (5) 25-30; c 30-50 -> closure 50 (c's own misfit is found after closure).
    """
    sc = SetIteration(misfit_probability=1, feedback_lag_days=5, fix_fraction=0.5).apply(plan())
    res = run(sc, runs=2, seed=1)
    assert set(res.runs["delivery_day"]) == {50}
    assert sc.iteration.rework_probability == 0, "fields not given must stay as they are"


def test_set_field_by_index_and_by_id():
    """team.size 2: a and b in parallel, c 10-30 -> 30. items[c].effort 4 (and the same
    by index, items[2]): 10 + 10 + 4 = 24."""
    assert only_day(SetField(path="team.size", value=2).apply(plan())) == 30
    assert only_day(SetField(path="items[c].effort", value=4).apply(plan())) == 24
    assert only_day(SetField(path="items[2].effort", value=4).apply(plan())) == 24
    sc = SetField(path="deadline", value="2027-03-01").apply(plan())
    assert sc.deadline.isoformat() == "2027-03-01", "an unset optional field can be set"


def test_apply_changes_in_order():
    """delay 10, then add 6 days on day 15 (the person is on a, which now runs
    10-20): 50 + 6 = 56."""
    sc = apply_changes(plan(), [DelayStart(days=10), AddItems(at_day=15, items=(item("x", 6),))])
    assert only_day(sc) == 56


# ------------------------------------------------------------- immutability
@pytest.mark.parametrize("change", SAMPLES, ids=lambda c: c.describe()[:40])
def test_apply_never_mutates_the_base(change):
    """A change returns a new validated scenario and leaves the base exactly as it was."""
    base = sample_base()
    before = base.model_dump()
    out = change.apply(base)
    assert base.model_dump() == before, f"{change.kind} mutated the base scenario"
    assert out is not base and out != base, f"{change.kind} must return a different scenario"
    assert Scenario.model_validate(out.model_dump(mode="json")) == out, (
        "the result must be a valid scenario that dumps and validates back equal"
    )


def test_changes_are_frozen():
    """Change objects are immutable like scenarios."""
    with pytest.raises(Exception):  # noqa: B017 - pydantic raises ValidationError
        DelayStart(days=1).days = 5  # type: ignore[misc]


# --------------------------------------------------------------- descriptions
def test_descriptions_are_stable_text():
    """The one-line descriptions people see in compare and the dashboard."""
    expected = {
        AddItems(
            at_day=30, items=(REALTIME,)
        ): "Adds 'Near-real-time refresh' (8-25 person-days, 2,500/week) on day 30",
        DelayStart(days=10): "Delays the start of build work by 10 working days",
        Reorder(ids=("c", "a")): "Builds 'c' and 'a' first, in that order",
        Reorder(ids=("b",)): "Builds 'b' first",
        SetApproach(approach="big_bang"): "Switches to a big-bang launch",
        FreezeScope(at_day=60): "Freezes scope on day 60: later requests wait until after closure",
        RemoveItems(
            at_day=20, ids=("reports",)
        ): "Removes 'reports' from scope on day 20 (if not started by then)",
        AddPeople(
            at_day=40, count=2, ramp_up_days=20, start_productivity=0.3, mentoring=0.25
        ): "Adds 2 people on day 40, ramping up from 30% to full productivity over 20 days, "
        "each taking 25% of an experienced person's time while ramping up",
        SetField(path="team.size", value=6): "Sets the team size (team.size) to 6",
        SetField(path="iteration.fix_fraction", value=0.5): "Sets iteration.fix_fraction to 0.5",
        SetApproach(
            approach="continuous", release_every_days=10, hardening_days=3
        ): "Switches to continuous delivery (each item goes live when done)",
        SetApproach(
            approach="incremental", release_every_days=10, hardening_days=3
        ): "Switches to incremental releases (a release every 10 days and 3 hardening days)",
        SetApproach(
            approach="big_bang", release_every_days=10, hardening_days=3
        ): "Switches to a big-bang launch (3 hardening days)",
        SetIteration(
            misfit_probability=0.6, feedback_lag_days=5
        ): "Sets misfit probability 60%, feedback lag 5 days",
    }
    for change, text in expected.items():
        assert change.describe() == text, f"{change.kind}: description changed"


@pytest.mark.parametrize("change", SAMPLES, ids=lambda c: c.kind)
def test_every_description_is_one_line(change):
    """Each description is a single, non-empty line starting with a capital."""
    text = change.describe()
    assert text and "\n" not in text and text[0].isupper(), f"bad description: {text!r}"


# ------------------------------------------------------------ file forms
@pytest.mark.parametrize("change", SAMPLES, ids=lambda c: c.kind)
def test_change_to_data_round_trips(change):
    """The file form parses back to an equal change, also through YAML text."""
    data = change_to_data(change)
    assert list(data) == [change.kind], "the file form is {kind: settings}"
    assert parse_change(data) == change, f"{data} did not parse back equal"
    text = yaml.safe_dump([data], sort_keys=False)
    assert parse_changes(yaml.safe_load(text), "v.yaml") == (change,), (
        f"the YAML form did not parse back equal:\n{text}"
    )


def test_every_kind_has_a_class_and_a_sample():
    """The table of change types and the samples above cover all twelve types."""
    assert set(CHANGE_TYPES) == {
        "add_items",
        "remove_items",
        "resize_items",
        "reorder",
        "delay_start",
        "add_risk",
        "remove_risk",
        "add_people",
        "set_approach",
        "freeze_scope",
        "set_iteration",
        "set",
    }
    assert {c.kind for c in SAMPLES} == set(CHANGE_TYPES), "a change type has no sample"


@pytest.mark.parametrize(
    "short, full",
    [
        ({"delay_start": 10}, {"delay_start": {"days": 10}}),
        ({"set_approach": "big_bang"}, {"set_approach": {"approach": "big_bang"}}),
        ({"freeze_scope": 60}, {"freeze_scope": {"at_day": 60}}),
        ({"remove_items": ["a", "b"]}, {"remove_items": {"ids": ["a", "b"]}}),
        ({"remove_items": "a"}, {"remove_items": {"ids": ["a"]}}),
        ({"remove_risk": "vendor-env"}, {"remove_risk": {"id": "vendor-env"}}),
        (
            {"add_items": [{"id": "x", "effort": 3}]},
            {"add_items": {"items": [{"id": "x", "effort": 3}]}},
        ),
        (
            {"resize_items": [{"id": "a", "factor": 2}]},
            {"resize_items": {"items": [{"id": "a", "factor": 2}]}},
        ),
        (
            {
                "add_risk": {
                    "id": "r",
                    "probability": 0.2,
                    "impact": {"kind": "extra_work", "items": ["a"], "effort": 2},
                }
            },
            {
                "add_risk": {
                    "risk": {
                        "id": "r",
                        "probability": 0.2,
                        "impact": {"kind": "extra_work", "items": ["a"], "effort": 2},
                    }
                }
            },
        ),
        ({"kind": "delay_start", "days": 10}, {"delay_start": {"days": 10}}),
    ],
)
def test_shorthands_mean_the_full_form(short, full):
    """Bare-value shorthands parse to the same change as the full form
    (docs/reference/scenario-file.md)."""
    assert parse_change(short) == parse_change(full)


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            [
                {"delay_start": 1},
                {"freeze_scope": 3},
                {
                    "add_items": {
                        "items": [
                            {
                                "id": "x",
                                "effort": {"dist": "triangular", "low": 1, "mode": 5, "high": 3},
                            }
                        ]
                    }
                },
            ],
            "v.yaml: changes[2].add_items.items[0].effort.high: must be >= mode",
        ),
        (
            [
                {
                    "add_items": [
                        {"id": "x", "effort": {"dist": "pert", "low": 1, "mode": 5, "high": 3}}
                    ]
                }
            ],
            "v.yaml: changes[0].add_items[0].effort.high: must be >= mode",
        ),
        (
            [{"add_item": {"items": []}}],
            "v.yaml: changes[0]: unknown change 'add_item'; did you mean 'add_items'?",
        ),
        ([{"delay_start": {"days": -3}}], "v.yaml: changes[0].delay_start.days: must be"),
        ([{"delay_start": None}], "v.yaml: changes[0].delay_start: needs its settings"),
        ([{"set_approach": "bigbang"}], "v.yaml: changes[0].set_approach: must be"),
        (
            [{"add_people": {"at_day": 3, "count": 0}}],
            "v.yaml: changes[0].add_people.count: must not be 0",
        ),
        (
            [{"add_items": {"items": [{"id": "x", "effort": 3}], "when": 3}}],
            "v.yaml: changes[0].add_items.when: unknown key",
        ),
        (
            [{"set": {"path": "team..size", "value": 3}}],
            "v.yaml: changes[0].set.path: 'team..size' is not a field path",
        ),
        (
            [{"set": {"path": "team.size", "value": [1, 2]}}],
            "v.yaml: changes[0].set.value: must be a single value",
        ),
        ([{"set_iteration": {}}], "v.yaml: changes[0].set_iteration: give at least one of"),
        (
            [{"delay_start": 1, "freeze_scope": 2}],
            "v.yaml: changes[0]: a change is a mapping with exactly one key",
        ),
        ({"delay_start": 1}, "v.yaml: changes: expected a list of changes"),
    ],
)
def test_parse_errors_name_the_file_and_path(changes, message):
    """Bad change data is a ScenarioError naming the file, changes[i], the type and field."""
    with pytest.raises(ScenarioError) as err:
        parse_changes(changes, "v.yaml")
    assert str(err.value).startswith(message), f"got: {err.value}"


def test_add_people_count_refuses_true_false():
    """``count: true`` is not one person: the schema refuses booleans everywhere."""
    with pytest.raises(ScenarioError) as err:
        parse_changes([{"add_people": {"at_day": 3, "count": True}}], "v.yaml")
    assert (
        str(err.value) == "v.yaml: changes[0].add_people.count: expected a number, got true/false"
    ), f"got: {err.value}"


@pytest.mark.parametrize("value", [0.0, 0.005, 1.5, -0.2])
def test_add_people_start_productivity_has_the_schemas_bounds(value):
    """The change refuses exactly what team.changes[].start_productivity refuses, in its words."""
    with pytest.raises(ScenarioError) as in_schema:
        parse_scenario(
            {
                "name": "t",
                "start_date": "2027-01-04",
                "items": [{"id": "a", "effort": 1}],
                "team": {
                    "size": 1,
                    "changes": [{"at_day": 3, "add": 1, "start_productivity": value}],
                },
            }
        )
    with pytest.raises(ScenarioError) as in_change:
        parse_changes(
            [{"add_people": {"at_day": 3, "count": 1, "start_productivity": value}}], "v.yaml"
        )
    schema_msg = str(in_schema.value).split("start_productivity: ", 1)[1]
    change_msg = str(in_change.value).split("start_productivity: ", 1)[1]
    assert change_msg == schema_msg, f"schema: {in_schema.value}; change: {in_change.value}"
    assert str(in_change.value).startswith("v.yaml: changes[0].add_people.start_productivity: ")


def test_changes_reuse_the_schemas_field_types():
    """Each change field that edits a schema field has that field's type (one owner per rule)."""
    from simulation.scenario import schema

    pairs = [
        (AddPeople, "count", schema.StaffingChange, "add"),
        (AddPeople, "start_productivity", schema.StaffingChange, "start_productivity"),
        (AddPeople, "ramp_up_days", schema.StaffingChange, "ramp_up_days"),
        (AddPeople, "mentoring", schema.StaffingChange, "mentoring"),
        (SetApproach, "approach", schema.Delivery, "approach"),
        (SetApproach, "release_every_days", schema.Delivery, "release_every_days"),
        *[(SetIteration, f, schema.Iteration, f) for f in SetIteration.FIELDS],
    ]

    def rule(info):  # the field's type and bounds, with "| None" (unset = keep) taken off
        args = [a for a in typing.get_args(info.annotation) if a is not type(None)]
        inner = args[0] if info.metadata == [] and len(args) == 1 else None
        info = FieldInfo.from_annotation(inner) if inner is not None else info
        return info.annotation, info.metadata

    for change, field, section, target in pairs:
        mine, theirs = rule(change.model_fields[field]), rule(section.model_fields[target])
        assert mine == theirs, f"{change.__name__}.{field} differs from the schema's {target}"


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {"set": {"path": "team.sise", "value": 3}},
            "changes[0].set.path: team has no field 'sise'; did you mean 'size'?",
        ),
        (
            {"set": {"path": "team.size", "value": 0}},
            "changes[0].set.value: cannot set team.size to 0: team.size: must be",
        ),
        (
            {"set": {"path": "items[zz].effort", "value": 3}},
            "changes[0].set.path: no entry of items has id 'zz'",
        ),
        (
            {"set": {"path": "items[7].effort", "value": 3}},
            "changes[0].set.path: items has 3 entries, so there is no items[7]",
        ),
        (
            {"set": {"path": "scope.creep.rate_per_week", "value": 1}},
            "changes[0].set.path: scope.creep is not set in this scenario",
        ),
        ({"remove_items": ["q"]}, "changes[0].remove_items.ids[0]: no item has id 'q'"),
        ({"reorder": ["c", "bb"]}, "changes[0].reorder.ids[1]: no item has id 'bb'; did you mean"),
        (
            {"resize_items": [{"id": "cc", "factor": 2}]},
            "changes[0].resize_items.items[0].id: no item has id 'cc'; did you mean 'c'?",
        ),
        ({"remove_risk": "q"}, "changes[0].remove_risk.id: no risk has id 'q'"),
        (
            {"add_items": [{"id": "a", "effort": 3}]},
            "changes[0].add_items.items[0].id: 'a' is already used by an item of the scenario",
        ),
        (
            {"add_items": [{"id": "x", "effort": 3, "depends_on": ["nope"]}]},
            "changes[0].add_items: the changed scenario is invalid: scope.changes[0].add[0]."
            "depends_on[0]: no item has id 'nope'",
        ),
        (
            {
                "add_risk": {
                    "id": "r",
                    "probability": 0.2,
                    "impact": {"kind": "extra_work", "items": ["zz"], "effort": 2},
                }
            },
            "changes[0].add_risk.risk.impact.items[0]: no item has id 'zz'",
        ),
    ],
)
def test_apply_errors_name_the_change_and_field(change, message):
    """A change that does not fit the scenario names changes[i], its type and the field."""
    changes = parse_changes([change], "v.yaml")
    with pytest.raises(ScenarioError) as err:
        apply_changes(plan(), changes, source="v.yaml")
    # Messages from the schema may gain detail; the path and our own words may not change.
    assert str(err.value).startswith(f"v.yaml: {message}"), f"got: {err.value}"


# ----------------------------------------------------------------- variants
def write(folder: Path, name: str, data: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_variant_chain(tmp_path):
    """base <- v1 (delay 10) <- v2 (add 6 days on day 15): 10 + 40 + 6 = 56.

    The changes come back in the order applied, the variant keeps its own name
    and inherits the nearest description.
    """
    write(tmp_path, "base.yaml", {**PLAN, "description": "The base."})
    write(
        tmp_path,
        "v1.yaml",
        {
            "extends": "base.yaml",
            "name": "Late start",
            "description": "Starts late.",
            "changes": [{"delay_start": 10}],
        },
    )
    v2 = write(
        tmp_path / "more",
        "v2.yaml",
        {
            "extends": "../v1.yaml",
            "name": "Late start and more",
            "changes": [{"add_items": {"at_day": 15, "items": [{"id": "x", "effort": 6}]}}],
        },
    )
    # A variant may not climb out of its own folder: v2 lives in more/, v1 does not.
    with pytest.raises(ScenarioError, match="points outside"):
        load_scenario(v2)
    v2 = write(
        tmp_path,
        "v2.yaml",
        {
            "extends": "v1.yaml",
            "name": "Late start and more",
            "changes": [{"add_items": {"at_day": 15, "items": [{"id": "x", "effort": 6}]}}],
        },
    )
    sc = load_scenario(v2)
    assert sc.name == "Late start and more"
    assert sc.description == "Starts late.", "the nearest description along the chain is kept"
    assert only_day(sc) == 56
    assert [c.kind for c in variant_changes(v2)] == ["delay_start", "add_items"]
    assert variant_descriptions(v2) == [
        "Delays the start of build work by 10 working days",
        "Adds 'x' (6 person-days, no direct value) on day 15",
    ]
    assert variant_base(v2) == (tmp_path / "base.yaml").resolve()
    base = load_scenario(tmp_path / "base.yaml")
    assert apply_changes(base, variant_changes(v2)).model_dump(
        exclude={"name", "description"}
    ) == sc.model_dump(exclude={"name", "description"}), (
        "applying variant_changes to the root base must give the variant"
    )
    assert variant_descriptions(tmp_path / "base.yaml") == [], "a base file lists no changes"


def test_variant_in_a_subfolder_may_extend_down_and_into_the_library(tmp_path):
    """extends may go down the variant's own tree, and falls back to the library."""
    write(tmp_path / "bases", "base.yaml", PLAN)
    down = write(
        tmp_path,
        "down.yaml",
        {"extends": "bases/base.yaml", "name": "Down", "changes": [{"delay_start": 2}]},
    )
    assert only_day(load_scenario(down)) == 42
    lib = write(
        tmp_path,
        "lib.yaml",
        {
            "extends": "supply-chain.yaml",
            "name": "From library",
            "changes": [{"set_approach": "big_bang"}],
        },
    )
    sc = load_scenario(lib)
    assert sc.delivery.approach == "big_bang" and sc.name == "From library"
    assert len(sc.items) == len(load_scenario(LIBRARY / "supply-chain.yaml").items)


def test_variant_without_name_is_named_after_base_and_file(tmp_path):
    write(tmp_path, "base.yaml", PLAN)
    v = write(tmp_path, "slow.yaml", {"extends": "base.yaml", "changes": [{"delay_start": 1}]})
    assert load_scenario(v).name == "Deterministic plan (slow)"


def test_variant_cycle_is_an_error(tmp_path):
    """a extends b extends a: a ScenarioError naming the file and the cycle."""
    write(tmp_path, "a.yaml", {"extends": "b.yaml", "name": "A"})
    write(tmp_path, "b.yaml", {"extends": "a.yaml", "name": "B"})
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "a.yaml")
    assert "extends: variants extend each other in a cycle" in str(err.value)
    assert "a.yaml" in str(err.value) and "b.yaml" in str(err.value)
    write(tmp_path, "self.yaml", {"extends": "self.yaml", "name": "Self"})
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(tmp_path / "self.yaml")


def test_variant_missing_base_is_an_error(tmp_path):
    v = write(tmp_path, "v.yaml", {"extends": "nope.yaml", "name": "V"})
    with pytest.raises(ScenarioError) as err:
        load_scenario(v)
    assert str(err.value).startswith(f"{v}: extends: base file 'nope.yaml' not found"), (
        f"got: {err.value}"
    )


@pytest.mark.parametrize(
    "ref, message",
    [
        ("../outside.yaml", "points outside the variant's folder and the scenario library"),
        ("sub/../../outside.yaml", "points outside"),
        ("/etc/passwd", "is an absolute path"),
        ("C:\\scenarios\\base.yaml", "is an absolute path"),
        ("~/base.yaml", "is an absolute path"),
        ("../../../../../../../../etc/hostname", "points outside"),
    ],
)
def test_variant_may_not_escape_its_folder(tmp_path, ref, message):
    """extends stays inside the variant's folder tree or the bundled library."""
    write(tmp_path, "outside.yaml", PLAN)
    v = write(tmp_path / "inner", "v.yaml", {"extends": ref, "name": "V"})
    with pytest.raises(ScenarioError) as err:
        load_scenario(v)
    assert f"{v}: extends:" in str(err.value) and message in str(err.value), f"got: {err.value}"


def test_variant_errors_name_the_right_file(tmp_path):
    """A bad change names the variant; a bad base names the base; an unknown key
    in a variant says how to change that field instead."""
    write(tmp_path, "base.yaml", PLAN)
    v = write(
        tmp_path,
        "v.yaml",
        {"extends": "base.yaml", "name": "V", "changes": [{"delay_start": 1}, {"delay_start": -1}]},
    )
    with pytest.raises(ScenarioError) as err:
        load_scenario(v)
    assert str(err.value).startswith(f"{v}: changes[1].delay_start: must be"), f"got: {err.value}"
    bad_base = write(tmp_path, "bad.yaml", {**PLAN, "team": {"size": 0}})
    v2 = write(tmp_path, "v2.yaml", {"extends": "bad.yaml", "name": "V2"})
    with pytest.raises(ScenarioError) as err:
        load_scenario(v2)
    assert err.value.source.endswith("bad.yaml") and "team.size" in str(err.value), (
        f"the base file's own problem must name it ({bad_base}): {err.value}"
    )
    v3 = write(tmp_path, "v3.yaml", {"extends": "base.yaml", "name": "V3", "team": {"size": 2}})
    with pytest.raises(ScenarioError) as err:
        load_scenario(v3)
    assert "team: a variant file may only have extends, name, description, changes" in str(
        err.value
    ) and "set" in str(err.value), f"got: {err.value}"


def test_variant_data_writes_a_loadable_variant(tmp_path):
    """variant_data (what the dashboard saves) loads back to the same scenario."""
    write(tmp_path, "base.yaml", PLAN)
    changes = [DelayStart(days=3), AddItems(at_day=15, items=(item("x", 6),))]
    data = variant_data("base.yaml", "Saved what-if", changes, "Saved from a session.")
    v = write(tmp_path, "saved.yaml", data)
    sc = load_scenario(v)
    assert sc.name == "Saved what-if" and only_day(sc) == 49, "3 + 40 + 6 = 49"
    assert variant_changes(v) == tuple(changes)


def test_unbounded_effort_is_described_by_its_mean():
    """A lognormal effort (median 3, P90 10) has mean 3 e^(s^2/2) = 4.66, s = ln(10/3)/1.2816."""
    text = AddItems(items=(item("x", {"dist": "lognormal", "median": 3, "p90": 10}),)).describe()
    assert text == "Adds 'x' (about 4.7 person-days, no direct value) before work starts", text


def test_with_runs_pairs_scenarios_and_validates():
    """The What-if page's automatic-runs pairing: same runs everywhere, through the schema."""
    from simulation.engine.runner import with_runs

    base = load_scenario(LIBRARY / "supply-chain.yaml")
    out = with_runs({"a": base, "b": DelayStart(days=5).apply(base)}, 1200)
    assert {sc.simulation.runs for sc in out.values()} == {1200}
    assert out["a"] == base.model_copy(
        update={"simulation": base.simulation.model_copy(update={"runs": 1200})}
    ), "nothing else changes"
    with pytest.raises(ScenarioError, match=r"simulation\.runs"):
        with_runs({"a": base}, 0)
