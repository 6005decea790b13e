"""One source of truth: every widget bound and choice on the pages is the schema's.

The expected bounds are read from pydantic's JSON schema of each model (an
independent reading of the same ``Field(ge=..., le=...)``), the choices from
the ``Literal`` types. A page that retypes a number, or a schema change the
pages do not follow, fails here.
"""

from __future__ import annotations

import json
import typing

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import bounds, saved_files
from simulation.scenario.distributions import MAX_PARAMETER, DistKind
from simulation.scenario.schema import (
    Adoption,
    Approach,
    Creep,
    Delivery,
    Impact,
    ItemValue,
    Iteration,
    Outcome,
    Resize,
    Scope,
    StaffingChange,
    Team,
    Urgency,
    ValueSettings,
)
from tests.ui.test_pages import APP, TIMEOUT_S, WHATIF, key

DECIDE = "dashboard/pages/decide.py"


@pytest.fixture(autouse=True)
def user_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(saved_files.USER_DIR_ENV, str(tmp_path / "saved"))
    monkeypatch.setenv("SIM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SIM_DATABASE_URL", raising=False)


def schema_range(model, field: str) -> tuple[float | None, float | None]:
    """(minimum, maximum) of a field in pydantic's JSON schema (exclusive ends included)."""
    prop = model.model_json_schema()["properties"][field]

    def first(option, *names):
        return next((option[n] for n in names if n in option), None)

    # A Field() inside a named Annotated type shows as "ge"/"le" in pydantic's output.
    for option in [prop, *prop.get("anyOf", [])]:
        lo = first(option, "minimum", "exclusiveMinimum", "ge", "gt")
        hi = first(option, "maximum", "exclusiveMaximum", "le", "lt")
        if lo is not None or hi is not None:
            return lo, hi
    return None, None


def widget_range(widget) -> tuple[float | None, float | None]:
    p = widget.proto
    return (p.min if p.has_min else None), (p.max if p.has_max else None)


def expect(widget, model, field: str, scale: float = 1.0) -> None:
    lo, hi = schema_range(model, field)
    want = (None if lo is None else lo * scale, None if hi is None else hi * scale)
    got = widget_range(widget)
    assert got == pytest.approx(want), (
        f"{widget.label!r} ({widget.key}): widget {got}, schema {model.__name__}.{field} {want}"
    )


#: Scenario page widget (key name) -> the schema field it edits and its display scale.
SCENARIO_FIELDS = {
    "size": (Team, "size", 1),
    "focus": (Team, "focus", 100),
    "cost": (Team, "cost_per_person_day", 1),
    "wip": (Team, "wip_limit", 1),
    "release": (Delivery, "release_every_days", 1),
    "discovery": (Delivery, "discovery_days", 1),
    "hardening": (Delivery, "hardening_days", 1),
    "rework_p": (Iteration, "rework_probability", 100),
    "rework_f": (Iteration, "rework_fraction", 100),
    "misfit_p": (Iteration, "misfit_probability", 100),
    "misfit_v": (Iteration, "misfit_value_factor", 100),
    "lag": (Iteration, "feedback_lag_days", 1),
    "fix_f": (Iteration, "fix_fraction", 100),
    "creep": (Creep, "rate_per_week", 1),
    "creep_until": (Creep, "until_day", 1),
    "cc": (Scope, "change_control_days", 1),
    "freeze": (Scope, "freeze_day", 1),
    "horizon": (ValueSettings, "horizon_weeks", 1),
    "discount": (ValueSettings, "discount_rate_annual", 100),
    "adopt_weeks": (Adoption, "weeks", 1),
    "bass_p": (Adoption, "p", 1),
    "bass_q": (Adoption, "q", 1),
    "value_after": (Urgency, "value_after", 100),
    "half_life": (Urgency, "half_life_weeks", 1),
    "target": (Outcome, "target_fraction", 100),
}
#: Scenario page number fields whose bounds are not a plain schema range, and why.
SCENARIO_OTHER = {
    "runs": "no maximum: the schema names the limit in words",
    "seed": "capped at the largest whole number a browser holds exactly",
    **{
        f"new_{k}": "the add-an-item form leaves bounds to the schema, whose "
        "message names the field (a negative is refused, not clamped)"
        for k in ("low", "mode", "high", "value")
    },
}


def test_scenario_page_bounds_are_the_schemas():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    version = at.session_state["editor_version"]
    shown = {w.key.removeprefix("sc_").removesuffix(f"_{version}"): w for w in at.number_input}
    assert set(shown) == set(SCENARIO_FIELDS) | set(SCENARIO_OTHER), (
        "every number field on the page is checked here"
    )
    for name, (model, field, scale) in SCENARIO_FIELDS.items():
        expect(shown[name], model, field, scale)


def test_scenario_page_choices_are_the_schemas():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    for name, values in (
        ("adoption", Adoption.model_fields["model"].annotation),
        ("urgency", Urgency.model_fields["profile"].annotation),
        ("approach", Approach),
    ):
        box = at.selectbox(key=key(at, name))
        assert len(box.options) == len(typing.get_args(values)), name
        for value in typing.get_args(values):  # each schema value is offered
            at.selectbox(key=key(at, name)).set_value(value).run()
            assert not at.exception and at.selectbox(key=key(at, name)).value == value
    items, risks = (json.loads(d.proto.columns) for d in at.data_editor[:2])
    assert sorted(items["dist"]["type_config"]["options"]) == sorted(typing.get_args(DistKind))
    kinds = risks["kind"]["type_config"]["options"]  # shown in words, stored as the schema's
    assert tuple(o["value"] if isinstance(o, dict) else o for o in kinds) == typing.get_args(
        Impact.model_fields["kind"].annotation
    )


#: What-if lever -> {widget key: (model, field, scale)}.
LEVER_FIELDS = {
    "add_item": {
        "lv_item_day": (StaffingChange, "at_day", 1),
        "lv_item_value": (ItemValue, "per_week", 1),
    },
    "add_people": {
        "lv_people": (StaffingChange, "add", 1),
        "lv_people_day": (StaffingChange, "at_day", 1),
        "lv_ramp": (StaffingChange, "ramp_up_days", 1),
        "lv_start_prod": (StaffingChange, "start_productivity", 100),
        "lv_mentoring": (StaffingChange, "mentoring", 100),
    },
    "set_iteration": {
        "lv_rework_p": (Iteration, "rework_probability", 100),
        "lv_misfit_p": (Iteration, "misfit_probability", 100),
        "lv_lag": (Iteration, "feedback_lag_days", 1),
    },
    "add_risk": {"lv_risk_people": (Impact, "people", 1)},
    "set_creep": {
        "lv_creep_rate": (Creep, "rate_per_week", 1),
        "lv_creep_until": (Creep, "until_day", 1),
    },
    "change_control": {"lv_change_control": (Scope, "change_control_days", 1)},
    "resize_item": {
        "lv_resize_factor": (Resize, "factor", 1),
        "lv_resize_day": (StaffingChange, "at_day", 1),
    },
}


@pytest.mark.parametrize("lever", list(LEVER_FIELDS))
def test_whatif_lever_bounds_are_the_schemas(lever):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    at.switch_page(WHATIF).run()
    at.selectbox(key="lv_which").set_value(lever).run()
    widgets = {w.key: w for w in at.number_input}
    for wkey, (model, field, scale) in LEVER_FIELDS[lever].items():
        expect(widgets[wkey], model, field, scale)
    for wkey in ("lv_item_low", "lv_item_mode", "lv_item_high", "lv_risk_low"):
        if wkey in widgets:
            assert widget_range(widgets[wkey]) == (0, MAX_PARAMETER), wkey


def test_decide_lever_bounds_are_the_schemas():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    at.switch_page(DECIDE).run()
    at.radio(key="decide_source").set_value("levers").run()
    widgets = {w.key: w for w in at.number_input}
    expect(widgets["dl_item_day"], StaffingChange, "at_day")
    expect(widgets["dl_item_value"], ItemValue, "per_week")
    at.selectbox(key="decide_lever").set_value("add_people").run()
    widgets = {w.key: w for w in at.number_input}
    expect(widgets["dl_people"], StaffingChange, "add")


def test_bounds_helper_reads_fields_and_named_types():
    from simulation.scenario.schema import Day, PeopleChange

    assert bounds.field_bounds(Team, "size") == (1, 500, None)
    assert bounds.field_bounds(Outcome, "target_fraction") == (0, 1, 0.8)
    assert bounds.field_bounds(Scope, "freeze_day")[:2] == (0, 5200), "inside X | None"
    assert bounds.type_bounds(Day)[:2] == (0, 5200)
    assert bounds.type_bounds(PeopleChange)[:2] == (-500, 500)
    assert bounds.choices(Impact, "kind") == ("blocker", "extra_work", "capacity_loss")


def test_widen_is_gone():
    from dashboard.pages import __path__ as pages

    text = "".join(p.read_text() for p in __import__("pathlib").Path(pages[0]).glob("*.py"))
    assert "_widen" not in text, "bounds equal to the schema's admit every valid value"
