"""A long search on a page that Streamlit stops (the page was used while it ran).

Streamlit stops a script by raising its own ``StopException`` / ``RerunException``
(``BaseException``s, not errors) at the script's next page update, here the
progress bar; the page runs again from the top. These tests raise the real
exception from inside the search, as Streamlit does, against a session state of
their own.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException

from dashboard import simulate
from simulation import ScenarioError


@pytest.fixture
def page(monkeypatch):
    """A stand-in for ``streamlit``: a session state and what the page said."""
    said: list[tuple[str, str]] = []
    fake = SimpleNamespace(
        session_state={},
        warning=lambda text: said.append(("warning", text)),
        error=lambda text: said.append(("error", text)),
    )
    monkeypatch.setattr(simulate, "st", fake)
    monkeypatch.setattr(
        simulate, "_bar", lambda label, unit: (lambda done, total: None, lambda: None)
    )
    return fake, said


@pytest.mark.parametrize("stop", [StopException(), RerunException(None)])
def test_a_stopped_search_is_said_once_on_the_next_run(page, stop):
    """The search raises Streamlit's stop: it propagates (the script must end), and
    the next run of the page says once that the search was lost and which button
    runs it again; a third run says nothing. Catches: the stop swallowed as a
    failure (the page would go on with nothing), no word at all (the room waits for
    a result that never comes), or the word repeated on every later run.
    """
    _fake, said = page

    def stopped(update):
        update(1, 10)
        raise stop

    with pytest.raises(type(stop)):
        simulate.search("best-set search", "Searching", "sets", stopped)
    simulate.say_if_stopped("best-set search", "Find the best set")
    assert len(said) == 1 and said[0][0] == "warning"
    assert "best-set search stopped before it finished" in said[0][1]
    assert "**Find the best set**" in said[0][1]
    simulate.say_if_stopped("best-set search", "Find the best set")
    assert len(said) == 1


def test_a_search_that_ends_or_fails_is_not_called_stopped(page):
    """A search that returns gives its result; one that fails with bad input shows
    its error (through ``guarded``) and returns None; neither is later said to have
    been stopped, and another search's name is never confused with it. Catches: the
    mark left behind on success or failure (a false warning on the next run).
    """
    _fake, said = page
    assert simulate.search("order search", "Trying", "orders", lambda update: 42) == 42

    def bad(update):
        raise ScenarioError("constraint: at least 1")

    assert simulate.search("best-set search", "Searching", "sets", bad) is None
    assert [kind for kind, _ in said] == ["error"]
    simulate.say_if_stopped("order search", "Find the best order")
    simulate.say_if_stopped("best-set search", "Find the best set")
    assert [kind for kind, _ in said] == ["error"]


def test_the_bar_counts_in_the_unit_it_is_given(monkeypatch):
    """The best-set search counts sets and the order search orders
    (``Prioritisation.best_set``, ``best_order``), not futures: the bar's text says
    the unit it is given, futures by default. Catches "3 of 15 futures" on a bar
    that counts sets."""
    texts: list[str] = []
    slot = SimpleNamespace(progress=lambda frac, text: texts.append(text), empty=lambda: None)
    monkeypatch.setattr(simulate, "st", SimpleNamespace(empty=lambda: slot))
    monkeypatch.setattr(simulate.turns, "between_chunks", lambda: None)
    update, _done = simulate._bar("Searching", "sets simulated")
    update(3, 15)
    update, _done = simulate._bar("Forecast")
    update(1_000, 2_000)
    assert texts == ["Searching: 3 of 15 sets simulated", "Forecast: 1,000 of 2,000 futures"]
