"""The portfolio report: the engine's numbers, user text escaped, self-contained."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html as _html
import json
import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest

from simulation.portfolio import compare_portfolios, load_portfolio, run_portfolio
from simulation.portfolio.changes import Reprioritise, apply_portfolio_changes
from simulation.present import formats
from simulation.report.portfolio import portfolio_report_html, ripple_section
from tests.helpers import LIBRARY


def test_report_has_every_initiative_the_ripple_and_escapes_names():
    """A portfolio named with markup: the title is escaped (never a live tag); each
    initiative has a row; the ripple of grant-first lists the change and the
    portfolio row; the all-on-time share is the summary's (as a whole percentage)."""
    p = load_portfolio(LIBRARY / "portfolios" / "data-platform.yaml")
    p = dataclasses.replace(p, name="<script>alert(1)</script> H1")
    v = apply_portfolio_changes(p, (Reprioritise(("grant",)),))
    cmp = compare_portfolios({"base": p, "grant first": v}, runs=30, seed=1)
    res = cmp.results["base"]
    html = portfolio_report_html(res, cmp, {"grant first": ["Priority order: grant first"]})
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; H1" in html
    for iid in ("supply", "grant", "finance"):
        assert f"<td>{iid}</td>" in html
    assert "<li>Priority order: grant first</li>" in html and "<td>Portfolio</td>" in html
    share = f"{res.summary()['all_on_time_probability']:.0%}"
    assert f"In {share} of the simulated futures every initiative" in html
    assert "http://" not in html and "https://" not in html


# ------------------------------------------------ every number where it is said


def _rows(html: str) -> list[list[str]]:
    """Every table row's cells, unescaped; a header row comes back as its th cells."""
    out = []
    for row in re.findall(r"<tr>(.*?)</tr>", html):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)
        out.append([_html.unescape(c) for c in cells])
    return out


def _numeric(html: str) -> list[list[bool]]:
    """For every row, which cells carry the numbers' class (right-aligned)."""
    return [
        ['class="num"' in c for c in re.findall(r"<t[dh][^>]*>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", html)
    ]


@pytest.fixture(scope="module")
def bundled():
    p = load_portfolio(LIBRARY / "portfolios" / "data-platform.yaml")
    return p, run_portfolio(p, runs=20, seed=1)


def test_each_initiative_row_states_its_own_numbers(bundled):
    """The portfolio table: one row per initiative in priority order, each cell the
    summary's own number in its own column (P50 before P85 before the deadline;
    on-time, NPV and outcome), the three numbers right-aligned; the sentence above
    has the all-on-time share, the mean value, NPV and the shared people's idle
    cost, each from its own key. Catches a swapped column, a wrong key, a dropped
    initiative and a number in the wrong sentence slot."""
    _, res = bundled
    s = res.summary()
    html = portfolio_report_html(res, prepared=dt.date(2026, 12, 4))
    rows = _rows(html)
    assert rows[0] == [
        "Initiative",
        "P50 delivery",
        "P85 delivery",
        "Deadline",
        "On time",
        "NPV",
        "Outcome",
    ]
    assert _numeric(html)[0] == [False, False, False, False, True, True, True]
    expected = [
        [
            iid,
            formats.date(one["delivery"]["p50_date"]),
            formats.date(one["delivery"]["p85_date"]),
            formats.date(one["delivery"]["deadline"]),
            formats.pct(one["delivery"]["on_time_probability"]),
            formats.money(one["value"]["npv_mean"]),
            formats.pct(one["value"]["outcome_probability"]),
        ]
        for iid, one in s["initiatives"].items()
    ]
    assert [r[0] for r in expected] == ["supply", "grant", "finance"]
    assert rows[1:4] == expected
    assert all(n == [False, False, False, False, True, True, True] for n in _numeric(html)[1:4])
    assert (
        f"In {formats.pct(s['all_on_time_probability'])} of the simulated futures every "
        f"initiative meets its deadline. The portfolio's value is {formats.money(s['value_mean'])} "
        f"and its NPV {formats.money(s['npv_mean'])} on average, after "
        f"{formats.money(s['shared_idle_cost_mean'])} paid to shared people"
    ) in html
    assert "<h2>The portfolio</h2>" in html and "What each change does" not in html


def test_the_page_says_when_how_many_and_which_seed(bundled):
    """The meta line: the prepared date as "4 Dec 2026", the runs with a thousands
    separator and the seed; the description escaped; the method's runs; the title."""
    p, res = bundled
    html = portfolio_report_html(res, prepared=dt.date(2026, 12, 4))
    assert (
        "Portfolio report for the steering committee · prepared 4 Dec 2026 · "
        "20 simulated futures, seed 1"
    ) in html
    assert f"<p>{_html.escape(p.description)}</p>" in html
    from simulation.report.document import model_version

    assert (
        "<p>20 simulated futures of every initiative together on one clock; shared people "
        "take the ready work of the highest-priority initiative they serve. Each "
        "initiative draws from its own named random streams, and every variant runs on "
        "the same futures, so a difference is the effect of the change. Model version "
        f"{_html.escape(model_version())}.</p>"
    ) in html
    assert "paid to shared people while no initiative needed them.</p><table" in html
    assert f"<title>{_html.escape(p.name)}: portfolio report</title>" in html
    assert html.startswith("<!DOCTYPE html><html lang='en'>")
    big = run_portfolio(p, runs=1_000, seed=3)
    assert "1,000 simulated futures, seed 3" in portfolio_report_html(big)


def test_the_json_block_survives_hostile_names(bundled):
    """A portfolio named ``<!--<script>`` (the tokenizer trap the single-plan report
    escapes against): the summary block has no ``<``, ``>``, ``&``, U+2028 or U+2029
    and reads back as the summary. Catches escaping only ``</`` (the bug before)."""
    p, _ = bundled
    for name in ("<!--<script>", "a & b </script>", "line\u2028break\u2029"):
        hostile = dataclasses.replace(p, name=name)
        res = run_portfolio(hostile, runs=5, seed=1)
        html = portfolio_report_html(res)
        block = re.search(
            r"<script type='application/json' id='summary'>(.*?)</script>", html, re.S
        ).group(1)
        assert not set(block) & set("<>&\u2028\u2029"), name
        assert json.loads(block) == json.loads(json.dumps(res.summary())), name


def _delta(mean: float) -> dict:
    return {"mean": mean}


def test_the_ripple_rows_by_hand():
    """A comparison worked by hand: A 2.34 days later, -12.35 pp on time, -1,234 NPV,
    +0.04 pp outcome (reads +0.0); B cancelled (its NPV lost); the portfolio row with
    the all-on-time change marked "(all)"; the change's notes listed; Δ columns
    right-aligned. Catches a sign lost, points not times 100, a cancelled row
    drawn as numbers, and the portfolio row missing or in the wrong columns."""
    cmp = SimpleNamespace(
        deltas={
            "later start <b>": {
                "A": {
                    "delivery_day": _delta(2.34),
                    "on_time": _delta(-0.12345),
                    "npv": _delta(-1234.0),
                    "outcome": _delta(0.0004),
                },
                "B": {"cancelled": True, "npv": _delta(-250_000.0)},
                "portfolio": {"all_on_time": _delta(0.05), "npv": _delta(-251_234.0)},
            }
        }
    )
    html = ripple_section(cmp, {"later start <b>": ["Start A 5 days later", "<i>x</i>"]})
    assert "<h3>later start &lt;b&gt;</h3>" in html
    assert "<ul><li>Start A 5 days later</li><li>&lt;i&gt;x&lt;/i&gt;</li></ul>" in html
    rows = _rows(html)
    assert rows == [
        ["Initiative", "Δ delivery (working days)", "Δ on time", "Δ NPV", "Δ outcome"],
        ["A", "+2.3", "-12.3 pp", "-1.2 k", "+0.0 pp"],
        ["B", "cancelled", "", "-250 k", ""],
        ["Portfolio", "", "+5.0 pp (all)", "-251 k", ""],
    ]
    assert _numeric(html)[1] == [False, True, True, True, True]
    empty = ripple_section(cmp, {})
    assert "<ul></ul>" in empty


def test_no_ripple_without_a_comparison_or_its_changes(bundled):
    """Without a comparison, or one with no variant, the report has no ripple section."""
    _, res = bundled
    none = SimpleNamespace(deltas={})
    assert "What each change does" not in portfolio_report_html(res, none)


class _StrayText(HTMLParser):
    """Text that sits directly in ``body`` (or a list or table) instead of in a
    heading, paragraph, item or cell: a page that says something nobody placed."""

    HOLDERS = frozenset({"body", "html", "head", "ul", "table", "thead", "tbody", "tr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.stray: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in {"meta", "br", "img"}:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data):
        if data.strip() and (not self.stack or self.stack[-1] in self.HOLDERS):
            self.stray.append(data.strip())


def test_every_word_of_the_page_sits_in_an_element(bundled):
    """The whole report, with a ripple: no text outside a heading, paragraph, list
    item, cell, title, style or script. Catches text glued between sections or
    around a heading (a join or a section string that adds words of its own)."""
    p, _ = bundled
    v = apply_portfolio_changes(p, (Reprioritise(("grant",)),))
    cmp = compare_portfolios({"base": p, "grant first": v}, runs=10, seed=1)
    html = portfolio_report_html(cmp.results["base"], cmp, {"grant first": ["Grant first"]})
    parser = _StrayText()
    parser.feed(html)
    assert parser.stray == []
    heads = re.findall(r"<h([123])>(.*?)</h\1>", html)
    assert [t for _, t in heads] == [
        _html.escape(p.name),
        "The portfolio",
        "What each change does to every initiative",
        "grant first",
        "How it was computed",
    ]


def test_the_ripple_does_not_depend_on_the_order_of_its_rows():
    """The portfolio's own row first, a cancelled initiative before another, and a
    change nobody can state (None reads "n/a"): every initiative still has its row
    and the portfolio's comes last. Catches a ``break`` where a row is skipped."""
    cmp = SimpleNamespace(
        deltas={
            "v": {
                "portfolio": {"all_on_time": _delta(None), "npv": _delta(-10.0)},
                "B": {"cancelled": True, "npv": _delta(-5.0)},
                "C": {
                    "delivery_day": _delta(-1.0),
                    "on_time": _delta(None),
                    "npv": _delta(0.0),
                    "outcome": _delta(-0.0004),  # rounds to nothing: "+0.0", never "-0.0"
                },
            }
        }
    )
    assert _rows(ripple_section(cmp, {}))[1:] == [
        ["B", "cancelled", "", "-5", ""],
        ["C", "-1.0", "n/a", "0", "+0.0 pp"],
        ["Portfolio", "", "n/a (all)", "-10", ""],
    ]
