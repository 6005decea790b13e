"""The report made from a status: where we are, what changed, the trail."""

from __future__ import annotations

import copy
import dataclasses
import re

import pytest

from simulation.present import formats
from simulation.report import document as doc
from simulation.report.document import report_html
from simulation.track import load_status, track
from tests.helpers import LIBRARY


def test_status_section_shows_where_we_are_and_the_trail():
    """Week 10 of the bundled history, with weeks 9 and 10 as the trail.

    The section states 7 done and 2 in progress, value realised 750 (worked out
    in the CLI test), the plan's and today's P85 side by side, and the sentence
    since week 9; a plain forecast report has no such section. Catches: the
    section missing from a status report, or shown on a plain one.
    """
    week10 = track(load_status(LIBRARY / "status" / "2027-03-12.yaml"), runs=100, seed=1)
    week9 = track(load_status(LIBRARY / "status" / "2027-03-05.yaml"), runs=100, seed=1)
    entries = [
        {
            "as_of": r.as_of.isoformat(),
            "status": s.data,
            "summary": r.summary() | r.status_summary(),
        }
        for r, s in (
            (week9, load_status(LIBRARY / "status" / "2027-03-05.yaml")),
            (week10, load_status(LIBRARY / "status" / "2027-03-12.yaml")),
        )
    ]
    page = report_html(week10, trail=entries)
    assert "<h2>Where we are</h2>" in page
    assert "7 items done; 2 in progress" in page and "Value realised to date: 750." in page
    assert "Since the last record (2027-03-05): 2 items done;" in page
    assert "Where we are" not in report_html(_plain_results())


def _plain_results():
    from simulation.engine.runner import run
    from simulation.scenario.loading import load_scenario

    return run(load_scenario(LIBRARY / "supply-chain.yaml"), runs=20, seed=1)


@pytest.fixture(scope="module")
def weeks():
    """Weeks 9 and 10 of the bundled history (100 runs, seed 1) and their trail."""
    out = {}
    for name in ("2027-03-05", "2027-03-12"):
        status = load_status(LIBRARY / "status" / f"{name}.yaml")
        out[name] = (track(status, runs=100, seed=1), status)
    entries = [
        {
            "as_of": r.as_of.isoformat(),
            "status": s.data,
            "summary": r.summary() | r.status_summary(),
        }
        for r, s in out.values()
    ]
    return out["2027-03-12"][0], entries


def _cells(html: str) -> list[list[str]]:
    return [
        re.findall(r"<td[^>]*>(.*?)</td>", row)
        for row in re.findall(r"<tr>(.*?)</tr>", html)
        if "<td" in row
    ]


def test_status_section_states_the_plan_and_now_side_by_side(weeks, monkeypatch):
    """Where we are: the as-of date, what is done, in progress, overrunning and fitted,
    the value realised; then the plan's and today's P85, on-time chance, mean NPV and
    outcome chance, each in its own row and column (shared formats); then the sentence
    since the last record, the trail as a table (oldest first) and as a chart with the
    plan's P85 and deadline as lines. Catches a fact or a row dropped, plan and now
    swapped, a trail column read from the wrong field, the chart's lines lost."""
    res, entries = weeks
    res = copy.copy(res)
    res.overrunning = ["d", "e"]
    seen: list = []
    monkeypatch.setattr(doc, "svg", lambda spec: "<svg></svg>")
    real = doc.vega.trail_spec
    monkeypatch.setattr(
        doc.vega,
        "trail_spec",
        lambda table, lines: seen.append((table, lines)) or real(table, lines),
    )
    html = doc.status_section(res, list(reversed(entries)))
    plan, now = res.plan_summary, res.summary()
    assert html.startswith(
        "<h2>Where we are</h2><p>As of 12 Mar 2027: 7 items done; 2 in progress; "
        "overrunning: d, e; adoption fitted to 3 measurements. Value realised to date: "
        "750.</p><table><thead><tr><th></th><th>Plan</th><th>Now</th></tr></thead>"
    )
    rows = _cells(html)
    pd_, pv, nd, nv = plan["delivery"], plan["value"], now["delivery"], now["value"]
    assert rows[:4] == [
        ["P85 delivery", formats.date(pd_["p85_date"]), formats.date(nd["p85_date"])],
        [
            "On-time chance",
            formats.pct(pd_["on_time_probability"]),
            formats.pct(nd["on_time_probability"]),
        ],
        ["Mean NPV", formats.money(pv["npv_mean"]), formats.money(nv["npv_mean"])],
        [
            "Outcome chance",
            formats.pct(pv["outcome_probability"]),
            formats.pct(nv["outcome_probability"]),
        ],
    ]
    assert rows[1][1] != rows[1][2], "the plan's and today's chances differ: not one read twice"
    assert "<p>Since the last record (2027-03-05): 2 items done;" in html
    trail = []
    for e in entries:
        d, v = e["summary"]["delivery"], e["summary"]["value"]
        trail.append(
            [
                formats.date(e["as_of"]),
                formats.date(d["p50_date"]),
                formats.date(d["p85_date"]),
                formats.pct(d["on_time_probability"]),
                formats.money(v["npv_mean"]),
                formats.pct(v["outcome_probability"]),
            ]
        )
    assert rows[4:] == trail
    assert (
        "<th>As of</th><th>P50</th><th>P85</th><th>On time</th><th>Mean NPV</th><th>Outcome</th>"
        in html
    )
    [(table, lines)] = seen
    assert list(table["as_of"]) == ["2027-03-05", "2027-03-12"]
    assert lines.to_dict("records") == [
        {"label": "Plan P85", "date": pd_["p85_date"]},
        {"label": "Deadline", "date": pd_["deadline"]},
    ]
    assert html.endswith(
        "<figcaption class='note'>The band runs from the P50 to the P85 delivery date of each "
        "recorded re-forecast, by its as-of date.</figcaption></figure>"
    )


def test_status_section_without_a_plan_or_a_fit(weeks, monkeypatch):
    """No plan recorded: the plan column repeats today's numbers; an adoption fit that
    did not converge is not claimed; no trail: no sentence, table or chart. Catches the
    missing plan read as None, an unfitted fit claimed, a trail drawn from nothing."""
    res, _ = weeks
    res = copy.copy(res)
    res.plan_summary = None
    res.adoption_fit = dataclasses.replace(res.adoption_fit, fitted=False)
    html = doc.status_section(res, [])
    assert "; adoption fitted" not in html and "2 in progress. Value realised" in html
    rows = _cells(html)
    assert len(rows) == 4 and all(r[1] == r[2] for r in rows)
    assert "<figure" not in html and "Since the last record" not in html
    res.adoption_fit = None
    assert "2 in progress. Value realised" in doc.status_section(res)


def test_report_from_a_status_file_through_the_command_line(tmp_path, monkeypatch):
    """``report --status FILE`` re-forecasts from the status with the runs and seed
    asked for (the page's summary is ``track``'s for the same runs and seed), says
    where we are, and carries the plan's recorded trail from the store: with week 9
    recorded, the week-10 report's trail table has its row (5 Mar 2027). Catches the
    status path's runs or seed dropped, and the trail not read (or read for another
    plan)."""
    import datetime as dt
    import json

    from simulation.cli import main
    from simulation.store.trail import record_reforecast
    from simulation.track.trail import plan_key

    monkeypatch.setenv("SIM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SIM_DATABASE_URL", raising=False)
    week10 = LIBRARY / "status" / "2027-03-12.yaml"
    out = tmp_path / "status.html"
    args = ["report", "--status", str(week10), "--runs", "60", "--seed", "5", "--out", str(out)]
    assert main(args) == 0
    text = out.read_text(encoding="utf-8")
    block = re.search(r"<script type='application/json' id='summary'>(.*?)</script>", text, re.S)
    want = track(load_status(week10), runs=60, seed=5).summary()
    assert json.loads(block.group(1)) == json.loads(json.dumps(want))
    assert "<h2>Where we are</h2>" in text and "<th>As of</th>" not in text

    week9 = load_status(LIBRARY / "status" / "2027-03-05.yaml")
    record_reforecast(
        plan_key(week9.plan_ref),
        dt.date(2027, 3, 5),
        {"added": []},
        track(week9, runs=60, seed=5).summary(),
    )
    assert main(args) == 0
    trail_table = out.read_text(encoding="utf-8").split("<th>As of</th>", 1)[1]
    assert trail_table.split("</tbody>", 1)[0].count("<tr><td>5 Mar 2027</td>") == 1
