"""Browser test of the Portfolio page: the real app in Chromium, as a PMO would use it.

Opens the page on the bundled portfolio (200 runs, the default), sees the roadmap and
the stacked value, moves the grant portal up one place with its arrow, compares,
and reads the ripple table (one row per initiative and the portfolio), with no
exception box and no browser error. Saves ``portfolio.png``
(``tests.helpers.SCREENSHOTS``; ``docs/portfolio.png`` under ``make screenshots``).
"""

from __future__ import annotations

import pytest

from tests.browser.test_pages import (
    _go,
    _no_exception,
    _screenshot,
    _settle,
    app_page,
    server,  # noqa: F401  (the fixture)
)

pytestmark = pytest.mark.browser


def test_portfolio_page_ripple(request):
    """Roadmap and value charts draw; one arrow and Compare give a ripple table whose
    rows are the three initiatives and the portfolio."""
    with app_page(request.getfixturevalue("server")) as (page, errors):
        _go(page, "Portfolio")
        page.get_by_text("All on time", exact=True).first.wait_for()
        page.get_by_role("heading", name="Roadmap").wait_for()
        page.locator('[data-testid="stVegaLiteChart"]').nth(1).wait_for()
        _settle(page)
        _no_exception(page, "Portfolio page")
        page.get_by_role("button", name="↑").nth(1).click()  # grant (second) up
        _settle(page)
        page.get_by_text("1. grant", exact=True).wait_for()  # the arrow's rerun is done
        _settle(page)
        page.get_by_role("button", name="Compare").click()
        page.get_by_text("Priority order: grant, supply, finance first").wait_for()
        _settle(page)
        table = page.locator('[data-testid="stDataFrame"]').last
        table.wait_for()
        _no_exception(page, "Portfolio page (ripple)")
        _screenshot(page, "portfolio")
        assert not errors, f"browser errors: {errors}"
