"""The opening scenario's forecast, simulated when the server starts.

A new session opens with the library's supply-chain scenario; the server
simulates its forecast as soon as it starts (``dashboard.simulate.ahead``), so the
first click on Forecast shows it without simulating. These tests check that the
page really takes that value (the engine is not called again), that it is the
same forecast a plain run gives, that it waits its turn in the server's line, and
that a failed one leaves the page to simulate on its own. ``SIM_FORECAST_AHEAD``
turns it off (docs/reference/server-settings.md).
"""

from __future__ import annotations

import threading

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import admission, fmt, server_settings, simulate, state
from dashboard.admission import Gate
from simulation import run
from tests.helpers import ROOT

APP = str(ROOT / "app.py")
FORECAST = "dashboard/pages/forecast.py"
TIMEOUT_S = 120
#: Seconds a test waits for a thread before failing (never reached when right).
WAIT_S = 60

pytestmark = pytest.mark.usefixtures("user_dir")


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    """No forecast cached or started ahead by another test; this test's own gate."""
    st.cache_data.clear()
    monkeypatch.setattr(simulate, "_AHEAD", {})
    monkeypatch.setattr(admission, "_SERVER", Gate(1))


def _opening_forecast() -> AppTest:
    """A new session (the server's own start-up turned off), switched to Forecast."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page(FORECAST).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


# ----------------------------------------------------------------- the setting
@pytest.mark.parametrize(
    ("text", "on"),
    [("", True), ("1", True), ("on", True), ("TRUE", True), ("0", False), (" off ", False)],
)
def test_the_setting_reads_on_and_off(text, on):
    """Unset: on (the documented default); the words of the reference page either way."""
    env = {server_settings.FORECAST_AHEAD_ENV: text} if text else {}
    assert server_settings.forecast_ahead(env) is on
    assert server_settings.problems(env) == []


def test_a_bad_setting_is_refused_naming_it():
    """'maybe' is neither: one message that names the setting (the app stops on it)."""
    found = server_settings.problems({"SIM_FORECAST_AHEAD": "maybe"})
    assert found == ["SIM_FORECAST_AHEAD: must be 1 or 0 (on or off), got 'maybe'"]


# ----------------------------------------------------------- the first click
def test_the_first_click_takes_the_forecast_simulated_ahead(monkeypatch):
    """Simulated ahead, then the engine taken away: the page still shows the forecast,
    with the P85 date and on-time chance of a plain run of the same scenario, runs and
    seed (so it is the opening scenario's own forecast, not another's). Catches a page
    that ignores what was simulated ahead (it would call the engine, which fails here)
    and a value simulated ahead for a scenario other than the one sessions open with."""
    sc = state.default_scenario()
    simulate.ahead(sc).result(timeout=WAIT_S)
    plain = run(sc, runs=sc.simulation.runs, seed=sc.simulation.seed, tables="none").summary()

    def no_engine(*args, **kwargs):
        raise AssertionError("the page simulated again")

    monkeypatch.setattr(simulate, "run", no_engine)
    at = _opening_forecast()
    assert _metric(at, "P85 delivery") == fmt.date(plain["delivery"]["p85_date"])
    assert _metric(at, "On time") == fmt.pct(plain["delivery"]["on_time_probability"])
    assert not simulate._AHEAD, "taken once: the cache holds it from then on"


def test_a_click_before_it_is_done_waits_for_it_and_does_not_simulate_twice(monkeypatch):
    """The gate's one slot held: the forecast started ahead waits in line. Released,
    the page waits for it and shows it; the engine ran once in all (not once ahead and
    once for the page). Catches a page that starts its own run beside the one ahead."""
    calls: list[int] = []
    real_run = simulate.run

    def counted(*args, **kwargs):
        calls.append(kwargs["runs"])
        return real_run(*args, **kwargs)

    monkeypatch.setattr(simulate, "run", counted)
    gate = admission.server_gate()
    holder = gate.ticket(1)
    gate.acquire(holder)
    future = simulate.ahead(state.default_scenario())
    assert not future.done(), "it waits its turn in the server's line"
    assert gate.counts() == (1, 1)
    threading.Timer(1.0, gate.release, args=(holder,)).start()
    at = _opening_forecast()
    assert future.done()
    assert "P85 delivery" in {m.label for m in at.metric}
    assert calls == [state.default_scenario().simulation.runs]


def test_started_twice_it_simulates_once(monkeypatch):
    """Two calls for one scenario share one future (a second server start-up, or two
    callers, never double the work)."""
    sc = state.default_scenario()
    first = simulate.ahead(sc)
    assert simulate.ahead(sc) is first
    first.result(timeout=WAIT_S)
    assert len(simulate._AHEAD) == 1


def test_a_failed_one_leaves_the_page_to_simulate(monkeypatch):
    """The run ahead fails (here: the engine raises once): the page does not show that
    failure or stop; it simulates the forecast itself, in its own turn."""
    real_run = simulate.run
    failures = []

    def fails_once(*args, **kwargs):
        if not failures:
            failures.append(1)
            raise RuntimeError("ahead failed")
        return real_run(*args, **kwargs)

    monkeypatch.setattr(simulate, "run", fails_once)
    future = simulate.ahead(state.default_scenario())
    with pytest.raises(RuntimeError):
        future.result(timeout=WAIT_S)
    at = _opening_forecast()
    assert not at.error, [e.value for e in at.error]
    assert "P85 delivery" in {m.label for m in at.metric}


def test_the_server_start_simulates_the_opening_scenario(monkeypatch):
    """``app.py`` on a server's first session starts the forecast ahead for the very
    scenario a session opens with (same YAML text, runs and seed: the cache key), and
    with the setting off starts none."""
    monkeypatch.setenv(server_settings.FORECAST_AHEAD_ENV, "0")
    st.cache_resource.clear()  # the server's start-up runs again
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    assert not at.exception
    assert simulate._AHEAD == {}

    monkeypatch.setenv(server_settings.FORECAST_AHEAD_ENV, "1")
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    assert not at.exception
    sc = at.session_state[state.SCENARIO]
    ident = ("forecast", simulate.scenario_key(sc), sc.simulation.runs, sc.simulation.seed)
    assert list(simulate._AHEAD) == [ident]
    simulate._AHEAD[ident].result(timeout=WAIT_S)
