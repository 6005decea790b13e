"""When no simulated future delivers: words, never ``None`` or "by never".

The scenario: one person, items of 5 and 10 person-days, the person leaves at
the end of day 1 (``team.changes``): no item is ever finished, so every future
runs to the simulated-time cap (5,200 working days) undelivered. The run's
summary then has no delivery date at all; ``run`` and the report say so with
the one sentence of ``simulation/present/text.py``.
"""

from __future__ import annotations

import html

import pytest
import yaml

from simulation import run
from simulation.cli import main
from simulation.present.text import NO_FUTURE_DELIVERS, NOT_WITHIN_CAP, format_summary
from simulation.report.document import project_sentences, report_html
from tests.helpers import items, make_scenario

RUNS = 10
SCENARIO = {
    "name": "Everyone leaves",
    "start_date": "2027-01-04",
    "deadline": "2027-03-05",
    "team": {"size": 1, "changes": [{"at_day": 1, "add": -1}]},
    "items": items(5, 10),
}


@pytest.fixture(scope="module")
def never():
    res = run(make_scenario(**SCENARIO), runs=RUNS, seed=1, workers=1)
    assert res.summary()["delivery"]["delivered_runs"] == 0, "no future delivers"
    return res


def test_the_sentence_names_the_cap():
    """5,200 working days: the engine's 20-year cap (MAX_SIM_DAYS)."""
    assert NO_FUTURE_DELIVERS == (
        "No simulated future delivers the whole scope within 5,200 working days."
    )


def test_run_text_says_it_in_words(never):
    """Catches the summary's missing dates printed as Python's None."""
    text = format_summary(never.summary())
    assert f"Delivery  {NO_FUTURE_DELIVERS}" in text
    assert "None" not in text
    assert "did not deliver" not in text, "one sentence, not a second warning as well"
    assert "On time   0% chance" in text, "the deadline's chance is still a number"


def test_run_command_prints_the_sentence(never, tmp_path, capsys):
    path = tmp_path / "never.yaml"
    path.write_text(yaml.safe_dump(SCENARIO))
    assert main(["run", str(path), "--runs", str(RUNS), "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert NO_FUTURE_DELIVERS in out and "None" not in out


def test_report_says_it_in_words(never):
    """Catches "deliver the whole scope by never" in the report's project lens."""
    s = never.summary()
    words = project_sentences(s)
    assert html.escape(NO_FUTURE_DELIVERS) in words
    assert "never" not in words.lower().replace(NO_FUTURE_DELIVERS.lower(), "")
    page = report_html(never)
    assert NO_FUTURE_DELIVERS in page
    assert "by never" not in page and "None" not in page.split("id='summary'")[0]
    # the key-numbers table: each delivery percentile is "not within" the cap
    assert page.count(f"<td>{NOT_WITHIN_CAP}</td>") == 3


def test_some_futures_never_deliver_percentiles_read_not_within_the_cap():
    """A summary where P85 and P95 are beyond the cap (over 15 in 100 never deliver):
    the text reads them as not within the cap, P50 keeps its date."""
    s = {
        "scenario": "x",
        "runs": 100,
        "seed": 1,
        "delivery": {
            "p50_day": 40.0,
            "p85_day": None,
            "p95_day": None,
            "p50_date": "2027-03-01",
            "p85_date": None,
            "p95_date": None,
            "on_time_probability": None,
            "deadline": None,
            "delivered_runs": 80,
            "undelivered_runs": 20,
        },
        "cost": {"mean": 1.0, "p50": 1.0, "p85": 1.0},
        "value": {
            "first_value_date_p50": None,
            "first_value_day_p50": None,
            "npv_mean": 0.0,
            "npv_p50": 0.0,
            "roi_mean": 0.0,
            "outcome_probability": None,
            "outcome": "o",
            "outcome_by": None,
        },
    }
    text = format_summary(s)
    assert "P50 1 Mar 2027 (day 40.0)" in text
    assert f"P85 {NOT_WITHIN_CAP}   P95 {NOT_WITHIN_CAP}" in text
    assert "None" not in text and "20 runs did not deliver" in text
    words = project_sentences(s)
    assert "by <b>1 Mar 2027</b>" in words and "more than 15 in 100 never finish it within" in words


def test_the_delivery_chart_has_its_columns_when_nothing_delivers(never):
    """No future delivers and the plan has no deadline: the weeks table and the
    markers are empty but keep their columns (week and share; label and date), which
    the chart's spec reads; the report still draws the chart. Catches an empty frame
    without columns, or with misspelt ones."""
    from simulation.report import document as doc

    weeks = doc.delivery_weeks(never)
    assert weeks.empty and list(weeks.columns) == ["week", "share"]
    marks = doc._markers({"delivery": {}})
    assert marks.empty and list(marks.columns) == ["label", "date"]
    no_deadline = {k: v for k, v in SCENARIO.items() if k != "deadline"}
    res = run(make_scenario(**no_deadline), runs=RUNS, seed=1, workers=1)
    assert "Share of the simulated futures that deliver the whole scope" in report_html(res)
