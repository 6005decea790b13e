"""History page: the team's own flow, a throughput forecast, its backtest, and the
history as the backlog's efforts (docs/reference/history.md)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, fmt, history_charts, history_view, prose, simulate, state
from simulation.history import (
    DEFAULT_BACKTEST_ITEMS,
    FORMATS,
    MAX_ITEMS,
    MAX_WINDOW_DAYS,
    NOT_STARTED_STATUSES,
    HistoryError,
    calibrate,
    calibration_table,
    suggest_mapping,
)
from simulation.present.markdown import escape_markdown

#: Runs of the page's backtest (one forecast per weekly cut-off): enough for the shares.
BACKTEST_RUNS = 2_000
ALL_TYPES = "All types"
DETECTED = "Detected"
PATTERN = "Other (type a pattern)"


def chart(c) -> None:
    st.vega_lite_chart(spec=charts.spec(c), width="stretch")


def pick_file() -> None:
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    up = left.file_uploader(
        "Work-item export (CSV)",
        type=["csv", "txt"],
        key="history_upload",
        help="Stage columns (ActionableAgile / jira-to-analytics) or start and done "
        "columns (Jira, Azure DevOps, Linear, YouTrack, as they export by default). "
        "Up to 1 MB.",
    )
    if up is not None and st.session_state.get("history_upload_seen") != up.file_id:
        st.session_state["history_upload_seen"] = up.file_id
        history_view.set_file(up.name, up.getvalue())
    if right.button(
        "Use the sample",
        key="history_sample",
        help="A made-up team's 340 items (scenarios/history/team-stories.csv).",
    ):
        history_view.set_file(history_view.SAMPLE.name, history_view.SAMPLE.read_bytes())


def date_format_box(where, opts: dict) -> str | None:
    """The date format: detected, a known one, or a pattern typed in; None = detected."""
    formats = [DETECTED, *FORMATS, PATTERN]
    chosen = opts.get("date_format") or DETECTED
    pick = where.selectbox(
        "Date format",
        formats,
        index=formats.index(chosen if chosen in formats else PATTERN),
        key="hi_format",
        help="Detected: ISO, d.M.yyyy, M/d/yyyy, d/M/yyyy, Jira's dd/MMM/yy h:mm a and "
        "YouTrack's d MMM yyyy. Otherwise type the export's pattern.",
    )
    if pick == PATTERN:
        typed = where.text_input(
            "Pattern",
            value="" if chosen in formats else chosen,
            key="hi_pattern",
            placeholder="dd/MM/yyyy HH:mm",
            help="Java style (dd/MMM/yy h:mm a) as trackers document it, or strftime (%d-%m-%Y).",
        ).strip()
        return typed or None
    return None if pick == DETECTED else pick


def retry_form() -> None:
    """After a failed read: the date format, and the start and done columns from the
    file's header, can be set before anything was read."""
    opts = history_view.options()
    chosen = {"date_format": date_format_box(st, opts)}
    cols = history_view.file_columns()
    if cols:
        a, b = st.columns(2)
        for where, option in ((a, "start_column"), (b, "done_column")):
            current = opts.get(option)
            chosen[option] = where.selectbox(
                history_view.PAGE_OPTIONS[option],
                cols,
                index=cols.index(current) if current in cols else None,
                placeholder="Detected",
                key=f"hi_retry_{option}",
            )
    new = {k: v for k, v in opts.items() if k not in chosen} | {
        k: v for k, v in chosen.items() if v
    }
    if new != opts:
        st.session_state[history_view.OPTIONS] = new
        st.rerun()


def columns_form(h) -> None:
    """The columns it read, changeable."""
    c = h.columns
    layout = (
        f"stage columns ({', '.join(c.stages)})"
        if c.layout == "stages"
        else "a start and a done column"
    )
    st.markdown(
        f"Read **{escape_markdown(h.source)}** as {escape_markdown(layout)}; "
        f"dates as **{escape_markdown(c.date_format)}**."
    )
    if c.status:
        st.caption(
            f"Items not done whose '{escape_markdown(c.status)}' is one of "
            f"{', '.join(history_view.options().get('not_started', NOT_STARTED_STATUSES))} "
            "have not started: they are not counted as work in progress."
        )
    if c.measure_note():
        st.info(c.measure_note())
    for w in h.warnings:  # data quality: duplicate ids, dates out of order
        st.warning(escape_markdown(w))
    opts = history_view.options()
    cols = list(h.all_columns)
    with st.expander("Columns read (change them if wrong)"):
        a, b, t = st.columns(3)
        start = a.selectbox(
            "Start column",
            cols,
            index=cols.index(c.start),
            key="hi_start",
            help="The start date is the earliest date in this column or any "
            "later stage column (stages can be skipped).",
        )
        done = b.selectbox("Done column", cols, index=cols.index(c.done), key="hi_done")
        type_options = ["(none)", *cols]
        ti = type_options.index(c.type) if c.type in type_options else 0
        kind = t.selectbox("Type column", type_options, index=ti, key="hi_type")
        d, w, k = st.columns(3)
        date_format = date_format_box(d, opts)
        st.session_state.setdefault(history_view.WINDOW, history_view.window_days())
        w.number_input(
            "Throughput window (calendar days)",
            1,
            MAX_WINDOW_DAYS,
            key=history_view.WINDOW,
            help="The daily done counts of this many days up to the last done "
            "date feed the forecast.",
        )
        keep = k.multiselect(
            "Types to keep",
            history_view.all_types(),
            default=list(opts.get("types", [])),
            key="hi_types",
            help="Empty: all types.",
        )
        waiting = st.text_input(
            "Not-started statuses",
            ", ".join(opts.get("not_started", NOT_STARTED_STATUSES)),
            key="hi_not_started",
            help="Items not done in one of these statuses (comma-separated) are not work "
            "in progress, even with a created date. Empty: the status column is not used.",
        )
    statuses = tuple(t.strip() for t in waiting.split(",") if t.strip())
    new = {
        "not_started": None if statuses == NOT_STARTED_STATUSES else statuses,
        "start_column": start,
        "done_column": done,
        "type_column": None if kind == "(none)" else kind,
        "date_format": date_format,
        "types": tuple(keep) or None,
    }
    new = {k: v for k, v in new.items() if v is not None}
    if new != {
        **{"start_column": c.start, "done_column": c.done},
        **({"type_column": c.type} if c.type else {}),
        **opts,
    }:
        st.session_state[history_view.OPTIONS] = new
        st.rerun()


def flow(h) -> None:
    pct = h.cycle_time_percentiles()
    tp = h.throughput(history_view.window_days())
    m = st.columns(6)
    m[0].metric("Items", f"{len(h.items):,}")
    m[1].metric("Done", f"{len(h.done_items()):,}")
    m[2].metric(
        "In progress",
        f"{len(h.in_progress()):,}",
        help="Started, not done: the work in progress now.",
    )
    for i, p in enumerate((50, 85, 95)):
        m[3 + i].metric(
            f"{h.columns.measure.capitalize()} P{p}",
            fmt.days(pct[f"p{p}"]),
            help=f"{p}% of the done items took at most this many working days, "
            "start and done day counted.",
        )
    st.caption(
        f"Throughput {tp.samples.mean():.2f} items a working day over the "
        f"{len(tp.samples)} working days from {fmt.date(tp.start)} to "
        f"{fmt.date(tp.end)}." + (f" {tp.note()}" if tp.shortened else "")
    )
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("**Throughput: items done per week**")
        chart(history_charts.throughput_chart(h.weekly_throughput()))
    with right:
        st.markdown("**Cycle time of each done item**")
        chart(history_charts.cycle_time_chart(h.cycle_time_table(), pct))
    wip = h.wip_table()
    if not wip.empty:
        with st.expander(f"Work in progress: {len(wip)} items"):
            st.dataframe(
                wip.assign(start=wip["start"].dt.date),
                hide_index=True,
                width="stretch",
                column_config={"age": st.column_config.NumberColumn("Age (working days)")},
            )


def forecast(h) -> None:
    st.subheader("When will N more items be done?")
    sc = state.scenario()
    a, b = st.columns(2)
    default_n = len(sc.items) if sc is not None else 40
    n = int(a.number_input("Items", 1, MAX_ITEMS, min(default_n, MAX_ITEMS), key="hi_n"))
    start = b.date_input("From", h.default_start(), key="hi_from", format=fmt.DATE_INPUT)
    w = history_view.when(h, n, start)
    dates = {f"P{p}": w.percentile_date(p) for p in (50, 85, 95)}
    m = st.columns(3)
    for i, (label, d) in enumerate(dates.items()):
        m[i].metric(
            f"{label} date",
            fmt.date(d),
            help=f"{label[1:]}% of the {w.runs:,} runs finish {n} items by this date.",
        )
    chart(history_charts.when_chart(w.histogram(), history_charts.markers(dates)))
    st.caption(prose.part("history", "when"))
    bt = _backtest(n)
    st.subheader("Would it have been right? The backtest")
    if bt is None or not bt.cutoffs:
        st.info(
            "The history is too short for a backtest: it needs the window plus "
            f"{n} done items after a cut-off."
        )
        return
    m = st.columns(3)
    m[0].metric("Cut-offs", f"{bt.cutoffs}")
    m[1].metric(
        "Actual by the P50 date",
        fmt.pct(bt.within_p50),
        help="Share of the cut-offs whose real date was on or before the forecast's "
        "P50: about 50% when the forecast is calibrated.",
    )
    m[2].metric("Actual by the P85 date", fmt.pct(bt.within_p85), help="Ideal: about 85%.")
    verdict = bt.verdict()
    say = {"calibrated": st.success, "too few": st.info}.get(verdict, st.warning)
    say(bt.verdict_sentence())
    chart(history_charts.backtest_chart(bt.table))
    st.caption(prose.part("history", "backtest"))


def _backtest(n: int):
    h = history_view.current()
    try:
        return h.backtest(
            min(n, MAX_ITEMS) or DEFAULT_BACKTEST_ITEMS,
            window_days=history_view.window_days(),
            runs=BACKTEST_RUNS,
        )
    except HistoryError as exc:
        st.error(escape_markdown(exc))
        return None


PREVIEW = "history_preview"  # (mapping, calibrated scenario) waiting to be applied
UNDO = "history_undo"  # (scenario, origin, edited) before the last "Use for the backlog"


def use_for_backlog(h) -> None:
    st.subheader("Use for the backlog")
    undo = st.session_state.get(UNDO)
    if undo is not None:
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.caption("The backlog's efforts come from this history.")
        if right.button("Undo", key="hi_undo", help="Put back the efforts from before."):
            old, origin, edited = undo
            state.set_scenario(old, origin, keep_variants=True)
            st.session_state[state.EDITED] = edited
            st.session_state.pop(UNDO, None)
            state.notice("The backlog's efforts are back as they were.")
            st.rerun()
    sc = state.scenario()
    if sc is None:
        st.info("Load a scenario on the Scenario page first.")
        return
    st.markdown(prose.part("history", "calibrate").format(focus=fmt.pct(sc.team.focus)))
    choices = [ALL_TYPES, *[t for t in h.types() if h.cycle_time_percentiles(t)["n"]]]
    guess = suggest_mapping(sc, h)
    table = pd.DataFrame(
        {
            "Item": [it.id for it in sc.items],
            "Name": [it.name for it in sc.items],
            "Effort now": [it.effort.describe() for it in sc.items],
            "Like": [guess[it.id] or ALL_TYPES for it in sc.items],
        }
    )
    edited = st.data_editor(
        table,
        hide_index=True,
        width="stretch",
        key="hi_mapping",
        disabled=["Item", "Name", "Effort now"],
        column_config={
            "Like": st.column_config.SelectboxColumn("History type", options=choices, required=True)
        },
    )
    mapping = {
        row["Item"]: None if row["Like"] in (ALL_TYPES, None) else row["Like"]
        for _, row in edited.iterrows()
    }
    if st.button("Preview the change", key="hi_calibrate"):
        try:
            st.session_state[PREVIEW] = (mapping, calibrate(sc, h, mapping))
        except HistoryError as exc:
            st.error(escape_markdown(exc))
            return
    preview = st.session_state.get(PREVIEW)
    if preview is None or preview[0] != mapping or preview[1].team != sc.team:
        return
    new = preview[1]
    show_preview(sc, new)
    if st.button("Use for the backlog", key="hi_apply", type="primary"):
        st.session_state[UNDO] = (sc, st.session_state.get(state.ORIGIN, ""), state.has_edits())
        st.session_state.pop(PREVIEW, None)
        state.set_scenario(new, f"{state.origin()}, efforts from {h.source}", keep_variants=True)
        st.session_state[state.EDITED] = True  # unsaved until saved on the Scenario page
        state.notice(
            f"{len(mapping)} backlog items now take their effort from "
            f"{h.source}'s cycle times x focus {sc.team.focus:g}. Undo puts them back."
        )
        st.rerun()


def show_preview(sc, new) -> None:
    """What "Use for the backlog" will change: each item's effort and the forecast."""
    t = calibration_table(sc, new)
    st.markdown("**What it changes**")
    st.dataframe(
        t.drop(columns="changed").rename(
            columns={
                "item": "Item",
                "name": "Name",
                "before": "Effort now",
                "mean_before": "Mean now (person-days)",
                "after": "Effort from the history",
                "mean_after": "Mean then (person-days)",
            }
        ),
        hide_index=True,
        width="stretch",
    )
    before = simulate.guarded(lambda: simulate.forecast(sc), "forecast now")
    after = simulate.guarded(lambda: simulate.forecast(new), "forecast with these efforts")
    if before is None or after is None:
        return
    m = st.columns(4)
    for i, key in enumerate(("p50_date", "p85_date")):
        b, a = before["summary"]["delivery"][key], after["summary"]["delivery"][key]
        label = key.split("_")[0].upper()
        m[2 * i].metric(f"{label} delivery now", fmt.date(b))
        m[2 * i + 1].metric(f"{label} delivery then", fmt.date(a))


def main() -> None:
    st.title("History")
    st.markdown(prose.part("history", "intro"))
    note = state.notice()
    if note:
        st.success(escape_markdown(note))
    pick_file()
    h = history_view.current()
    if history_view.error():
        st.error(f"The export could not be read: {escape_markdown(history_view.error())}")
        if h is None:
            retry_form()
    if h is None:
        return
    columns_form(h)
    if h.first_done() is None:
        st.warning("No item in this export has a done date: there is no flow to show yet.")
        return
    try:
        flow(h)
        forecast(h)
    except HistoryError as exc:
        st.error(escape_markdown(exc))
        return
    use_for_backlog(h)


main()
