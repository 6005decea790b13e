"""The portfolio report: the engine's numbers, user text escaped, self-contained."""

from __future__ import annotations

import dataclasses

from simulation.portfolio import compare_portfolios, load_portfolio
from simulation.portfolio.changes import Reprioritise, apply_portfolio_changes
from simulation.report.portfolio import portfolio_report_html
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
