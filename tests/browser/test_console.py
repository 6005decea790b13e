"""Browser test: no page logs a warning or an error to the browser console.

Vega-Lite reports what it could not draw as asked (an empty extent, a size it
dropped, a spec of another version) in the console only, so a chart can look right
and still be wrong for the next data. The test opens every page from the sidebar,
does what draws its charts (the Forecast and Portfolio draw on opening; What-if
compares one lever, Decide ranks the bundled session, History reads the sample,
Train reveals an exercise, Track records two weeks), waits until every chart is
drawn and asserts the console holds no warning, no error and no script error.
Nothing is filtered out: in this flow the browser logs nothing of its own.
"""

from __future__ import annotations

import pytest

from tests.browser.test_pages import (
    _go,
    _no_exception,
    _settle,
    app_page,
    server,  # noqa: F401  (the fixture)
)

pytestmark = pytest.mark.browser

CHART = '[data-testid="stVegaLiteChart"]'


def _charts_drawn(page, count: int) -> None:
    """Wait for ``count`` charts, each drawn by Vega (its canvas or SVG is on the page;
    attached, not necessarily visible: a chart in a closed expander is drawn too)."""
    page.locator(CHART).nth(count - 1).wait_for(state="attached")
    _settle(page)
    for n in range(page.locator(CHART).count()):
        page.locator(CHART).nth(n).locator("canvas, svg.marks").first.wait_for(state="attached")


def _forecast(page) -> None:
    page.get_by_text("In 85 of 100 simulated futures").wait_for()
    _charts_drawn(page, 7)


def _whatif(page) -> None:
    page.get_by_role("button", name="Add lever").click()
    page.get_by_text("New variant").first.wait_for()
    _settle(page)
    page.get_by_role("button", name="Run comparison").click()
    page.get_by_text("On-time chance").first.wait_for()
    _charts_drawn(page, 4)


def _decide(page) -> None:
    page.get_by_role("button", name="Load session").click()
    page.get_by_text("Loaded “").first.wait_for()
    _settle(page)
    page.get_by_role("button", name="Rank the candidates").click()
    page.get_by_role("heading", name="Ranking").wait_for()
    page.get_by_text("the base was simulated", exact=False).first.wait_for()
    _charts_drawn(page, 2)


def _history(page) -> None:
    page.get_by_role("button", name="Use the sample").click()
    page.get_by_text("items a working day").first.wait_for()
    _charts_drawn(page, 4)


def _train(page) -> None:
    """The first exercise on one's own: any answer, then the reveal and its charts."""
    form = page.locator('[data-testid="stForm"]').first
    form.wait_for()
    for radio in form.locator('[data-testid="stRadio"]').all():
        radio.locator("label").nth(1).click()
    # Best guess, low end, high end of each estimate: 10, 5, 20 fits every unit.
    for n, box in enumerate(form.locator('input[type="number"]').all()):
        box.fill(("10", "5", "20")[n % 3])
        box.press("Tab")
    page.get_by_role("button", name="Reveal").click()
    page.get_by_text("Score:").first.wait_for()
    _charts_drawn(page, 2)


def _track(page) -> None:
    for week, done in (("2027-03-05", "5 done, 2 in progress"), ("2027-03-12", "7 done")):
        box = page.get_by_role("combobox", name="Status")
        box.click()
        page.keyboard.type(week)
        page.get_by_role("option", name=f"Bundled status {week}").click()
        _settle(page)
        page.get_by_role("button", name="Re-forecast", exact=True).click()
        page.get_by_text(done, exact=False).first.wait_for()
        _settle(page)
        page.get_by_role("button", name="Record this re-forecast").click()
        page.get_by_text(f"Recorded the re-forecast as of {week}").wait_for()
        _settle(page)
    _charts_drawn(page, 2)


def _portfolio(page) -> None:
    page.get_by_role("heading", name="Roadmap").wait_for()
    _charts_drawn(page, 2)


#: Every page in the order of the sidebar's first use, and what draws its charts.
PAGES = (
    ("Forecast", _forecast),
    ("What-if", _whatif),
    ("Decide", _decide),
    ("History", _history),
    ("Train", _train),
    ("Track", _track),
    ("Portfolio", _portfolio),
)


def test_no_page_logs_a_console_warning(request):
    """Every page with its charts drawn: no console warning or error, no script error.

    Catches: a chart Vega-Lite draws with a warning ("Infinite extent for field",
    "Dropping fit-y", a spec of Vega-Lite v5 on Streamlit's v6, legends that conflict),
    or anything else a page logs, on any page.
    """
    messages = []
    with app_page(request.getfixturevalue("server"), console=messages) as (page, errors):
        page.get_by_text("Supply-chain analytics app").first.wait_for()
        _no_exception(page, "Scenario page")
        logged = [("Scenario", m) for m in messages]
        for title, draw in PAGES:
            start = len(messages)
            _go(page, title)
            draw(page)
            page.wait_for_timeout(500)  # a message logged as the last chart is drawn
            _no_exception(page, f"{title} page")
            logged += [(title, m) for m in messages[start:]]
        found = [
            f"{where}: {m.type}: {m.text}" for where, m in logged if m.type in ("warning", "error")
        ]
        assert not found, "the console is not clean:\n" + "\n".join(found)
        assert not errors, f"script errors: {errors}"
