"""The team's history in the session, and its second opinion on the Forecast page.

The uploaded export (its bytes and name) and the column options live in
``st.session_state`` (one per browser session); reading it is cached by its
content, so every page can ask for the history without reading it again. All
rules are :mod:`simulation.history`'s; this module only shows them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from simulation import Scenario
from simulation.history import (
    DEFAULT_RUNS,
    DEFAULT_SEED,
    DEFAULT_WINDOW_DAYS,
    DISAGREE_DAYS,
    History,
    HistoryError,
    header_columns,
    read_history,
    second_opinion,
)
from simulation.present.markdown import escape_markdown

from . import fmt

#: The demo export behind the "Use the sample" button.
SAMPLE = Path(__file__).resolve().parent.parent / "scenarios" / "history" / "team-stories.csv"
FILE = "history_file"  # (name, bytes) of the export in use
OPTIONS = "history_options"  # read_history keyword arguments chosen on the page
WINDOW = "history_window"  # throughput window, calendar days
ERROR = "history_error"  # message of the last export that could not be read


@st.cache_data(max_entries=16, show_spinner=False)
def _read(data: bytes, name: str, options: tuple) -> History:
    return read_history(data, name=name, **dict(options))


def set_file(name: str, data: bytes) -> None:
    """A new export: forget the old one's options (its columns may not exist here)."""
    st.session_state[FILE] = (name, data)
    st.session_state[OPTIONS] = {}
    st.session_state.pop(ERROR, None)


def options() -> dict[str, Any]:
    return st.session_state.setdefault(OPTIONS, {})


def window_days() -> int:
    return int(st.session_state.get(WINDOW, DEFAULT_WINDOW_DAYS))


#: The reading options as the page labels them, for messages.
PAGE_OPTIONS = {
    "date_format": "Date format",
    "start_column": "Start column",
    "done_column": "Done column",
    "type_column": "Type column",
    "types": "Types to keep",
    "not_started": "Not-started statuses",
}


def page_message(text: str) -> str:
    """A reading message with the option named as the page labels it ("name them with
    start_column and done_column" becomes "choose them below: Start column, Done
    column", the boxes the page then shows)."""
    text = text.replace(
        "name them with start_column and done_column",
        f"choose them below: {PAGE_OPTIONS['start_column']}, {PAGE_OPTIONS['done_column']}",
    )
    for option, label in PAGE_OPTIONS.items():
        text = text.replace(f"{option}: ", f"{label}: ")
    return text


def file_columns() -> list[str]:
    """The header's column names of the export in use ([] when there is none)."""
    file = st.session_state.get(FILE)
    return header_columns(file[1]) if file else []


def current() -> History | None:
    """The history read with the chosen options, or None (the message is in ``error()``)."""
    file = st.session_state.get(FILE)
    if file is None:
        return None
    name, data = file
    try:
        h = _read(data, name, tuple(sorted(options().items())))
    except HistoryError as exc:
        st.session_state[ERROR] = page_message(str(exc))
        return None
    st.session_state.pop(ERROR, None)
    return h


def all_types() -> list[str]:
    """Every item type in the export, whatever the types filter keeps (for the picker)."""
    name, data = st.session_state[FILE]
    unfiltered = {k: v for k, v in options().items() if k != "types"}
    try:
        return _read(data, name, tuple(sorted(unfiltered.items()))).types()
    except HistoryError:
        return []


def error() -> str | None:
    return st.session_state.get(ERROR)


@st.cache_data(max_entries=32, show_spinner=False)
def _when(
    data: bytes, name: str, opts: tuple, n: int, start: str, window: int, runs: int, seed: int
):
    return _read(data, name, opts).when(n, start, window_days=window, runs=runs, seed=seed)


def when(h: History, n: int, start) -> Any:
    """The *when* forecast of ``n`` items from ``start`` (cached by the export's content)."""
    name, data = st.session_state[FILE]
    return _when(
        data,
        name,
        tuple(sorted(options().items())),
        n,
        str(start),
        window_days(),
        DEFAULT_RUNS,
        DEFAULT_SEED,
    )


def second_opinion_block(sc: Scenario, summary: dict[str, Any]) -> None:
    """On Forecast: the throughput forecast of the backlog's item count beside the
    model's P50/P85, and a sentence when they disagree by more than two weeks."""
    h = current()
    if h is None or h.first_done() is None:
        return
    n = len(sc.items)
    d = summary["delivery"]
    try:
        w = when(h, n, sc.start_date)
        op = second_opinion(w, d.get("p50_date"), d.get("p85_date"))
    except HistoryError as exc:
        st.info(f"No second opinion from the team's history: {escape_markdown(exc)}")
        return
    with st.container(border=True):
        st.subheader(
            "Second opinion: the team's throughput",
            help="A Monte Carlo of the team's own daily done counts (History "
            "page): when would this many items be done at the pace the team "
            "has actually kept? It knows nothing of the plan's estimates.",
        )
        m = st.columns(4)
        m[0].metric("Model P50", fmt.date(op["model_p50"]))
        m[1].metric(
            "Throughput P50",
            fmt.date(op["throughput_p50"]),
            help=f"{n} items at the pace of the last {window_days()} days of "
            f"{escape_markdown(h.source or 'the export')}, from {fmt.date(sc.start_date)}.",
        )
        m[2].metric("Model P85", fmt.date(op["model_p85"]))
        m[3].metric("Throughput P85", fmt.date(op["throughput_p85"]))
        st.markdown(opinion_sentence(op))


def opinion_sentence(op: dict[str, Any]) -> str:
    """What the comparison means, in words (pure: tested without Streamlit)."""
    n = op["n"]
    if op["throughput_p85"] is None:
        return (
            f"At the team's recent pace the {n} items would not be done within 20 years: "
            "the history's window has (almost) no finished items."
        )
    if not op["disagree"]:
        return (
            f"The team's own throughput for {n} items agrees with the model within two "
            "weeks: the plan's estimates look like the team's usual pace."
        )
    shift = max(
        (op["shift_p50_days"], op["shift_p85_days"]), key=lambda x: abs(x) if x is not None else -1
    )
    weeks = abs(shift) / 7
    if op["model_earlier"]:
        return (
            f"**The model is {weeks:.0f} weeks earlier than the team's throughput** "
            f"for {n} items (more than {DISAGREE_DAYS // 7} weeks apart). That usually "
            "means the plan's estimates or the team's focus are optimistic; the History "
            "page can set the backlog's efforts from the team's cycle times."
        )
    return (
        f"**The model is {weeks:.0f} weeks later than the team's throughput** for {n} "
        f"items (more than {DISAGREE_DAYS // 7} weeks apart): the plan's items may be "
        "bigger than the team's usual ones, or its estimates cautious."
    )
