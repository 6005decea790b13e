"""Running the engine from a page: cached by scenario content, with a progress bar.

Results are cached with ``st.cache_data`` keyed by the scenario's YAML text
plus runs and seed, so switching pages or returning to a scenario never
simulates again. The cache holds only the small tables the pages show
(:func:`dashboard.page_tables.forecast_tables`) and the finished chart specs, not
the engine's long tables, so a cached page costs milliseconds, not a rebuild
of every chart.
Two sessions with the same scenario text share an entry, which is safe: the
entry is a pure function of that text, and ``cache_data`` hands each caller
its own copy.

The server simulates the opening scenario's forecast as soon as it starts
(:func:`ahead`, in a thread of its own, in its turn in the server's line), so
the first click on Forecast finds it ready: the page takes it into the cache
instead of simulating, or waits for the rest of it if the click came first.
``SIM_FORECAST_AHEAD=0`` turns it off (``docs/reference/server-settings.md``).

With ``SIM_SCHEDULER`` set (a Dask scheduler address) every run goes to that
cluster (:func:`scheduler`); the tables are identical to a local run's, so the
cache does not need to know where an entry was computed.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

import streamlit as st

from simulation import Scenario, ScenarioError, SimulationError, compare, run, scenario_to_yaml
from simulation.engine.cluster import SCHEDULER_ENV
from simulation.present.markdown import escape_markdown

from . import admission, charts, page_tables, turns

#: Cached forecasts/comparisons kept per server process (oldest dropped first).
MAX_CACHED = 48
#: A cached entry is dropped after this many seconds unused.
CACHE_TTL_S = 6 * 3600


LOG = logging.getLogger(__name__)
T = TypeVar("T")


def guarded(action: Callable[[], T], what: str) -> T | None:
    """Run ``action``; on failure show a message (never a traceback) and return None."""
    try:
        return action()
    except admission.Cancelled:  # the page already says so
        pass
    except (ScenarioError, SimulationError) as exc:
        st.error(f"The {what} could not run: {escape_markdown(exc)}")
    except Exception as exc:  # the log has the details
        LOG.exception("simulation failed")
        st.error(
            f"The simulation failed unexpectedly ({type(exc).__name__}); the details "
            "are in the server log. Try fewer runs, or report the scenario file."
        )
    return None


def scheduler() -> str | None:
    """The Dask scheduler the dashboard simulates on: ``$SIM_SCHEDULER``, or None (this
    machine's process pool). Read on every run, so the server's setting is the truth."""
    return os.environ.get(SCHEDULER_ENV, "").strip() or None


def scenario_key(sc: Scenario) -> str:
    """The cache key of a scenario: its YAML text (equal scenarios, equal text)."""
    return scenario_to_yaml(sc)


def _settings(sc: Scenario) -> tuple[int | str, int]:
    return sc.simulation.runs, sc.simulation.seed


class _Miss(Exception):
    """Raised inside the cached function when no value was handed in (a cache miss)."""


@st.cache_data(max_entries=MAX_CACHED, ttl=CACHE_TTL_S, show_spinner=False)
def _stored(kind: str, key: Any, runs: int | str, seed: int, _value: Any = None) -> Any:
    """The cache itself: ``(kind, key, runs, seed)`` -> a value computed outside.

    Called first without ``_value``: a hit returns the stored copy; a miss
    raises (exceptions are not cached). The caller then computes the value
    with its progress bar (page elements must not be created inside a cached
    function: Streamlit would try to replay them) and calls again with
    ``_value``, which is not part of the key, to store it.
    """
    if _value is None:
        raise _Miss
    return _value


#: Values being simulated ahead of any page asking (:func:`ahead`), by cache identity.
_AHEAD: dict[tuple, Future] = {}
_AHEAD_LOCK = threading.Lock()


def _early(ident: tuple) -> Any:
    """The value simulated ahead for ``ident`` (waiting for the rest of it), or None.

    Taken once: the cache holds it from then on. None when nothing was simulated
    ahead for it, or that simulation failed (the page then simulates and reports).
    """
    with _AHEAD_LOCK:
        future = _AHEAD.pop(ident, None)
    if future is None:
        return None
    try:
        if future.done():
            return future.result()
        with st.spinner("Simulating: started when the server opened"):
            return future.result()
    except Exception:  # the page's own run says what went wrong
        LOG.exception("the simulation started ahead failed")
        return None


def _cached(kind: str, key: Any, runs: int | str, seed: int, compute, scenarios: int = 1) -> Any:
    try:
        return _stored(kind, key, runs, seed)
    except _Miss:
        pass
    ident = (kind, key, runs, seed)
    value = _early(ident)
    if value is None:
        # A miss: the simulation waits its turn on this server (dashboard/turns.py).
        value = turns.take(kind, ident, runs, scenarios, compute)
    return _stored(kind, key, runs, seed, value)


def _bar(
    label: str, unit: str = "futures"
) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """A progress bar that appears only if the engine actually runs (cache miss).

    ``unit`` names what the engine counts (futures; sets or orders for the searches).
    """
    slot = st.empty()

    def update(done: int, total: int) -> None:
        turns.between_chunks()  # a cancelled run stops here; a big one may pause
        frac = min(max(done / total, 0.0), 1.0) if total else 1.0
        slot.progress(frac, text=f"{label}: {done:,} of {total:,} {unit}")

    return update, slot.empty


#: Session key: the names of the long searches this session started and never saw end.
UNFINISHED = "sim_unfinished"


def search(
    what: str, label: str, unit: str, action: Callable[[Callable[[int, int], None]], T]
) -> T | None:
    """``action(progress)`` under a progress bar counting ``unit``, as :func:`guarded` runs it.

    Streamlit stops a page's script when anything on the page is used (or another
    page opened) and starts it again; a search it stops that way is lost. The search
    is marked unfinished for the session while it runs, so the page run that follows
    can say so (:func:`say_if_stopped`) instead of showing nothing.
    """
    running = st.session_state.setdefault(UNFINISHED, set())
    running.add(what)
    update, done = _bar(label, unit)
    result = guarded(lambda: action(update), what)  # a stopped script leaves here
    done()
    running.discard(what)
    return result


def say_if_stopped(what: str, button: str) -> None:
    """Once, after the page stopped the search ``what`` before it ended: say it was lost."""
    running = st.session_state.get(UNFINISHED)
    if running and what in running:
        running.discard(what)
        st.warning(
            f"The {what} stopped before it finished: the page was used while it ran, "
            f"which starts the page again. Press **{button}** to run it again."
        )


def _forecast_tables(sc: Scenario, progress: Callable[[int, int], None] | None) -> dict[str, Any]:
    """What the Forecast page caches for ``sc``: its tables and finished chart specs."""
    runs, seed = _settings(sc)
    # The page draws all three tables: runs (the histogram, risks, the futures),
    # items (the timeline, criticality, misfits), weekly (burn-up, value, run-rate).
    res = run(sc, runs=runs, seed=seed, progress=progress, scheduler=scheduler(), tables="all")
    tables = page_tables.forecast_tables(res)
    drawn = charts.forecast_charts(tables, sc.deadline, sc.value.outcome.by)
    tables["charts"] = charts.specs(drawn)
    tables["charts"].update(charts.driver_specs(tables))
    return tables


def forecast(sc: Scenario) -> dict[str, Any]:
    """The Forecast page's tables for ``sc`` (runs and seed from ``sc.simulation``)."""
    runs, seed = _settings(sc)
    update, done = _bar("Simulating")
    try:
        return _cached(
            "forecast", scenario_key(sc), runs, seed, lambda: _forecast_tables(sc, update)
        )
    finally:
        done()


def ahead(sc: Scenario) -> Future:
    """Simulate ``sc``'s forecast now, in a thread, before any page asks for it.

    The server calls it once when it starts, for the scenario every new session
    opens with, so that the first click on Forecast is answered from what is
    already done (:func:`_early`). It waits its turn in the server's line like a
    page's simulation (:func:`dashboard.turns.in_line`). Returns the future of the
    value (the one already started, if there is one).
    """
    runs, _ = _settings(sc)
    ident = ("forecast", scenario_key(sc), runs, sc.simulation.seed)
    with _AHEAD_LOCK:
        if ident in _AHEAD:
            return _AHEAD[ident]
        future: Future = Future()
        _AHEAD[ident] = future

    def work() -> None:
        try:
            future.set_result(turns.in_line(runs, 1, lambda: _forecast_tables(sc, None)))
        except BaseException as exc:  # handed to the page that takes it
            future.set_exception(exc)

    threading.Thread(target=work, name="forecast-ahead", daemon=True).start()
    return future


def comparison(scenarios: dict[str, Scenario]) -> dict[str, Any]:
    """Paired comparison of named scenarios under the first one's runs and seed."""
    first = next(iter(scenarios.values()))
    runs, seed = _settings(first)
    keys = tuple((name, scenario_key(sc)) for name, sc in scenarios.items())
    update, done = _bar("Comparing")

    def compute() -> dict[str, Any]:
        # All three: runs (the CDF), weekly (the value fans), items (why more people
        # did not help, :func:`dashboard.page_tables.people_effect`).
        cmp = compare(
            scenarios, runs=runs, seed=seed, progress=update, scheduler=scheduler(), tables="all"
        )
        tables = page_tables.comparison_tables(cmp)
        tables["charts"] = charts.specs(charts.comparison_charts(tables))
        return tables

    try:
        return _cached("comparison", keys, runs, seed, compute, len(scenarios))
    finally:
        done()
