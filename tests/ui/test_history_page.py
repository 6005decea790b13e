"""The History page and the second opinion on Forecast, through Streamlit's AppTest.

The page's figures must equal :mod:`simulation.history`'s for the same file and
options; a bad file is a message, never an exception; "Use for the backlog"
writes exactly :func:`simulation.history.calibrate`'s scenario; Forecast shows
the throughput forecast of the backlog's item count beside the model's dates.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import fmt, history_charts, history_view
from simulation.history import calibrate, read_history, second_opinion
from tests.helpers import ROOT, seen

APP = str(ROOT / "app.py")
HISTORY = "dashboard/pages/history.py"
FORECAST = "dashboard/pages/forecast.py"
DATA = ROOT / "tests" / "data" / "history"
SAMPLE = ROOT / "scenarios" / "history" / "team-stories.csv"
TIMEOUT_S = 90


def clean(at: AppTest, where: str) -> None:
    assert not at.exception, f"{where}: " + " | ".join(e.value for e in at.exception)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def history_page(runs: int = 200) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    at.number_input(key=f"sc_runs_{at.session_state['editor_version']}").set_value(runs).run()
    at.switch_page(HISTORY).run()
    clean(at, "History page")
    return at


def upload(at: AppTest, path, name: str | None = None, data: bytes | None = None) -> AppTest:
    raw = data if data is not None else path.read_bytes()
    at.file_uploader(key="history_upload").set_value((name or path.name, raw, "text/csv"))
    return at.run()


def test_sample_shows_the_library_numbers():
    at = history_page()
    assert not at.metric, "nothing shown before a file is chosen"
    at.button(key="history_sample").click().run()
    clean(at, "after Use the sample")
    h = read_history(SAMPLE)
    sc = at.session_state["scenario"]
    m = metrics(at)
    pct = h.cycle_time_percentiles()
    assert (m["Items"], m["Done"], m["In progress"]) == (
        f"{len(h.items):,}",
        f"{len(h.done_items()):,}",
        f"{len(h.in_progress()):,}",
    )
    for p in (50, 85, 95):
        assert m[f"Cycle time P{p}"] == fmt.days(pct[f"p{p}"])
    n = len(sc.items)
    w = h.when(n, h.last_done() + dt.timedelta(days=1))
    for p in (50, 85, 95):
        assert m[f"P{p} date"] == fmt.date(w.percentile_date(p)), p
    bt = h.backtest(n, runs=2000)
    assert m["Cut-offs"] == str(bt.cutoffs)
    assert m["Actual by the P50 date"] == fmt.pct(bt.within_p50)
    assert m["Actual by the P85 date"] == fmt.pct(bt.within_p85)
    assert len(at.get("vega_lite_chart")) == 4, "throughput, cycle time, when, backtest"


def test_upload_changeable_columns_and_bad_file():
    at = upload(history_page(), DATA / "five-stages.csv")
    clean(at, "after uploading five-stages.csv")
    m = metrics(at)
    assert (m["Items"], m["Done"], m["In progress"]) == ("7", "5", "1")
    assert (m["Cycle time P50"], m["Cycle time P85"], m["Cycle time P95"]) == (
        "5 days",
        "9 days",
        "9 days",
    ), "the hand-computed percentiles of test_history.py"
    assert any(
        "stage columns (Backlog, Analysis, In Progress, Review, Done)" in seen(x)
        for x in at.markdown
    )

    at.selectbox(key="hi_start").set_value("In Progress").run()
    clean(at, "after changing the start column")
    pct = read_history(
        DATA / "five-stages.csv", start_column="In Progress", done_column="Done", type_column="Type"
    ).cycle_time_percentiles()
    assert metrics(at)["Cycle time P50"] == fmt.days(pct["p50"])

    at.multiselect(key="hi_types").set_value(["Bug"]).run()
    clean(at, "after keeping bugs only")
    assert metrics(at)["Items"] == "2" and metrics(at)["Cycle time P85"] == "9 days"
    assert at.multiselect(key="hi_types").options == ["Story", "Bug"], "all types offered"

    upload(
        at, DATA / "five-stages.csv", "broken.csv", b"ID,Started,Done\nA,2027-01-04,2027-02-30\n"
    )
    clean(at, "after a bad upload")
    message = " ".join(seen(e) for e in at.error)
    assert "broken.csv: column 'Done', row 2 (item A)" in message, message
    assert not at.metric, "nothing of the old file is shown as if it were the new one"


def test_a_date_format_can_be_typed_after_a_failed_read():
    """Dates written 2027/01/04 match no detected format: the read fails, the page offers
    the date format there and then, and the pattern yyyy/MM/dd reads S-5's 9 working
    days (Sat 9 to Thu 21 Jan 2027). Catches a page that only offers the format once a
    file has been read, and a message naming the library's option."""
    at = upload(
        history_page(),
        DATA / "five-stages.csv",
        "slashes.csv",
        b"ID,Started,Done\nS-5,2027/01/09,2027/01/21\n",
    )
    clean(at, "after a file in an unknown format")
    message = " ".join(e.value for e in at.error)
    assert "set the date format" in message and "date_format" not in message, message
    at.selectbox(key="hi_format").set_value("Other (type a pattern)").run()
    at.text_input(key="hi_pattern").set_value("yyyy/MM/dd").run()
    clean(at, "after typing a pattern")
    assert not at.error, [e.value for e in at.error]
    assert metrics(at)["Cycle time P50"] == "9 days"


def test_a_jira_export_reads_as_lead_time():
    """Jira's default export (22/Aug/26 11:25 AM, Created to Resolved) reads with nothing
    set; its times run from a created date, so the page calls them lead times and says
    why; the To Do item is not in progress (1, not 2)."""
    at = upload(history_page(), DATA / "tracker-jira.csv")
    clean(at, "after uploading a Jira export")
    m = metrics(at)
    assert (m["In progress"], m["Lead time P50"], m["Lead time P85"]) == ("1", "5 days", "9 days")
    assert any("lead times" in x.value for x in at.info), [x.value for x in at.info]


def test_data_quality_is_said_in_words_on_the_page():
    """An export with a duplicate id, an item done before its start and one done before
    it was created, default columns: the page says each finding with its count and
    example ids (the library's sentences), and counts the duplicate once."""
    from tests.history.test_history import DIRTY

    at = upload(history_page(), DATA / "five-flat.csv", "dirty.csv", DIRTY)
    clean(at, "after uploading an export with data-quality problems")
    shown = [seen(w) for w in at.warning]
    expected = read_history(DIRTY).warnings
    assert len(expected) == 3
    for sentence in expected:
        assert any(sentence in s for s in shown), (sentence, shown)
    assert metrics(at)["Items"] == "5"


def test_use_for_the_backlog_previews_writes_and_undoes():
    """Preview first: the scenario is untouched, the table shows each item's effort now and
    from the history (all types: 0.8, 4.0, 1.6, 4.8, 7.2 person-days, mean 3.68), and the
    P50/P85 dates before and after. Apply writes exactly :func:`calibrate`'s scenario;
    Undo puts the old one back as it was. Catches a button that writes
    before saying what it changes, and an undo that loses the old efforts."""
    at = history_page()
    before, was_edited = at.session_state["scenario"], at.session_state["scenario_edited"]
    upload(at, DATA / "five-stages.csv")
    at.button(key="hi_calibrate").click().run()
    clean(at, "after Preview")
    assert at.session_state["scenario"] == before, "a preview changes nothing"
    preview = at.dataframe[-1].value
    assert preview["Mean then (person-days)"].tolist() == [3.68] * len(before.items)
    assert "P85 delivery then" in metrics(at)
    at.button(key="hi_apply").click().run()
    clean(at, "after Use for the backlog")
    after = at.session_state["scenario"]
    assert after == calibrate(before, read_history(DATA / "five-stages.csv"))
    assert after.items[0].effort.samples == (0.8, 4.0, 1.6, 4.8, 7.2)
    assert at.session_state["scenario_edited"], "an edit, to be saved on the Scenario page"
    assert any("take their effort from five-stages.csv" in seen(s) for s in at.success)
    at.button(key="hi_undo").click().run()
    clean(at, "after Undo")
    assert at.session_state["scenario"] == before
    assert at.session_state["scenario_edited"] == was_edited, "as it was (runs set: edited)"


def test_forecast_shows_the_second_opinion():
    at = history_page()
    at.switch_page(FORECAST).run()
    assert "Throughput P50" not in metrics(at), "no history, no second opinion"
    at.switch_page(HISTORY).run()
    at.button(key="history_sample").click().run()
    at.switch_page(FORECAST).run()
    clean(at, "Forecast with a history")
    sc = at.session_state["scenario"]
    m = metrics(at)
    w = read_history(SAMPLE).when(len(sc.items), sc.start_date)
    assert m["Throughput P50"] == fmt.date(w.percentile_date(50))
    assert m["Throughput P85"] == fmt.date(w.percentile_date(85))
    assert m["Model P50"] == m["P50 delivery"] and m["Model P85"] == m["P85 delivery"]
    words = " ".join(x.value for x in at.markdown)
    assert "throughput" in words and "for 10 items" in words


def test_opinion_sentence_says_which_way():
    w = read_history(DATA / "five-stages.csv").when(10, "2027-03-01", runs=200)
    tp = w.percentile_date(50)
    early = second_opinion(w, tp - dt.timedelta(days=30), tp - dt.timedelta(days=30))
    assert "earlier" in history_view.opinion_sentence(early)
    assert "optimistic" in history_view.opinion_sentence(early)
    late = second_opinion(
        w, tp + dt.timedelta(days=30), w.percentile_date(85) + dt.timedelta(days=30)
    )
    assert "later" in history_view.opinion_sentence(late)
    agree = second_opinion(w, tp, w.percentile_date(85))
    assert "agrees with the model within two weeks" in history_view.opinion_sentence(agree)


@pytest.mark.parametrize("empty", [False, True])
def test_chart_builders_give_valid_specs(empty):
    h = read_history(SAMPLE)
    w = h.when(40)
    bt = h.backtest(20, runs=200)
    tables = {
        "weekly": h.weekly_throughput(),
        "ct": h.cycle_time_table(),
        "hist": w.histogram(),
        "bt": bt.table,
    }
    if empty:
        tables = {k: v.iloc[0:0] for k, v in tables.items()}
    marks = history_charts.markers({"P50": w.percentile_date(50), "P85": None})
    charts = [
        history_charts.throughput_chart(tables["weekly"]),
        history_charts.cycle_time_chart(tables["ct"], h.cycle_time_percentiles()),
        history_charts.when_chart(tables["hist"], marks),
        history_charts.backtest_chart(tables["bt"]),
    ]
    for c in charts:
        spec = c.to_dict()  # validates against the Vega-Lite schema
        assert spec["layer"]
    assert isinstance(marks, pd.DataFrame) and marks["label"].tolist() == ["P50"]


def test_columns_the_reader_cannot_find_are_chosen_on_the_page():
    """Columns named 'Kickoff' and 'Wrapped' with dates written 2027|01|09: neither a
    known column name nor a detected date format, so no start or done column is found.
    The message says to choose them below (not the library's start_column), the page
    offers the header's columns, and choosing them plus the pattern yyyy|MM|dd reads
    S-5's 9 working days (Sat 9 to Thu 21 Jan 2027). Catches a page that can only be
    helped from the command line, and the boxes offering anything but the header."""
    at = upload(
        history_page(),
        DATA / "five-stages.csv",
        "custom.csv",
        b"Key,Kickoff,Wrapped\nS-5,2027|01|09,2027|01|21\n",
    )
    clean(at, "after a file with unknown columns")
    message = " ".join(seen(e) for e in at.error)
    assert "choose them below: Start column, Done column" in message, message
    assert "start_column" not in message
    assert at.selectbox(key="hi_retry_start_column").options == ["Key", "Kickoff", "Wrapped"]
    at.selectbox(key="hi_retry_start_column").set_value("Kickoff").run()
    at.selectbox(key="hi_retry_done_column").set_value("Wrapped").run()
    clean(at, "after choosing the columns")
    message = " ".join(seen(e) for e in at.error)
    assert "dates are written in more than one way or in an unknown way" in message, (
        "the chosen columns are read: their dates are next"
    )
    at.selectbox(key="hi_format").set_value("Other (type a pattern)").run()
    at.text_input(key="hi_pattern").set_value("yyyy|MM|dd").run()
    clean(at, "after typing the pattern")
    assert at.session_state["history_options"]["start_column"] == "Kickoff"
    assert not at.error, [e.value for e in at.error]
    assert metrics(at)["Cycle time P50"] == "9 days"
