"""Browser test of the Track page: a bundled status re-forecast, recorded twice, the trail drawn.

Same server and Chromium as ``test_pages.py``; the screenshot is ``track.png``.
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


def _pick_status(page, name: str) -> None:
    box = page.get_by_role("combobox", name="Status")
    box.click()
    page.keyboard.type(name)
    page.get_by_role("option", name=f"Bundled status {name}").click()
    _settle(page)


def test_track_page_end_to_end(request):
    """Week 9 then week 10 of the bundled history: re-forecast, record each, read the trail.

    After the second record the page says what moved since week 9 and draws the two
    trail charts, with no exception box and no browser error. Catches: a page that
    breaks in a real browser (widgets, chart specs) although AppTest passes.
    """
    with app_page(request.getfixturevalue("server")) as (page, errors):
        _go(page, "Track")
        for week, done in (("2027-03-05", "5 done, 2 in progress"), ("2027-03-12", "7 done")):
            _pick_status(page, week)
            page.get_by_role("button", name="Re-forecast", exact=True).click()
            page.get_by_text(done, exact=False).first.wait_for()
            _settle(page)
            page.get_by_role("button", name="Record this re-forecast").click()
            page.get_by_text(f"Recorded the re-forecast as of {week}").wait_for()
            _settle(page)
        page.get_by_text("Since the last record (2027-03-05)", exact=False).first.wait_for()
        page.locator('[data-testid="stVegaLiteChart"]').nth(1).wait_for()
        _settle(page)
        _no_exception(page, "Track page")
        _screenshot(page, "track")
        assert not errors, f"browser console errors: {errors}"
