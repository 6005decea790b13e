"""Browser test: the Decide page as a room sees it on a projector (1280x720) and a
big screen (1920x1080).

A session is loaded, ranked, its best set found and two candidates accepted;
then, at each size, the rendered page is checked: no label box of a trade-off
map overlaps another (labels, quadrant captions, ticks and titles, measured in
the SVG the browser drew), no axis repeats a tick label, no cell or sentence
reads "None", and the best-set and accepted-set sentences are there. The
screenshots are ``decide-1280.png`` and ``decide-1920.png``
(``tests.helpers.SCREENSHOTS``; ``SIM_SCREENSHOTS=docs`` refreshes the docs).
"""

from __future__ import annotations

import pytest

from simulation.present import decide as words
from tests.browser.test_pages import (  # noqa: F401  (server is a fixture)
    CHROMIUM,
    CHROMIUM_ARGS,
    ELEMENT_TIMEOUT_MS,
    _go,
    _no_exception,
    _settle,
    require_chromium,
    server,
)
from tests.helpers import SCREENSHOTS

pytestmark = pytest.mark.browser

SIZES = ((1280, 720), (1920, 1080))
RUNS = 300
#: Per table: its header texts and cell texts. The grid draws on a canvas, where an
#: empty (missing) cell reads "None"; its accessible copy holds the cell values.
GRID_CELLS = """() => [...document.querySelectorAll('[data-testid="stDataFrame"]')].map(t => ({
  headers: [...t.querySelectorAll('[role="columnheader"], th')].map(c => c.textContent.trim()),
  cells: [...t.querySelectorAll('[role="gridcell"], td')].map(c => c.textContent.trim())}))"""
#: Every text element of the Decide maps with its box, grouped by the axis it labels.
TEXT_BOXES = """() => {
  const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"] svg')];
  return charts.slice(0, 2).map(svg => [...svg.querySelectorAll('text')]
    .filter(t => t.textContent.trim() !== '')
    .map(t => {
      const r = t.getBoundingClientRect();
      const axis = t.closest('.role-axis');
      return {text: t.textContent, x0: r.left, x1: r.right, y0: r.top, y1: r.bottom,
              axis: axis ? (axis.getAttribute('aria-label') || 'axis') : null,
              tick: !!t.closest('.role-axis-label')};
    }));
}"""


def overlaps(boxes: list[dict]) -> list[tuple[str, str]]:
    """Pairs of text boxes that overlap by more than half a pixel each way."""
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if (
                min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > 0.5
                and min(a["y1"], b["y1"]) - max(a["y0"], b["y0"]) > 0.5
            ):
                out.append((a["text"], b["text"]))
    return out


def rank_a_session(page, runs: int) -> None:
    """On Decide: load the bundled session, ``runs`` futures per candidate, rank."""
    _go(page, "Decide")
    page.get_by_role("button", name="Load session").click()
    page.get_by_text("Loaded “").first.wait_for()
    _settle(page)
    box = page.get_by_role("spinbutton", name="Futures per candidate")
    box.fill(str(runs))
    box.press("Enter")
    _settle(page)
    page.get_by_role("button", name="Rank the candidates").click()
    page.get_by_role("heading", name="Ranking").wait_for()


def _accept(page, name: str | None) -> None:
    """Record "accept" for the candidate ``name`` (None: the one selected)."""
    from playwright.sync_api import expect

    if name is not None:
        box = page.locator('[data-testid="stForm"] [data-testid="stSelectbox"]').first
        box.locator("input").click()
        page.keyboard.type(name)
        page.keyboard.press("Enter")
        page.wait_for_timeout(300)
    page.get_by_label("Rationale").fill("Worth it for the room.")
    page.get_by_role("textbox", name="Decided by").fill("Browser test (PMO)")
    # Enter in the name box, as people do, then the button: one record, no refusal
    # (an Enter that recorded and cleared the form made the click a blank record).
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    page.get_by_role("button", name="Record decision").click()
    page.get_by_text("Recorded: accept").first.wait_for()
    _settle(page)
    expect(page.get_by_text("Not recorded")).to_have_count(0)


def test_decide_reads_in_the_room(request):
    """Labels never collide on the maps, ticks never repeat, and the room's two
    sentences are on the page at both sizes. Catches: a label placed without
    checking the others (two rank numbers on one spot), a "~s" tick format on a
    small span ("20k, 20k, 30k"), a NaN cell shown as None, the accepted set or
    the best set missing from the page, and a decision form that keeps the last
    rationale in the browser after Record."""
    require_chromium()
    url = request.getfixturevalue("server")
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            width, height = SIZES[0]
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(ELEMENT_TIMEOUT_MS)
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url)
            page.get_by_text("Editing", exact=False).first.wait_for()
            _settle(page)
            rank_a_session(page, RUNS)
            page.locator('[data-testid="stVegaLiteChart"]').nth(1).wait_for()
            _settle(page)
            page.get_by_role("button", name="Find the best set").click()
            page.get_by_text("Recommended:", exact=False).first.wait_for()
            _settle(page)
            _accept(page, None)
            _accept(page, "Save and resume applications")
            page.get_by_text("The accepted set (", exact=False).first.wait_for()
            page.wait_for_timeout(2000)
            _settle(page)
            expect(page.get_by_label("Rationale")).to_have_value("", timeout=20_000)
            expect(page.get_by_role("textbox", name="Decided by")).to_have_value("", timeout=20_000)
            _settle(page)
            _no_exception(page, "Decide page")

            for width, height in SIZES:
                page.set_viewport_size({"width": width, "height": height})
                page.wait_for_timeout(1500)
                _settle(page)
                main = page.locator('[data-testid="stMainBlockContainer"]')
                text = main.inner_text()
                assert "None" not in text, f"{width}px: 'None' on the page"
                tables = page.evaluate(GRID_CELLS)
                ranking = [t for t in tables if "Ahead of next" in " ".join(t["headers"])]
                assert ranking and len(ranking[0]["cells"]) >= 5 * 10, "the ranking's cells"
                cells = ranking[0]["cells"]
                assert "" not in cells and "None" not in cells, f"{width}px: a 'None' cell"
                assert "Recommended:" in text, f"{width}px: the best set in words"
                assert "The accepted set (" in text, f"{width}px: the accepted set in words"
                assert words.RANK_RULE in text, f"{width}px: the ranking rule"
                charts = page.evaluate(TEXT_BOXES)
                assert len(charts) == 2, "both trade-off maps are drawn"
                for n, boxes in enumerate(charts):
                    labels = [b["text"] for b in boxes if not b["axis"]]
                    assert {"1", "2", "3", "4", "5"} <= set(labels), (n, labels)
                    assert not overlaps(boxes), f"{width}px, map {n + 1}: {overlaps(boxes)}"
                    for axis in {b["axis"] for b in boxes if b["tick"]}:
                        ticks = [b["text"] for b in boxes if b["tick"] and b["axis"] == axis]
                        assert len(ticks) == len(set(ticks)), f"{axis}: {ticks}"
                full = page.evaluate(
                    "() => document.querySelector('[data-testid=\"stMainBlockContainer\"]')"
                    ".scrollHeight + 60"
                )
                page.set_viewport_size({"width": width, "height": min(max(full, height), 9000)})
                page.wait_for_timeout(1500)
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SCREENSHOTS / f"decide-{width}.png"))
            assert not errors, f"browser errors: {errors}"
        finally:
            browser.close()
