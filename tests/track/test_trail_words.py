"""The trail in words and charts: the "since the last record" sentence, the table, the specs."""

from __future__ import annotations

import altair as alt
import pandas as pd

from simulation.present.charts import trail_spec, trail_value_spec
from simulation.track.trail import latest_change, trail_table


def entry(as_of, done, added, p85_day, npv, chance, p85_date="2027-05-18"):
    return {
        "as_of": as_of,
        "status": {"added": [{"id": f"x{i}"} for i in range(added)]},
        "summary": {
            "as_of": as_of,
            "done": done,
            "delivery": {
                "p50_date": "2027-05-04",
                "p85_date": p85_date,
                "p85_day": p85_day,
                "on_time_probability": 0.8,
            },
            "value": {"npv_mean": npv, "outcome_probability": chance},
            "realised_value": 0.0,
        },
    }


def test_since_the_last_record_in_one_sentence():
    """Last record: 5 done, 1 added, P85 day 90, NPV 1,000,000, outcome 50%.

    Now: 7 done (+2), 2 added (+1), P85 day 94 (+4 working days), NPV 940,000
    (-60,000 / 1,000,000 = -6%), outcome 20% (-30 pp). The entries come in
    newest first, so the sentence must sort them. Catches: the sign of a move
    flipped, percent of the new value instead of the old, or unsorted entries.
    """
    entries = [entry("2027-03-12", 7, 2, 94, 940_000, 0.2), entry("2027-03-05", 5, 1, 90, 1e6, 0.5)]
    assert latest_change(entries) == (
        "Since the last record (2027-03-05): 2 items done, 1 item added; the P85 date moved "
        "4 working days later; NPV \u22126%; outcome chance \u221230 pp."
    )
    assert latest_change(entries[:1]) is None


def test_trail_table_is_oldest_first_and_the_charts_are_valid_vega_lite():
    """Entries given newest first come out oldest first; both specs validate.

    Catches: a table in storage order, or a spec Vega-Lite rejects (altair's
    from_dict validates against the schema).
    """
    rows = trail_table(
        [entry("2027-03-12", 7, 2, 94, 9e5, 0.2), entry("2027-02-19", 4, 0, 90, 1e6, 1)]
    )
    assert rows["as_of"].tolist() == ["2027-02-19", "2027-03-12"]
    lines = pd.DataFrame({"label": ["Deadline", "Plan P85"], "date": ["2027-05-14", "2027-06-02"]})
    for spec in (trail_spec(rows, lines), trail_value_spec(rows)):
        alt.LayerChart.from_dict(spec).to_dict()


def test_trail_axes_tick_whole_days_and_weeks_from_the_data():
    """Two records a week apart, delivery dates over a month: the as-of axis ticks
    every day (8 ticks at most), the delivery axis every week (5 at most).

    Catches: ticks left to Vega, which gave one delivery tick on a short plot and
    half-day as-of ticks that repeat a date on a wide one.
    """
    rows = trail_table(
        [entry("2027-03-05", 5, 2, 90, 1e6, 1), entry("2027-03-12", 7, 0, 90, 9e5, 0)]
    )
    lines = pd.DataFrame({"label": ["Deadline", "Plan P85"], "date": ["2027-05-14", "2027-06-02"]})
    delivery, value = trail_spec(rows, lines), trail_value_spec(rows)
    line = delivery["layer"][1]["encoding"]
    assert line["x"]["axis"]["tickCount"] == {"interval": "day", "step": 1}
    assert line["y"]["axis"]["tickCount"] == {"interval": "week", "step": 1}
    assert value["layer"][0]["encoding"]["x"]["axis"]["tickCount"]["interval"] == "day"


def test_trail_charts_say_what_each_mark_is():
    """The band and the lines have no legend entry, so each chart's subtitle names
    them, and what it says matches the marks: the delivery line is the P85, the
    value chart's dashed line (right axis) is the outcome chance.

    Catches: a subtitle dropped (the room guesses what the blue line is), or the
    layers swapped so the words name the wrong line.
    """
    rows = trail_table(
        [entry("2027-03-05", 5, 2, 90, 1e6, 1), entry("2027-03-12", 7, 0, 90, 9e5, 0)]
    )
    lines = pd.DataFrame({"label": ["Deadline"], "date": ["2027-05-14"]})
    delivery, value = trail_spec(rows, lines), trail_value_spec(rows)
    assert "line with dots: its P85" in delivery["title"]["subtitle"]
    assert delivery["layer"][1]["encoding"]["y"]["field"] == "p85_date"
    assert delivery["layer"][1]["mark"]["point"]
    npv, outcome = value["layer"]
    assert "dashed grey: outcome chance (right axis)" in value["title"]["subtitle"]
    assert outcome["mark"]["strokeDash"] and outcome["encoding"]["y"]["axis"]["orient"] == "right"
    assert outcome["encoding"]["y"]["field"] == "outcome_probability"
    assert "Solid green: mean NPV (left axis)" in value["title"]["subtitle"]
    assert npv["encoding"]["y"]["field"] == "npv_mean" and "strokeDash" not in npv["mark"]
    # The dots take their line's colour (Vega-Lite's point overlay does not by itself):
    # with one record the dots are all there is, and the subtitle names them by colour.
    for layer in (*value["layer"], delivery["layer"][1]):
        assert layer["mark"]["point"]["color"] == layer["mark"]["color"]


def test_one_record_is_drawn_and_described_as_one():
    """A trail of one record: the P50-P85 band has no width to shade, so it is a bar
    (a rule from P50 to P85 at the one as-of date), and both subtitles say there is
    one record instead of naming a shaded band and lines that are not drawn. Two
    records go back to the band and the lines. Catches: the one-record case left to
    an invisible area, or the words of the many-record chart kept for it.
    """
    one = trail_table([entry("2027-03-05", 5, 2, 90, 1e6, 0.5)])
    lines = pd.DataFrame({"label": ["Deadline"], "date": ["2027-05-14"]})
    delivery, value = trail_spec(one, lines), trail_value_spec(one)
    band = delivery["layer"][0]
    assert band["mark"]["type"] == "rule"
    assert (band["encoding"]["y"]["field"], band["encoding"]["y2"]["field"]) == (
        "p50_date",
        "p85_date",
    )
    assert delivery["title"]["subtitle"].startswith("One record so far")
    assert "Shaded" not in delivery["title"]["subtitle"]
    assert value["title"]["subtitle"].startswith("One record so far")
    assert "dashed" not in value["title"]["subtitle"]
    for spec in (delivery, value):
        alt.LayerChart.from_dict(spec).to_dict()
    two = trail_table(
        [entry("2027-03-05", 5, 2, 90, 1e6, 1), entry("2027-03-12", 7, 0, 90, 9e5, 0)]
    )
    assert trail_spec(two, lines)["layer"][0]["mark"]["type"] == "area"
    assert not trail_value_spec(two)["title"]["subtitle"].startswith("One record")
