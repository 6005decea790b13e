"""A shared server's limits: the settings, the admission gate, and the pages that obey them.

The gate's tests order their threads with events (a waiting thread reports its
place through ``poll``), never with sleeps: each asserts an order or a place that
a one-line slip in the gate's rules would change.
"""

from __future__ import annotations

import threading

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import admission, server_settings, simulate, turns
from dashboard.admission import Cancelled, Gate
from simulation.scenario.schema import MAX_RUNS
from tests.helpers import ROOT

APP = str(ROOT / "app.py")
TIMEOUT_S = 60
#: Seconds a test waits for a thread's event before failing (never reached when right).
EVENT_S = 30


# ---------------------------------------------------------------- settings
def test_settings_have_defaults():
    """Nothing set: the documented defaults (20,000 runs, 4 simulations at once)."""
    assert server_settings.runs_limit({}) == 20_000
    assert server_settings.concurrent_limit({}) == 4
    assert server_settings.problems({}) == []


def test_settings_read_the_environment():
    env = {"SIM_MAX_RUNS_PER_SESSION": " 50_000 ", "SIM_MAX_CONCURRENT_RUNS": "2"}
    assert server_settings.runs_limit(env) == 50_000
    assert server_settings.concurrent_limit(env) == 2


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SIM_MAX_RUNS_PER_SESSION", "lots"),
        ("SIM_MAX_RUNS_PER_SESSION", "999"),  # below a library scenario's own runs
        ("SIM_MAX_RUNS_PER_SESSION", str(MAX_RUNS + 1)),  # above what a file may hold
        ("SIM_MAX_CONCURRENT_RUNS", "0"),
        ("SIM_MAX_CONCURRENT_RUNS", "2.5"),
    ],
)
def test_a_bad_setting_is_refused_naming_it(name, value):
    """An impossible value: one message that names the setting and says what it takes."""
    found = server_settings.problems({name: value})
    assert len(found) == 1, found
    assert found[0].startswith(f"{name}: must be a whole number from "), found
    assert repr(value) in found[0], found


def test_over_limit_says_why_in_words():
    env = {"SIM_MAX_RUNS_PER_SESSION": "5000"}
    assert server_settings.over_limit(5_000, env) == ""
    message = server_settings.over_limit(5_001, env)
    assert "5,001 runs is over this server's limit of 5,000" in message
    assert "SIM_MAX_RUNS_PER_SESSION" in message
    assert "automatic runs (up to 20,000)" in server_settings.over_limit("auto", env)


def test_a_bad_setting_stops_the_app_with_its_name(monkeypatch):
    """The app opens on the message naming the setting, not a traceback."""
    monkeypatch.setenv("SIM_MAX_CONCURRENT_RUNS", "many")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("SIM_MAX_CONCURRENT_RUNS: must be a whole number" in e for e in errors), errors


# -------------------------------------------------------------------- gate
class Waiter:
    """A thread that takes a ticket at the gate, records its places, and holds its slot
    until told to go (``finish``)."""

    def __init__(self, gate: Gate, name: str, runs: int, started: list[str]) -> None:
        self.gate, self.name = gate, name
        self.ticket = gate.ticket(runs)
        self.places: list[int] = []
        self.queued = threading.Event()  # reported a place: it is in line
        self.running = threading.Event()
        self.finish = threading.Event()
        self.error: BaseException | None = None
        self._started = started
        self._place_seen: dict[int, threading.Event] = {}
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def seen(self, place: int) -> threading.Event:
        with self._lock:
            event = self._place_seen.setdefault(place, threading.Event())
            if place in self.places:
                event.set()
            return event

    def _poll(self, place: int) -> None:
        with self._lock:
            self.places.append(place)
            self._place_seen.setdefault(place, threading.Event()).set()
        self.queued.set()

    def _run(self) -> None:
        try:
            self.gate.acquire(self.ticket, self._poll)
        except BaseException as exc:
            self.error = exc
            self.queued.set()
            return
        self._started.append(self.name)
        self.running.set()
        self.finish.wait(EVENT_S)
        self.gate.release(self.ticket)

    def start(self) -> Waiter:
        self.thread.start()
        return self

    def join(self) -> None:
        self.thread.join(EVENT_S)
        assert not self.thread.is_alive(), f"{self.name} is still waiting"


def wait(event: threading.Event, what: str) -> None:
    assert event.wait(EVENT_S), f"timed out waiting for: {what}"


def queue_up(gate: Gate, names: list[str], runs: int, started: list[str]) -> list[Waiter]:
    """Waiters that join the line in the order of ``names`` (each in line before the next)."""
    waiters = []
    for name in names:
        w = Waiter(gate, name, runs, started).start()
        wait(w.queued, f"{name} in line")
        waiters.append(w)
    return waiters


def test_the_line_is_first_come_first_served():
    """With one slot taken, three simulations queue as 1st, 2nd, 3rd and start in that order."""
    gate = Gate(slots=1)
    holder = gate.ticket(100)
    gate.acquire(holder)
    started: list[str] = []
    waiters = queue_up(gate, ["a", "b", "c"], 100, started)
    assert [w.places[0] for w in waiters] == [1, 2, 3]
    assert gate.counts() == (1, 3)
    gate.release(holder)
    for w in waiters:
        wait(w.running, f"{w.name} runs")
        w.finish.set()
        w.join()
    assert started == ["a", "b", "c"], "first come, first served"
    assert gate.counts() == (0, 0)


def test_at_most_the_slots_run_at_once():
    gate = Gate(slots=2)
    started: list[str] = []
    first = [Waiter(gate, n, 100, started).start() for n in ("a", "b")]
    for w in first:
        wait(w.running, f"{w.name} runs")
    (third,) = queue_up(gate, ["c"], 100, started)
    assert gate.counts() == (2, 1) and not third.running.is_set()
    first[0].finish.set()
    wait(third.running, "c runs once a slot is free")
    for w in (*first, third):
        w.finish.set()
        w.join()


def test_cancel_leaves_the_line_and_the_others_move_up():
    """Cancelling the 1st in line: it raises Cancelled, and the 2nd now reads 1st."""
    gate = Gate(slots=1)
    holder = gate.ticket(100)
    gate.acquire(holder)
    started: list[str] = []
    a, b = queue_up(gate, ["a", "b"], 100, started)
    assert b.places[0] == 2
    gate.cancel(a.ticket)
    a.join()
    assert isinstance(a.error, Cancelled)
    wait(b.seen(1), "b reads 1st in line")
    assert gate.counts() == (1, 1)
    gate.release(holder)
    wait(b.running, "b runs")
    b.finish.set()
    b.join()
    assert started == ["b"]


def test_an_interrupted_wait_leaves_the_line():
    """An exception from ``poll`` (Streamlit stopping the page's script) takes the ticket out."""

    class Stop(BaseException):
        pass

    gate = Gate(slots=1)
    holder = gate.ticket(100)
    gate.acquire(holder)
    ticket = gate.ticket(100)

    def poll(place: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        gate.acquire(ticket, poll)
    assert gate.counts() == (1, 0)
    assert gate.place(ticket) == 0


def test_a_big_run_lets_later_small_ones_go_first():
    """One slot: a big run that came first still waits for a small one that came later."""
    gate = Gate(slots=1, big_runs=1_000)
    holder = gate.ticket(100)
    gate.acquire(holder)
    started: list[str] = []
    (big,) = queue_up(gate, ["big"], 5_000, started)
    (small,) = queue_up(gate, ["small"], 100, started)
    assert small.places[0] == 1, "the small one is next"
    wait(big.seen(2), "the big one moves back to 2nd")
    gate.release(holder)
    wait(small.running, "small runs")
    assert not big.running.is_set(), "no big run while a small one runs"
    small.finish.set()
    wait(big.running, "big runs when the small one is done")
    big.finish.set()
    big.join()
    small.join()
    assert started == ["small", "big"]


def test_a_running_big_run_pauses_between_chunks_for_a_small_one():
    """The big run gives its slot back at a chunk boundary while a small one runs, and
    goes on when the small one is done."""
    gate = Gate(slots=2, big_runs=1_000)
    big = gate.ticket(50_000)
    gate.acquire(big)
    gate.between_chunks(big)  # nobody else: no pause
    assert gate.counts() == (1, 0)
    started: list[str] = []
    small = Waiter(gate, "small", 100, started).start()
    wait(small.running, "a small one starts beside the big run (a slot is free)")
    paused = threading.Event()
    resumed = threading.Event()

    def next_chunk() -> None:
        gate.between_chunks(big, lambda place: paused.set())
        resumed.set()

    chunk = threading.Thread(target=next_chunk, daemon=True)
    chunk.start()
    wait(paused, "the big run pauses")
    assert gate.counts() == (1, 1), "the small one runs, the big one waits"
    assert not resumed.is_set()
    small.finish.set()
    wait(resumed, "the big run goes on")
    chunk.join(EVENT_S)
    assert gate.counts() == (1, 0)
    gate.release(big)
    small.join()


def test_a_cancelled_run_stops_between_chunks():
    gate = Gate(slots=1)
    with gate.turn(100) as ticket:
        gate.between_chunks(ticket)
        gate.cancel(ticket)
        with pytest.raises(Cancelled):
            gate.between_chunks(ticket)
    assert gate.counts() == (0, 0), "the turn gave its slot back"


def test_the_server_has_one_gate_with_the_setting(monkeypatch):
    monkeypatch.setattr(admission, "_SERVER", None)
    monkeypatch.setenv("SIM_MAX_CONCURRENT_RUNS", "3")
    assert admission.server_gate() is admission.server_gate()
    assert admission.server_gate().slots == 3


@pytest.mark.parametrize(
    ("n", "text"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (22, "22nd")]
)
def test_ordinals(n, text):
    assert turns.ordinal(n) == text


# ------------------------------------------------------------------- pages
FORECAST = "dashboard/pages/forecast.py"
SCENARIO = "dashboard/pages/scenario.py"
DECIDE = "dashboard/pages/decide.py"
SESSION = ROOT / "scenarios" / "sessions" / "grant-portal-release.yaml"


def runs_key(at: AppTest) -> str:
    return f"sc_runs_{at.session_state['editor_version']}"


def no_exception(at: AppTest, where: str) -> None:
    assert not at.exception, f"{where}: " + " | ".join(e.value for e in at.exception)


@pytest.fixture
def limit_1000(monkeypatch, user_dir):
    """This server allows 1,000 runs per simulation; the test saves into its own folder."""
    monkeypatch.setenv("SIM_MAX_RUNS_PER_SESSION", "1000")


@pytest.mark.usefixtures("limit_1000")
def test_runs_above_the_session_limit_are_refused_in_words():
    """The Scenario page says the limit and warns above it; the Forecast refuses to
    simulate, naming the setting; at the limit's side again, it simulates."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    no_exception(at, "opening")
    captions = " ".join(c.value for c in at.caption)
    assert "up to 1,000 on this server" in captions, captions
    at.number_input(key=runs_key(at)).set_value(1_001).run()
    warnings = " ".join(w.value for w in at.warning)
    assert "1,001 runs is over this server's limit of 1,000" in warnings, warnings
    assert "SIM_MAX_RUNS_PER_SESSION" in warnings
    assert at.session_state["scenario"].simulation.runs == 1_001, "the file keeps its runs"

    at.switch_page(FORECAST).run()
    no_exception(at, "forecast over the limit")
    errors = " ".join(e.value for e in at.error).replace("\\", "")  # markdown escapes
    assert "1,001 runs is over this server's limit of 1,000" in errors, errors
    assert "SIM_MAX_RUNS_PER_SESSION" in errors
    assert not at.metric, "nothing simulated"

    at.switch_page(SCENARIO).run()
    at.checkbox(key=f"sc_auto_{at.session_state['editor_version']}").check().run()
    warnings = " ".join(w.value for w in at.warning)
    assert "Automatic runs (up to 20,000) is over this server's limit" in warnings, warnings
    at.checkbox(key=f"sc_auto_{at.session_state['editor_version']}").uncheck().run()
    # Over the file's own limit: the file's message alone, not "the file keeps it".
    at.number_input(key=runs_key(at)).set_value(10_000_000).run()
    assert not [w for w in at.warning if "file keeps it" in w.value], "two messages disagree"
    assert [e for e in at.error if "100,000" in e.value or "100000" in e.value], [
        e.value for e in at.error
    ]
    at.number_input(key=runs_key(at)).set_value(200).run()
    assert not [w for w in at.warning if "limit" in w.value]
    at.switch_page(FORECAST).run()
    no_exception(at, "forecast under the limit")
    assert "P50 delivery" in {m.label for m in at.metric}


@pytest.mark.usefixtures("limit_1000")
def test_the_decide_runs_widget_stops_at_the_session_limit(monkeypatch, tmp_path):
    monkeypatch.setenv("SIM_DATABASE_URL", f"sqlite:///{tmp_path / 'app.sqlite'}")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    at.switch_page(DECIDE).run()
    at.selectbox(key="decide_file").set_value(SESSION)
    at.button(key="decide_load").click().run()
    no_exception(at, "a session loaded")
    runs = at.number_input(key="decide_runs")
    assert runs.max == 1_000, "bounded by SIM_MAX_RUNS_PER_SESSION"
    assert "SIM_MAX_RUNS_PER_SESSION" in (runs.help or "")


@pytest.mark.usefixtures("user_dir")
def test_a_cancelled_forecast_is_not_started_again_until_asked():
    """After Cancel (its click marks the simulation), the page's next run says so and
    simulates nothing; **Simulate again** simulates it."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    at.number_input(key=runs_key(at)).set_value(200).run()
    at.number_input(key=f"sc_seed_{at.session_state['editor_version']}").set_value(90_417).run()
    sc = at.session_state["scenario"]
    ident = ("forecast", simulate.scenario_key(sc), 200, 90_417)
    at.session_state[turns.CANCELLED] = ident
    at.switch_page(FORECAST).run()
    no_exception(at, "a cancelled forecast")
    assert "You cancelled this simulation." in [i.value for i in at.info]
    assert not at.metric, "not simulated again by itself"
    again = [b for b in at.button if str(b.key).startswith("sim_again_forecast_")]
    assert len(again) == 1, [b.key for b in at.button]
    again[0].click().run()
    no_exception(at, "simulated again")
    assert "P50 delivery" in {m.label for m in at.metric}
    assert turns.CANCELLED not in at.session_state


# ------------------------------------------------ the other simulations take their turn
class RecordingGate(Gate):
    """The server's gate, one slot, noting the runs of every ticket that joins the line."""

    def __init__(self) -> None:
        super().__init__(1)
        self.joined: list[int] = []

    def acquire(self, ticket, poll=None) -> None:
        self.joined.append(ticket.runs)
        super().acquire(ticket, poll)


@pytest.fixture
def gate(monkeypatch) -> RecordingGate:
    g = RecordingGate()
    monkeypatch.setattr(admission, "_SERVER", g)
    return g


def test_a_report_that_simulates_waits_its_turn_and_gives_the_slot_back(gate):
    """A report built on its download click simulates outside the page's script: it
    still takes a ticket of its runs x scenarios, and frees the slot after (a slot
    kept would block the whole server); a report that does not simulate takes none."""
    from dashboard import report_button

    assert report_button.report_bytes(None, lambda: "<p>r</p>", simulates=(300, 2)) == b"<p>r</p>"
    assert gate.joined == [600]
    assert not gate._running and not gate._line
    report_button.report_bytes(None, lambda: "<p>r</p>")
    assert gate.joined == [600]


def test_an_exercise_is_simulated_in_its_turn_and_answers_at_hand_never_wait(gate):
    """The Train page's exercise: its first solve takes a ticket of the base's runs for
    two scenarios (base and variant); once solved, a rerun takes none."""
    from simulation.train import exercises as E

    E.clear_solved()

    def script():
        from dashboard.pages.train import solution
        from simulation.train import exercises as E
        from tests.helpers import LIBRARY

        ex = E.load_exercise(LIBRARY / "exercises" / "brooks-law.yaml")
        solution(ex)

    at = AppTest.from_function(script, default_timeout=120).run()
    no_exception(at, "first solve")
    ex = E.load_exercise(ROOT / "scenarios" / "exercises" / "brooks-law.yaml")
    assert gate.joined == [2 * ex.base.simulation.runs]
    at.run()
    no_exception(at, "again")
    assert gate.joined == [2 * ex.base.simulation.runs], "a solved exercise waited in line"


def test_the_portfolio_first_run_waits_its_turn_once(gate):
    """The Portfolio page's first simulation takes a ticket of runs x initiatives; the
    page drawn again from the cache takes none."""
    import streamlit as st

    st.cache_resource.clear()  # another test may have simulated this portfolio already
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("dashboard/pages/portfolio.py").run()
    no_exception(at, "portfolio")
    runs = at.select_slider(key="pf_runs").value
    assert len(gate.joined) == 1 and gate.joined[0] % runs == 0 and gate.joined[0] >= 2 * runs
    at.run()
    no_exception(at, "portfolio again")
    assert len(gate.joined) == 1
