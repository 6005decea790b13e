"""The Portfolio page through Streamlit's AppTest: its figures are the engine's.

The page's headline numbers must equal :func:`simulation.portfolio.run_portfolio`'s
for the same portfolio, runs and seed, and its ripple table must equal
:func:`simulation.portfolio.compare_portfolios`'s paired deltas.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from dashboard import fmt, prose
from simulation import load_scenario
from simulation.portfolio import compare_portfolios, load_portfolio, run_portfolio
from simulation.portfolio.changes import Reprioritise, apply_portfolio_changes
from tests.helpers import LIBRARY, ROOT

APP = str(ROOT / "app.py")
PAGE = "dashboard/pages/portfolio.py"
BUNDLED = LIBRARY / "portfolios" / "data-platform.yaml"
RUNS = 100
TIMEOUT_S = 180


def open_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="pf_file").set_value("data-platform.yaml").run()
    at.select_slider(key="pf_runs").set_value(RUNS).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_headline_and_ripple_equal_the_engine():
    """All on time and portfolio NPV read as the engine's (same runs and seed); one
    arrow click (grant up) then Compare gives the ripple of ``reprioritise [grant,
    supply, finance]``: the grant row's Δ on time equals the engine's paired mean.
    Before the click, with nothing changed, the page says why Compare is greyed out
    (and not after). Catches a page that re-implements the rules or runs another
    seed, and a disabled button with no word."""
    at = open_page()
    p = load_portfolio(BUNDLED)
    s = run_portfolio(p, runs=RUNS, seed=p.seed).summary()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["All on time"] == fmt.pct(s["all_on_time_probability"])
    assert metrics["Portfolio NPV (mean)"] == fmt.money(s["npv_mean"])

    hint = prose.part("portfolio", "no change")
    assert at.button(key="pf_compare").disabled
    assert hint in [c.value for c in at.caption]

    at.button(key="pf_up_grant").click().run()
    assert not at.button(key="pf_compare").disabled
    assert hint not in [c.value for c in at.caption]
    at.button(key="pf_compare").click().run()
    assert not at.exception, [e.value for e in at.exception]
    variant = apply_portfolio_changes(p, (Reprioritise(("grant", "supply", "finance")),))
    cmp = compare_portfolios({"base": p, "v": variant}, runs=RUNS, seed=p.seed)
    want = fmt.points(cmp.deltas["v"]["grant"]["on_time"]["mean"])
    ripple = at.dataframe[-1].value.set_index("Initiative")
    assert ripple.loc["grant", "Δ on time"] == want


def test_the_forecast_table_names_each_initiative_by_its_plan():
    """The table beside the roadmap gives each short label its plan's own name (the
    bundled portfolio's supply is the supply-chain plan), in the portfolio's order.
    Catches a table that shows only the file's labels, or names in another order."""
    at = open_page()
    p = load_portfolio(BUNDLED)
    (table,) = [d.value for d in at.dataframe if "Plan" in d.value.columns]
    assert list(table["Initiative"]) == [i.id for i in p.initiatives]
    assert list(table["Plan"]) == [i.scenario.name for i in p.initiatives]
    assert table.loc[0, "Plan"] == load_scenario(LIBRARY / "supply-chain.yaml").name
    help_text = at.select_slider(key="pf_runs").help
    assert f"asks for {p.runs:,}" in help_text, "the file's own runs are named"
