"""History: reading exports, cycle times, throughput forecasts, backtest,
calibration and the ``history`` command, against numbers worked out by hand.

The five-item files in ``tests/data/history/`` hold the same items in four
layouts and date formats (Mon-Fri calendar; 1 Jan 2027 is a Friday):

=====  =========================  ===========================  ===========
item   start                      done                         cycle time
=====  =========================  ===========================  ===========
S-1    Mon 4 Jan                  Fri 8 Jan                    5
S-2    Fri 8 Jan                  Mon 11 Jan (over a weekend)  2
S-3    Tue 5 Jan                  Tue 5 Jan (same day)         1
S-4    Wed 6 Jan (Analysis        Wed 13 Jan                   6
       skipped: In Progress)
S-5    Sat 9 Jan -> Mon 11 Jan    Thu 21 Jan                   9
S-6    Mon 18 Jan                 (in progress)
S-7    (not started)
=====  =========================  ===========================  ===========

Sorted cycle times 1, 2, 5, 6, 9 (n = 5). Nearest rank: P50 = value at rank
ceil(2.5) = 3 -> 5; P85 at ceil(4.25) = 5 -> 9; P95 at ceil(4.75) = 5 -> 9.
Stories (S-1, S-3, S-4): 1, 5, 6 -> P50 rank 2 = 5, P85 rank 3 = 6.
Bugs (S-2, S-5): 2, 9 -> P50 rank 1 = 2, P85 rank 2 = 9.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
import sys
import time
import warnings

import numpy as np
import pandas as pd
import pytest

from simulation import load_scenario, load_scenario_text, scenario_to_yaml
from simulation.history import (
    HistoryError,
    calibrate,
    forecast_how_many,
    forecast_when,
    nearest_rank,
    read_history,
    second_opinion,
)
from simulation.scenario.errors import ScenarioError
from simulation.scenario.schema import parse_scenario
from tests.helpers import LIBRARY, ROOT

DATA = ROOT / "tests" / "data" / "history"
DEMO = ROOT / "scenarios" / "history"
FIVE = {
    "five-stages.csv": ("stages", "ISO"),
    "five-flat.csv": ("flat", "M/d/yyyy"),
    "five-jira-de.csv": ("flat", "d.M.yyyy"),
    "five-iso-times.csv": ("flat", "ISO"),
}
CYCLE_TIMES = {"S-1": 5, "S-2": 2, "S-3": 1, "S-4": 6, "S-5": 9}


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def flat_csv(rows: list[tuple[str, str]]) -> bytes:
    """A flat export of items (start, done) as bytes."""
    lines = ["ID,Type,Started,Done"]
    lines += [f"X-{i},Story,{s},{d}" for i, (s, d) in enumerate(rows, 1)]
    return ("\n".join(lines) + "\n").encode()


def _csv(*lines: str) -> bytes:
    """An export from its lines (header first) as bytes."""
    return ("\n".join(lines) + "\n").encode()


def one_a_day(first: str, last: str) -> bytes:
    """Exactly one item done (started the same day) on every working day first..last."""
    days = pd.bdate_range(first, last)
    return flat_csv([(d.date().isoformat(), d.date().isoformat()) for d in days])


# ------------------------------------------------------------------ reading
@pytest.mark.parametrize("name", FIVE)
def test_five_items_cycle_times_and_percentiles_by_hand(name):
    """Every layout and date format gives the hand-computed cycle times (module docstring)."""
    h = read_history(DATA / name)
    layout, fmt = FIVE[name]
    assert (h.columns.layout, h.columns.date_format) == (layout, fmt)
    done = h.done_items().set_index("id")["cycle_time"].to_dict()
    assert done == CYCLE_TIMES, "weekend, same-day, skipped stage and Saturday start"
    assert h.cycle_time_percentiles() == {"p50": 5, "p85": 9, "p95": 9, "n": 5}
    assert h.cycle_time_percentiles("Story") == {"p50": 5, "p85": 6, "p95": 6, "n": 3}
    assert h.cycle_time_percentiles("Bug") == {"p50": 2, "p85": 9, "p95": 9, "n": 2}
    status = h.items.set_index("id")["status"]
    assert status["S-6"] == "in_progress" and status["S-7"] == "not_started"
    assert len(h.items) == 7, "blank rows are dropped, nothing else"
    s = h.summary()
    assert (s["items"], s["done"], s["in_progress"]) == (7, 5, 1)
    assert (s["first_done"], s["last_done"]) == ("2027-01-05", "2027-01-21")


#: Each tracker's default export of the same seven items (docs/how-to/read-a-tracker-export.md):
#: layout, date format detected, start column and what start to done measures.
TRACKERS = {
    "tracker-jira.csv": ("dd/MMM/yy", "Created", "lead time"),
    "tracker-azure-devops.csv": ("M/d/yyyy", "Activated Date", "cycle time"),
    "tracker-linear.csv": ("ISO", "Started", "cycle time"),
    "tracker-youtrack.csv": ("d MMM yyyy", "Created", "lead time"),
}


@pytest.mark.parametrize("name", TRACKERS)
def test_each_tracker_default_export_reads_as_the_five_items(name):
    """Jira (``22/Aug/26 11:25 AM``), Azure DevOps, Linear and YouTrack exports of the
    module docstring's items give its cycle times 5, 2, 1, 6, 9 with nothing set. S-7
    has a created date but a not-started status (To Do, New, Todo, Submitted), so it is
    not in progress. Catches a two-digit year read as year 27, a month name not read,
    the status column ignored, and lead time called cycle time."""
    fmt, start, measure = TRACKERS[name]
    h = read_history(DATA / name)
    assert (h.columns.layout, h.columns.date_format, h.columns.start) == ("flat", fmt, start)
    assert h.done_items().set_index("id")["cycle_time"].to_dict() == CYCLE_TIMES
    status = h.items.set_index("id")["status"]
    assert (status["S-6"], status["S-7"]) == ("in_progress", "not_started")
    assert h.columns.measure == measure
    assert (h.columns.measure_note() is not None) == (measure == "lead time")
    assert h.items.set_index("id").loc["S-5", "done"] == day("2027-01-21")


#: An Azure DevOps-like export with every data-quality problem, default columns
#: (start 'Activated Date', done 'Closed Date', a 'Created Date' beside them):
#: Q-1 on three rows (the last, a Bug started Tue 5 and closed Wed 6, is read: 2
#: days); Q-2 closed before it was activated; Q-3 closed before it was created;
#: two rows without an id are two items, not duplicates.
DIRTY = b"""ID,Work Item Type,Created Date,Activated Date,Closed Date
Q-1,Story,2027-01-01,2027-01-04,2027-01-08
Q-2,Story,2027-01-01,2027-01-12,2027-01-08
Q-1,Story,2027-01-01,2027-01-04,2027-01-11
Q-3,Story,2027-01-20,2027-01-04,2027-01-08
,Story,2027-01-01,2027-01-04,2027-01-08
,Story,2027-01-01,2027-01-04,2027-01-08
Q-1,Bug,2027-01-01,2027-01-05,2027-01-06
"""


def test_data_quality_is_counted_with_examples_and_the_last_duplicate_is_read():
    """Counts and example ids exact (DIRTY above) with no column named. Catches
    duplicates kept (6 items instead of 5, Q-1 twice in the throughput), the first
    row kept instead of the last, blank ids taken as one repeated id, a check that
    needs mapped columns, and a done-before-start item given a negative cycle time."""
    h = read_history(DIRTY, name="dirty.csv")
    assert h.columns.start == "Activated Date" and h.columns.done == "Closed Date"
    assert h.quality[0].columns == ("ID",), "the id column compared"
    assert h.quality_summary() == {
        "duplicate_ids": {"count": 1, "examples": ["Q-1"], "dropped_rows": 2},
        "done_before_start": {"count": 1, "examples": ["Q-2"]},
        "done_before_created": {"count": 1, "examples": ["Q-3"]},
    }
    assert len(h.items) == 5 and list(h.items["row"]) == [3, 5, 6, 7, 8]
    q1 = h.items.set_index("id").loc["Q-1"]
    assert (q1["type"], q1["cycle_time"]) == ("Bug", 2), "the last row of Q-1 is read"
    cycle = dict(zip(h.items["row"], h.items["cycle_time"], strict=True))
    assert cycle[3] == 1, "Q-2 counts as started on its done date"
    assert cycle[5] == 5, "Q-3's dates are read as written (Mon 4 to Fri 8)"
    assert h.warnings == [
        "1 item id appears on more than one row (Q-1): the last row of each is read, "
        "the 2 earlier rows are left out",
        "1 item is done before its start (Q-2): the date in 'Activated Date' is after the "
        "one in 'Closed Date'; it counts as started on the done date",
        "1 item is done before it was created (Q-3): the date in 'Created Date' is after "
        "the one in 'Closed Date'; its dates are read as written",
    ]
    assert read_history(DIRTY, types=["Story"]).quality_summary()["duplicate_ids"] == {
        "count": 1,
        "examples": ["Q-1"],
        "dropped_rows": 2,
    }, "an id is one item whatever its type: the Bug row still replaces the Stories"


def test_data_quality_examples_are_the_first_five_in_file_order():
    """Seven items done before their start and three ids twice: the count is all of
    them, the examples the first five in file order (rows without an id named by row),
    and the sentence says there are more."""
    rows = [("2027-01-12", "2027-01-08")] * 7 + [("2027-01-04", "2027-01-08")] * 3
    data = flat_csv(rows).replace(b"X-1,", b",", 1)
    data += b"X-8,Story,2027-01-04,2027-01-05\nX-9,Story,2027-01-04,2027-01-05\n"
    data += b"X-10,Story,2027-01-04,2027-01-05\n"
    h = read_history(data)
    q = h.quality_summary()
    assert q["done_before_start"] == {
        "count": 7,
        "examples": ["row 2", "X-2", "X-3", "X-4", "X-5"],
    }
    assert q["duplicate_ids"] == {"count": 3, "examples": ["X-8", "X-9", "X-10"], "dropped_rows": 3}
    assert "(row 2, X-2, X-3, X-4, X-5, ...)" in h.warnings[1]
    assert q["done_before_created"] == {"count": 0, "examples": []}, "no created column"


def test_a_skipped_start_stage_still_finds_done_before_start():
    """Stage layout, default columns (start 'Analysis'): B-1 skipped Analysis and entered
    In Progress after Done, so none of its start dates comes before done; B-2 entered
    In Progress after Done too but Analysis before it, so it started in time. The
    five-item files have no finding at all. Catches a check of the start column alone."""
    data = (
        b"ID,Backlog,Analysis,In Progress,Done,Type\n"
        b"B-1,2027-01-01,,2027-01-12,2027-01-08,Story\n"
        b"B-2,2027-01-01,2027-01-04,2027-01-12,2027-01-08,Story\n"
    )
    h = read_history(data)
    assert h.columns.layout == "stages"
    assert h.quality_summary()["done_before_start"] == {"count": 1, "examples": ["B-1"]}
    assert "the dates in 'Analysis' to 'In Progress' are after the one in 'Done'" in h.warnings[0]
    for name in [*FIVE, *TRACKERS]:
        assert read_history(DATA / name).quality == (), name


def test_status_aware_reading_is_configurable():
    """The Jira export's S-7 (created 15 Jan, To Do): not started by default; with no
    not-started statuses it counts as in progress (2 items); with "In Progress" listed,
    S-6 stops counting too. Catches a status list that is not used or not case-blind."""
    path = DATA / "tracker-jira.csv"
    assert len(read_history(path).in_progress()) == 1
    assert len(read_history(path, not_started=()).in_progress()) == 2
    assert len(read_history(path, not_started=["in progress", "TO DO"]).in_progress()) == 0


@pytest.mark.parametrize(
    ("pattern", "cell"),
    [("dd/MMM/yy h:mm a", "21/Jan/27 3:00 PM"), ("dd-MM-yyyy HH:mm", "21-01-2027 15:00")],
)
def test_java_style_patterns_are_understood(pattern, cell):
    """Trackers document their formats as Java patterns; S-5 (Sat 9 to Thu 21 Jan 2027)
    takes 9 working days either way. Catches a Java pattern refused or mistranslated."""
    start = cell.replace("21", "09", 1)
    h = read_history(flat_csv([(start, cell)]), date_format=pattern)
    assert h.cycle_times().tolist() == [9.0]


def test_an_unknown_date_names_the_format_setting_not_an_option():
    """The message says to set the date format with an example pattern, in words a page
    and the command line can both use (no internal option name)."""
    with pytest.raises(HistoryError, match="set the date format") as info:
        read_history(flat_csv([("Jan 4th 2027", "Jan 8th 2027")]))
    assert "date_format" not in str(info.value)


def test_all_layouts_give_identical_items():
    frames = [read_history(DATA / n).items.drop(columns=["row", "name"]) for n in FIVE]
    for other in frames[1:]:
        pd.testing.assert_frame_equal(frames[0], other)


def test_stage_layout_details():
    """Stage columns in order, the second stage as start, skipped stages, row numbers."""
    h = read_history(DATA / "five-stages.csv")
    assert h.columns.stages == ("Backlog", "Analysis", "In Progress", "Review", "Done")
    assert (h.columns.start, h.columns.done, h.columns.type) == ("Analysis", "Done", "Type")
    it = h.items.set_index("id")
    assert it.loc["S-4", "start"] == day("2027-01-06"), "no Analysis date: In Progress counts"
    assert it.loc["S-5", "start"] == day("2027-01-09"), "the date as written (a Saturday)"
    assert it.loc["S-4", "type"] == "Story", "multi-value cell [Story|Spike]: its first value"
    # Quoted fields with embedded quotes, commas and a line break; a repeated header.
    assert it.loc["S-1", "name"] == 'Export "all" rows, fast'
    assert it.loc["S-3", "name"] == "Same-day\nchange"
    assert "Labels.1" in h.all_columns
    # Spreadsheet rows (header = 1): blank row 4 and the comma-only row 7 are skipped.
    assert it["row"].tolist() == [2, 3, 5, 6, 8, 9, 10]


def test_bom_and_flat_defaults():
    raw = (DATA / "five-flat.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "the fixture carries a byte-order mark"
    h = read_history(raw, name="five-flat.csv")
    assert h.columns.id == "ID", "the BOM is not part of the first column's name"
    assert (h.columns.start, h.columns.done) == ("Activated Date", "Closed Date")
    assert h.columns.type == "Work Item Type"


def test_semicolons_and_jira_names():
    h = read_history(DATA / "five-jira-de.csv")
    assert (h.columns.id, h.columns.start, h.columns.done) == ("Issue key", "Created", "Resolved")


@pytest.mark.parametrize(
    "fmt, start, done",
    [
        ("d.M.yyyy H:mm:ss", "9.1.2027 10:00:00", "21.1.2027 15:00:00"),
        ("M/d/yyyy h:mm AM", "1/9/2027 10:00 AM", "1/21/2027 3:00 PM"),
        ("d/M/yyyy", "9/1/2027", "21/1/2027"),
        ("ISO", "2027-01-09T10:00:00+02:00", "2027-01-21"),
        ("%d-%m-%Y", "09-01-2027", "21-01-2027"),
    ],
)
def test_each_date_format_given(fmt, start, done):
    """S-5's dates in every format give its 9 working days (Sat 9 -> Mon 11 .. Thu 21)."""
    h = read_history(flat_csv([(start, done)]), date_format=fmt)
    assert h.cycle_times().tolist() == [9.0]


def test_day_first_slashes_are_detected():
    """A first number above 12 cannot be a month: d/M/yyyy."""
    h = read_history(flat_csv([("9/1/2027", "21/1/2027"), ("4/1/2027", "8/1/2027")]))
    assert h.columns.date_format == "d/M/yyyy"
    assert h.cycle_times().tolist() == [5.0, 9.0], "in done-date order"


def test_twelve_is_a_month_either_way_round():
    """The day-first rule turns on numbers above 12, not 12 itself: 12/6/2027 and
    12/10/2027 can be month-first (6 and 10 December: Monday to Friday, 5 working
    days by hand), so they stay M/d/yyyy; 13/12/2027 to 17/12/2027 have a first
    number above 12 and a second of exactly 12, so they are day-first (13 to 17
    December, 5 working days). Catches ``>= 12`` in either half of the rule (the
    first would read 12 June and 12 October; the second would refuse the file)."""
    h = read_history(flat_csv([("12/6/2027", "12/10/2027")]))
    assert h.columns.date_format == "M/d/yyyy"
    assert h.done_items()["done"].tolist() == [pd.Timestamp("2027-12-10")]
    h = read_history(flat_csv([("13/12/2027", "17/12/2027")]))
    assert h.columns.date_format == "d/M/yyyy"
    assert h.done_items()["done"].tolist() == [pd.Timestamp("2027-12-17")]
    assert h.cycle_times().tolist() == [5.0]


def test_types_filter_and_options():
    h = read_history(DATA / "five-stages.csv", types=["bug"])
    assert sorted(h.items["id"]) == ["S-2", "S-5"]
    h = read_history(DATA / "five-stages.csv", start_column="in progress")
    assert h.columns.start == "In Progress"
    assert h.items.set_index("id").loc["S-1", "start"] == day("2027-01-05")


def test_holidays_are_not_working_days():
    """With Tue 5 Jan a holiday, S-1 (Mon 4 .. Fri 8) takes 4 days, S-3 (on the
    holiday) moves to Wed 6 and takes 1."""
    h = read_history(DATA / "five-stages.csv", calendar={"holidays": ["2027-01-05"]})
    ct = h.done_items().set_index("id")["cycle_time"]
    assert ct["S-1"] == 4 and ct["S-3"] == 1


def test_nearest_rank_by_hand():
    values = list(range(1, 21))  # 1..20
    assert [nearest_rank(values, p) for p in (50, 85, 95, 100)] == [10, 17, 19, 20]
    assert nearest_rank([3], 85) == 3 and nearest_rank([], 50) is None
    assert nearest_rank([1, 2, math.inf, math.inf], 50) == 2
    assert nearest_rank([1, 2, math.inf, math.inf], 85) is None, "among the never-runs"


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "empty"),
        (b"\n\n", "empty"),
        (b"ID,Started,Done\n", "no items"),
        (
            b"ID,Started,Done\nA,2027-01-04,2027-01-05\nB,2027-01-04,2027-01-05,extra\n",
            "not a well-formed CSV",
        ),
        (b"ID,Started,Done\nA,2027-01-04,2027-02-30\n", "column 'Done', row 2 (item A)"),
        (b"ID,Started,Done\nA,2027-01-04,soon\n", "'soon'"),
        (b"ID,Started,Done\nA,4.1.2027,2027-01-05\n", "more than one way"),
        (b"ID,Started,Done\nA,2027-01-04,99999-01-05\n", "99999-01-05"),
        ("ID,Started,Done\n".encode("utf-16"), "not UTF-8"),
        (b"ID,Started,Done\nA,\xff\xfe,2027-01-05\n", "line 2: not UTF-8"),
        (b"ID,Title,State\nA,x,Done\n", "start_column and done_column"),
    ],
)
def test_bad_files_get_a_clear_message(content, words):
    with pytest.raises(HistoryError) as err:
        read_history(content, name="export.csv")
    assert words in str(err.value) and str(err.value).startswith("export.csv: "), err.value
    assert isinstance(err.value, ScenarioError)


def test_bad_options_name_the_option():
    f = DATA / "five-stages.csv"
    cases = [
        (dict(done_column="Finished"), "done_column: no column named 'Finished'"),
        (dict(types=["Epic"]), "types: no item of type 'Epic' (types in the file: Story"),
        (dict(date_format="yyyy/dd"), "date_format: 'yyyy/dd' is not a known format"),
        (dict(date_format="--/--"), "date_format: '--/--' is not a known format"),
        (dict(date_format="dd/QQ/yyyy"), "date_format: 'dd/QQ/yyyy' is not a known format"),
        (dict(calendar={"workdays": ["Mon", "Funday"]}), "calendar:"),
    ]
    for kwargs, words in cases:
        with pytest.raises(HistoryError, match=None) as err:
            read_history(f, **kwargs)
        assert words in str(err.value), (kwargs, str(err.value))
    h = read_history(f)
    for call, words in [
        (lambda: h.when(10**9), "when: must be from 1 to 10,000"),
        (lambda: h.when(5, runs=0), "runs: must be from 1"),
        (lambda: h.when(5, "next week"), "from: 'next week' is not a date"),
        (lambda: h.throughput(10**6), "window_days: must be from 1"),
        (lambda: h.how_many("2027-01-01", "2027-02-01"), "no working day"),
    ]:
        with pytest.raises(HistoryError) as err:
            call()
        assert words in str(err.value), str(err.value)


def test_size_and_row_limits(monkeypatch, tmp_path):
    from simulation.history import reading

    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    with pytest.raises(HistoryError, match="more than 3 rows"):
        read_history(DATA / "five-stages.csv")
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 100)
    with pytest.raises(HistoryError, match="at most 100 are read"):
        read_history(DATA / "five-stages.csv")
    with pytest.raises(HistoryError, match="more than 100 bytes"):
        read_history(b"x" * 101)
    with pytest.raises(HistoryError, match="not a file"):
        read_history(tmp_path)


# --------------------------------------------------------------- throughput
def test_one_a_day_window_and_when_exactly():
    """Every working day exactly 1 done => N items take exactly N working days, every
    run: 40 working days from Thu 1 Apr 2027 end on Wed 26 May 2027 (Apr: 22 working
    days, May 3-21: 15, then 24, 25, 26)."""
    h = read_history(one_a_day("2027-01-04", "2027-03-31"))
    tp = h.throughput(60)
    assert (tp.start, tp.end) == (dt.date(2027, 1, 31), dt.date(2027, 3, 31))
    assert len(tp.samples) == 43 and set(tp.samples) == {1}, "Feb 20 + Mar 23 working days"
    w = h.when(40, "2027-04-01", window_days=60, runs=2000, seed=1)
    assert set(w.days) == {40}
    assert (
        w.percentile_date(50)
        == w.percentile_date(85)
        == w.percentile_date(95)
        == dt.date(2027, 5, 26)
    )
    m = h.how_many("2027-04-30", "2027-04-01", window_days=60, runs=500)
    assert m.working_days == 22 and (m.at_least(50), m.at_least(85), m.at_least(95)) == (22, 22, 22)


def test_window_counts_zero_days_and_weekend_done():
    """An item done on Saturday counts on Monday; zero days count as samples."""
    h = read_history(
        flat_csv(
            [
                ("2027-01-04", "2027-01-04"),
                ("2027-01-05", "2027-01-09"),
                ("2027-01-06", "2027-01-11"),
            ]
        )
    )
    tp = h.throughput(7)  # Tue 5 .. Mon 11: working days 5, 6, 7, 8, 11
    assert tp.days.astype(str).tolist() == [
        "2027-01-05",
        "2027-01-06",
        "2027-01-07",
        "2027-01-08",
        "2027-01-11",
    ]
    assert tp.samples.tolist() == [0, 0, 0, 0, 2], "Saturday's item on Monday"


def test_window_starts_no_earlier_than_the_export():
    """One item a day for three weeks (Mon 4 to Fri 22 Jan 2027, 15 working days) with
    the default 90-day window: the window starts on 4 Jan, every sample is 1, so 15
    more items take exactly 15 working days from Mon 25 Jan: Fri 12 Feb. Catches the
    window reaching back before the export (60 zero days would make the pace 0.2 a day
    and the date months later) and a note that never says the window was shortened."""
    h = read_history(one_a_day("2027-01-04", "2027-01-22"))
    tp = h.throughput(90)
    assert tp.start == dt.date(2027, 1, 4) and set(tp.samples) == {1} and len(tp.samples) == 15
    assert tp.shortened and tp.calendar_days == 19
    assert "19 calendar days, not the 90 asked for" in tp.note()
    w = h.when(15, runs=500, seed=3)
    assert set(w.days) == {15} and w.percentile_date(85) == dt.date(2027, 2, 12)
    assert h.throughput(19).note() is None, "a window inside the export is not shortened"
    out = h.summary(window_days=90)
    assert out["throughput"]["from"] == "2027-01-04" and out["throughput"]["note"]


@pytest.mark.parametrize(
    ("last_done", "expected"),
    [("2027-01-08", "2027-01-11"), ("2027-01-09", "2027-01-11"), ("2027-01-07", "2027-01-08")],
)
def test_default_start_is_the_working_day_after_the_last_done_date(last_done, expected):
    """Last done on Fri 8 or Sat 9 Jan 2027: the forecast starts Mon 11 Jan; on Thu 7:
    Fri 8. Catches the start taken from the window's end (a Saturday item counts on
    Monday, so the start became Tuesday 12) and an unrolled start on a weekend."""
    h = read_history(flat_csv([("2027-01-04", "2027-01-05"), ("2027-01-05", last_done)]))
    assert h.default_start() == dt.date.fromisoformat(expected)
    assert h.when(1, runs=50).start == dt.date.fromisoformat(expected)
    assert h.how_many("2027-02-26", runs=50).start == dt.date.fromisoformat(expected)
    assert h.summary(when=1, runs=50)["when"]["from"] == expected


def test_a_weekend_from_counts_from_the_monday():
    """From Sat 9 Jan 2027 at exactly one item a working day: item 1 on Mon 11, item 3
    on Wed 13; how many from Sat 9 to Fri 15 counts Mon-Fri: 5. Catches a weekend start
    counted as a working day (Sat 9 / Mon 11) or rolled backwards to Friday."""
    one = np.array([1])
    assert forecast_when(one, 1, "2027-01-09", runs=20).percentile_date(50) == dt.date(2027, 1, 11)
    assert forecast_when(one, 3, "2027-01-09", runs=20).percentile_date(95) == dt.date(2027, 1, 13)
    m = forecast_how_many(one, "2027-01-15", "2027-01-09", runs=20)
    assert m.working_days == 5 and m.at_least(95) == 5


def _negbin_percentile(successes: int, p: float, q: float) -> int:
    """Smallest d with P(at least ``successes`` in d Bernoulli(q) trials) >= p."""
    d = successes
    while True:
        cdf = sum(math.comb(d, k) * q**k * (1 - q) ** (d - k) for k in range(successes, d + 1))
        if cdf >= p:
            return d
        d += 1


def test_alternating_zero_two_matches_negative_binomial():
    """Samples 0 and 2 (mean 1 a day): 40 items need 20 twos; the day it happens is
    negative binomial (mean 20 / 0.5 = 40 days, sd sqrt(20 x 0.5) / 0.5 = 6.32)."""
    s = np.array([0, 2] * 30)
    w = forecast_when(s, 40, "2027-03-01", runs=20_000, seed=7)
    se = 6.32 / math.sqrt(20_000)
    assert abs(w.days.mean() - 40) < 4 * se, w.days.mean()
    for p in (50, 85, 95):
        exact = _negbin_percentile(20, p / 100, 0.5)
        assert abs(w.percentile_day(p) - exact) <= 1, (p, w.percentile_day(p), exact)
    m = forecast_how_many(s, "2027-03-26", "2027-03-01", runs=20_000, seed=7)
    assert m.working_days == 20
    assert abs(m.counts.mean() - 20) < 4 * math.sqrt(20) / math.sqrt(20_000)
    # At least this many in 85% of runs: 2 x the 15th percentile of Bin(20, 0.5) = 2 x 8.
    assert m.at_least(85) == 16 and m.at_least(50) == 20


def test_zero_throughput_never_hangs():
    t0 = time.perf_counter()
    w = forecast_when(np.zeros(50, int), 40, "2027-03-01", runs=10_000)
    assert w.percentile_date(50) is None and w.to_dict()["never_runs"] == 10_000
    w = forecast_when(np.array([0] * 199 + [1]), 5, "2027-03-01", runs=1000)
    assert time.perf_counter() - t0 < 5
    assert w.to_dict()["never_runs"] == 0 and w.percentile_day(50) > 500


def test_forecast_is_seeded_and_fast():
    s = np.array([0, 1, 2, 0, 1, 3, 0, 0, 1, 2] * 9)
    a = forecast_when(s, 40, "2027-03-01", runs=10_000, seed=3)
    b = forecast_when(s, 40, "2027-03-01", runs=10_000, seed=3)
    c = forecast_when(s, 40, "2027-03-01", runs=10_000, seed=4)
    np.testing.assert_array_equal(a.days, b.days)
    assert not np.array_equal(a.days, c.days)
    best = min(_timed(lambda: forecast_when(s, 40, "2027-03-01", runs=10_000)) for _ in range(3))
    assert best < 0.5, f"10,000 runs of a 40-item forecast took {best:.2f} s"


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


# ----------------------------------------------------------------- backtest
def test_backtest_on_a_regular_history_is_perfectly_calibrated():
    """One done every working day from Mon 4 Jan to Wed 30 Jun 2027, window 28, N 10:
    cut-offs are Mondays from 1 Feb; the last needs 10 done after it, so it is before
    Thu 17 Jun (the 10th-last working day): 14 Jun, 19 weeks after 1 Feb -> 20
    cut-offs. Every forecast is exact, so both shares are 1.0."""
    h = read_history(one_a_day("2027-01-04", "2027-06-30"))
    b = h.backtest(10, window_days=28, runs=500)
    assert b.cutoffs == 20
    assert b.table["cutoff"].iloc[0] == day("2027-02-01")
    assert b.table["cutoff"].iloc[-1] == day("2027-06-14")
    assert (b.within_p50, b.within_p85) == (1.0, 1.0)
    assert (b.table["actual"] == b.table["p50"]).all(), "forecast date = actual date"


def test_backtest_of_the_demo_is_roughly_calibrated():
    """The demo team's flow is stationary, so its backtest lands near 50% and 85%."""
    b = read_history(DEMO / "team-stories.csv").backtest(20, runs=2000)
    assert b.cutoffs > 40
    assert 0.3 <= b.within_p50 <= 0.75 and 0.65 <= b.within_p85 <= 0.98, b.to_dict()


# -------------------------------------------------------------- the demo file
def _backtest_with(within_p50: float, within_p85: float, cutoffs: int = 100):
    from simulation.history import Backtest

    k50, k85 = round(within_p50 * cutoffs), round(within_p85 * cutoffs)
    table = pd.DataFrame(
        {
            "within_p50": [True] * k50 + [False] * (cutoffs - k50),
            "within_p85": [True] * k85 + [False] * (cutoffs - k85),
        }
    )
    return Backtest(n=20, window_days=90, table=table)


@pytest.mark.parametrize(
    ("p50", "p85", "cutoffs", "verdict"),
    [
        (0.50, 0.85, 100, "calibrated"),
        (0.41, 0.76, 100, "calibrated"),
        (0.39, 0.85, 100, "over-confident"),
        (0.50, 0.74, 100, "over-confident"),
        (0.59, 0.85, 100, "calibrated"),
        (0.61, 0.85, 100, "under-confident"),
        (0.50, 0.96, 100, "under-confident"),
        (0.30, 0.99, 100, "mixed"),
        (0.25, 0.50, 20, "over-confident"),
        (0.30, 0.70, 20, "calibrated"),
        (0.0, 0.0, 4, "too few"),
    ],
)
def test_backtest_verdict_in_words(p50, p85, cutoffs, verdict):
    """Bands around 50% and 85%: two standard errors sqrt(p(1-p)/k), at least 10 points.
    k = 100: both bands are 10 points (2 x 0.05 = 0.10; 2 x 0.0357 = 0.071 -> 0.10), so
    41% and 76% are calibrated, 39% or 74% over-confident, 96% under-confident. k = 20:
    the P50 band is 2 x sqrt(0.25 / 20) = 22.4 points (30% calibrated, 25% not) and the
    P85 band 16 points (70% calibrated, 50% not). Fewer than 5 cut-offs: too few. Catches
    a swapped over/under, a band on the wrong side and a missing minimum band."""
    bt = _backtest_with(p50, p85, cutoffs)
    assert bt.verdict() == verdict
    sentence = bt.verdict_sentence()
    assert sentence.lower().startswith(verdict.split()[0]) or verdict == "too few"
    if verdict != "too few":
        assert f"in {p50:.0%} of {cutoffs} cut-offs" in sentence and f"{p85:.0%}" in sentence
    assert bt.to_dict()["verdict"] == verdict


def test_the_sample_export_lies_before_every_library_scenario():
    """The bundled history is the team's past: its last date is before the earliest
    start date of the library (so a forecast from it starts where the plans start)."""
    from simulation.scenario.library import library_files

    h = read_history(DEMO / "team-stories.csv")
    starts = [load_scenario(f).start_date for f in library_files()]
    assert h.latest_date() < min(starts), (h.latest_date(), min(starts))


def test_demo_layouts_agree():
    a = read_history(DEMO / "team-stories.csv")
    b = read_history(DEMO / "team-stories-flat.csv")
    assert a.columns.layout == "stages" and b.columns.layout == "flat"
    pd.testing.assert_frame_equal(
        a.items.drop(columns=["row", "name"]), b.items.drop(columns=["row", "name"])
    )
    assert 200 <= len(a.items) <= 500 and len(a.in_progress()) > 0
    assert a.summary(when=40) == {**b.summary(when=40), "columns": a.columns.to_dict()}


def test_weekly_throughput_counts_every_done_item():
    h = read_history(DEMO / "team-stories.csv")
    weekly = h.weekly_throughput()
    assert weekly["done"].sum() == len(h.done_items())
    assert (weekly["week_start"].dt.day_of_week == 0).all()
    assert (weekly["week_start"].diff().dropna() == pd.Timedelta(days=7)).all()


def test_wip_age_by_hand():
    """S-6 started Mon 18 Jan; the latest date in the file is Thu 21 Jan: 4 days."""
    wip = read_history(DATA / "five-stages.csv").wip_table()
    assert wip["id"].tolist() == ["S-6"] and wip["age"].tolist() == [4]


# -------------------------------------------------------------- calibration
def test_calibrate_all_items_writes_cycle_times_times_focus():
    sc = load_scenario(LIBRARY / "supply-chain.yaml")
    h = read_history(DATA / "five-stages.csv")
    new = calibrate(sc, h)
    # In done-date order: S-3 (1, Jan 5), S-1 (5, Jan 8), S-2 (2), S-4 (6), S-5 (9); x 0.8.
    expected = (0.8, 4.0, 1.6, 4.8, 7.2)
    for it in new.items:
        assert it.effort.dist == "empirical" and it.effort.samples == expected
    assert new.team == sc.team and new.risks == sc.risks
    assert load_scenario_text(scenario_to_yaml(new)) == new, "self-contained in its YAML"


def test_calibrate_per_type_mapping():
    sc = load_scenario(LIBRARY / "supply-chain.yaml")
    h = read_history(DATA / "five-stages.csv")
    first, second = sc.items[0].id, sc.items[1].id
    new = calibrate(sc, h, {first: "Bug", second: None}, focus=0.5)
    assert new.items[0].effort.samples == (1.0, 4.5), "bugs S-2 (2) and S-5 (9) x 0.5"
    assert new.items[1].effort.samples == (0.5, 2.5, 1.0, 3.0, 4.5)
    assert new.items[2:] == sc.items[2:], "unmapped items keep their effort"
    with pytest.raises(HistoryError, match="'nope' is not a planned backlog item"):
        calibrate(sc, h, {"nope": "Bug"})
    with pytest.raises(HistoryError, match="no done item of type 'Epic'"):
        calibrate(sc, h, {first: "Epic"})


def test_suggested_mapping_is_per_type_where_names_say_it():
    """Items named with a type word ("Bug", case aside) get that type, the rest all types;
    calibrating with the suggestion gives bug-named items the bugs' cycle times only
    (S-2 2, S-5 9; x 0.8 = 1.6, 7.2). Catches one team-wide distribution for every item
    and a match on part of a word ("debugger" is not a bug)."""
    from simulation.history import calibration_table, suggest_mapping

    sc = load_scenario(LIBRARY / "supply-chain.yaml")
    data = sc.model_dump(mode="json", exclude_none=True)
    data["items"][0]["name"] = "Fix the BUG in imports"
    data["items"][1]["name"] = "A debugger for stories"
    sc = load_scenario_text(scenario_to_yaml(parse_scenario(data)))
    h = read_history(DATA / "five-stages.csv")
    guess = suggest_mapping(sc, h)
    assert guess[sc.items[0].id] == "Bug" and guess[sc.items[1].id] == "Story"
    assert all(guess[it.id] is None for it in sc.items[2:])
    new = calibrate(sc, h, guess)
    assert new.items[0].effort.samples == (1.6, 7.2)
    t = calibration_table(sc, new)
    assert t["changed"].all() and t.loc[0, "mean_after"] == 4.4, "(1.6 + 7.2) / 2"
    assert t.loc[0, "mean_before"] == round(sc.items[0].effort.expected(), 2)


def test_calibration_takes_the_latest_items(monkeypatch):
    """With room for only 3 samples, the latest 3 done items are written: in done-date
    order S-3 (1), S-1 (5), S-2 (2), S-4 (6), S-5 (9), so S-2, S-4, S-5 x focus 0.8 =
    1.6, 4.8, 7.2. Catches keeping the oldest items (0.8, 4.0, 1.6)."""
    import sys

    monkeypatch.setattr(sys.modules["simulation.history.calibration"], "MAX_SAMPLES", 3)
    sc = load_scenario(LIBRARY / "supply-chain.yaml")
    new = calibrate(sc, read_history(DATA / "five-stages.csv"))
    assert new.items[0].effort.samples == (1.6, 4.8, 7.2)


# ---------------------------------------------------------- second opinion
def test_second_opinion_flags_more_than_two_weeks():
    w = forecast_when(np.ones(20, int), 10, "2027-03-01", runs=10)  # Fri 12 Mar 2027
    assert w.percentile_date(85) == dt.date(2027, 3, 12)
    close = second_opinion(w, "2027-03-05", "2027-03-26")  # -7 and +14 days
    assert (close["shift_p50_days"], close["shift_p85_days"]) == (-7, 14)
    assert not close["disagree"]
    early = second_opinion(w, "2027-02-24", "2027-03-10")  # -16 days
    assert early["disagree"] and early["model_earlier"]
    late = second_opinion(w, "2027-03-12", "2027-04-01")  # +20 days
    assert late["disagree"] and not late["model_earlier"]


# ---------------------------------------------------------------------- CLI
def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simulation", "history", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_json_matches_the_library():
    f = str(DEMO / "team-stories.csv")
    p = cli(
        f,
        "--when",
        "40",
        "--from",
        "2026-12-21",
        "--how-many-by",
        "2027-03-19",
        "--backtest",
        "--runs",
        "2000",
        "--seed",
        "5",
        "--json",
    )
    assert p.returncode == 0, p.stderr
    s = json.loads(p.stdout)
    h = read_history(f)
    assert s == json.loads(
        json.dumps(
            h.summary(
                when=40,
                start="2026-12-21",
                how_many_by="2027-03-19",
                backtest_items=40,
                runs=2000,
                seed=5,
            )
        )
    )
    assert set(s) >= {
        "items",
        "done",
        "in_progress",
        "first_done",
        "last_done",
        "cycle_time",
        "throughput",
        "when",
        "how_many",
        "backtest",
    }
    assert set(s["when"]) >= {"n", "from", "p50_date", "p85_date", "p95_date"}
    assert set(s["backtest"]) >= {"cutoffs", "within_p50", "within_p85"}


def test_cli_text_and_bad_input():
    p = cli(str(DATA / "five-flat.csv"), "--types", "Story")
    assert p.returncode == 0, p.stderr
    assert "5 items: 3 done, 1 in progress, 1 not started" in p.stdout and "P50 5" in p.stdout
    for args, words in [
        (
            (str(DATA / "five-flat.csv"), "--done-column", "Closed"),
            "--done-column: no column named 'Closed'",
        ),
        ((str(DATA / "five-flat.csv"), "--when", "99999999"), "--when: must be from 1 to 10,000"),
        (("/no/such.csv",), "not a file"),
        ((str(DATA / "five-flat.csv"), "--when", "lots"), "invalid int"),
    ]:
        p = cli(*args)
        assert p.returncode == 2 and words in p.stderr, p.stderr
        assert "Traceback" not in p.stderr


def test_cli_reports_data_quality_in_words_and_json(tmp_path):
    """The command prints each finding of DIRTY as a warning line and --json carries
    the counts and examples."""
    f = tmp_path / "dirty.csv"
    f.write_bytes(DIRTY)
    p = cli(str(f))
    assert p.returncode == 0, p.stderr
    assert "5 items: 5 done" in p.stdout
    for w in read_history(f).warnings:
        assert f"  warning: {w}" in p.stdout, p.stdout
    p = cli(str(f), "--json")
    assert json.loads(p.stdout)["quality"]["duplicate_ids"] == {
        "count": 1,
        "examples": ["Q-1"],
        "dropped_rows": 2,
    }


def test_cli_reads_a_jira_export_and_says_lead_time():
    """The command reads Jira's default export with nothing set, calls the times lead
    times, and --not-started "" ignores the status (S-7 then counts in progress)."""
    f = str(DATA / "tracker-jira.csv")
    p = cli(f)
    assert p.returncode == 0, p.stderr
    assert "dates dd/MMM/yy; status 'Status'" in p.stdout
    assert "Lead time (working days" in p.stdout and "lead times, not cycle times" in p.stdout
    assert "5 done, 1 in progress, 1 not started" in p.stdout
    p = cli(f, "--not-started", "")
    assert "5 done, 2 in progress, 0 not started" in p.stdout, p.stdout


# ------------------------------------------------- calibration: bounds and words
#: Two done items (cycle times counted inclusively, Mon-Fri: 4-5 Jan is 2 days,
#: 4-6 Jan 3), a Spike only in progress (a type with no done item).
TYPED = b"""ID,Type,Start,Done
A-1,Story,2027-01-04,2027-01-05
A-2,Patch,2027-01-04,2027-01-06
A-3,Spike,2027-01-04,
"""


def _small():
    from tests.helpers import make_scenario

    return make_scenario(
        items=[
            {
                "id": "api",
                "name": "Two patches",
                "effort": {"dist": "triangular", "low": 1, "mode": 2, "high": 4},
            },
            {"id": "spikes", "name": "Spikes and stories", "effort": 3},
        ]
    )


def test_focus_is_above_0_and_at_most_1():
    """focus 1 is allowed (cycle time = effort); 0 and 1.5 are refused by name."""
    h = read_history(TYPED)
    assert calibrate(_small(), h, focus=1).items[0].effort.samples == (2.0, 3.0)
    for focus in (0, 1.5):
        with pytest.raises(HistoryError) as info:
            calibrate(_small(), h, focus=focus)
        assert str(info.value) == f"focus: must be > 0 and <= 1, got {focus}"


def test_mapping_mistakes_are_named_with_what_would_fit():
    """An unknown item names the close one (or nothing); an unknown type lists the
    types (or 'none' without a type column); a type with no done item, or a history
    with none at all, says so."""
    h = read_history(TYPED)
    cases = [
        ({"apii": None}, "mapping: 'apii' is not a planned backlog item; did you mean 'api'?"),
        ({"zzz": None}, "mapping: 'zzz' is not a planned backlog item"),
        (
            {"api": "Epic"},
            "mapping: api: no done item of type 'Epic' in the history (types: Story, Patch, Spike)",
        ),
        ({"api": "Spike"}, "mapping: api: the history has no done item of type 'Spike'"),
    ]
    for mapping, message in cases:
        with pytest.raises(HistoryError) as info:
            calibrate(_small(), h, mapping)
        assert str(info.value) == message
    untyped = read_history(b"ID,Start,Done\nA-1,2027-01-04,2027-01-05\n")
    with pytest.raises(HistoryError) as info:
        calibrate(_small(), untyped, {"api": "Bug"})
    assert str(info.value) == (
        "mapping: api: no done item of type 'Bug' in the history (types: none)"
    )
    nothing_done = read_history(b"ID,Type,Start,Done\nA-1,Story,2027-01-04,\n")
    with pytest.raises(HistoryError) as info:
        calibrate(_small(), nothing_done)
    assert str(info.value) == "mapping: api: the history has no done item"


def test_a_type_with_one_done_item_calibrates_and_samples_keep_four_decimals():
    """Patch has one done item (3 days): it is enough. At focus 1/3 the samples are
    2/3 = 0.6667 and 3/3 = 1.0, four decimals."""
    new = calibrate(_small(), read_history(TYPED), {"api": "Patch", "spikes": None}, focus=1 / 3)
    assert new.items[0].effort.samples == (1.0,)
    assert new.items[1].effort.samples == (0.6667, 1.0)


def test_suggestions_use_plurals_and_only_types_with_done_items():
    """ "Two patches" is a Patch (plural in -es); "Spikes and stories" names Spike, which
    has no done item, and Story (plural in -ies): Story. "bugs" in -s."""
    from simulation.history import suggest_mapping

    h = read_history(TYPED)
    assert suggest_mapping(_small(), h) == {"api": "Patch", "spikes": "Story"}
    from tests.helpers import make_scenario

    spikes = make_scenario(items=[{"id": "s", "name": "Spikes", "effort": 1}])
    assert suggest_mapping(spikes, h) == {"s": None}, "no Spike is done: all types"
    bugs = make_scenario(items=[{"id": "b", "name": "Old bugs", "effort": 1}])
    h_bug = read_history(b"ID,Type,Start,Done\nA-1,Bug,2027-01-04,2027-01-05\n")
    assert suggest_mapping(bugs, h_bug) == {"b": "Bug"}


def test_the_calibration_table_by_hand():
    """Triangular 1, 2, 4: mean 7/3 = 2.33; calibrated at focus 1/3 on 2 and 3 days:
    0.6667 and 1.0, mean 0.83 (two decimals each)."""
    from simulation.history import calibration_table

    sc = _small()
    t = calibration_table(sc, calibrate(sc, read_history(TYPED), {"api": None}, focus=1 / 3))
    assert list(t.columns) == [
        "item",
        "name",
        "before",
        "mean_before",
        "after",
        "mean_after",
        "changed",
    ]
    assert t.iloc[0].to_dict() == {
        "item": "api",
        "name": "Two patches",
        "before": "1-4 (most likely 2)",
        "mean_before": 2.33,
        "after": "0.6667-1 (history of 2)",
        "mean_after": 0.83,
        "changed": True,
    }
    assert not t.iloc[1]["changed"] and t.iloc[1]["mean_after"] == 3.0


# ------------------------------------------------- backtest: bounds, verdict edges
def _shares(cutoffs: int, p50_hits: int, p85_hits: int):
    from simulation.history.backtesting import Backtest

    table = pd.DataFrame(
        {
            "within_p50": [i < p50_hits for i in range(cutoffs)],
            "within_p85": [i < p85_hits for i in range(cutoffs)],
        }
    )
    return Backtest(n=10, window_days=28, table=table)


def test_backtest_verdict_edges_by_hand():
    """100 cut-offs: the P50 band is 2 sqrt(0.25 / 100) = 0.10 and the P85 band
    2 sqrt(0.1275 / 100) = 0.071, widened to the 0.10 floor. A share exactly on a band's
    edge (40% at P50, 95% at P85) is still calibrated; one cut-off beyond is not.
    4 cut-offs are too few, 5 are judged."""
    assert _shares(100, 40, 85).verdict() == "calibrated"
    assert _shares(100, 39, 85).verdict() == "over-confident"
    assert _shares(100, 50, 95).verdict() == "calibrated"
    assert _shares(100, 50, 96).verdict() == "under-confident"
    assert _shares(100, 39, 96).verdict() == "mixed"
    assert _shares(4, 2, 4).verdict() == "too few"
    assert _shares(5, 2, 4).verdict() != "too few"


def test_backtest_as_a_dict_and_in_words():
    """Shares to four decimals (1/3 -> 0.3333); none without cut-offs."""
    assert _shares(3, 1, 2).to_dict() == {
        "n": 10,
        "window_days": 28,
        "cutoffs": 3,
        "within_p50": 0.3333,
        "within_p85": 0.6667,
        "verdict": "too few",
    }
    empty = _shares(0, 0, 0).to_dict()
    assert empty["within_p50"] is None and empty["within_p85"] is None
    from simulation.history.backtesting import verdict_words

    tail = {
        "over-confident": "Reality came later than the forecast said; read its dates as too early.",
        "under-confident": "Reality came earlier than the forecast said; its dates are cautious.",
        "mixed": "The spread of its dates is off: one percentile is too early and the other "
        "too late.",
    }
    for verdict, end in tail.items():
        assert verdict_words(verdict, 20, 0.3, 0.97).endswith(
            "in 30% of 20 cut-offs (ideal 50%) and on or before the P85 date in 97% "
            f"(ideal 85%). {end}"
        )


def test_backtest_options_are_named_at_their_bounds():
    """1 item, a 5-day window and seed 0 are allowed; 0 items, a 0-day window and a
    negative, boolean or text seed are refused naming the option."""
    h = read_history(DEMO / "team-stories.csv")
    b = h.backtest(1, window_days=5, seed=0, runs=50)
    assert (b.n, b.window_days) == (1, 5) and b.cutoffs > 0
    assert list(b.table.columns) == [
        "cutoff",
        "start",
        "p50",
        "p85",
        "actual",
        "within_p50",
        "within_p85",
    ]
    assert b.table["within_p50"].dtype == bool and b.table["within_p85"].dtype == bool
    assert (b.table["start"] == b.table["cutoff"] + np.timedelta64(1, "D")).all()
    # The first 5-day window holds no done item: that forecast never delivers (NaT),
    # which counts as within (a "never" date is not beaten by any actual date).
    never = b.table["p85"].isna()
    assert list(never[:2]) == [True, False] and pd.isna(b.table["p50"].iloc[0])
    assert b.table.loc[never, ["within_p50", "within_p85"]].all().all()
    assert (b.table.loc[~never, "p85"] >= b.table.loc[~never, "p50"]).all()
    none = h.backtest(10_000, runs=50)
    assert none.cutoffs == 0 and list(none.table.columns) == list(b.table.columns), (
        "more items than the history has: no cut-off, the same columns"
    )
    for kw, message in [
        ({"n": 0}, "backtest items: must be from 1 to 10,000, got 0"),
        ({"n": 1, "window_days": 0}, "window_days: must be from 1 to 3,650, got 0"),
        ({"n": 1, "seed": -1}, "seed: expected a whole number >= 0, got -1"),
        ({"n": 1, "seed": True}, "seed: expected a whole number >= 0, got True"),
        ({"n": 1, "seed": "x"}, "seed: expected a whole number >= 0, got 'x'"),
    ]:
        with pytest.raises(HistoryError) as info:
            h.backtest(**kw, runs=50)
        assert str(info.value) == message


def test_a_cut_off_with_exactly_n_items_after_it_is_kept():
    """One done every working day from 4 Jan to Mon 28 Jun 2027, window 28, N 10: the
    cut-off of Mon 14 Jun has exactly 10 items done after it (15-18, 21-25, 28 Jun),
    so it is the 20th and last cut-off (1 Feb + 19 weeks). Catches ``<=`` for ``<``
    in "stop when fewer than N are done after the cut-off" (19 cut-offs)."""
    b = read_history(one_a_day("2027-01-04", "2027-06-28")).backtest(10, window_days=28, runs=200)
    assert b.cutoffs == 20
    assert b.table["cutoff"].iloc[-1] == day("2027-06-14")
    assert b.table["actual"].iloc[-1] == day("2027-06-28")


def test_each_cut_off_is_the_forecast_of_its_own_window_and_seed():
    """Every row of the demo's backtest equals ``forecast_when`` run by hand on that
    cut-off's window (known at the cut-off), from the next day, with the calendar,
    the runs and seed + the cut-off's index: its P50 and P85 dates. Catches a row
    that reuses one seed (or skips one), a forecast that drops the calendar, the runs
    or the seed, and percentiles other than 50 and 85. A four-day week, so a forecast
    on the default calendar would give other dates."""
    from simulation.history.forecast import forecast_when, throughput_window

    h = read_history(DEMO / "team-stories.csv", calendar={"workdays": ["Mon", "Tue", "Wed", "Thu"]})
    runs, seed, n, window = 300, 7, 20, 60
    b = h.backtest(n, window_days=window, runs=runs, seed=seed)
    assert b.cutoffs > 3
    for k, row in enumerate(b.table.itertuples()):
        cutoff = row.cutoff.date()
        tp = throughput_window(h, window, until=cutoff)
        f = forecast_when(tp.samples, n, row.start.date(), h.calendar, runs=runs, seed=seed + k)
        assert (pd.Timestamp(f.percentile_date(50)), pd.Timestamp(f.percentile_date(85))) == (
            row.p50,
            row.p85,
        ), f"cut-off {k} ({cutoff})"


# ------------------------------------------- reading: the details mutation testing found
def test_the_summary_of_the_five_items_by_hand():
    """``summary()`` of five-stages.csv, every value worked out from the module docstring
    and the keys of docs/reference/history.md (``--json``). Throughput, 90-day window up
    to Thu 21 Jan: the export starts Mon 4 Jan (S-1's start), so the window is 4-21 Jan,
    18 calendar days, 14 working days (5 + 5 + 4) holding the 5 done items: 5 / 14 =
    0.357142... -> 0.3571 at four decimals. Catches a key misspelt, ``!=`` for ``==``
    in the not-started count, ``n`` kept in (or every percentile dropped from) the
    overall cycle time, by-type percentiles of all types, the end or a rounding other
    than four decimals, and a note that does not say the window was shortened."""
    h = read_history(DATA / "five-stages.csv")
    stages = ["Backlog", "Analysis", "In Progress", "Review", "Done"]
    empty = {"count": 0, "examples": []}
    assert h.summary() == {
        "items": 7,
        "done": 5,
        "in_progress": 1,
        "not_started": 1,
        "first_done": "2027-01-05",
        "last_done": "2027-01-21",
        "columns": {
            "layout": "stages",
            "id": "ID",
            "name": "Name",
            "type": "Type",
            "start": "Analysis",
            "done": "Done",
            "stages": stages,
            "date_format": "ISO",
            "status": None,
            "measure": "cycle time",
        },
        "quality": {
            "duplicate_ids": {**empty, "dropped_rows": 0},
            "done_before_start": empty,
            "done_before_created": empty,
        },
        "cycle_time": {
            "p50": 5,
            "p85": 9,
            "p95": 9,
            "by_type": {
                "Story": {"p50": 5, "p85": 6, "p95": 6, "n": 3},
                "Bug": {"p50": 2, "p85": 9, "p95": 9, "n": 2},
            },
        },
        "throughput": {
            "window_days": 90,
            "from": "2027-01-04",
            "until": "2027-01-21",
            "working_days": 14,
            "mean_per_day": 0.3571,
            "note": "The export starts on 2027-01-04, so the throughput window holds 18 "
            "calendar days, not the 90 asked for: days before the export are not counted "
            "as days with nothing done.",
        },
        "runs": 10_000,
        "seed": 42,
    }


def test_the_summary_passes_every_forecast_option_on():
    """``summary(when=..., start=..., how_many_by=...)`` with a 10-day window, 300 runs and
    seed 5 is the forecasts asked for with those options: from Mon 1 Feb (not the
    default Fri 22 Jan), how many by Fri 12 Feb (10 working days). 10,000 items cannot
    be done in 5,200 working days at most 1 a day, so every run is "never" and
    ``never_runs`` is the runs asked for (37). Catches the start, window, runs or seed
    dropped on the way to ``when`` and the how-many forecast left out."""
    h = read_history(DATA / "five-stages.csv")
    opts = {"window_days": 10, "runs": 300, "seed": 5}
    out = h.summary(when=3, start="2027-02-01", how_many_by="2027-02-12", **opts)
    when = h.when(3, "2027-02-01", **opts).to_dict()
    assert out["when"] == when and when["from"] == "2027-02-01"
    assert when != h.when(3, "2027-02-01", runs=300, seed=5).to_dict(), "the window matters"
    assert when != h.when(3, "2027-02-01", window_days=10, runs=300).to_dict(), "so does seed"
    assert out["how_many"] == h.how_many("2027-02-12", "2027-02-01", **opts).to_dict()
    assert (out["how_many"]["from"], out["how_many"]["working_days"]) == ("2027-02-01", 10)
    assert (out["runs"], out["seed"], out["throughput"]["window_days"]) == (300, 5, 10)
    # One run: its count is every percentile, and seed 2 on the 10-day window draws
    # another count than seed 42 or the 90-day window.
    one = {"window_days": 10, "runs": 1, "seed": 2}
    many = h.summary(how_many_by="2027-02-12", start="2027-02-01", **one)["how_many"]
    alone = h.how_many("2027-02-12", "2027-02-01", **one).to_dict()
    assert many == alone and alone["p50"] == alone["p85"] == alone["p95"]
    assert alone != h.how_many("2027-02-12", "2027-02-01", runs=1, seed=2).to_dict()
    assert alone != h.how_many("2027-02-12", "2027-02-01", window_days=10, runs=1).to_dict()
    assert h.summary(when=10_000, runs=37)["when"]["never_runs"] == 37


def test_a_history_with_nothing_done_has_no_throughput():
    """One item started, none done: no first or last done date, no throughput, and asking
    for a forecast says why, naming the file. Catches ``x is None`` for ``x is not None``
    (every plain summary refused) and a throughput of "" instead of None."""
    h = read_history(b"ID,Started,Done\nA-1,2027-01-04,\n", name="x.csv")
    assert (h.first_done(), h.last_done(), h.default_start()) == (None, None, None)
    out = h.summary()
    assert out["throughput"] is None and "when" not in out
    for kw in ({"when": 1}, {"how_many_by": "2027-02-01"}, {"backtest_items": 5}):
        with pytest.raises(HistoryError) as info:
            h.summary(**kw)
        assert str(info.value) == (
            "x.csv: no item has a done date, so there is no throughput to forecast from"
        )
    blank = read_history(b"ID,Started,Done\nA-1,,\n")
    assert blank.latest_date() is None and blank.first_done() is None
    assert blank.wip_table().empty


def test_the_lead_time_note_in_words():
    """The Jira export's start column is 'Created': the note says so in full (the
    sentence the History page and the command print)."""
    h = read_history(DATA / "tracker-jira.csv")
    assert h.columns.measure_note() == (
        "The start column 'Created' is the date an item was created, so these times are "
        "lead times (waiting in the backlog included), not cycle times; pick a start "
        "column such as In Progress or Started for cycle times."
    )
    assert read_history(DATA / "five-stages.csv").columns.measure_note() is None


def test_the_default_start_follows_the_calendar():
    """Last done Fri 8 Jan 2027 with Mon 11 a holiday: the forecast starts Tue 12. Catches
    the start rolled on the Monday-to-Friday calendar instead of the history's."""
    h = read_history(
        flat_csv([("2027-01-04", "2027-01-08")]), calendar={"holidays": ["2027-01-11"]}
    )
    assert h.default_start() == dt.date(2027, 1, 12)


@pytest.mark.parametrize(
    ("calendar", "as_of", "age"),
    [
        ({}, "2027-01-24", 6),  # Sun 24 rolls to Mon 25: 18-22 and 25
        ({"holidays": ["2027-01-19"]}, "2027-01-21", 3),  # 18, 20, 21
        ({"workdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]}, "2027-01-23", 6),  # 18-23
        ({}, "2027-01-15", 1),  # before its start: one day, never less
    ],
)
def test_wip_age_on_the_history_calendar(calendar, as_of, age):
    """S-6 started Mon 18 Jan 2027; its age as of a date counts working days of the
    history's calendar from start to that date, both counted, the date rolled forward
    to a working day, and at least 1. Catches ``as_of`` not rolled (numpy raises on a
    Sunday), the Monday-to-Friday calendar used for the roll (a six-day week's Sat 23
    would roll to Mon 25: 7) or for the count (the holiday counted: 4), and a floor of
    2 days."""
    h = read_history(DATA / "five-stages.csv", calendar=calendar)
    wip = h.wip_table(as_of=dt.date.fromisoformat(as_of))
    assert list(wip.columns) == ["id", "name", "type", "start", "age"]
    assert wip["id"].tolist() == ["S-6"] and wip["age"].tolist() == [age]


def test_wip_table_without_items_in_progress_keeps_its_columns():
    """The bugs of five-stages.csv are all done: an empty table with the same columns and
    a float ``age`` (the page's chart reads it). Catches the age column missing, of
    another type, or an ``index`` column left by ``reset_index``."""
    wip = read_history(DATA / "five-stages.csv", types=["Bug"]).wip_table(dt.date(2027, 2, 1))
    assert wip.empty and list(wip.columns) == ["id", "name", "type", "start", "age"]
    assert wip["age"].dtype == np.float64


def test_wip_table_oldest_first_ties_in_file_order():
    """Forty items in progress, started Mon 4, Tue 5 or Wed 6 Jan 2027 in turn (ages 5, 4
    and 3 as of Fri 8): oldest first and, within an age, in file order, numbered 0 to 39.
    Forty rows, so numpy's default quicksort (not stable beyond 16) would mix the ties.
    Catches ascending order, an unstable sort and a leftover ``index`` column."""
    starts = ["2027-01-04", "2027-01-05", "2027-01-06"]
    rows = [(starts[i % 3], "") for i in range(40)]
    data = flat_csv(rows) + b"D-1,Story,2027-01-04,2027-01-08\n"
    wip = read_history(data).wip_table(dt.date(2027, 1, 8))
    expected = [f"X-{i + 1}" for r in range(3) for i in range(40) if i % 3 == r]
    assert wip["id"].tolist() == expected
    assert wip["age"].tolist() == [5] * 14 + [4] * 13 + [3] * 13
    assert list(wip.index) == list(range(40)) and "index" not in wip.columns


def test_weekly_throughput_zero_weeks_and_nothing_done():
    """Done Mon 4 and Wed 20 Jan 2027: weeks of 4, 11 and 18 Jan with 1, 0 and 1 items, as
    whole numbers. Nothing done: no weeks, the same columns and types. Catches a missing
    week read as NaN instead of 0, an empty table without its columns, and the
    deprecated lower-case day alias ('d', '7d') that pandas 4 removes."""
    h = read_history(flat_csv([("2027-01-04", "2027-01-04"), ("2027-01-18", "2027-01-20")]))
    with warnings.catch_warnings():
        # No deprecated pandas alias (lower-case 'd' days), so it keeps working on pandas 4.
        warnings.simplefilter("error")
        weekly = h.weekly_throughput()
    assert weekly["week_start"].tolist() == [
        day("2027-01-04"),
        day("2027-01-11"),
        day("2027-01-18"),
    ]
    assert weekly["done"].tolist() == [1, 0, 1] and weekly["done"].dtype == np.int64
    none = read_history(b"ID,Started,Done\nA-1,2027-01-04,\n").weekly_throughput()
    assert none.empty and list(none.columns) == ["week_start", "done"]
    assert none["week_start"].dtype == "datetime64[ns]" and none["done"].dtype == np.int64


def test_when_and_how_many_use_the_history_calendar_runs_and_seed():
    """One item done every Monday to Thursday of January 2027 on a four-day week: every
    sample is 1, so 5 items from Mon 1 Feb are done on Mon 8 Feb (1-4, 8), and from Mon 1
    to Thu 11 Feb there are 8 working days, so 8 items. The Monday-to-Friday calendar
    would give Fri 5 Feb and 9 days. Catches the calendar, the runs, the seed or the
    start dropped between ``History`` and the forecast functions."""
    four = {"workdays": ["Mon", "Tue", "Wed", "Thu"]}
    days = [d.date().isoformat() for d in pd.bdate_range("2027-01-04", "2027-01-28")]
    h = read_history(flat_csv([(d, d) for d in days if day(d).day_of_week < 4]), calendar=four)
    w = h.when(5, "2027-02-01", runs=50, seed=7)
    assert w.percentile_date(95) == dt.date(2027, 2, 8) and (w.runs, w.seed) == (50, 7)
    m = h.how_many("2027-02-11", "2027-02-01", runs=50, seed=7)
    assert (m.start, m.working_days, m.at_least(95)) == (dt.date(2027, 2, 1), 8, 8)
    assert (m.counts.size, m.seed) == (50, 7)


def test_how_many_names_its_dates():
    """A bad start or end date names its option: ``from`` and ``how_many_by``."""
    h = read_history(DATA / "five-stages.csv")
    with pytest.raises(HistoryError) as info:
        h.how_many("2027-02-11", "next week")
    assert str(info.value) == "from: 'next week' is not a date (write it as YYYY-MM-DD)"
    with pytest.raises(HistoryError) as info:
        h.how_many("soon")
    assert str(info.value) == "how_many_by: 'soon' is not a date (write it as YYYY-MM-DD)"


def _columns(n: int) -> bytes:
    """A flat export with ``n`` columns: ID, Started, Done and C4 ... Cn."""
    names = ["ID", "Started", "Done"] + [f"C{i}" for i in range(4, n + 1)]
    return (",".join(names) + "\nA,2027-01-04,2027-01-05" + ",x" * (n - 3) + "\n").encode()


def test_an_unknown_column_is_named_with_a_close_one_and_the_first_30():
    """'Fin' is close to 'Finished' (difflib ratio 2 x 3 / 11 = 0.545, above the 0.5
    cutoff, below difflib's default 0.6): the message suggests it. 'Zzz' has no close
    column: no suggestion. Columns are listed up to 30, then ' ...' (31 columns), and
    exactly 30 are listed whole. Catches the hint dropped, its cutoff changed, the 31st
    column listed and '...' on 30 columns or missing on 31."""
    data = b"ID,Started,Finished\nA,2027-01-04,2027-01-05\n"
    with pytest.raises(HistoryError) as info:
        read_history(data, done_column="Fin")
    assert str(info.value) == (
        "done_column: no column named 'Fin'; did you mean 'Finished'? "
        "(columns: 'ID', 'Started', 'Finished')"
    )
    for n, tail in ((30, ""), (31, " ...")):
        names = ["ID", "Started", "Done"] + [f"C{i}" for i in range(4, 31)]
        with pytest.raises(HistoryError) as info:
            read_history(_columns(n), start_column="Zzz")
        shown = ", ".join(f"'{c}'" for c in names)
        assert str(info.value) == f"start_column: no column named 'Zzz' (columns: {shown}{tail})"


def test_a_java_pattern_from_its_first_letter():
    """``yyyy/MM/dd`` (not one of the named formats) is read as %Y/%m/%d: S-5 takes 9
    working days. Catches the pattern read from its second character ('yyy/...' has a
    lone 'y', which is no pattern letter)."""
    h = read_history(flat_csv([("2027/01/09", "2027/01/21")]), date_format="yyyy/MM/dd")
    assert h.cycle_times().tolist() == [9.0]
    assert h.columns.date_format == "%Y/%m/%d"


@pytest.mark.parametrize(
    ("finding", "sentence"),
    [
        (
            ("duplicate_ids", 1, ("Q-1",), ("ID",), 1),
            "1 item id appears on more than one row (Q-1): the last row of each is read, "
            "the 1 earlier row is left out",
        ),
        (
            ("duplicate_ids", 2, ("A", "B"), ("ID",), 3),
            "2 item ids appear on more than one row (A, B): the last row of each is read, "
            "the 3 earlier rows are left out",
        ),
        (
            ("done_before_start", 2, ("A", "B"), ("Start", "Done")),
            "2 items are done before their start (A, B): the date in 'Start' is after the "
            "one in 'Done'; they count as started on the done date",
        ),
        (
            ("done_before_created", 2, ("A", "B"), ("Created", "Done")),
            "2 items are done before they were created (A, B): the date in 'Created' is "
            "after the one in 'Done'; their dates are read as written",
        ),
        (
            ("done_before_created", 1, ("A",), ("Created", "Done")),
            "1 item is done before it was created (A): the date in 'Created' is after the "
            "one in 'Done'; its dates are read as written",
        ),
        (
            ("done_before_start", 2, ("A", "B"), ("Analysis", "In Progress", "Review", "Done")),
            "2 items are done before their start (A, B): the dates in 'Analysis' to 'Review' "
            "are after the one in 'Done'; they count as started on the done date",
        ),
        (
            ("done_before_start", 1_234, ("A", "B"), ("Analysis", "Review", "Done")),
            "1,234 items are done before their start (A, B, ...): the dates in 'Analysis' "
            "to 'Review' are after the one in 'Done'; they count as started on the done date",
        ),
    ],
)
def test_finding_sentences_singular_and_plural(finding, sentence):
    """Each finding's sentence, by English grammar: one item or id is singular, more are
    plural, a thousand has its separator, and more items than examples end in '...'.
    Catches every plural or singular form swapped."""
    from simulation.history.reading import Finding

    assert Finding(*finding).sentence() == sentence


# ------------------------------------------- forecast: the details mutation testing found
def _spread_when(runs: int = 100):
    """A *when* forecast whose run i (0-based) finishes on day i + 1, 1 Mar 2027 + i."""
    from simulation.history import WhenForecast

    days = np.arange(1, runs + 1, dtype=float)
    dates = np.datetime64("2027-03-01") + np.arange(runs).astype("timedelta64[D]")
    return WhenForecast(n=10, start=dt.date(2027, 3, 1), days=days, dates=dates, seed=0)


def test_second_opinion_in_full_by_hand():
    """Runs finishing on 1 Mar 2027 + 0 .. 99 days: nearest-rank P50 is the 50th date,
    Mon 19 Apr (1 Mar + 49), P85 the 85th, Mon 24 May (+ 84). A model P50 20 days before
    and a P85 16 days after: both disagree, and the larger (-20) says the model is
    earlier. Catches the 51st or 86th percentile read, a key misspelt, the model date
    left out, and the larger shift picked by sign instead of size (16 > -20)."""
    w = _spread_when()
    out = second_opinion(w, "2027-03-30", "2027-06-09")
    assert out == {
        "n": 10,
        "throughput_p50": dt.date(2027, 4, 19),
        "throughput_p85": dt.date(2027, 5, 24),
        "model_p50": dt.date(2027, 3, 30),
        "shift_p50_days": -20,
        "model_p85": dt.date(2027, 6, 9),
        "shift_p85_days": 16,
        "disagree": True,
        "model_earlier": True,
    }


def test_second_opinion_without_a_model_date():
    """No model P85 (the model never finishes): its shift is None and only the P50 is
    compared (equal dates: no disagreement). A bad model date names its percentile.
    Catches a missing date read as a date and a shift computed from one side only."""
    out = second_opinion(_spread_when(), dt.date(2027, 4, 19), None)
    assert (out["model_p50"], out["shift_p50_days"]) == (dt.date(2027, 4, 19), 0)
    assert (out["model_p85"], out["shift_p85_days"]) == (None, None)
    assert not out["disagree"] and not out["model_earlier"]
    never = forecast_when(np.zeros(5, int), 3, "2027-03-01", runs=10)
    out = second_opinion(never, "2027-03-05", "2027-03-10")
    assert (out["throughput_p50"], out["shift_p50_days"], out["disagree"]) == (None, None, False)
    with pytest.raises(HistoryError) as info:
        second_opinion(_spread_when(), "soon", None)
    assert str(info.value) == "model p50: 'soon' is not a date (write it as YYYY-MM-DD)"


def test_how_many_at_least_and_as_a_dict_by_hand():
    """Counts 0 .. 99 in 100 runs (shuffled): at least 50 in 50% of them, at least 15 in
    85% (the 85 runs with 15 .. 99), at least 5 in 95%. Catches the index moved by one
    either way and a key misspelt or emptied."""
    from simulation.history import HowManyForecast

    counts = np.random.default_rng(1).permutation(100)
    m = HowManyForecast(
        by=dt.date(2027, 3, 26), start=dt.date(2027, 3, 1), working_days=20, counts=counts, seed=0
    )
    assert m.to_dict() == {
        "by": "2027-03-26",
        "from": "2027-03-01",
        "working_days": 20,
        "p50": 50,
        "p85": 15,
        "p95": 5,
    }


def test_how_many_counts_working_days_both_ends_on_the_calendar():
    """One item a working day: from Mon 11 to Thu 14 Jan 2027 is 4 working days (4
    items); with Wed 13 a holiday, 3; a one-day forecast (Mon 11 to Mon 11) is allowed
    and gives 1. Catches the end counted one day further (Fri 15 would make 5), the
    calendar dropped from the count, and ``<= 1`` refusing a one-day forecast."""
    from simulation.scenario.schema import Calendar

    one = np.array([1])
    m = forecast_how_many(one, "2027-01-14", "2027-01-11", runs=5)
    assert (m.working_days, m.at_least(95)) == (4, 4)
    holiday = Calendar(holidays=["2027-01-13"])
    m = forecast_how_many(one, "2027-01-14", "2027-01-11", holiday, runs=5)
    assert (m.working_days, m.at_least(50)) == (3, 3)
    m = forecast_how_many(one, "2027-01-11", "2027-01-11", runs=5)
    assert (m.working_days, m.at_least(50)) == (1, 1)


def test_forecasts_stop_at_5200_working_days_exactly():
    """docs/reference/history.md: a forecast gives up after 5,200 working days. At one
    item a day, 5,200 items are done on day 5,200 (Mon 4 Jan 2027 + 1,039 weeks + 4
    days, a Friday) and 5,201 never are; a how-many forecast may reach that Friday
    (1,040 five-day weeks) but not the Monday after. Catches the limit off by one
    either way in both forecasts."""
    one = np.array([1])
    start = dt.date(2027, 1, 4)
    friday = start + dt.timedelta(days=1039 * 7 + 4)
    w = forecast_when(one, 5200, start, runs=3)
    assert set(w.days) == {5200} and w.percentile_date(95) == friday
    assert forecast_when(one, 5201, start, runs=3).to_dict()["never_runs"] == 3
    assert forecast_how_many(one, friday, start, runs=1).working_days == 5200
    with pytest.raises(HistoryError) as info:
        forecast_how_many(one, friday + dt.timedelta(days=3), start, runs=1)
    assert str(info.value) == "how_many_by: at most 5,200 working days ahead (got 5,201)"


def test_forecast_functions_name_their_dates():
    """``forecast_how_many`` and ``forecast_when`` called directly name the option of a
    bad date: ``from`` and ``how_many_by``."""
    one = np.array([1])
    for call, message in [
        (lambda: forecast_how_many(one, "soon", "2027-01-11"), "how_many_by: 'soon'"),
        (lambda: forecast_how_many(one, "2027-01-14", "later"), "from: 'later'"),
        (lambda: forecast_when(one, 3, "later"), "from: 'later'"),
    ]:
        with pytest.raises(HistoryError) as info:
            call()
        assert str(info.value) == f"{message} is not a date (write it as YYYY-MM-DD)"


def test_how_many_over_several_blocks_adds_every_day():
    """100,000 runs draw at most 4,000,000 cells at once, so 40 days a block: a 50-day
    forecast (Mon 4 Jan to Fri 12 Mar 2027, ten five-day weeks) at one item a day takes
    two blocks, 40 + 10 days, and every run counts 50 whole items with its seed kept.
    Catches the last block as wide as the first (80), a block replacing the count
    instead of adding to it (10), float counts and the seed dropped."""
    m = forecast_how_many(np.array([1]), "2027-03-12", "2027-01-04", runs=100_000, seed=7)
    assert m.working_days == 50 and m.counts.dtype == np.int64
    assert set(m.counts.tolist()) == {50} and m.seed == 7


def test_when_as_a_dict_by_hand():
    """Runs finishing on day i + 1 (1 Mar 2027 + i), i = 0 .. 99: P50 is day 50 (Mon 19
    Apr), P85 day 85 (Mon 24 May), P95 day 95 (Thu 3 Jun). With the last ten runs never
    finishing, P95 falls among them: no date, no day, ten never-runs. Catches a
    percentile date or day emptied."""
    w = _spread_when()
    assert w.to_dict() == {
        "n": 10,
        "from": "2027-03-01",
        "p50_date": "2027-04-19",
        "p85_date": "2027-05-24",
        "p95_date": "2027-06-03",
        "p50_days": 50,
        "p85_days": 85,
        "p95_days": 95,
        "never_runs": 0,
    }
    w.days[90:] = np.inf
    w.dates[90:] = np.datetime64("NaT")
    d = w.to_dict()
    assert (d["p85_date"], d["p85_days"], d["p95_date"], d["p95_days"]) == (
        "2027-05-24",
        85,
        None,
        None,
    )
    assert d["never_runs"] == 10


def test_when_histogram_shares_count_the_never_runs():
    """100 runs on 100 different dates: 100 rows of one run, share 1/100 each. With the
    last ten never finishing they have no row, and the shares of the other 90 stay
    1/100 (of all runs), summing to 0.9. Catches never-runs given a row or left out of
    the share's denominator, and a denominator of at least 2 runs."""
    w = _spread_when()
    hist = w.histogram()
    assert list(hist.columns) == ["date", "runs", "share"] and len(hist) == 100
    assert hist["date"].iloc[0] == day("2027-03-01") and hist["date"].iloc[-1] == day("2027-06-08")
    assert set(hist["runs"]) == {1} and set(hist["share"]) == {0.01}
    w.days[90:] = np.inf
    w.dates[90:] = np.datetime64("NaT")
    hist = w.histogram()
    assert len(hist) == 90 and set(hist["share"]) == {0.01} and w.runs == 100
    # One run: its date holds all of it (a share of 1, not 1/2).
    one = forecast_when(np.array([1]), 3, "2027-03-01", runs=1).histogram()
    assert one["share"].tolist() == [1.0] and one["date"].tolist() == [day("2027-03-03")]


@pytest.mark.parametrize(
    ("samples", "message"),
    [
        (np.array([], dtype=int), "throughput: needs at least one working day of samples"),
        (np.ones((2, 3), dtype=int), "throughput: needs at least one working day of samples"),
        (np.array([1.0, 0.5]), "throughput: samples must be whole numbers of items"),
        (np.array([1.0, np.nan]), "throughput: samples must be whole numbers of items"),
        (np.array([1.0, np.inf]), "throughput: samples must be whole numbers of items"),
        (np.array([1, -1]), "throughput: samples must be >= 0"),
        (np.array([1.0, -1.0]), "throughput: samples must be >= 0"),
    ],
)
def test_bad_samples_are_refused_in_words(samples, message):
    """Samples are done counts of working days: at least one, whole, not negative."""
    for call in (
        lambda: forecast_when(samples, 3, "2027-03-01", runs=5),
        lambda: forecast_how_many(samples, "2027-03-05", "2027-03-01", runs=5),
    ):
        with pytest.raises(HistoryError) as info:
            call()
        assert str(info.value) == message


def test_whole_float_samples_are_read_as_items():
    """Samples 1.0 and 2.0 (a float array of whole numbers) are 1 and 2 items: from Mon 1
    Mar 2027 four items take two to four working days, and how many in one day is 1 or
    2, the same as with integer samples and the same seed."""
    floats, ints = np.array([1.0, 2.0]), np.array([1, 2])
    a = forecast_when(floats, 4, "2027-03-01", runs=200, seed=3)
    b = forecast_when(ints, 4, "2027-03-01", runs=200, seed=3)
    np.testing.assert_array_equal(a.days, b.days)
    assert set(a.days) <= {2.0, 3.0, 4.0}
    m = forecast_how_many(floats, "2027-03-01", "2027-03-01", runs=200, seed=3)
    assert set(m.counts.tolist()) <= {1, 2} and m.counts.dtype == np.int64


def test_throughput_window_options_and_edges():
    """A window of one day up to a Saturday holds no working day and says so; 0 and
    3,651 days are refused, 3,650 allowed; nothing done says there is no throughput,
    naming the file. ``until`` ends the window there: up to Fri 8 Jan 2027 over 5 days
    (Mon 4 to Fri 8) with one item a day, five samples of 1, as a table of dates and
    counts."""
    h = read_history(one_a_day("2027-01-04", "2027-01-22"), name="t.csv")
    with pytest.raises(HistoryError) as info:
        h.throughput(1, until=dt.date(2027, 1, 9))
    assert str(info.value) == (
        "window_days: the 1-day window up to 2027-01-09 holds no working day; make it longer"
    )
    for bad in (0, 3651):
        with pytest.raises(HistoryError) as info:
            h.throughput(bad)
        assert str(info.value) == f"window_days: must be from 1 to 3,650, got {bad:,}"
    assert h.throughput(3650).start == dt.date(2027, 1, 4)
    tp = h.throughput(5, until=dt.date(2027, 1, 8))
    assert (tp.start, tp.end, tp.asked_days, tp.calendar_days) == (
        dt.date(2027, 1, 4),
        dt.date(2027, 1, 8),
        5,
        5,
    )
    table = tp.table()
    assert list(table.columns) == ["date", "done"] and table["done"].tolist() == [1] * 5
    assert table["date"].tolist() == [day(f"2027-01-0{d}") for d in range(4, 9)]
    nothing = read_history(b"ID,Started,Done\nA-1,2027-01-04,\n", name="x.csv")
    with pytest.raises(HistoryError) as info:
        nothing.throughput()
    assert str(info.value) == "x.csv: no item has a done date, so there is no throughput"


def test_when_counts_from_1_to_10000_items():
    """0 items is refused naming ``when``; 10,000 is allowed (one a day: day 10,000 is
    past the 5,200-day limit, so every run is never)."""
    with pytest.raises(HistoryError) as info:
        forecast_when(np.array([1]), 0, "2027-03-01", runs=5)
    assert str(info.value) == "when: must be from 1 to 10,000, got 0"
    assert forecast_when(np.array([1]), 10_000, "2027-03-01", runs=5).to_dict()["never_runs"] == 5


# ------------------------------------------- reading: files, dates and types in detail
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b" \r\n\t\n", "the file is empty"),
        (b"ID,Started,Done\n", "the file has a header row but no items"),
        (
            b"ID,Started,Done\nA,2027-01-04,2027-01-05\nB,2027-01-04,2027-01-05,extra\n",
            "not a well-formed CSV file: Expected 3 fields in line 3, saw 4",
        ),
        (
            "ID,Started,Done\n".encode("utf-16"),
            "the file is not UTF-8 text (UTF-16, or a binary file); save the export as CSV UTF-8",
        ),
        (
            b"ID,Started,Done\nA\x00,2027-01-04,2027-01-05\n",
            "the file is not UTF-8 text (UTF-16, or a binary file); save the export as CSV UTF-8",
        ),
        (
            b"ID,Started,Done\nA,2027-01-04,2027-01-05\nB,\xff,2027-01-05\n",
            "line 3: not UTF-8 text; save the export as CSV UTF-8",
        ),
        (
            ("ID," * 1000 + "Done\n").encode(),
            "1,001 columns: at most 1,000 are read",
        ),
    ],
)
def test_bad_files_exact_messages(content, message):
    """Each refusal in full, after the file name. Catches the wrong line of a byte that
    is not UTF-8 (the third line here), and a word or number of a message changed."""
    with pytest.raises(HistoryError) as info:
        read_history(content, name="e.csv")
    assert str(info.value) == f"e.csv: {message}"


def test_size_and_row_limits_exact_messages(monkeypatch):
    """With the limits lowered, the messages give the file's size (its bytes on disk,
    with a thousands separator) and the limits."""
    from simulation.history import reading

    path = DATA / "five-stages.csv"
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    with pytest.raises(HistoryError) as info:
        read_history(path)
    assert str(info.value) == (
        "five-stages.csv: more than 3 rows: at most 3 items are read (export a shorter period)"
    )
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 100)
    with pytest.raises(HistoryError) as info:
        read_history(path, name="mine.csv")
    assert str(info.value) == (
        f"mine.csv: the file has {path.stat().st_size:,} bytes; at most 100 are read "
        "(export fewer items or fewer columns)"
    )
    with pytest.raises(HistoryError) as info:
        read_history(b"x" * 101)
    assert str(info.value) == (
        "the file has more than 100 bytes, the most read (export fewer items or fewer columns)"
    )


def test_tabs_and_a_tie_between_separators():
    """A tab-separated export is read (S-1, Mon 4 to Fri 8 Jan 2027: 5 days). A header
    with as many commas as semicolons is read as comma-separated: 'Started;Done' is
    then one column, and no date columns are found."""
    h = read_history(b"ID\tStarted\tDone\nA\t2027-01-04\t2027-01-08\n")
    assert h.columns.done == "Done" and h.cycle_times().tolist() == [5.0]
    with pytest.raises(HistoryError) as info:
        read_history(b"ID,Started;Done\nA,2027-01-04;2027-01-08\n")
    assert "(columns: 'ID', 'Started;Done')" in str(info.value)


def test_the_header_alone_decides_the_separator():
    """A semicolon export whose item names are full of commas (seven in S-1's, more
    than its semicolons, and more than the header's and S-1's semicolons together)
    is still read by its header's separator: S-1, Monday 4 to Friday 8 January 2027,
    5 working days. A file of one column has no separator at all and is refused in
    words (no start and done columns), not by the CSV parser. Catches the separator
    counted on a row or on all but the last line, and a made-up separator for a
    one-column file."""
    name = "Fix a, b, c, d, e, f, g, h"
    h = read_history(
        _csv(
            "ID;Name;Started;Done",
            f"S-1;{name};2027-01-04;2027-01-08",
            f"S-2;{name};2027-01-05;",
        )
    )
    assert (h.columns.start, h.columns.done) == ("Started", "Done")
    assert h.cycle_times().tolist() == [5.0]
    assert h.done_items()["name"].tolist() == [name]
    with pytest.raises(HistoryError, match="found no start and done date columns"):
        read_history(_csv("ID", "S-1", "S-2"))


@pytest.mark.parametrize(
    ("start", "done", "days"),
    [
        ("2027-01-04 00:00", "2027-01-08 23:59", 5),
        ("1/4/2027 1:00 AM", "1/8/2027 12:59 PM", 5),
        ("1/4/2027 13:00", "1/8/2027 0:00", 5),
        ("04/jan/27", "08/JAN/2027", 5),
        ("1900-01-01", "1900-01-01", 1),
        ("2199-12-30", "2199-12-30", 1),
    ],
)
def test_times_and_years_at_their_edges_are_read(start, done, days):
    """23:59, 12:59 PM, 1:00 AM, 13:00 without AM/PM, month names in any case, two- and
    four-digit years and the first and last years allowed (1900, 2199) are dates.
    Mon 4 to Fri 8 Jan 2027 is 5 working days; 1 Jan 1900 and 30 Dec 2199 are Mondays:
    1 day."""
    assert read_history(flat_csv([(start, done)])).cycle_times().tolist() == [days]


@pytest.mark.parametrize(
    ("done", "fmt"),
    [
        ("2027-01-08 24:00", "ISO"),
        ("2027-01-08 10:60", "ISO"),
        ("1899-12-29", "ISO"),
        ("2200-01-01", "ISO"),
        ("1/8/2027 13:00 PM", "M/d/yyyy"),
        ("1/8/2027 0:30 AM", "M/d/yyyy"),
        ("08/Foo/27", "dd/MMM/yy"),
    ],
)
def test_times_and_years_past_their_edges_are_refused(done, fmt):
    """Hour 24, minute 60, a year before 1900 or after 2199, 13 PM, 0 AM and an unknown
    month name are not dates; the message names column, row, item, format and an
    example (ISO: 2027-01-04; otherwise the format itself)."""
    start = {"ISO": "2027-01-04", "M/d/yyyy": "1/4/2027", "dd/MMM/yy": "04/Jan/27"}[fmt]
    with pytest.raises(HistoryError) as info:
        read_history(flat_csv([(start, done)]), date_format=fmt)
    example = "2027-01-04" if fmt == "ISO" else fmt
    assert str(info.value) == (
        f"column 'Done', row 2 (item X-1): '{done}' is not a date in the format {fmt} "
        f"(e.g. {example}), or not a real date between 1900 and 2199"
    )


def test_a_pattern_date_out_of_range_names_the_pattern_and_a_missing_id():
    """A strftime pattern's dates are held to the same years; a row without an id is
    named item '?'."""
    data = b"ID,Started,Done\n,01-01-1899,08-01-2027\n"
    with pytest.raises(HistoryError) as info:
        read_history(data, date_format="%d-%m-%Y")
    assert str(info.value) == (
        "column 'Started', row 2 (item ?): '01-01-1899' is not a date in the format "
        "%d-%m-%Y (e.g. %d-%m-%Y), or not a real date between 1900 and 2199"
    )


def test_dates_written_two_ways_name_the_first_odd_one():
    """ISO and d.M.yyyy cells mixed are each a known format but not one: the example is
    the first date. An unknown cell is the example whatever comes first. Both ask for
    the date format with the formats listed."""
    tail = (
        "; set the date format: one of ISO, d.M.yyyy, M/d/yyyy, d/M/yyyy, dd/MMM/yy, "
        "d MMM yyyy, or a pattern such as dd/MM/yyyy HH:mm or %d-%m-%Y"
    )
    for rows, example in [
        ([("4.1.2027", "2027-01-08")], "4.1.2027"),
        ([("2027-01-04", "2027-01-08"), ("2027-01-04", "Jan 8th")], "Jan 8th"),
    ]:
        with pytest.raises(HistoryError) as info:
            read_history(flat_csv(rows))
        assert str(info.value) == (
            f"dates are written in more than one way or in an unknown way (e.g. '{example}')" + tail
        )


def test_slashes_with_both_numbers_above_12_stay_month_first():
    """13/1/2027 and 1/13/2027 cannot both be day-first: the format stays M/d/yyyy and
    13/1/2027 is refused (there is no month 13)."""
    with pytest.raises(HistoryError) as info:
        read_history(flat_csv([("13/1/2027", "1/13/2027")]))
    assert "'13/1/2027' is not a date in the format M/d/yyyy" in str(info.value)


def test_named_formats_and_their_spellings():
    """Java-style names of the formats, in any case and spacing, resolve to the format
    (``h:mm a`` and ``h:mm AM`` both); a blank format is detected; a bad one lists the
    formats."""
    cells = {
        "ISO": ("2027-01-04", "2027-01-08"),
        "d.M.yyyy": ("4.1.2027", "8.1.2027"),
        "M/d/yyyy": ("1/4/2027", "1/8/2027"),
    }
    for name, fmt in [
        ("yyyy-MM-dd HH:mm:ss", "ISO"),
        ("dd.MM.yyyy", "d.M.yyyy"),
        ("d.M.yyyy  H:mm", "d.M.yyyy"),
        ("M/d/yyyy h:mm a", "M/d/yyyy"),
        ("m/d/yyyy h:mm:ss AM", "M/d/yyyy"),
        ("  ", "ISO"),
    ]:
        h = read_history(flat_csv([cells[fmt]]), date_format=name)
        assert h.columns.date_format == fmt and h.cycle_times().tolist() == [5.0], name
    with pytest.raises(HistoryError) as info:
        read_history(flat_csv([cells["ISO"]]), date_format="yyyy/dd")
    assert str(info.value) == (
        "date_format: 'yyyy/dd' is not a known format: use one of ISO, d.M.yyyy, "
        "M/d/yyyy, d/M/yyyy, dd/MMM/yy, d MMM yyyy (a time may follow), or a pattern such "
        "as dd/MM/yyyy HH:mm or %d-%m-%Y"
    )


def test_multi_value_type_cells_and_the_types_filter():
    """A type cell's first value: ``[Story|Bug]`` and ``Story; Bug`` are Story, `` Spike ,
    Story`` is Spike, ``[ ]`` is no type. ``types`` matches in any case; a blank list of
    types leaves nothing; a file without a type column, or with only empty types, says
    so."""
    data = (
        b"ID,Type,Started,Done\n"
        b"A,[Story|Bug],2027-01-04,2027-01-05\n"
        b"B,Story; Bug,2027-01-04,2027-01-05\n"
        b'C," Spike , Story",2027-01-04,2027-01-05\n'
        b"D,[ ],2027-01-04,2027-01-05\n"
    )
    h = read_history(data)
    assert h.items["type"].tolist() == ["Story", "Story", "Spike", ""]
    assert h.types() == ["Story", "Spike"]
    assert read_history(data, types=["STORY"]).items["id"].tolist() == ["A", "B"]
    with pytest.raises(HistoryError) as info:
        read_history(data, types=[" "])
    assert str(info.value) == "no items left after the types filter"
    untyped = b"ID,Started,Done\nA,2027-01-04,2027-01-05\n"
    assert read_history(untyped).types() == []
    with pytest.raises(HistoryError) as info:
        read_history(untyped, types=["Story"])
    assert str(info.value) == "types: the file has no type column (name it with type_column)"
    blank = b"ID,Type,Started,Done\nA,,2027-01-04,2027-01-05\n"
    with pytest.raises(HistoryError) as info:
        read_history(blank, types=["Story"])
    assert str(info.value) == "types: no item of type 'Story' (types in the file: none)"


def test_the_summary_passes_the_backtest_options_on():
    """``summary(backtest_items=10, window_days=28, runs=1, seed=3)`` of the demo is the
    backtest with those options. With one run a cut-off's P50 and P85 dates are the same
    date, so both shares are equal (many runs would spread them); seed 3 gives other
    shares than seed 42. Catches N, the window, the runs or the seed dropped on the way
    to ``backtest``."""
    h = read_history(DEMO / "team-stories.csv")
    opts = {"window_days": 28, "runs": 1, "seed": 3}
    out = h.summary(backtest_items=10, **opts)["backtest"]
    assert out == h.backtest(10, **opts).to_dict()
    assert (out["n"], out["window_days"]) == (10, 28)
    assert out["within_p50"] == out["within_p85"]
    assert out != h.backtest(10, window_days=28, runs=1).to_dict()


def test_when_over_several_blocks_counts_every_day():
    """A *when* forecast draws at most 4,000,000 cells at once: 4,000,000 // runs days a
    block. At one item a day N items take exactly N working days, across blocks too:
    100 items with 100,000 runs (40-day blocks: the third block), 4,000 with 1,333 runs
    (3,000-day blocks: the second), and 5,201 never (the last block stops at day 5,200,
    docs/reference/history.md). Catches a block's total taken from the wrong day, the
    day count reset or reversed between blocks, and a last block running past 5,200."""
    one, start = np.array([1]), "2027-03-01"
    assert set(forecast_when(one, 100, start, runs=100_000).days) == {100}
    assert set(forecast_when(one, 4000, start, runs=1333).days) == {4000}
    assert forecast_when(one, 5201, start, runs=1333).to_dict()["never_runs"] == 1333


def test_the_created_check_reads_the_file_date_format_and_skips_bad_dates():
    """Day-first dates (d/M/yyyy, told by Closed 13/1/2027): created 12/1/2027 is 12 Jan,
    before the done date, so no finding (read month-first it would be 1 Dec, after it).
    A created cell that is not a date skips the check without refusing the file.
    Catches the created column read without the file's format, and a failed check
    that breaks the reading."""
    data = b"ID,Created,Activated,Closed\nA,12/1/2027,12/1/2027,13/1/2027\n"
    h = read_history(data)
    assert (h.columns.date_format, h.columns.start) == ("d/M/yyyy", "Activated")
    assert h.quality == ()
    bad = (
        b"ID,Created,Activated,Closed\nA,n/a,12/1/2027,13/1/2027\nB,14/1/2027,12/1/2027,13/1/2027\n"
    )
    h = read_history(bad)
    assert h.quality == () and h.cycle_times().tolist() == [2.0, 2.0]


def test_when_from_a_day_off_of_the_calendar_starts_on_its_next_working_day():
    """On a Monday-to-Thursday week, from Fri 8 Jan 2027 at one item a day: item 1 on Mon
    11, item 2 on Tue 12; from Mon 11 Jan with the 11th a holiday: item 1 on Tue 12.
    Catches the first day rolled on the Monday-to-Friday calendar (Fri 8 would be day 1;
    the holiday would make numpy refuse the start)."""
    from simulation.scenario.schema import Calendar

    one = np.array([1])
    four = Calendar(workdays=["Mon", "Tue", "Wed", "Thu"])
    assert forecast_when(one, 1, "2027-01-08", four, runs=5).percentile_date(50) == dt.date(
        2027, 1, 11
    )
    assert forecast_when(one, 2, "2027-01-08", four, runs=5).percentile_date(50) == dt.date(
        2027, 1, 12
    )
    holiday = Calendar(holidays=["2027-01-11"])
    assert forecast_when(one, 1, "2027-01-11", holiday, runs=5).percentile_date(50) == dt.date(
        2027, 1, 12
    )


def test_a_window_of_one_item_or_one_day():
    """One item, started Mon 4 and done Tue 5 Jan 2027: a 5-day window up to Tue 5 starts
    with the export on Mon 4 and holds two working days, 0 and 1 done; a 1-day window
    holds the one day with its 1. Counts are whole numbers, and a when forecast keeps
    its N. Catches one done item or one working day taken for none, float samples and
    N dropped from the forecast."""
    h = read_history(flat_csv([("2027-01-04", "2027-01-05")]))
    tp = h.throughput(5)
    assert tp.samples.tolist() == [0, 1] and tp.samples.dtype == np.int64
    assert tp.days.astype(str).tolist() == ["2027-01-04", "2027-01-05"]
    assert h.throughput(1).samples.tolist() == [1]
    assert forecast_when(tp.samples, 3, "2027-01-06", runs=5).n == 3


def test_cycle_time_table_in_done_date_order():
    """The scatter chart's table of five-stages.csv: done items only, by done date (S-3
    Tue 5, S-1 Fri 8, S-2 Mon 11, S-4 Wed 13, S-5 Thu 21 Jan) with the module
    docstring's cycle times, numbered from 0. Forty items done the same day stay in file
    order (numpy's default quicksort would mix them). Catches a column missing, items in
    progress included, another order, an unstable sort and an ``index`` column."""
    t = read_history(DATA / "five-stages.csv").cycle_time_table()
    assert list(t.columns) == ["id", "name", "type", "start", "done", "cycle_time"]
    assert t["id"].tolist() == ["S-3", "S-1", "S-2", "S-4", "S-5"]
    assert t["cycle_time"].tolist() == [1, 5, 2, 6, 9] and list(t.index) == list(range(5))
    assert t["name"].iloc[1] == 'Export "all" rows, fast' and t["type"].iloc[2] == "Bug"
    assert t["start"].iloc[4] == day("2027-01-09") and t["done"].iloc[4] == day("2027-01-21")
    rows = [("2027-01-05", "2027-01-08")] * 20 + [("2027-01-04", "2027-01-08")] * 20
    same_day = read_history(flat_csv(rows)).cycle_time_table()
    assert same_day["id"].tolist() == [f"X-{i}" for i in range(1, 41)]


def test_reading_a_file_at_the_size_limit_and_when_it_cannot_be_read(monkeypatch, tmp_path):
    """A file of exactly the most bytes read is read whole (its last date too: Mon 4 to
    Fri 8 Jan 2027, 5 days); a folder is not a file; a file the system will not open
    says why. Each message starts with the file's name. Catches ``>=`` for ``>``, a
    read one byte short, the name left off and the system's reason replaced."""
    import pathlib

    from simulation.history import reading

    f = tmp_path / "mine.csv"
    f.write_bytes(b"ID,Started,Done\nA,2027-01-04,2027-01-08")
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", f.stat().st_size)
    assert read_history(f).cycle_times().tolist() == [5.0]
    with pytest.raises(HistoryError) as info:
        read_history(tmp_path, name="folder")
    assert str(info.value) == "folder: not a file (or it does not exist)"

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(pathlib.Path, "open", refuse)
    with pytest.raises(HistoryError) as info:
        read_history(f)
    assert str(info.value) == "mine.csv: cannot read the file: Permission denied"


def test_date_columns_need_a_date_in_the_given_format():
    """An empty column is not a date column: in a flat export (a 'Team' column after the
    id, so no stages) with no column named like start or done,
    start is the first date column after the empty one ('Begin', Mon 4 Jan 2027) and
    done the last ('End', Fri 8): 5 days. Dates in a strftime pattern make date
    columns when that pattern is given. A type starting with X keeps its X. Catches an
    empty column taken for dates (start 'Blank': 1 day), date columns sought in the
    known formats only, and brackets stripped with other letters."""
    h = read_history(b"ID,Team,Blank,Begin,End\nA,x,,2027-01-04,2027-01-08\n")
    assert (h.columns.layout, h.columns.start, h.columns.done) == ("flat", "Begin", "End")
    assert h.cycle_times().tolist() == [5.0]
    h = read_history(b"ID,Begin,End\nA,04-01-2027,08-01-2027\n", date_format="%d-%m-%Y")
    assert (h.columns.start, h.columns.done, h.cycle_times().tolist()) == ("Begin", "End", [5.0])
    h = read_history(b"ID,Type,Started,Done\nA,XL,2027-01-04,2027-01-08\n")
    assert h.types() == ["XL"]


def test_a_done_item_without_a_start_date_and_start_column_equal_to_done():
    """docs/reference/history.md: an item done without a start date counts as started
    that day (1 day), and is not "done before its start" even when other items have
    start dates. With the done column also named as start, every item takes 1 day and
    nothing is found. Catches the start check read over the whole table instead of per
    item, and no check at all when there is no start column but done."""
    data = b"ID,Started,Done\nA,,2027-01-08\nB,2027-01-04,2027-01-08\n"
    h = read_history(data)
    assert h.quality == () and h.cycle_times().tolist() == [1.0, 5.0]
    h = read_history(data, start_column="Done")
    assert h.quality == () and h.cycle_times().tolist() == [1.0, 1.0]


def test_blank_lines_before_the_header_are_not_the_header():
    """An export starting with a blank line (or two, tab-separated) is read from its
    first line with text: the items are found, and a row is named by the line it has in
    the file (the header on line 2, so the item done before its start is row 3). It was
    refused as "a header row but no items" or "empty (no header row)"."""
    data = b"\nID,Started,Done\nA-1,2027-01-12,2027-01-08\nA-2,2027-01-04,2027-01-06\n"
    h = read_history(data)
    assert len(h.items) == 2
    assert h.quality_summary()["done_before_start"] == {"count": 1, "examples": ["A-1"]}
    tabs = b"\n\nID\tStarted\tDone\n\tx2027-01-12\t2027-01-08\nA-2\t2027-01-04\t2027-01-06\n"
    tabs = tabs.replace(b"x2027", b"2027")
    q = read_history(tabs).quality_summary()
    assert q["done_before_start"]["examples"] == ["row 4"], "header on line 3, the item on 4"


def test_the_documented_json_keys_are_the_commands(capsys):
    """The key list in docs/reference/history.md is what ``history --json`` prints, with
    every option that adds a block: each key named there appears in the output and each
    key of the output (two levels deep) is named there. Catches a key added to the output
    and not to the reference (columns.status, throughput.note, backtest.verdict were)."""
    import json
    import re

    from simulation.cli import main

    text = (ROOT / "docs" / "reference" / "history.md").read_text()
    block = text.split("`--json` prints the same as a document", 1)[1].split("```text", 1)[1]
    documented = set(re.findall(r'"([a-z_0-9]+)"', block.split("```", 1)[0]))
    args = ["history", str(LIBRARY / "history" / "team-stories.csv"), "--json", "--backtest"]
    assert main([*args, "--when", "30", "--how-many-by", "2027-06-30"]) == 0
    out = json.loads(capsys.readouterr().out)
    printed = set(out)
    for key, value in out.items():
        if isinstance(value, dict) and key != "cycle_time":
            printed |= set(value)
    printed |= {k for k in out["cycle_time"] if k != "by_type"} | {"by_type"}
    printed |= {k for v in out["quality"].values() for k in v}
    assert printed == documented - {"Story"}, printed ^ (documented - {"Story"})


# ------------------------------------------- columns found with a given date format
def test_a_done_named_column_that_holds_no_dates_is_passed_over():
    """A tracker's "Resolved" column holding yes/no sits before the "Done" dates. The
    done column is looked for by name among the date columns first, so it is "Done"
    (S-1: Monday 4 to Friday 8 January 2027, 5 working days by hand), although
    "resolved" ranks above "done" among the names. Catches the search by name
    ignoring which columns hold dates (the file would be refused at "yes")."""
    h = read_history(
        _csv("ID,Resolved,Started,Done", "S-1,yes,2027-01-04,2027-01-08", "S-2,no,2027-01-05,")
    )
    assert (h.columns.start, h.columns.done) == ("Started", "Done")
    assert h.cycle_times().tolist() == [5.0]


def test_stages_are_found_in_a_given_date_format():
    """Stage columns (three or more date columns in a row after the id) are found in
    the format the reader was given, a named one or a pattern, up to the first column
    that is not dates (Team); a stage every item skipped (Analysis, empty) is still a
    stage. Done is the last stage, start the second. By hand: S-1 starts (Analysis
    empty, so In Progress) Wednesday 13 January 2027 and is done Friday 15 January: 3
    working days; S-2 Tuesday 26 to Thursday 28 January, 3 again. Catches a named
    format or a pattern not used to find stages (the file read as flat; a format
    guessed from a column's first cell, 04-01 as April, refuses its 25-01), an empty
    stage ending the stages, and a pattern's non-date column raising instead of
    ending them."""
    day_first = read_history(
        _csv(
            "ID,Backlog,Analysis,In Progress,Done,Team",
            "S-1,4/1/2027,,13/1/2027,15/1/2027,Blue",
            "S-2,25/1/2027,,26/1/2027,28/1/2027,Red",
        ),
        date_format="d/M/yyyy",
    )
    pattern = read_history(
        _csv(
            "ID,Backlog,Analysis,In Progress,Done,Team",
            "S-1,04-01-2027,,13-01-2027,15-01-2027,Blue",
            "S-2,25-01-2027,,26-01-2027,28-01-2027,Red",
        ),
        date_format="%d-%m-%Y",
    )
    for h in (day_first, pattern):
        assert h.columns.layout == "stages"
        assert h.columns.stages == ("Backlog", "Analysis", "In Progress", "Done")
        assert (h.columns.start, h.columns.done) == ("Analysis", "Done")
        assert h.cycle_times().tolist() == [3.0, 3.0]


def test_a_bad_date_in_a_pattern_names_its_cell():
    """With a pattern (%d-%m-%Y), a done cell that is no date is refused with its
    column, row (the file's line: the header is line 1) and item, as with the named
    formats. Catches a parser that raises its own error (a traceback) on the cell."""
    with pytest.raises(HistoryError, match=r"column 'Done', row 3 \(item S-2\): 'soon'"):
        read_history(
            _csv("ID,Started,Done", "S-1,04-01-2027,08-01-2027", "S-2,05-01-2027,soon"),
            date_format="%d-%m-%Y",
        )


def test_a_two_digit_year_pattern_is_understood():
    """``dd-MM-yy`` is no named format; as a pattern it is %d-%m-%y: 09-01-27 to
    21-01-27 is S-5's 9 working days (Saturday 9 to Thursday 21 January 2027).
    Catches a two-digit year not counted as a year (the pattern refused)."""
    h = read_history(flat_csv([("09-01-27", "21-01-27")]), date_format="dd-MM-yy")
    assert h.columns.date_format == "%d-%m-%y"
    assert h.cycle_times().tolist() == [9.0]
    for pattern, start, done in (
        ("dd-MMM-yyyy", "09-Jan-2027", "21-Jan-2027"),
        ("d MMMM yyyy", "9 January 2027", "21 January 2027"),
    ):
        h = read_history(flat_csv([(start, done)]), date_format=pattern)
        assert h.cycle_times().tolist() == [9.0], pattern


def test_a_start_column_outside_the_stages():
    """Stages Backlog, Doing, Done and, after a Team column, a Created date: asked to
    start from Created, the reader measures from it to the last stage. By hand:
    created Monday 4 January 2027, done Friday 8 January: 5 working days (lead time).
    Catches the stages' span taken when only the done column is a stage (an error)."""
    h = read_history(
        _csv(
            "ID,Backlog,Doing,Done,Team,Created",
            "S-1,2027-01-05,2027-01-06,2027-01-08,Blue,2027-01-04",
        ),
        start_column="Created",
    )
    assert h.columns.layout == "stages" and h.columns.start == "Created"
    assert h.cycle_times().tolist() == [5.0]


# ------------------------------------------------- reading cells and columns as written
@pytest.mark.filterwarnings("error")
def test_cells_are_read_as_written():
    """Every cell is text as the tracker wrote it: an id of digits keeps its zeros
    (0042: a column of digits only), "NA" stays an item's name and "null" its type; a
    line one field short (0044 has no done cell) is an item not done, and lines that
    end in a separator (some exports add one) keep their columns in place, with no
    warning printed. By hand: 0042 takes Monday 4 to Friday 8 January 2027 (5 working
    days); 0043 Tuesday 5 to Thursday 7 (3). Catches cells read as numbers or missing
    values (42, "", ""), a short line's missing cell filled with text that is then no
    date, and the first column taken as the rows' index when lines end in a
    separator."""
    h = read_history(
        _csv(
            "ID,Name,Type,Started,Done",
            "0042,NA,null,2027-01-04,2027-01-08,",
            "0043,Login,Story,2027-01-05,2027-01-07,",
            "0044,Search,Story,2027-01-06",
        )
    )
    done = h.done_items()
    assert done["id"].tolist() == ["0042", "0043"]
    assert done["name"].tolist() == ["NA", "Login"]
    assert done["type"].tolist() == ["null", "Story"]
    assert h.cycle_times().tolist() == [3.0, 5.0]
    assert h.in_progress()["id"].tolist() == ["0044"]


def test_columns_by_position_and_by_the_option():
    """Without an id-like name the first column is the id (Ticket); a single name
    column after it is skipped before the stages (three date columns: stages, done
    the last, start the second); a file whose columns after the id are only a link and
    a name has no dates and says so; ``type_column`` picks the type column over one
    named Type. Catches the id taken from the second column, the name column skipped
    two at a time (two stages left: read as flat), an index past the last column,
    and the option ignored."""
    h = read_history(
        _csv("Ticket,Title,Ready,Doing,Finished", "T-1,Pay,2027-01-04,2027-01-05,2027-01-08")
    )
    assert h.columns.id == "Ticket" and h.columns.layout == "stages"
    assert h.columns.stages == ("Ready", "Doing", "Finished")
    assert h.done_items()["id"].tolist() == ["T-1"]
    assert h.cycle_times().tolist() == [4.0]  # Tuesday 5 to Friday 8 January 2027
    with pytest.raises(HistoryError, match="found no start and done date columns"):
        read_history(_csv("ID,Link,Name", "S-1,https://x.example/S-1,Pay"))
    two = _csv(
        "ID,Type,Kind,Started,Done",
        "S-1,Story,Bug,2027-01-04,2027-01-08",
        "S-2,Bug,Story,2027-01-05,2027-01-07",
    )
    assert read_history(two, types=["Bug"]).done_items()["id"].tolist() == ["S-2"]
    by_kind = read_history(two, type_column="Kind", types=["Bug"])
    assert by_kind.columns.type == "Kind" and by_kind.done_items()["id"].tolist() == ["S-1"]
    with pytest.raises(HistoryError) as err:
        read_history(two, type_column="Knd")
    assert str(err.value) == (
        "type_column: no column named 'Knd'; did you mean 'Kind'? "
        "(columns: 'ID', 'Type', 'Kind', 'Started', 'Done')"
    )


def test_with_no_date_names_the_last_date_column_is_done():
    """Three date columns none of whose names says start or done, a text column among
    them (so not stages): the last is done and the first is start. By hand: S-1 from
    Monday 4 to Friday 15 January 2027, 10 working days. Catches the second date
    column taken for done."""
    h = read_history(
        _csv("ID,Opened,Team,Reviewed,Shipped", "S-1,2027-01-04,Blue,2027-01-11,2027-01-15")
    )
    assert h.columns.layout == "flat"
    assert (h.columns.start, h.columns.done) == ("Opened", "Shipped")
    assert h.cycle_times().tolist() == [10.0]


def test_limits_are_inclusive_and_errors_name_the_file(monkeypatch):
    """Exactly the most rows and columns read is accepted, one more is refused; a bad
    calendar option is reported against the file it came with; a file holding only a
    byte-order mark is empty in words. Catches limits off by one, a calendar message
    without its file, and a parser's own error for a file with nothing in it."""
    from simulation.history import reading

    monkeypatch.setattr(reading, "MAX_ROWS", 2)
    monkeypatch.setattr(reading, "MAX_COLUMNS", 3)
    two = ["S-1,2027-01-04,2027-01-08", "S-2,2027-01-05,2027-01-07"]
    assert len(read_history(_csv("ID,Started,Done", *two)).done_items()) == 2
    with pytest.raises(HistoryError, match="more than 2 rows"):
        read_history(_csv("ID,Started,Done", *two, "S-3,2027-01-05,2027-01-07"))
    with pytest.raises(HistoryError, match="4 columns: at most 3 are read"):
        read_history(_csv("ID,Started,Done,Team", "S-1,2027-01-04,2027-01-08,Blue"))
    with pytest.raises(HistoryError) as err:
        read_history(DATA / "five-stages.csv", calendar={"workdays": ["Mon", "Funday"]})
    assert str(err.value).startswith("five-stages.csv: calendar:")
    with pytest.raises(HistoryError, match=r"^the file is empty \(no header row\)$"):
        read_history(b"\xef\xbb\xbf")


def test_what_is_missing_is_said_whole():
    """A file with a done date but nothing to start from is refused (it is not read
    with no start); the message lists the file's columns, the first 30 and " ..."
    after them, as the column options' messages do. Without a type or a name column
    every item's type and name are empty text. A types filter that matches nothing
    names every type in the file. Catches a file read on with one of the two dates
    missing, a 31st column listed or the "..." lost, text put in for a column the
    file does not have, and the file's types run together."""
    with pytest.raises(HistoryError) as err:
        read_history(_csv("ID,Done", "S-1,2027-01-08"))
    assert str(err.value) == (
        "found no start and done date columns (columns: 'ID', 'Done'); name them with "
        "start_column and done_column"
    )
    wide = ["ID", *(f"C{i}" for i in range(2, 33))]
    with pytest.raises(HistoryError) as err:
        read_history(_csv(",".join(wide), ",".join(["S-1"] + ["x"] * 31)))
    shown = ", ".join(f"'{c}'" for c in wide[:30])
    assert f"(columns: {shown} ...); name them" in str(err.value)
    h = read_history(_csv("ID,Started,Done", "S-1,2027-01-04,2027-01-08"))
    assert h.done_items()["type"].tolist() == [""] and h.done_items()["name"].tolist() == [""]
    two = _csv("ID,Type,Started,Done", "S-1,Story,2027-01-04,2027-01-08", "S-2,Bug,2027-01-04,")
    with pytest.raises(HistoryError) as err:
        read_history(two, types=["Epic"])
    assert "(types in the file: Story, Bug)" in str(err.value)


def test_statuses_and_created_dates_by_hand():
    """An empty entry in the not-started statuses is no status (an item with an empty
    status cell is in progress); with no not-started statuses no status column is
    read. An item created and done on the same day (Friday 8 January 2027) is not
    "done before created"; one done the day before it was created is. The items table
    has its documented columns, cycle times as numbers. Catches empty words kept as a
    status, a status column read for nothing, the same day counted as before, and an
    extra index column."""
    statuses = _csv(
        "ID,Status,Started,Done",
        "S-1,,2027-01-04,",
        "S-2,To Do,2027-01-05,",
        "S-3,Done,2027-01-04,2027-01-08",
    )
    h = read_history(statuses, not_started=["", "to do"])
    assert h.in_progress()["id"].tolist() == ["S-1"]
    assert h.columns.status == "Status"
    assert read_history(statuses, not_started=()).columns.status is None
    created = _csv(
        "ID,Created,Started,Done",
        "S-1,2027-01-08,2027-01-04,2027-01-08",
        "S-2,2027-01-08,2027-01-04,2027-01-07",
    )
    h = read_history(created)
    assert h.columns.start == "Started"
    assert [(f.kind, f.examples) for f in h.quality] == [("done_before_created", ("S-2",))]
    items = h.done_items()
    assert list(items.columns) == [
        "row",
        "id",
        "name",
        "type",
        "start",
        "done",
        "status",
        "cycle_time",
    ]
    assert items["cycle_time"].dtype == float


def test_a_done_stage_before_the_last_and_a_header_starting_with_x():
    """Asked to take the third of four stages as done, the reader looks for start
    dates up to that stage only: an item with its first two stages empty, done Friday
    8 January 2027 and in the fourth stage on Tuesday 12 January, is not "done before
    it started" (1 working day, done to done). A header whose first column starts
    with X keeps its name. Catches the stage after done counted as a start, and the
    blank-line trim taking letters off the header."""
    h = read_history(
        _csv("Xref,Backlog,Analysis,Review,Shipped", "S-1,,,2027-01-08,2027-01-12"),
        done_column="Review",
    )
    assert h.columns.id == "Xref" and h.columns.layout == "stages"
    assert h.columns.done == "Review" and h.quality == ()
    assert h.cycle_times().tolist() == [1.0]
