"""A Dask scheduler alive but frozen ends a run in words (``docs/reference/security.md``).

A scheduler stopped with SIGSTOP keeps its TCP connection open, so the client
never sees it go; the liveness question the run asks while it waits had no
deadline, and the run hung for ever. Real ``dask`` processes on 127.0.0.1.
"""

from __future__ import annotations

import signal
import time

import pytest

from simulation import SimulationError, load_scenario, run
from simulation.engine import cluster
from tests.engine.test_cluster_tcp import DASK, REFERENCE, Processes, observer, signal_when_busy

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(not DASK.exists(), reason=f"no dask command at {DASK}"),
]


@pytest.fixture
def procs(tmp_path):
    folder = tmp_path / "workers-home"
    folder.mkdir()
    ps = Processes(folder)
    yield ps
    cluster.close_clients()
    for p in ps.started:  # a stopped process must run again to die cleanly
        if p.poll() is None:
            p.send_signal(signal.SIGCONT)
    ps.stop_all()


def test_a_frozen_scheduler_ends_the_run_naming_the_address(procs, monkeypatch):
    """The scheduler SIGSTOPped while a worker holds a chunk, the silence limit set to
    3 s: SimulationError naming the address and the silence, within 3 s + two 2 s
    questions + 10 s of slack of the stop. Catches the liveness check without a deadline
    (the run waited for ever)."""
    monkeypatch.setattr(cluster, "SILENT_TIMEOUT_S", 3.0)
    sched, address = procs.scheduler()
    procs.worker(address)
    client = observer(address, 1)
    t, seen = signal_when_busy(client, sched, signal.SIGSTOP, within_s=60)
    with pytest.raises(SimulationError, match=f"scheduler at {address} has not answered"):
        run(load_scenario(REFERENCE), runs=2000, seed=2, scheduler=address)
    t.join(timeout=5)
    assert "at" in seen, "the scheduler was stopped mid-run"
    took = time.monotonic() - seen["at"]
    assert took < 3.0 + 2 * cluster.ANSWER_TIMEOUT_S + 10, took
