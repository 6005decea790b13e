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

With ``SIM_SCHEDULER`` set (a Dask scheduler address) every run goes to that
cluster (:func:`scheduler`); the tables are identical to a local run's, so the
cache does not need to know where an entry was computed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
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


def _cached(kind: str, key: Any, runs: int | str, seed: int, compute, scenarios: int = 1) -> Any:
    try:
        return _stored(kind, key, runs, seed)
    except _Miss:
        pass
    # A miss: the simulation waits its turn on this server (dashboard/turns.py).
    value = turns.take(kind, (kind, key, runs, seed), runs, scenarios, compute)
    return _stored(kind, key, runs, seed, value)


def _bar(label: str) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """A progress bar that appears only if the engine actually runs (cache miss)."""
    slot = st.empty()

    def update(done: int, total: int) -> None:
        turns.between_chunks()  # a cancelled run stops here; a big one may pause
        frac = min(max(done / total, 0.0), 1.0) if total else 1.0
        slot.progress(frac, text=f"{label}: {done:,} of {total:,} futures")

    return update, slot.empty


def forecast(sc: Scenario) -> dict[str, Any]:
    """The Forecast page's tables for ``sc`` (runs and seed from ``sc.simulation``)."""
    runs, seed = _settings(sc)
    update, done = _bar("Simulating")

    def compute() -> dict[str, Any]:
        # The page draws all three tables: runs (the histogram, risks, the futures),
        # items (the timeline, criticality, misfits), weekly (burn-up, value, run-rate).
        res = run(sc, runs=runs, seed=seed, progress=update, scheduler=scheduler(), tables="all")
        tables = page_tables.forecast_tables(res)
        tables["charts"] = charts.specs(
            charts.forecast_charts(tables, sc.deadline, sc.value.outcome.by)
        )
        tables["charts"].update(charts.driver_specs(tables))
        return tables

    try:
        return _cached("forecast", scenario_key(sc), runs, seed, compute)
    finally:
        done()


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
