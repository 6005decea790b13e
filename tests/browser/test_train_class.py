"""Browser test of class mode: a trainer and two trainees in separate Chromium contexts.

The trainer opens a class, two trainees join with the code and answer; one reloads
and is back as himself with his answers, and is refused the "On my own" route to
the answers before the reveal; the trainer reveals and sees both; a third context
with a wrong key is refused.
Takes the README's ``docs/train.png`` (a trainee after the reveal) and
``docs/train-class.png`` (the trainer's view of the class).
"""

from __future__ import annotations

import re

import pytest

from tests.browser.test_pages import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ELEMENT_TIMEOUT_MS,
    VIEWPORT,
    _go,
    _no_exception,
    _screenshot,
    _settle,
    require_chromium,
    server,  # noqa: F401  (the fixture, requested by name below)
)

pytestmark = pytest.mark.browser


def _train(browser, url: str, mode: str):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(ELEMENT_TIMEOUT_MS)
    page.goto(url)
    page.get_by_text("Editing", exact=False).first.wait_for()
    _settle(page)
    _go(page, "Train")
    page.get_by_text(mode, exact=True).click()
    _settle(page)
    return page


def _join_and_answer(browser, url: str, code: str, name: str, call: str):
    page = _train(browser, url, "Join a class")
    page.get_by_label("Class code").fill(code)
    page.get_by_label("Your display name").fill(name)
    page.get_by_role("button", name="Join").click()
    page.get_by_text(f"In class {code} as {name}").wait_for()
    _settle(page)
    radios = page.locator('[data-testid="stRadio"]')
    radios.nth(1).get_by_text(call, exact=True).click()
    radios.nth(2).get_by_text("higher", exact=True).click()
    for label, value in (("Best guess (%)", "35"), ("Low end (%)", "20"), ("High end (%)", "50")):
        box = page.get_by_label(label)
        box.fill(value)
        box.press("Tab")
    page.get_by_role("button", name="Submit predictions").click()
    page.get_by_text("Your predictions are in").wait_for()
    _settle(page)
    _no_exception(page, f"{name} after submitting")
    return page


def test_a_class_plays_through(request, tmp_path, monkeypatch):
    require_chromium()
    monkeypatch.setenv("SIM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SIM_DATABASE_URL", raising=False)
    url = request.getfixturevalue("server")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            trainer = _train(browser, url, "Run a class (trainer)")
            trainer.get_by_role("button", name="Open class").click()
            trainer.get_by_text("Class code:").first.wait_for()
            _settle(trainer)
            body = trainer.locator('[data-testid="stMain"]').inner_text()
            code = re.search(r"Class code:\s*([A-Z2-9]{6})", body).group(1)
            key = re.search(r"Trainer key:\s*(\S+)", body).group(1).strip("`.")

            ana = _join_and_answer(browser, url, code, "Ana", "later")
            ben = _join_and_answer(browser, url, code, "Ben", "earlier")
            assert "Ana" not in ben.locator('[data-testid="stMain"]').inner_text()

            # Ben reloads: back in the class as himself, with his predictions, from the
            # address alone (which never holds the trainer key); "On my own" will not
            # reveal the class's exercise before the trainer does. No console warning.
            console = []
            ben.on("console", lambda m: console.append((m.type, m.text)))
            ben.reload()
            ben.get_by_text(f"In class {code} as Ben").wait_for()
            ben.get_by_text("Your predictions are in").wait_for()
            _settle(ben)
            assert f"class={code}" in ben.url and key not in ben.url, ben.url
            ben.get_by_text("On my own", exact=True).click()
            ben.get_by_text("is playing this exercise").wait_for()
            _settle(ben)
            assert not ben.get_by_role("button", name="Reveal", exact=True).count()
            _no_exception(ben, "Ben on his own before the reveal")
            # A reload of /train asks for two resources Streamlit answers 404 (logged by
            # the browser as "Failed to load resource"); anything else is a finding.
            noisy = [
                m
                for m in console
                if m[0] in ("warning", "error") and not m[1].startswith("Failed to load resource")
            ]
            assert not noisy, noisy

            trainer.get_by_role("button", name="Refresh").click()
            trainer.get_by_text("2 joined, 2 answered").wait_for()
            _settle(trainer)
            trainer.get_by_role("button", name="Reveal to the class").click()
            trainer.get_by_text("The class against the truth").wait_for()
            trainer.get_by_text("of 2 called it.").first.wait_for()
            trainer.get_by_text("The truth was inside").first.wait_for()
            trainer.locator('[data-testid="stVegaLiteChart"]').nth(2).wait_for()
            _settle(trainer)
            text = trainer.locator('[data-testid="stMain"]').inner_text()
            assert "Ana" in text and "Ben" in text
            _no_exception(trainer, "trainer after the reveal")
            _screenshot(trainer, "train-class")

            # Ana's page shows the reveal by itself (it polls every few seconds).
            ana.get_by_text("Score:").first.wait_for()
            ana.get_by_text("Why", exact=True).first.wait_for()
            ana.locator('[data-testid="stVegaLiteChart"]').nth(2).wait_for()
            _settle(ana)
            _no_exception(ana, "Ana after the reveal")
            _screenshot(ana, "train")

            intruder = _train(browser, url, "Run a class (trainer)")
            intruder.get_by_label("Class code").fill(code)
            intruder.get_by_label("Trainer key").fill("not-the-key")
            intruder.get_by_role("button", name="Open the trainer view").click()
            intruder.get_by_text(f"That trainer key does not open class {code}").wait_for()
            _settle(intruder)
            assert "Class code:" not in intruder.locator('[data-testid="stMain"]').inner_text()
            assert "2 joined" not in intruder.locator('[data-testid="stMain"]').inner_text()
            _no_exception(intruder, "wrong key")
        finally:
            browser.close()
