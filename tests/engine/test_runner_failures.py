"""The runner when things go wrong: a dying worker, a run that cannot finish."""

from __future__ import annotations

import os
import signal

import pytest

from simulation import SimulationError, load_scenario, run
from simulation.engine import executors
from tests.helpers import make_scenario


def test_killed_worker_gives_a_clear_error_and_no_results(supply_chain_path):
    """A worker killed mid-run raises SimulationError (no partial Results); the next run works."""
    sc = load_scenario(supply_chain_path)
    killed: list[int] = []

    def kill_one_worker(done: int, total: int) -> None:
        if not killed:
            pid = executors.pool_pids()[0]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    with pytest.raises(SimulationError, match="worker process stopped unexpectedly"):
        run(sc, runs=6_000, seed=1, workers=2, progress=kill_one_worker)
    assert killed, "the test did kill a worker"
    again = run(sc, runs=600, seed=1, workers=2)
    assert again.n_runs == 600 and again.runs["delivered"].all()


def test_undelivered_runs_are_counted_not_hidden():
    """Runs that never close are reported: percentiles beyond them are unknown (None)."""
    sc = make_scenario(
        team={"size": 1, "changes": [{"at_day": 1, "add": -1}]},
        items=[{"id": "a", "effort": 5}, {"id": "b", "effort": 10}],
    )
    s = run(sc, runs=20, seed=1).summary()
    assert s["delivery"]["undelivered_runs"] == 20
    assert s["delivery"]["p50_day"] is None and s["delivery"]["p50_date"] is None


@pytest.mark.parametrize("workers", [1, 2])
def test_an_exception_from_progress_stops_the_run(supply_chain_path, workers):
    """Raising from ``progress`` (the dashboard's Cancel) stops the run after that chunk:
    the exception comes out unchanged, no later chunk is reported, and the next run
    gives the same tables as an uninterrupted one (no cancelled chunk mixed in)."""

    class Stop(BaseException):  # like Streamlit's own: not an Exception
        pass

    sc = load_scenario(supply_chain_path)
    calls: list[int] = []

    def cancel(done: int, total: int) -> None:
        calls.append(done)
        raise Stop

    with pytest.raises(Stop):
        run(sc, runs=6_000, seed=3, workers=workers, progress=cancel)
    assert len(calls) == 1, "nothing reported after the cancel"
    again = run(sc, runs=500, seed=3, workers=workers)
    alone = run(sc, runs=500, seed=3, workers=1)
    assert again.runs.equals(alone.runs)
