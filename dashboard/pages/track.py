"""Track page: where the initiative stands, and what it will now deliver
(docs/reference/track.md). Progress, adoption and outcome in small grids, the
re-forecast against the plan, the trail and the words since the last record."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import charts, editor, fmt, identity, prose, simulate, state, track_view, turns
from simulation.history import read_history
from simulation.present.charts import trail_spec, trail_value_spec
from simulation.present.markdown import escape_markdown
from simulation.present.sentences import adoption_fit_words
from simulation.scenario.errors import ScenarioError
from simulation.scenario.library import LIBRARY_DIR
from simulation.store.trail import record_reforecast, trail
from simulation.track import load_status, status_from_data, track
from simulation.track.adoption import MIN_POINTS
from simulation.track.progress import progress_from_export
from simulation.track.trail import change_since_record, plan_key, trail_table

STATUS_DIR = LIBRARY_DIR / "status"
FROM_PLAN = "Start from the scenario in use"


def start_from() -> None:
    """Pick the bundled status history or the scenario in use; reset the grids."""
    files = sorted(STATUS_DIR.glob("*.yaml"))
    choice = st.selectbox(
        "Status",
        [FROM_PLAN, *[f"scenarios/status/{f.name}" for f in files]],
        key="track_source",
        format_func=lambda c: c if c == FROM_PLAN else f"Bundled status {Path(c).stem}",
        help="A bundled weekly status of the supply-chain plan, or an empty status "
        "of the scenario you are working on.",
    )
    if st.session_state.get("track_loaded") == choice:
        return
    st.session_state["track_loaded"] = choice
    st.session_state.pop("track_result", None)
    if choice == FROM_PLAN:
        plan = state.scenario()
        path = state.loaded_path()
        st.session_state["track_plan"] = (plan, path.name if path else plan.name)
        st.session_state["track_status"] = None
        st.session_state["track_as_of"] = track_view.as_of_default(plan)
    else:
        status = load_status(LIBRARY_DIR / choice.removeprefix("scenarios/"))
        st.session_state["track_plan"] = (status.plan, status.plan_ref)
        st.session_state["track_status"] = status
        st.session_state["track_as_of"] = status.as_of
    plan, _ = st.session_state["track_plan"]
    status = st.session_state["track_status"]
    st.session_state["track_grid"] = track_view.progress_grid(plan, status)
    st.session_state["track_adoption"] = track_view.measures(
        status.adoption if status else (), "week_of", "share"
    )
    st.session_state["track_outcome"] = track_view.measures(
        status.outcome if status else (), "date", "value"
    )
    for key in ("track_grid_editor", "track_adoption_editor", "track_outcome_editor"):
        st.session_state.pop(key, None)


def import_export(plan, as_of) -> None:
    up = st.file_uploader(
        "Import progress from a work-item export (CSV)",
        type=["csv", "txt"],
        key="track_export",
        help="Rows whose id or name matches an item fill its started and done dates.",
    )
    if up is None or st.session_state.get("track_export_seen") == up.file_id:
        return
    st.session_state["track_export_seen"] = up.file_id
    try:
        hist = read_history(up.getvalue(), name=up.name)
        got = progress_from_export(hist, plan, as_of)
    except ScenarioError as exc:
        st.error(str(exc))
        return
    for note in hist.warnings:  # data quality: duplicate ids, dates out of order
        st.warning(escape_markdown(note))
    grid = st.session_state["track_grid"]
    st.session_state["track_grid"] = track_view.fill_from_export(grid, got.items)
    st.session_state.pop("track_grid_editor", None)
    if got.unmatched:
        st.warning(
            f"{len(got.unmatched)} rows matched no item: "
            + ", ".join(f"row {r['row']} ({r['id']} {r['name']})" for r in got.unmatched)
        )


def _percent_column(label: str, help: str):
    """A measurement grid's number column: percent, 0 to 100 (the status keeps 0..1)."""
    return st.column_config.NumberColumn(
        label, min_value=0.0, max_value=track_view.PERCENT, format="%.1f", help=help
    )


def grids():
    col = st.column_config
    grid = st.data_editor(
        st.session_state["track_grid"],
        key="track_grid_editor",
        hide_index=True,
        disabled=["id", "name"],
        placeholder=editor.BLANK,
        column_config={
            "id": col.TextColumn("Id"),
            "name": col.TextColumn("Name"),
            "state": col.SelectboxColumn("State", options=list(track_view.STATES), required=True),
            "started": col.DateColumn("Started", format=fmt.DATE_INPUT),
            "done": col.DateColumn("Done", format=fmt.DATE_INPUT),
            "live": col.DateColumn(
                "Live", format=fmt.DATE_INPUT, help="Only when it went live after its done day."
            ),
            "spent": col.NumberColumn("Spent", min_value=0.0, help="Person-days so far."),
        },
        width="stretch",
    )
    a, b = st.columns(2)
    adoption = a.data_editor(
        st.session_state["track_adoption"],
        key="track_adoption_editor",
        num_rows="dynamic",
        placeholder=editor.BLANK,
        column_config={
            "week_of": col.DateColumn("Week of", format=fmt.DATE_INPUT, required=True),
            "share": _percent_column(
                "Share of users (%)",
                "Of the users the plan expects, the share using it that week, in percent.",
            ),
        },
        hide_index=True,
    )
    outcome = b.data_editor(
        st.session_state["track_outcome"],
        key="track_outcome_editor",
        num_rows="dynamic",
        placeholder=editor.BLANK,
        column_config={
            "date": col.DateColumn("Date", format=fmt.DATE_INPUT, required=True),
            "value": _percent_column(
                "Progress to target (%)",
                "How far the business outcome is towards its target, in percent.",
            ),
        },
        hide_index=True,
    )
    return grid, adoption, outcome


def results(res, plan_key: str, status) -> None:
    now = res.summary() | res.status_summary()
    st.subheader("Plan vs now")
    st.dataframe(track_view.plan_vs_now(res.plan_summary, now), hide_index=True)
    words = [f"{len(res.done)} done, {len(res.in_progress)} in progress"]
    if res.overrunning:
        words.append("overrunning: " + ", ".join(res.overrunning))
    fit = res.adoption_fit
    said = fit and adoption_fit_words(
        fit.model, fit.fitted, fit.points, len(status.adoption), MIN_POINTS
    )
    if said:
        words.append(said)
    st.markdown("; ".join(words) + f". Value realised to date: **{res.realised_value:,.0f}**.")
    check = track_view.adoption_check(status)
    if len(check):
        st.caption("Measured adoption against the plan's curve")
        st.dataframe(check, hide_index=True)
    records = trail(plan_key)
    if record(plan_key, status, now, records):
        records = trail(plan_key)
    entries = [
        {"as_of": r.as_of.isoformat(), "status": r.status, "summary": r.summary} for r in records
    ]
    if not entries:
        st.info("Nothing recorded for this plan yet: record this re-forecast to start the trail.")
        return
    st.subheader("Trail")
    # The re-forecast on screen against the last record before its week (recorded or not).
    current = {"as_of": status.as_of.isoformat(), "status": status.data, "summary": now}
    sentence = change_since_record(entries, current)
    if sentence:
        st.markdown(sentence)
    rows = trail_table(entries)
    lines = track_view.trail_lines(res.plan_summary, status.plan.deadline)
    st.vega_lite_chart(spec=charts.fit_width(trail_spec(rows, lines)), width="stretch")
    st.vega_lite_chart(spec=charts.fit_width(trail_value_spec(rows)), width="stretch")
    if any(r.recorded_by for r in records):  # nobody is known without sign-in
        with st.expander(f"Who recorded each re-forecast ({len(records)})"):
            st.dataframe(track_view.recorders(records), hide_index=True)


def record(plan_key: str, status, summary: dict, records) -> bool:
    """Record this re-forecast, by the signed-in person where the server signs people in;
    say first when the trail (``records``) already has one for its as-of date. Returns
    whether it recorded."""
    if identity.needs_sign_in():
        identity.sign_in_button("record re-forecasts", key="track_sign_in")
        return False
    who = identity.current_author()
    if who is not None:
        identity.author_caption(who, "Recording")
    notice, slot = track_view.already_recorded(records, status.as_of), st.empty()
    if notice:
        slot.info(notice, icon=":material/history:")
    # The label says it too: the notice above is easy to miss on a second quick click.
    label = f"Record another for {status.as_of}" if notice else "Record this re-forecast"
    if not st.button(label, key="track_record"):
        return False
    record_reforecast(plan_key, status.as_of, status.data, summary, recorded_by=who)
    slot.empty()  # said before this record; the success below says what happened
    by = f" by {escape_markdown(who.name)}" if who is not None else ""
    st.success(f"Recorded the re-forecast as of {status.as_of}{by}.")
    return True


st.title("Track")
st.markdown(prose.text("track"))
if state.scenario() is None:
    st.info("Pick a scenario on the Scenario page first.")
    st.stop()
start_from()
plan, plan_ref = st.session_state["track_plan"]
as_of = st.date_input("As of", key="track_as_of", min_value=plan.start_date, format=fmt.DATE_INPUT)
import_export(plan, as_of)
grid, adoption, outcome = grids()
if st.button("Re-forecast", type="primary", key="track_run"):
    base = st.session_state["track_status"].data if st.session_state["track_status"] else None
    data = track_view.status_data(plan_ref, as_of, grid, adoption, outcome, base)
    try:
        status = status_from_data(data, plan=plan)
    except ScenarioError as exc:
        st.error(escape_markdown(exc))
        st.session_state.pop("track_result", None)
        st.stop()
    res = simulate.guarded(
        lambda: turns.take(
            "track",
            ("track", plan_key(plan_ref), as_of),
            plan.simulation.runs,
            2,  # the re-forecast and the plan beside it
            # The plan's own runs and seed: its column equals the Forecast page's.
            lambda: track(status),
            pressed=True,
        ),
        "re-forecast",
    )
    if res is not None:
        st.session_state["track_result"] = (res, status)
    else:  # the message above says why; an earlier result is not this status's
        st.session_state.pop("track_result", None)
if "track_result" in st.session_state:
    res, status = st.session_state["track_result"]
    results(res, plan_key(plan_ref), status)
