"""Every number of the report in the sentence or cell that states it.

See docs/reference/drivers-and-report.md. A hand-made summary gives every field a
distinct value, so a field read in the wrong place (P85 for P50, the median NPV
for the mean, Δ outcome under "Δ on time") shows as a wrong word, not a number
that happens to be close. The formats are the shared ones
(``simulation.present.formats``): money ``123 k`` / ``1.50 M``, probabilities in
whole percent, dates as "1 Mar 2027".
"""

from __future__ import annotations

import datetime as dt
import html as _html
import re
import shutil
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from simulation import compare, run
from simulation.decide.prioritise import prioritise
from simulation.decide.sessions import load_session
from simulation.engine.drivers import criticality, driver_sentence, sensitivity
from simulation.present import charts as vega
from simulation.present import decide as words
from simulation.present import maps
from simulation.present.text import NOT_WITHIN_CAP
from simulation.report import document as doc
from simulation.store.decisions import Decision
from tests.helpers import LIBRARY, ROOT, items, make_scenario

SUMMARY = {
    "scenario": "Hand",
    "runs": 500,
    "seed": 9,
    "delivery": {
        "p50_day": 40.0,
        "p85_day": 65.0,
        "p95_day": 90.0,
        "p50_date": "2027-03-01",
        "p85_date": "2027-04-05",
        "p95_date": "2027-05-10",
        "on_time_probability": 0.42,
        "deadline": "2027-04-30",
        "delivered_runs": 500,
        "undelivered_runs": 0,
    },
    "cost": {"mean": 123_456.0, "p50": 111_111.0, "p85": 234_567.0},
    "value": {
        "value_mean": 2_000_000.0,
        "npv_mean": 1_500_000.0,
        "npv_p50": 900_000.0,
        "roi_mean": 2.345,
        "first_value_day_p50": 20.0,
        "first_value_date_p50": "2027-02-15",
        "outcome_probability": 0.37,
        "outcome": "Orders 20% faster",
        "outcome_by": "2027-06-30",
        "potential_value": 3_000_000.0,
    },
}


def _cells(html: str) -> list[list[str]]:
    """The body rows of every table, cell texts."""
    return [
        re.findall(r"<td[^>]*>(.*?)</td>", row)
        for row in re.findall(r"<tr>(.*?)</tr>", html)
        if "<td" in row
    ]


def test_project_sentences_state_each_number_in_its_place():
    """P50 and P85 bold, P95 plain, the deadline and its chance, mean cost then P85 cost."""
    assert doc.project_sentences(SUMMARY) == (
        "In 85 of 100 simulated futures the whole scope is live by <b>5 Apr 2027</b>; "
        "in half of them by <b>1 Mar 2027</b> (95 in 100 by 10 May 2027). "
        "The chance of making the 30 Apr 2027 deadline is <b>42%</b> (42 of 100 futures). "
        "The team costs about 123 k on average (235 k or less in 85 of 100 futures)."
    )


def test_product_sentences_state_mean_and_median_npv_in_their_place():
    """Mean NPV bold "average", the median "in the median future", ROI 2.3 (so every 1
    spent earns 3.3), the outcome's chance."""
    assert doc.product_sentences(SUMMARY, 104) == (
        "Users first get value around <b>15 Feb 2027</b> (the median future). Counting "
        "value and cost over the 104-week horizon, the average NPV is <b>1.50 M</b> (900 k "
        "in the median future; ROI 2.3: every 1 spent earns 3.3 in value). "
        "“Orders 20% faster” is reached by 30 Jun 2027 in <b>37%</b> of futures (37 of 100)."
    )


def test_key_numbers_tables():
    rows, prod = doc._key_numbers(SUMMARY)
    assert rows == [
        ["P50 delivery", "1 Mar 2027"],
        ["P85 delivery", "5 Apr 2027"],
        ["P95 delivery", "10 May 2027"],
        ["On-time chance", "42%"],
        ["Cost, mean / P85", "123 k / 235 k"],
    ]
    assert prod == [
        ["First value (P50)", "15 Feb 2027"],
        ["NPV, mean / P50", "1.50 M / 900 k"],
        ["ROI (mean)", "2.3"],
        ["Outcome chance", "37%"],
    ]


def test_no_deadline_and_no_value_say_so():
    s = {
        **SUMMARY,
        "delivery": {**SUMMARY["delivery"], "deadline": None, "on_time_probability": None},
        "value": {**SUMMARY["value"], "potential_value": 0.0},
    }
    assert "No deadline is set" in doc.project_sentences(s)
    assert doc._key_numbers(s)[0][3] == ["On-time chance", "no deadline"]
    assert doc.product_sentences(s, 52) == (
        "No backlog item has a value per week, so there is no value to forecast. "
        "Give items a value per week in the scenario to see the product lens."
    )


@pytest.mark.parametrize(
    "x, shown",
    [
        (999.4, "999"),
        (1_000.0, "1.0 k"),
        (-2_500_000.0, "-2.50 M"),
        (3.2e9, "3.20 bn"),
        (None, "n/a"),
    ],
)
def test_money_in_thousands_and_millions(x, shown):
    assert doc._money(x) == shown


def test_chart_markers_are_p50_p85_and_the_deadline():
    """The delivery chart's rules: P50 and P85 dates (not P95) and the deadline."""
    m = doc._markers(SUMMARY)
    assert m.to_dict("records") == [
        {"label": "P50", "date": "2027-03-01"},
        {"label": "P85", "date": "2027-04-05"},
        {"label": "Deadline", "date": "2027-04-30"},
    ]


@pytest.fixture(scope="module")
def small():
    """Two people, a ~ U(5, 15) and b ~ U(5, 25) worth 1,000 a week: varied futures."""
    sc = make_scenario(
        team={"size": 2, "cost_per_person_day": 100},
        items=[
            {"id": "a", "effort": {"dist": "uniform", "low": 5, "high": 15}},
            {
                "id": "b",
                "effort": {"dist": "uniform", "low": 5, "high": 25},
                "value": {"per_week": 1000},
            },
        ],
        value={"horizon_weeks": 20},
    )
    return run(sc, runs=200, seed=4, workers=1)


def test_delivery_weeks_share_is_of_all_futures(small):
    """Each week's share = futures delivering that week / all futures: they add to 1
    here (every future delivers), and each equals a count by hand from the runs."""
    w = doc.delivery_weeks(small)
    assert w["share"].sum() == pytest.approx(1.0)
    dates = pd.to_datetime(small.runs["delivery_date"])
    monday = (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.strftime("%Y-%m-%d")
    by_hand = monday.value_counts() / len(small.runs)
    for r in w.itertuples():
        assert r.share == pytest.approx(by_hand[r.week])


def test_value_bands_are_the_pages_90_and_50(small):
    """The caption says the darker band holds 50 of 100 futures, the lighter 90, and the
    line is the median: the fan is the 5th, 25th, 50th, 75th and 95th percentile of
    cumulative value per week (by hand with numpy), and the chart draws exactly the
    5-95 and 25-75 bands, lighter first, as the Forecast page does. Catches the report's
    own 10-90 band beside the page's 90% and 50% (a room compares the two)."""
    fan = doc.value_fan(small)
    grid = small.weekly.pivot(index="run", columns="week", values="cum_value").to_numpy()
    for col, q in (("p05", 0.05), ("p25", 0.25), ("p50", 0.5), ("p75", 0.75), ("p95", 0.95)):
        np.testing.assert_allclose(fan[col], np.nanquantile(grid, q, axis=0))
    html = doc.lenses(small)
    assert "the darker band holds 50 of 100 futures, the lighter one 90 of 100" in html
    assert "the line is the median" in html
    spec = vega.value_spec(fan)
    areas = [layer for layer in spec["layer"] if layer["mark"]["type"] == "area"]
    drawn = [(a["encoding"]["y"]["field"], a["encoding"]["y2"]["field"]) for a in areas]
    assert drawn == [("p05", "p95"), ("p25", "p75")]
    assert areas[0]["mark"]["opacity"] < areas[1]["mark"]["opacity"], "the 50% band darker"


def test_variants_table_puts_each_number_in_its_column():
    """Scenario table: P50, P85, on time, mean NPV, outcome in that order; the paired
    differences: Δ on time under its own label, Δ outcome under its own, in %."""
    base = LIBRARY / "supply-chain.yaml"
    variant = LIBRARY / "supply-chain-creep-controlled.yaml"
    from simulation import load_scenario

    cmp = compare(
        {"base": load_scenario(base), "variant": load_scenario(variant)},
        runs=60,
        seed=2,
        workers=1,
    )
    html = doc.variants_section(cmp)
    rows = _cells(html)
    s = cmp.summary()
    for name in ("base", "variant"):
        d, v = s["scenarios"][name]["delivery"], s["scenarios"][name]["value"]
        assert [
            name,
            doc._date(d["p50_date"]),
            doc._date(d["p85_date"]),
            doc._pct(d["on_time_probability"]),
            doc._money(v["npv_mean"]),
            doc._pct(v["outcome_probability"]),
        ] in rows
    diffs = {r[0]: r[1:] for r in rows if len(r) == 3}
    pd_ = s["paired_differences"]["variant"]
    for key, label in (("on_time", "On-time probability"), ("outcome", "Outcome probability")):
        mean = pd_[key]["mean"]
        assert diffs[label][0] == f"{round(mean, 3) + 0.0:+.1%}", label
    npv = pd_["npv"]["mean"]
    assert diffs["NPV"][0] == f"{round(npv, 1) + 0.0:+,.1f}"


def test_session_section_shows_each_decision_against_its_candidate(tmp_path):
    """Accepted and deferred candidates each on their own row, with who and why."""
    shutil.copy(ROOT / "tests" / "data" / "hand-base.yaml", tmp_path / "hand-base.yaml")
    shutil.copy(ROOT / "tests" / "data" / "hand-session.yaml", tmp_path / "s.yaml")
    pr = prioritise(load_session(tmp_path / "s.yaml"), runs=5, seed=3, workers=1)
    when = dt.datetime(2027, 3, 1, 9, 30)

    def decision(cid: str, kind: str, why: str, who: str) -> Decision:
        return Decision(1, "Hand-worked session", cid, kind, why, who, when, {})

    html = doc.session_section(
        pr,
        decisions={
            "extra": decision("extra", "accept", "Pays for itself", "Ana"),
            "polish": decision("polish", "defer", "After launch", "Ben"),
        },
    )
    rows = _cells(html)
    assert [
        "Extra report (25 days, 300/week)",
        "accept",
        "Pays for itself",
        "Ana",
        "2027-03-01 09:30",
    ] in rows
    assert ["Polish after d", "defer", "After launch", "Ben", "2027-03-01 09:30"] in rows
    ranking = [r for r in rows if len(r) == 9]
    assert ranking[0] == [
        "1",
        "Extra report (25 days, 300/week)",
        "gain",
        "±0 days",
        "+14 k",
        "±0 pp",
        "±0 pp",
        "—",
        "ahead of the next in 100% of futures",
    ]
    assert ranking[2][:6] == ["3", "Polish after d", "trade-off", "+10 days", "+100", "-100 pp"]
    assert "No decision recorded yet." in doc.session_section(pr)


def _heads(html: str) -> list[list[tuple[str, bool]]]:
    """Each table's header: (text, right-aligned as a number) per column."""
    return [
        [(text, bool(num)) for num, text in re.findall(r'<th( class="num")?>(.*?)</th>', head)]
        for head in re.findall(r"<thead>(.*?)</thead>", html)
    ]


def _num_cells(html: str) -> list[str]:
    """The texts of the body cells set right-aligned as numbers."""
    return re.findall(r'<td class="num">(.*?)</td>', html)


def _hand_comparison(paired: dict, notes_for: str = "Hire one") -> SimpleNamespace:
    """A comparison whose summary is written by hand (no simulation), no chart rows."""
    scenario = {
        "delivery": {"p50_date": "2027-03-01", "p85_date": None, "on_time_probability": 0.42},
        "value": {"npv_mean": 1_500_000.0, "outcome_probability": 0.37},
    }
    summary = {
        "scenarios": {"Base plan": scenario, notes_for: scenario},
        "paired_differences": paired,
    }
    return SimpleNamespace(
        baseline="Base plan",
        summary=lambda: summary,
        deltas=pd.DataFrame(columns=["metric", "variant", "mean", "ci_low", "ci_high"]),
    )


def test_variants_section_headings_columns_and_notes():
    """The section names the base, heads each column with what it holds (the NPV
    column alone right-aligned), names each variant and lists its changes in words.
    Catches a column header altered, the NPV not (or another column) set as a number,
    the base's or the variant's name lost, the change list dropped or not a list."""
    cmp = _hand_comparison({"Hire one": {}})
    html = doc.variants_section(cmp, {"Hire one": ["Adds a person <from March>", "Second"]})
    assert html.startswith("<h2>The variants against Base plan</h2>")
    assert _heads(html)[0] == [
        ("Scenario", False),
        ("P50", False),
        ("P85", False),
        ("On time", False),
        ("NPV (mean)", True),
        ("Outcome", False),
    ]
    assert _cells(html)[0] == ["Base plan", "1 Mar 2027", NOT_WITHIN_CAP, "42%", "1.50 M", "37%"]
    assert _num_cells(html) == ["1.50 M", "1.50 M"]
    assert (
        "<h3>Hire one</h3><ul><li>Adds a person &lt;from March&gt;</li><li>Second</li></ul>" in html
    )
    # No notes for a variant: no list at all.
    assert "<ul>" not in doc.variants_section(cmp, {"Other": ["x"]})
    assert "<ul>" not in doc.variants_section(cmp)


def test_paired_differences_round_before_the_sign():
    """Each paired difference is rounded to what is shown before its sign is written,
    so a change that rounds to nothing reads +0.0 (not -0.0), by hand:
    -0.04 days -> +0.0; -0.0004 (probability) -> +0.0%; 0.01449 -> 0.014 -> +1.4%
    (rounded to three places first, not +1.5%); -12.345 -> -12.3; 1234.56 -> +1,234.6.
    A missing number reads n/a; a metric without a label keeps its key; the interval
    is [low, high] in that order. Catches the rounding to other places, ``- 0.0`` (a
    -0.0), n/a re-cased or lost (a TypeError), the label lost, the interval's ends
    swapped or dropped."""
    cmp = _hand_comparison(
        {
            "Hire one": {
                "delivery_day": {"mean": -0.04, "ci90": [-12.345, 1234.56]},
                "on_time": {"mean": -0.0004, "ci90": [None, 0.01449]},
                "outcome": {"mean": 0.01449, "ci90": [-0.0004, None]},
                "new_metric": {"mean": None, "ci90": [None, None]},
            }
        }
    )
    html = doc.variants_section(cmp)
    assert _heads(html)[1] == [
        ("Paired difference (variant - base)", False),
        ("Mean", True),
        ("90% interval", True),
    ]
    diffs = [r for r in _cells(html) if len(r) == 3]
    assert diffs == [
        ["Delivery (working days)", "+0.0", "[-12.3, +1,234.6]"],
        ["On-time probability", "+0.0%", "[n/a, +1.4%]"],
        ["Outcome probability", "+1.4%", "[+0.0%, n/a]"],
        ["new_metric", "n/a", "[n/a, n/a]"],
    ]


@pytest.fixture
def drawn(monkeypatch) -> list[dict]:
    """The Vega-Lite specs the report draws, in order (each figure's SVG left empty)."""
    specs: list[dict] = []

    def spy(spec: dict) -> str:
        specs.append(spec)
        return "<svg></svg>"

    monkeypatch.setattr(doc, "svg", spy)
    return specs


def test_variants_charts_are_delivery_then_npv_with_their_own_rows(drawn):
    """Two bar charts of the paired differences: Δ delivery (working days, the project's
    colour, "+.1f") from the delivery rows only, then Δ NPV (the product's colour, "~s")
    from the NPV rows only; other metrics (on time) are not charted, and a metric with
    no rows draws no chart. Catches a metric or title mistyped, a format or colour
    lost, the rows of every other metric charted (``!=``) and an empty chart drawn."""
    cmp = _hand_comparison({"Hire one": {}})
    cmp.deltas = pd.DataFrame(
        [
            ["delivery_day", "Hire one", -3.5, -6.0, -1.0],
            ["npv", "Hire one", 20_000.0, 5_000.0, 35_000.0],
            ["on_time", "Hire one", 0.1, 0.0, 0.2],
        ],
        columns=["metric", "variant", "mean", "ci_low", "ci_high"],
    )
    doc.variants_section(cmp)
    assert [s["title"]["text"] for s in drawn] == ["Δ delivery (working days)", "Δ NPV"]
    assert [s["data"]["values"] for s in drawn] == [
        [{"name": "Hire one", "mean": -3.5, "lo": -6.0, "hi": -1.0}],
        [{"name": "Hire one", "mean": 20_000.0, "lo": 5_000.0, "hi": 35_000.0}],
    ]
    bars = [s["layer"][0] for s in drawn]
    assert [b["encoding"]["x"]["axis"] for b in bars] == [
        {"format": "+.1f", "title": "Δ delivery (working days)"},
        {"format": "~s", "title": "Δ NPV"},
    ]
    assert [b["mark"]["color"] for b in bars] == [vega.PROJECT, vega.PRODUCT]
    drawn.clear()
    cmp.deltas = cmp.deltas[cmp.deltas["metric"] == "npv"]
    doc.variants_section(cmp)
    assert [s["title"]["text"] for s in drawn] == ["Δ NPV"]


def _hand_session(tmp_path):
    """The hand-worked Decide session (tests/data), ranked on 5 runs, seed 3."""
    shutil.copy(ROOT / "tests" / "data" / "hand-base.yaml", tmp_path / "hand-base.yaml")
    shutil.copy(ROOT / "tests" / "data" / "hand-session.yaml", tmp_path / "s.yaml")
    return prioritise(load_session(tmp_path / "s.yaml"), runs=5, seed=3, workers=1)


def test_the_session_maps_are_the_decide_pages(drawn, tmp_path):
    """The report draws the Decide page's own two trade-off maps (one builder for both,
    docs/reference/layout.md). The specs drawn equal the page's own (dashboard.decide_charts, at the
    report's MAP_WIDTH), in the page's order, each captioned with the page's title; the
    key beside them is headed Number, Candidate, Verdict and lists every candidate.
    Catches a caption, axis title, money axis or width that differs from the page's."""
    from dashboard.decide_charts import MAPS, map_specs
    from simulation.decide.points import map_points

    pr = _hand_session(tmp_path)
    html = doc.trade_off_maps(pr)
    points = map_points(pr)
    page = map_specs(points, width=doc.MAP_WIDTH)
    assert drawn == list(page.values())
    assert html.startswith("<h3>Trade-off maps</h3><figure")
    assert html.count("</figure><figure") == 1 and "</figure><table>" in html
    assert re.findall(r"<figcaption class='note'>(.*?)</figcaption>", html) == [
        _html.escape(t) for t in MAPS
    ]
    assert _heads(html) == [[("Number", False), ("Candidate", False), ("Verdict", False)]]
    assert _cells(html) == [[str(n), _html.escape(name), v] for n, name, v in maps.key_rows(points)]


def test_session_section_reads_in_order_with_every_name(tmp_path, drawn):
    """The session's name and description, the rule, the ranking (numbers right-aligned,
    a close call naming the next candidate, the last one "last"), the accepted set and
    "Together" by candidate name, the combination's differences, the best set by name,
    and the decisions oldest first, each under its candidate's name (an id no longer in
    the session as it is). The hand-worked base: every future is the same, so the two
    reports together add 10 working days for 2 people at 100 a person-day: +10.0 days,
    +2,000.0 cost (by hand). Catches the session's name, description, candidate names or
    next name lost, the combination's columns or signs changed, the decisions unsorted."""
    shutil.copy(ROOT / "tests" / "data" / "hand-base.yaml", tmp_path / "hand-base.yaml")
    text = (ROOT / "tests" / "data" / "hand-session.yaml").read_text(encoding="utf-8")
    (tmp_path / "s.yaml").write_text(text + "description: Which extras <fit> by March?\n")
    pr = prioritise(load_session(tmp_path / "s.yaml"), runs=5, seed=3, workers=1)
    pr.table = pr.table.copy()
    pr.table.loc[0, "rank_confidence"] = 0.6  # close calls: the first two, and the
    pr.table.loc[4, "rank_confidence"] = 0.7  # last but one against the last
    both = ["extra", "report"]
    combination = pr.combine(both)

    def decision(cid: str, kind: str, when: dt.datetime) -> Decision:
        return Decision(1, "Hand-worked session", cid, kind, f"why {cid}", "Ana", when, {})

    decisions = {
        "report": decision("report", "accept", dt.datetime(2027, 3, 2, 10, 0)),
        "gone": decision("gone", "reject", dt.datetime(2027, 3, 3, 11, 5)),
        "extra": decision("extra", "accept", dt.datetime(2027, 3, 1, 9, 30)),
    }
    html = doc.session_section(
        pr, combination, decisions, best=pr.best_set(), accepted=pr.effect(both)
    )
    extra, report = "Extra report (25 days, 300/week)", "Second report (25 days, 100/week)"
    assert html.startswith(
        "<h2>The session: Hand-worked session</h2><p>Which extras &lt;fit&gt; by March?</p>"
        f"<p>{_html.escape(words.RANK_RULE)}</p><table>"
    )
    heads = _heads(html)
    assert heads[0] == [
        ("Rank", True),
        ("Candidate", False),
        ("Verdict", False),
        ("Δ delivery", True),
        ("Δ NPV", True),
        ("Δ on time", True),
        ("Δ outcome", True),
        ("NPV per day of delay", True),
        ("Ahead of the next", False),
    ]
    ranking = [r for r in _cells(html) if len(r) == 9]
    assert ranking[0][8] == f"close call: ahead of “{report}” in only 60% of futures"
    assert ranking[4][8] == "close call: ahead of “A third person” in only 70% of futures"
    assert ranking[-1][8] == "last"
    # NPV per day of delay, by hand: polish +100 over +10 days, a week's slip -1,400
    # over +5 days; no delay, no ratio.
    assert [r[7] for r in ranking] == ["—", "—", "10", "—", "-280", "—"]
    notes = [words.NO_VALUE_PER_DAY_REASON, *words.close_calls(pr.table)]
    assert len(notes) == 3  # the two close calls set above, each in a note
    assert "".join(f"<p class='note'>{_html.escape(n)}</p>" for n in notes) + "<h3>" in html
    assert f"<h3>The accepted set</h3><p>The accepted set (“{extra}” and “{report}”)" in html
    assert f"<h3>Together: {extra}, {report}</h3>" in html
    assert heads[2] == [
        ("Paired difference (together - base)", False),
        ("Mean", True),
        ("90% interval", True),
    ]
    npv = combination.deltas.set_index("metric").loc["npv"]
    together = [r for r in _cells(html) if len(r) == 3 and r[2].startswith("[")]
    assert together == [
        ["Delivery (working days)", "+10.0", "[+10.0, +10.0]"],
        ["NPV", f"{npv['mean']:+,.1f}", f"[{npv['ci_low']:+,.1f}, {npv['ci_high']:+,.1f}]"],
        ["Cost", "+2,000.0", "[+2,000.0, +2,000.0]"],
    ]
    assert (
        f"<h3>Best set</h3><p>Recommended: “{extra}” (on-time chance at least 70%). Against "
        "the base: P50 delivery ±0 days" in html
    )
    assert f"Left out: “{report}” would take the on-time chance to 0%, below the 70%" in html
    assert "</p><h3>Decisions</h3><table>" in html
    # The sentence is the best set's last step: with only its first (nothing added) it
    # recommends the base as it is.
    first = doc.session_section(pr, best=pr.best_set()[:1])
    assert "<h3>Best set</h3><p>Recommended: the base as it is;" in first
    assert heads[3] == [(h, False) for h in ("Candidate", "Decision", "Rationale", "By", "When")]
    assert [r for r in _cells(html) if len(r) == 5] == [
        [extra, "accept", "why extra", "Ana", "2027-03-01 09:30"],
        [report, "accept", "why report", "Ana", "2027-03-02 10:00"],
        ["gone", "reject", "why gone", "Ana", "2027-03-03 11:05"],
    ]
    plain = doc.session_section(pr, store_note="The store could not be read")
    assert plain.endswith("<h3>Decisions</h3><p class='note'>The store could not be read</p>")
    assert "<h3>Best set</h3>" not in plain and "<h3>Together" not in plain
    assert f"<h3>The accepted set</h3><p>{words.accepted_sentence(None, {})}</p>" in plain
    assert doc.session_section(pr).endswith(
        "<h3>Decisions</h3><p class='note'>No decision recorded yet.</p>"
    )


def test_the_page_opens_with_the_name_date_runs_and_seed_and_carries_the_summary(drawn):
    """The page's title and heading are the scenario's name (escaped); the line under it
    says when it was prepared, how many futures (1,000 with its thousands comma) and the
    seed; the sections follow in the documented order (docs/reference/drivers-and-report.md);
    the JSON block parses back to the summary itself. Catches the name, date, run count
    or seed lost or misformatted, a section dropped or out of order, the data block not
    the summary."""
    import json

    res = run(make_scenario(name="Q3 <launch> & more", deadline="2027-06-30"), runs=1000, seed=9)
    html = doc.report_html(res, prepared=dt.date(2027, 3, 4))
    assert "<title>Q3 &lt;launch&gt; &amp; more: report</title>" in html
    assert (
        "<h1>Q3 &lt;launch&gt; &amp; more</h1><p class='meta'>Report for the steering "
        "committee · prepared 4 Mar 2027 · 1,000 simulated futures, seed 9</p>"
        "<h2>The situation</h2>"
    ) in html
    assert re.findall(r"<h2>(.*?)</h2>", html) == [
        "The situation",
        "Both lenses",
        "What drives the date and the value",
        "The assumptions",
        "How it was computed",
    ]
    block = re.search(r"<script type='application/json' id='summary'>(.*?)</script>", html, re.S)
    assert json.loads(block.group(1)) == json.loads(json.dumps(res.summary()))
    assert html.endswith("</script></body></html>")


def test_the_situation_states_the_scenario_in_one_sentence():
    """The description (escaped), then the facts by hand from the scenario: starts
    4 Jan 2027, deadline 5 Mar 2027, 2 planned items, a team of 3 at 80% focus, delivered
    big bang (the underscore read as a space), 2 risks; no deadline and no risk say so or
    say nothing. Catches a fact dropped, misformatted or read from another field."""
    risk = {
        "id": "r",
        "name": "Vendor late",
        "probability": 0.5,
        "window": [0, 10],
        "impact": {"kind": "blocker", "days": 5},
    }
    sc = make_scenario(
        description="Ship <fast>",
        deadline="2027-03-05",
        team={"size": 3, "focus": 0.8},
        items=[{"id": "a", "effort": 10}, {"id": "b", "effort": 5}],
        delivery={"approach": "big_bang"},
        risks=[risk, {**risk, "id": "r2"}],
    )
    assert doc.situation(SimpleNamespace(scenario=sc)) == (
        "<h2>The situation</h2><p>Ship &lt;fast&gt;</p><p>The initiative starts 4 Jan 2027, "
        "deadline 5 Mar 2027, 2 planned items, a team of 3 at 80% focus, delivered big bang, "
        "2 risks.</p>"
    )
    plain = make_scenario(
        team={"size": 1, "focus": 1.0}, items=items(5, 5, 5), delivery={"approach": "incremental"}
    )
    assert doc.situation(SimpleNamespace(scenario=plain)) == (
        "<h2>The situation</h2><p>The initiative starts 4 Jan 2027, no deadline, 3 planned "
        "items, a team of 1 at 100% focus, delivered incremental.</p>"
    )
    single = make_scenario(items=items(5), risks=[risk])
    assert ", 1 planned item, " in doc.situation(SimpleNamespace(scenario=single))
    assert doc.situation(SimpleNamespace(scenario=single)).endswith(", 1 risk.</p>")


def test_the_method_states_runs_seed_precision_and_version(monkeypatch):
    """How it was computed: the run count with its thousands comma, the seed, the
    automatic run count's precision to two decimals (when set) and the model version.
    Catches the precision sentence lost or misformatted, runs or seed lost."""
    monkeypatch.setattr(doc, "model_version", lambda: "9.9 (commit abc)")
    res = SimpleNamespace(
        summary=lambda: {"runs": 12_345, "seed": 7},
        precision={"p85_half_width_days": 1.234},
    )
    html = doc.method(res)
    assert html.startswith("<h2>How it was computed</h2><p>12,345 simulated futures")
    assert "SimPy), seed 7. Every random input" in html
    assert (
        "not noise. The run count was set automatically: the P85 date is known to "
        "±1.23 working days (95%). Model version 9.9 (commit abc); the numbers"
    ) in html
    res.precision = None
    assert doc.method(res) == (
        "<h2>How it was computed</h2><p>12,345 simulated futures (Monte Carlo "
        "replications of a discrete-event model, SimPy), seed 7. Every random input "
        "(each item's effort, rework and fit, each risk, scope creep) draws from its own "
        "named random stream, so compared scenarios see the same luck everywhere they do "
        "not differ (common random numbers): a difference between them is the effect of "
        "the change, not noise. Model version 9.9 (commit abc); the numbers are the "
        "summary's (<code>python -m simulation run FILE --json</code>).</p>"
    ), "the whole paragraph, word for word"


def test_model_version_is_the_package_and_the_commit(monkeypatch):
    """The installed package's version (its metadata) and, from a checkout, the short
    commit git names; "unknown" without the package, the version alone without git.
    Catches a misspelt package name (always "unknown"), the commit lost or read as
    bytes, the fallback text changed."""
    import importlib.metadata
    import subprocess

    version = importlib.metadata.version("initiative-simulator")
    commit = subprocess.run(
        ["git", "-C", str(doc.ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert doc.model_version() == f"{version} (commit {commit})"

    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(doc.importlib.metadata, "version", missing)
    assert doc.model_version() == f"unknown (commit {commit})"

    def no_git(*args, **kwargs):
        raise FileNotFoundError("git")

    monkeypatch.setattr(doc.subprocess, "run", no_git)
    assert doc.model_version() == "unknown"


def test_drivers_section_heads_and_pairs_its_two_tornadoes(small, drawn):
    """The drivers' section, whole: its heading, each lens's top driver in words, the
    two tornadoes (delivery, then NPV) side by side in one ``pair`` block, which the
    report's CSS lays out as two columns, the note on reading them with the noise
    threshold, then the criticality chart with its caption. The threshold is twice
    the standard error of a correlation of zero over 200 runs, 2 / sqrt(199) = 0.1418
    (by hand), so "±0.14". Catches the heading lost, the pair's class changed (class
    names are case-sensitive: ``PAIR`` matches no rule, and the tornadoes stack), the
    threshold at another multiple, the criticality chart dropped or uncaptioned, or
    the charts drawn in another order."""
    html = doc.drivers_section(small)
    sens = sensitivity(small)
    figure = '<figure class="chart"><svg></svg></figure>'
    assert html == (
        "<h2>What drives the date and the value</h2>"
        f"<p>{_html.escape(driver_sentence(sens, 'delivery'))}</p>"
        f"<p>{_html.escape(driver_sentence(sens, 'npv'))}</p>"
        f'<div class="pair">{figure}{figure}</div>'
        "<p class='note'>Each bar is the rank correlation, over the futures, of one "
        "uncertain input with the delivery day (left) or NPV (right): +1 means the "
        "larger the input, the later (or the more valuable) in every future; near "
        "0 (within ±0.14) it is noise.</p>"
        '<figure class="chart"><svg></svg>'
        "<figcaption class='note'>Criticality: the share of futures in which the item is "
        "on the chain of work that set the delivery date.</figcaption></figure>"
    )
    assert re.search(r"\.pair \{ display: grid; grid-template-columns: 1fr 1fr;", doc.STYLE)
    assert len(drawn) == 3
    assert drawn[:2] == [vega.tornado_spec(sens, "delivery"), vega.tornado_spec(sens, "npv")]
    assert drawn[2] == vega.criticality_spec(criticality(small))


def test_assumptions_list_every_setting_in_its_row():
    """The assumptions section restates the plan: one row per item (id, name or id,
    effort in words, needs or "-", value a week in money, must-have yes/no; the value
    right-aligned), the team, delivery and iteration settings each beside its label,
    and one row per risk with its chance, what it does in words and its window (or
    "-"). Every expected cell is written out by hand from the scenario below.
    Catches a setting under another label, a percent or money format dropped, an
    item's dependencies or must-have flag lost, a risk's impact said for another
    kind, or a window that is not the risk's."""
    sc = make_scenario(
        team={
            "size": 3,
            "focus": 0.8,
            "cost_per_person_day": 650,
            "changes": [{"at_day": 10, "add": 1}],
        },
        delivery={"approach": "big_bang", "discovery_days": 5, "hardening_days": 2.5},
        iteration={
            "rework_probability": 0.25,
            "rework_fraction": 0.1,
            "misfit_probability": 0.05,
            "feedback_lag_days": 7,
        },
        scope={
            "creep": {"rate_per_week": 0.5, "effort": 2},
            "changes": [{"at_day": 15, "remove": ["b"]}],
        },
        value={"horizon_weeks": 52, "discount_rate_annual": 0.08},
        items=[
            {"id": "a", "name": "Build <API>", "effort": {"dist": "uniform", "low": 4, "high": 9}},
            {
                "id": "b",
                "effort": 3,
                "depends_on": ["a", "c"],
                "must_have": False,
                "value": {"per_week": 1500},
            },
            {"id": "c", "effort": 1},
        ],
        risks=[
            {
                "id": "r1",
                "name": "Vendor late",
                "probability": 0.4,
                "window": [5, 20],
                "impact": {"kind": "blocker", "days": 6},
            },
            {
                "id": "r2",
                "probability": 0.1,
                "impact": {"kind": "extra_work", "items": ["a", "b"], "effort": 2},
            },
            {
                "id": "r3",
                "probability": 0.25,
                "window": [0, 12.5],
                "impact": {"kind": "capacity_loss", "people": 2, "days": 3},
            },
        ],
    )
    html = doc.assumptions(SimpleNamespace(scenario=sc))
    assert re.sub(r"<table>.*?</table>", "<table/>", html) == (
        "<h2>The assumptions</h2><h3>Work items</h3><table/>"
        "<h3>Team, delivery and iteration</h3><table/><h3>Risks</h3><table/>"
    )
    heads = _heads(html)
    assert heads[0] == [
        ("Id", False),
        ("Item", False),
        ("Effort (person-days)", False),
        ("Needs", False),
        ("Value a week", True),
        ("Must-have", False),
    ]
    assert heads[1:] == [
        [("Setting", False), ("Value", False)],
        [("Risk", False), ("Chance", False), ("If it fires", False), ("When", False)],
    ]
    assert _cells(html) == [
        ["a", "Build &lt;API&gt;", "4-9", "-", "0", "yes"],
        ["b", "b", "3", "a, c", "1.5 k", "no"],
        ["c", "c", "1", "-", "0", "yes"],
        ["Team size", "3"],
        ["Focus", "80%"],
        ["Cost per person-day", "650"],
        ["Staffing changes", "1"],
        ["Approach", "big bang"],
        ["Discovery / hardening (working days)", "5 / 2.5"],
        ["Rework probability / fraction", "25% / 10%"],
        ["Misfit probability", "5%"],
        ["Feedback lag (working days)", "7"],
        ["Scope creep (requests a week)", "0.5"],
        ["Scheduled scope changes", "1"],
        ["Value horizon (weeks) / discount rate", "52 / 8% a year"],
        ["Vendor late", "40%", "stops all work for 6 working days", "days 5-20"],
        ["r2", "10%", "adds 2 person-days to a, b", "-"],
        ["r3", "25%", "takes 2 people away for 3 working days", "days 0-12.5"],
    ]
    plain = make_scenario()
    cells = _cells(doc.assumptions(SimpleNamespace(scenario=plain)))
    assert ["Scope creep (requests a week)", "none"] in cells
    assert "<h3>Risks</h3>" not in doc.assumptions(SimpleNamespace(scenario=plain))


def test_report_html_hands_every_part_to_its_section(small, drawn, monkeypatch):
    """With variants and a session, the page puts the variants' section and then the
    session's between the lenses and the drivers, each built from exactly what the
    caller gave (comparison and notes; ranking, combination, decisions, the store's
    note, the best set and the accepted set), and opens as a page that declares its
    language, character set and a phone-width viewport. Catches an argument dropped
    or swapped on the way (the session's store note or best set lost), a section
    left out, or the page's head changed."""
    calls: dict[str, tuple] = {}

    def spy(name):
        def section(*args):
            calls[name] = args
            return f"<h2>{name}</h2>"

        return section

    monkeypatch.setattr(doc, "variants_section", spy("variants"))
    monkeypatch.setattr(doc, "session_section", spy("session"))
    cmp, notes, pr, combo = object(), {"v": ["a change"]}, object(), object()
    decisions, best, accepted = {"x": "accept"}, [{"ids": []}], {"npv": 1.0}
    html = doc.report_html(
        small,
        comparison=cmp,
        notes=notes,
        prioritisation=pr,
        combination=combo,
        decisions=decisions,
        store_note="Decisions kept in the team's database.",
        prepared=dt.date(2027, 3, 4),
        best=best,
        accepted=accepted,
    )
    assert calls == {
        "variants": (cmp, notes),
        "session": (
            pr,
            combo,
            decisions,
            "Decisions kept in the team's database.",
            best,
            accepted,
        ),
    }
    assert re.findall(r"<h2>(.*?)</h2>", html) == [
        "The situation",
        "Both lenses",
        "variants",
        "session",
        "What drives the date and the value",
        "The assumptions",
        "How it was computed",
    ]
    name = _html.escape(small.scenario.name)
    assert html.startswith(
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{name}: report</title>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<style>{doc.STYLE}</style></head><body><h1>{name}</h1>"
    )
    calls.clear()
    plain = doc.report_html(small, prepared=dt.date(2027, 3, 4))
    assert calls == {} and "<h2>variants</h2>" not in plain
    doc.report_html(small, prioritisation=pr, prepared=dt.date(2027, 3, 4))
    assert calls == {"session": (pr, None, None, "", None, None)}, "no note: nothing said"


def test_one_decimal_numbers_and_tables_by_hand():
    """The report's one-decimal numbers: thousands commas, a sign when asked, "n/a"
    for a missing or non-finite one, and never "-0.0" (-0.04 rounds to zero). A table:
    its header and rows, every cell escaped, the numeric columns right-aligned, nothing
    between the tags. Catches a sign lost or forced, "-0.0", a missing number shown as
    "nan", and stray text in a table's markup."""
    assert [doc._days(x) for x in (None, float("nan"), float("inf"), -0.04, 1234.56)] == [
        "n/a",
        "n/a",
        "n/a",
        "0.0",
        "1,234.6",
    ]
    assert [doc._days(x, signed=True) for x in (2.26, -3.0, 0.0)] == ["+2.3", "-3.0", "+0.0"]
    assert doc._table(["N", "Name"], [[1, "a<b"], [2.5, "c & d"]], {0}) == (
        '<table><thead><tr><th class="num">N</th><th>Name</th></tr></thead><tbody>'
        '<tr><td class="num">1</td><td>a&lt;b</td></tr>'
        '<tr><td class="num">2.5</td><td>c &amp; d</td></tr></tbody></table>'
    )


def test_both_lenses_in_order_with_their_captions(small, drawn):
    """The lenses' section: the project lens (its sentences and a key-number table
    without headings), the product lens (its sentences over the scenario's 20-week
    value horizon, its table), then the delivery chart and the value chart, each with
    its caption, in that order. Catches a chart dropped when the other is added, a
    caption lost or rewritten, the value horizon not handed to the sentences, or a
    heading put on the key-number tables."""
    html = doc.lenses(small)
    s = small.summary()
    assert "<p>" + doc.product_sentences(s, 20) + "</p>" in html
    assert doc.product_sentences(s, 20) != doc.product_sentences(s, None)
    assert html.count("<thead><tr><th></th><th></th></tr></thead>") == 2
    assert re.findall(r"<figcaption class='note'>(.*?)</figcaption>", html) == [
        "Share of the simulated futures that deliver the whole scope in each week.",
        "Cumulative discounted value: the line is the median future; the darker band "
        "holds 50 of 100 futures, the lighter one 90 of 100.",
    ]
    assert [spec["title"]["text"] for spec in drawn] == [
        vega.delivery_spec(doc.delivery_weeks(small), doc._markers(s))["title"]["text"],
        vega.value_spec(doc.value_fan(small))["title"]["text"],
    ]
