"""Browser test: Cancel stops a running forecast in a real Chromium session.

The click goes through Streamlit as a person's would: it interrupts the page's
script at its next progress update, the engine drops the chunks not started, and
the page then says the forecast was cancelled instead of starting it again.
"""

from __future__ import annotations

import pytest

from tests.browser.test_pages import (  # noqa: F401  (server is a fixture)
    _go,
    _no_exception,
    _settle,
    app_page,
    server,
)

pytestmark = pytest.mark.browser

#: A forecast long enough to be cancelled mid-way on any machine (400 chunks).
BIG_RUNS = 100_000


@pytest.fixture
def big_server(monkeypatch, request):
    """The app allowing 100,000 runs per session."""
    monkeypatch.setenv("SIM_MAX_RUNS_PER_SESSION", str(BIG_RUNS))
    return request.getfixturevalue("server")


def test_cancel_stops_a_running_forecast(big_server):
    with app_page(big_server) as (page, errors):
        runs = page.get_by_label("Runs (simulated futures)", exact=True)
        runs.fill(str(BIG_RUNS))
        runs.press("Enter")
        _settle(page)
        _go_without_settling(page, "Forecast")
        page.get_by_text("Simulating:", exact=False).first.wait_for()
        page.get_by_role("button", name="Cancel").click()
        page.get_by_text("You cancelled this simulation.").wait_for()
        _settle(page)
        _no_exception(page, "after Cancel")
        assert page.get_by_text("P85 delivery", exact=True).count() == 0, "no forecast shown"
        page.get_by_role("button", name="Simulate again").wait_for()
        _go(page, "Scenario")
        assert not errors, errors


def _go_without_settling(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
