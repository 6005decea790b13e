"""The lever form: one definition of every lever's fields, defaults and bounds.

The What-if page (levers make variants) and the Decide page (levers make
candidates) draw the same widgets from here, each with its own key prefix, so a
lever reads and defaults the same on both. Bounds come from the schema
(:mod:`dashboard.levers`, :mod:`dashboard.bounds`); the change objects from
:mod:`dashboard.levers`.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import fmt, levers
from dashboard.editor import RISK_KINDS
from dashboard.levers import (
    CADENCE,
    CHANGE_CONTROL,
    CREEP_RATE,
    DAY,
    FACTOR,
    FRACTION,
    MAX_EFFORT,
    MISFIT,
    PEOPLE,
    REWORK,
    RISK_PEOPLE,
    START_PROD,
    VALUE,
)
from simulation import Scenario, ScenarioError

#: Add-people lever defaults: a realistic newcomer, not one productive on day one.
DEFAULT_RAMP_DAYS = 20.0  # working days to full productivity
DEFAULT_START_PCT = 50.0  # % of full productivity on the first day
DEFAULT_MENTORING_PCT = 20.0  # % of an experienced colleague's time while ramping
#: Switch-approach lever: hardening offered when switching to another approach, in
#: working days (per release for incremental, once before launch for big bang).
HARDENING_DEFAULT_DAYS = {"incremental": 2.0, "big_bang": 10.0}


# -------------------------------------------------------------------- levers
def approach_choice(sc: Scenario, prefix: str) -> str:
    """The switch-approach lever's choice, outside the lever form: picking one reruns
    the page, so the fields below show what that approach uses."""
    options = list(fmt.APPROACHES)
    return st.selectbox(
        "Delivery approach",
        options,
        index=(options.index(sc.delivery.approach) + 1) % len(options),
        key=key("approach", prefix),
        format_func=fmt.approach_label,
    )


def lever_inputs(lever: str, sc: Scenario, approach: str | None, prefix: str) -> dict[str, Any]:
    """The widgets of one lever (inside the page's lever form); returns their values.

    ``approach`` is the switch-approach lever's choice (see :func:`approach_choice`);
    ``prefix`` starts every widget key (one per page).
    """

    def k(name: str) -> str:
        return key(name, prefix)

    ids = [it.id for it in sc.items]
    labels = {it.id: it.label for it in sc.items}
    v: dict[str, Any] = {}
    if lever == "add_item":
        c1, c2 = st.columns([2, 1])
        v["name"] = c1.text_input(
            "Item name", value="New feature", key=k("item_name"), max_chars=200
        )
        v["at_day"] = c2.number_input(
            "Arrives on day",
            float(DAY.ge),
            float(DAY.le),
            30.0,
            5.0,
            key=k("item_day"),
            format="%g",
            help="Working days from the start; 0 = planned from the outset.",
        )
        c1, c2, c3 = st.columns(3)
        v["low"] = c1.number_input(
            "Effort low",
            0.0,
            MAX_EFFORT,
            8.0,
            1.0,
            key=k("item_low"),
            format="%g",
            help="Person-days",
        )
        v["mode"] = c2.number_input(
            "Likely",
            0.0,
            MAX_EFFORT,
            12.0,
            1.0,
            key=k("item_mode"),
            format="%g",
            help="Person-days",
        )
        v["high"] = c3.number_input(
            "High", 0.0, MAX_EFFORT, 25.0, 1.0, key=k("item_high"), format="%g", help="Person-days"
        )
        c1, c2 = st.columns([1, 2])
        v["value_per_week"] = c1.number_input(
            "Value / week",
            float(VALUE.ge),
            float(VALUE.le),
            2500.0,
            500.0,
            key=k("item_value"),
            format="%g",
        )
        v["depends_on"] = c2.multiselect(
            "Depends on", ids, format_func=labels.get, key=k("item_deps")
        )
        c1, c2 = st.columns(2)
        v["priority"] = (
            "top"
            if c1.toggle(
                "Top of the backlog", key=k("item_top"), help="Off: joins the end of the backlog."
            )
            else "end"
        )
        v["must_have"] = c2.toggle(
            "Must have", key=k("item_must"), help="Must-haves count towards the outcome target."
        )
    elif lever == "remove_items":
        c1, c2 = st.columns([3, 1])
        v["ids"] = c1.multiselect("Items to drop", ids, format_func=labels.get, key=k("remove_ids"))
        v["at_day"] = c2.number_input(
            "From day",
            float(DAY.ge),
            float(DAY.le),
            0.0,
            5.0,
            key=k("remove_day"),
            format="%g",
            help="Only items not started by then are dropped.",
        )
    elif lever == "delay_start":
        v["days"] = st.number_input(
            "Delay build work by (working days)",
            float(DAY.ge),
            float(DAY.le),
            10.0,
            5.0,
            key=k("delay"),
            format="%g",
        )
    elif lever == "add_people":
        c1, c2 = st.columns(2)
        v["count"] = int(
            c1.number_input(
                "People (negative = leave)", PEOPLE.ge, PEOPLE.le, 2, 1, key=k("people")
            )
        )
        v["at_day"] = c2.number_input(
            "Join on day", float(DAY.ge), float(DAY.le), 20.0, 5.0, key=k("people_day"), format="%g"
        )
        c1, c2, c3 = st.columns(3)
        # Defaults that show Brooks' law: newcomers start at half speed, reach full
        # productivity after a month, and take a fifth of a colleague meanwhile.
        v["ramp_up_days"] = c1.number_input(
            "Ramp-up (days)",
            float(DAY.ge),
            float(DAY.le),
            DEFAULT_RAMP_DAYS,
            5.0,
            key=k("ramp"),
            format="%g",
            help="Days until a newcomer is fully productive.",
        )
        v["start_productivity"] = (
            c2.number_input(
                "Starting productivity (%)",
                100.0 * START_PROD.ge,
                100.0 * START_PROD.le,
                DEFAULT_START_PCT,
                10.0,
                key=k("start_prod"),
                format="%g",
            )
            / 100
        )
        v["mentoring"] = (
            c3.number_input(
                "Mentoring (%)",
                100.0 * FRACTION.ge,
                100.0 * FRACTION.le,
                DEFAULT_MENTORING_PCT,
                5.0,
                key=k("mentoring"),
                format="%g",
                help="Share of an experienced colleague's time each newcomer takes "
                "while ramping up (Brooks' law).",
            )
            / 100
        )
        wip = sc.team.wip_limit
        v["raise_wip"] = st.toggle(
            f"Raise the WIP limit with them (now {wip} items)"
            if wip is not None
            else "No WIP limit set",
            value=wip is not None,
            key=k("raise_wip"),
            disabled=wip is None,
            help="With the WIP limit at the team size, extra people find no item to start.",
        )
    elif lever == "set_approach":
        current = sc.delivery.approach
        target = v["approach"] = approach or current
        # Hardening means "before each release" under incremental and "once before
        # launch" under big bang, so the scenario's value only carries over to the
        # same approach; otherwise a typical value for the new one. The keys name the
        # approach, so switching the choice refreshes these defaults.
        hardening = (
            float(sc.delivery.hardening_days)
            if target == current
            else HARDENING_DEFAULT_DAYS.get(target, 0.0)
        )
        c2, c3 = st.columns(2)
        v["release_every_days"] = c2.number_input(
            "Release every (days)",
            float(CADENCE.ge),
            float(CADENCE.le),
            float(sc.delivery.release_every_days),
            5.0,
            key=k(f"release_{target}"),
            format="%g",
            help="Incremental only.",
            disabled=target != "incremental",
        )
        v["hardening_days"] = c3.number_input(
            "Hardening (days)",
            float(DAY.ge),
            float(DAY.le),
            hardening,
            1.0,
            key=k(f"hardening_{target}"),
            format="%g",
            disabled=target == "continuous",
            help="Before each release (incremental) or once before launch (big bang).",
        )
    elif lever == "freeze_scope":
        v["at_day"] = st.number_input(
            "Freeze from day",
            float(DAY.ge),
            float(DAY.le),
            40.0,
            5.0,
            key=k("freeze"),
            format="%g",
            help="Requests after this day wait until after closure.",
        )
    elif lever == "add_risk":
        c1, c2 = st.columns([2, 1])
        v["name"] = c1.text_input(
            "Risk", value="Key supplier late", key=k("risk_name"), max_chars=200
        )
        v["probability"] = (
            c2.number_input(
                "Chance (%)",
                100.0 * FRACTION.ge,
                100.0 * FRACTION.le,
                30.0,
                5.0,
                key=k("risk_p"),
                format="%g",
            )
            / 100
        )
        c1, c2, c3 = st.columns([2, 1, 1])
        v["kind"] = c1.selectbox(
            "Impact",
            RISK_KINDS,
            key=k("risk_kind"),
            format_func={
                "blocker": "Blocker: all work stops",
                "extra_work": "Extra work on items",
                "capacity_loss": "People away",
            }.get,
        )
        v["window"] = (
            c2.number_input(
                "From day",
                float(DAY.ge),
                float(DAY.le),
                0.0,
                5.0,
                key=k("risk_from"),
                format="%g",
                help="Blockers and people away strike at a random day in this window.",
            ),
            c3.number_input(
                "To day", float(DAY.ge), float(DAY.le), 40.0, 5.0, key=k("risk_to"), format="%g"
            ),
        )
        c1, c2, c3 = st.columns(3)
        v["low"] = c1.number_input(
            "Impact low",
            0.0,
            MAX_EFFORT,
            5.0,
            1.0,
            key=k("risk_low"),
            format="%g",
            help="Days stopped / away, or person-days added for extra work.",
        )
        v["mode"] = c2.number_input(
            "Likely", 0.0, MAX_EFFORT, 10.0, 1.0, key=k("risk_mode"), format="%g"
        )
        v["high"] = c3.number_input(
            "High", 0.0, MAX_EFFORT, 20.0, 1.0, key=k("risk_high"), format="%g"
        )
        c1, c2 = st.columns([2, 1])
        v["items"] = c1.multiselect(
            "Items hit (extra work)", ids, format_func=labels.get, key=k("risk_items")
        )
        v["people"] = int(
            c2.number_input(
                "People away", RISK_PEOPLE.ge, RISK_PEOPLE.le, 1, 1, key=k("risk_people")
            )
        )
    elif lever == "set_iteration":
        it = sc.iteration
        c1, c2, c3 = st.columns(3)
        v["rework_probability"] = (
            c1.number_input(
                "Rework chance (%)",
                100.0 * REWORK.ge,
                100.0 * REWORK.le,
                round(it.rework_probability * 100, 4),
                5.0,
                key=k("rework_p"),
                format="%g",
            )
            / 100
        )
        v["misfit_probability"] = (
            c2.number_input(
                "Misfit chance (%)",
                100.0 * MISFIT.ge,
                100.0 * MISFIT.le,
                round(it.misfit_probability * 100, 4),
                5.0,
                key=k("misfit_p"),
                format="%g",
            )
            / 100
        )
        v["feedback_lag_days"] = c3.number_input(
            "Feedback lag (days)",
            float(DAY.ge),
            float(DAY.le),
            float(it.feedback_lag_days),
            1.0,
            key=k("lag"),
            format="%g",
        )
    elif lever == "set_creep":
        creep = sc.scope.creep
        if creep is None:
            st.info(
                "This scenario has no scope creep: give it a creep rate on the Scenario "
                "page (Scope changes) to try other rates here."
            )
            return v
        c1, c2 = st.columns(2)
        v["rate_per_week"] = c1.number_input(
            "New requests a week",
            float(CREEP_RATE.ge),
            float(CREEP_RATE.le),
            float(creep.rate_per_week),
            0.1,
            key=k("creep_rate"),
            format="%g",
            help="Small unplanned requests arriving at random, on average.",
        )
        v["until_day"] = c2.number_input(
            "Until day (empty = never stops)",
            float(DAY.ge),
            float(DAY.le),
            None if creep.until_day is None else float(creep.until_day),
            5.0,
            key=k("creep_until"),
            format="%g",
        )
    elif lever == "change_control":
        v["days"] = st.number_input(
            "Change control (person-days per accepted change)",
            float(CHANGE_CONTROL.ge),
            float(CHANGE_CONTROL.le),
            float(sc.scope.change_control_days),
            0.5,
            key=k("change_control"),
            format="%g",
            help="Team effort spent assessing and accepting each scope change, creep included.",
        )
    elif lever == "resize_item":
        c1, c2, c3 = st.columns([2, 1, 1])
        v["item_id"] = c1.selectbox("Item", ids, format_func=labels.get, key=k("resize_id"))
        v["factor"] = c2.number_input(
            "Effort x",
            float(FACTOR.ge),
            float(FACTOR.le),
            1.5,
            0.1,
            key=k("resize_factor"),
            format="%g",
            help="1.5 = half as much again; 0.5 = half the effort.",
        )
        v["at_day"] = c3.number_input(
            "From day",
            float(DAY.ge),
            float(DAY.le),
            0.0,
            5.0,
            key=k("resize_day"),
            format="%g",
            help="Only the items not done by then change.",
        )
    return v


def build_changes(lever: str, sc: Scenario, v: dict[str, Any]) -> list[Any]:
    if lever == "add_item":
        return levers.add_item(sc, **v)
    if lever == "remove_items":
        return levers.remove_items(v["ids"], v["at_day"])
    if lever == "delay_start":
        return levers.delay_start(v["days"])
    if lever == "add_people":
        return levers.add_people(sc, **v)
    if lever == "set_approach":
        return levers.set_approach(**v)
    if lever == "freeze_scope":
        return levers.freeze_scope(v["at_day"])
    if lever == "add_risk":
        return levers.add_risk(sc, **v)
    if lever == "set_iteration":
        it = sc.iteration
        changed = {
            key: round(val, 6) for key, val in v.items() if abs(val - getattr(it, key)) > 1e-9
        }
        if not changed:
            raise ScenarioError("these are the current settings; change at least one")
        return levers.set_iteration(**changed)
    if lever == "set_creep":
        if not v:
            raise ScenarioError("this scenario has no scope creep to change")
        return levers.set_creep(sc, v["rate_per_week"], v["until_day"])
    if lever == "change_control":
        return levers.change_control(sc, v["days"])
    if lever == "resize_item":
        return levers.resize_item(v["item_id"], v["factor"], v["at_day"])
    raise ValueError(f"unknown lever {lever}")


def key(name: str, prefix: str) -> str:
    """A lever widget's key on a page: ``prefix`` + ``name``."""
    return f"{prefix}{name}"


def reset(prefix: str, kept: tuple[str, ...] = ()) -> None:
    """Forget a page's lever fields, so the next lever starts from its defaults
    (call before any lever widget of the run exists)."""
    ss = st.session_state
    for k in [k for k in ss if isinstance(k, str) and k.startswith(prefix) and k not in kept]:
        del ss[k]
