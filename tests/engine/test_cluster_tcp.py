"""A real cluster over TCP: ``dask scheduler`` and ``dask worker`` processes from the venv.

The processes are started the way an operator starts them on cluster hosts (the
``dask`` command beside ``sys.executable``), on 127.0.0.1 with free ports. The
workers run in an empty folder with only ``PYTHONPATH`` pointing at the
project, as on a host that has the package but not the scenario files: the
scenario reaches them pickled inside each task. Every process is killed by the
fixture's finaliser, whatever the test's outcome.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from simulation import SimulationError, compare, load_scenario, run
from simulation.engine import cluster
from tests.helpers import LIBRARY, ROOT

distributed = pytest.importorskip("distributed")

DASK = Path(sys.executable).parent / "dask"
#: 60 items, every mechanism on: a 250-run chunk takes about half a second, long
#: enough for a worker to be killed while it holds one.
REFERENCE = ROOT / "bench" / "reference.yaml"
TABLES = ("runs", "items", "weekly")
START_TIMEOUT_S = 60

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(not DASK.exists(), reason=f"no dask command at {DASK}"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Processes:
    """Start ``dask`` processes; :meth:`stop_all` kills the ones still running."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[subprocess.Popen] = []
        self.env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.env.pop(cluster.SCHEDULER_ENV, None)

    def start(self, *args: str) -> subprocess.Popen:
        log = open(self.folder / f"dask-{len(self.started)}.log", "wb")  # noqa: SIM115
        p = subprocess.Popen(
            [str(DASK), *args], cwd=self.folder, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        self.started.append(p)
        return p

    def scheduler(self) -> tuple[subprocess.Popen, str]:
        port = free_port()
        p = self.start("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return p, f"tcp://127.0.0.1:{port}"
            except OSError:
                if p.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"dask scheduler did not start: {self.logs()}") from None
                time.sleep(0.1)

    def worker(self, address: str) -> subprocess.Popen:
        # --no-nanny: one process per worker, so killing it is a worker lost for good.
        return self.start(
            "worker",
            address,
            "--nthreads",
            "1",
            "--no-nanny",
            "--no-dashboard",
            "--host",
            "127.0.0.1",
        )

    def logs(self) -> str:
        return "\n".join(
            p.read_text(errors="replace")[-2000:] for p in sorted(self.folder.glob("dask-*.log"))
        )

    def stop_all(self) -> None:
        for p in self.started:
            if p.poll() is None:
                p.kill()
        for p in self.started:
            p.wait(timeout=30)


@pytest.fixture
def procs(tmp_path):
    folder = tmp_path / "workers-home"
    folder.mkdir()
    ps = Processes(folder)
    yield ps
    cluster.close_clients()
    ps.stop_all()


def observer(address: str, workers: int):
    client = distributed.Client(address, set_as_default=False, timeout=START_TIMEOUT_S)
    client.wait_for_workers(workers, timeout=START_TIMEOUT_S)
    return client


def assert_same_tables(a, b, what: str) -> None:
    for name in TABLES:
        try:
            pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
        except AssertionError as exc:
            raise AssertionError(f"{what}: {name} table differs from local: {exc}") from None


def kill_when_busy(
    client, pids: dict[str, int], victim: str, after: float = 0.15
) -> tuple[threading.Thread, dict]:
    """A thread that SIGKILLs worker ``victim`` once it holds a chunk (and ``after`` s more)."""
    seen: dict = {}

    def watch() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            held = client.processing().get(victim, ())
            if held:
                time.sleep(after)
                seen["held"] = list(client.processing().get(victim, ()))
                os.kill(pids[victim], signal.SIGKILL)
                seen["at"] = time.monotonic()
                return
            time.sleep(0.02)

    t = threading.Thread(target=watch, daemon=True)
    t.start()
    return t, seen


def test_tcp_cluster_equals_local_and_survives_a_killed_worker(procs):
    """``dask scheduler`` + two ``dask worker`` over TCP: a comparison equals the local
    one; then one worker is SIGKILLed while it holds a chunk, its chunks are re-run on
    the other, and the tables still equal the local run's."""
    _, address = procs.scheduler()
    procs.worker(address)
    procs.worker(address)
    client = observer(address, 2)
    try:
        sc, variant = (
            load_scenario(REFERENCE),
            load_scenario(LIBRARY / "supply-chain-late-request.yaml"),
        )
        base = load_scenario(LIBRARY / "supply-chain.yaml")
        on = compare({"base": base, "variant": variant}, runs=500, seed=5, scheduler=address)
        local = compare({"base": base, "variant": variant}, runs=500, seed=5, workers=1)
        for name in ("base", "variant"):
            assert_same_tables(on.results[name], local.results[name], name)
        pd.testing.assert_frame_equal(on.deltas, local.deltas)

        pids = client.run(os.getpid)
        victim = sorted(pids)[0]
        progress: list[tuple[float, int]] = []
        killer, seen = kill_when_busy(client, pids, victim)
        res = run(
            sc,
            runs=1000,
            seed=9,
            scheduler=address,
            progress=lambda done, total: progress.append((time.monotonic(), done)),
        )
        killer.join(timeout=30)
        assert "at" in seen, f"the worker was never seen holding a chunk: {procs.logs()}"
        assert seen["held"], "the killed worker held a chunk when it was killed"
        assert any(t > seen["at"] for t, _ in progress), "the kill came before the run ended"
        assert list(client.nthreads()) == [w for w in sorted(pids) if w != victim]
        assert [d for _, d in progress] == [250, 500, 750, 1000]
        assert_same_tables(res, run(sc, runs=1000, seed=9, workers=1), "after a killed worker")
    finally:
        client.close()


def test_a_cluster_without_workers_ends_the_run(procs, monkeypatch):
    """A scheduler with no worker: the run stops after the no-worker timeout (1 s here)
    with a message naming the address and the command that starts a worker."""
    monkeypatch.setattr(cluster, "NO_WORKERS_TIMEOUT_S", 1.0)
    _, address = procs.scheduler()
    start = time.monotonic()
    with pytest.raises(SimulationError, match=f"{address} has had no worker.*dask worker"):
        run(load_scenario(LIBRARY / "supply-chain.yaml"), runs=250, seed=1, scheduler=address)
    assert time.monotonic() - start < 1.0 + 5.0


def signal_when_busy(
    client, proc, sig: int, within_s: float
) -> tuple[threading.Thread, dict[str, float]]:
    """Send ``sig`` to ``proc`` (the scheduler) as soon as a worker holds a chunk, from a
    background thread started here; ``seen["at"]`` is then the moment it was sent."""
    seen: dict[str, float] = {}

    def watch() -> None:
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline and "at" not in seen:
            try:
                busy = any(client.processing().values())
            except OSError:
                return
            if busy:
                proc.send_signal(sig)
                seen["at"] = time.monotonic()
            time.sleep(0.02)

    t = threading.Thread(target=watch, daemon=True)
    t.start()
    return t, seen


def test_a_scheduler_lost_mid_run_ends_the_run_with_a_clear_error(procs):
    """The scheduler SIGKILLed while a worker holds a chunk: SimulationError naming the
    address within the stated timeout, never a hang; the next run reconnects or fails
    clearly (here: fails, the scheduler is gone)."""
    sched, address = procs.scheduler()
    procs.worker(address)
    client = observer(address, 1)
    t, seen = signal_when_busy(client, sched, signal.SIGKILL, within_s=30)
    with pytest.raises(
        SimulationError, match=f"lost the connection to the Dask scheduler at {address}"
    ):
        run(load_scenario(REFERENCE), runs=1000, seed=2, scheduler=address)
    t.join(timeout=30)
    assert "at" in seen
    assert time.monotonic() - seen["at"] < cluster.LOST_TIMEOUT_S + 5
    from simulation import SchedulerError

    with pytest.raises(SchedulerError, match=address):
        run(load_scenario(REFERENCE), runs=10, seed=2, scheduler=address)
    client.close(timeout=2)
