"""Scale-out on Dask distributed: identical tables on a cluster, clear errors.

See docs/reference/scale-out.md.

One ``distributed.LocalCluster`` (two worker processes, one thread each) is
started for the module. Every equality test compares whole tables
(``assert_frame_equal``: values, dtypes, categories, order) of a cluster run with
a local run of the same seed: a chunk given the wrong replication range, the
chunks put back in finishing order instead of replication order, or a scenario
mixed up between tasks of a sweep changes a row and fails here.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time

import pandas as pd
import pytest

from simulation import (
    SchedulerError,
    compare,
    load_scenario,
    load_session,
    prioritise,
    run,
)
from simulation.engine import cluster, executors
from tests.helpers import LIBRARY, ROOT

distributed = pytest.importorskip("distributed")

BASE = LIBRARY / "supply-chain.yaml"
VARIANT = LIBRARY / "supply-chain-late-request.yaml"
SESSION = LIBRARY / "sessions" / "supply-chain-q2.yaml"
TABLES = ("runs", "items", "weekly")

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def local_cluster():
    """A 2-worker process cluster for the module, and a client to it.

    The workers are spawned processes, which re-import the parent's ``__main__``;
    after the dashboard tests that can be ``app.py`` (it starts a process pool on
    import), so they start with ``__main__`` hidden, as the runner's own pool does.
    """
    with executors._bare_main():
        cl = distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        )
    client = distributed.Client(cl, set_as_default=False)
    yield cl, client
    cluster.close_clients()
    client.close()
    cl.close()


@pytest.fixture(scope="module")
def address(local_cluster) -> str:
    return local_cluster[0].scheduler_address


def assert_same_tables(a, b, what: str = "") -> None:
    for name in TABLES:
        try:
            pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
        except AssertionError as exc:
            raise AssertionError(
                f"{what} {name} table differs between cluster and local: {exc}"
            ) from None


@pytest.fixture
def count_submissions(monkeypatch):
    """Every ``map_chunks`` call's number of tasks, in order."""
    calls: list[int] = []
    real = cluster.map_chunks

    def spy(scheduler, fn, tasks, sizes, progress=None, **kwargs):
        calls.append(len(tasks))
        return real(scheduler, fn, tasks, sizes, progress, **kwargs)

    monkeypatch.setattr(cluster, "map_chunks", spy)
    return calls


# ------------------------------------------------------------------ equality
def test_run_on_the_cluster_gives_the_local_tables(address):
    """1,000 runs as four 250-run tasks: the tables equal a local run's, and progress
    counts finished chunks up to the total."""
    sc = load_scenario(BASE)
    seen: list[tuple[int, int]] = []
    on = run(
        sc,
        runs=1000,
        seed=11,
        scheduler=address,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert_same_tables(on, run(sc, runs=1000, seed=11, workers=1))
    assert seen == [(250, 1000), (500, 1000), (750, 1000), (1000, 1000)], seen


def test_a_client_object_works_as_the_scheduler(local_cluster):
    """``scheduler=`` takes a connected ``distributed.Client`` too; a run whose last chunk
    is short (600 = 250 + 250 + 100) lines up as well."""
    sc = load_scenario(VARIANT)
    on = run(sc, runs=600, seed=4, scheduler=local_cluster[1])
    assert_same_tables(on, run(sc, runs=600, seed=4, workers=1))
    assert local_cluster[1].status == "running", "a client handed in is not closed"


def test_compare_submits_every_scenario_at_once(address, count_submissions):
    """A sweep of three scenarios goes to the cluster as one batch of 3 x 2 tasks, and each
    scenario's tables and the paired differences equal the local comparison's."""
    base, variant = load_scenario(BASE), load_scenario(VARIANT)
    scenarios = {
        "base": base,
        "variant": variant,
        "bigger team": base.model_copy(update={"name": "bigger"}),
    }
    on = compare(scenarios, runs=500, seed=8, scheduler=address)
    assert count_submissions == [6], count_submissions
    local = compare(scenarios, runs=500, seed=8, workers=1)
    for name in scenarios:
        assert_same_tables(on.results[name], local.results[name], name)
    pd.testing.assert_frame_equal(on.deltas, local.deltas)


def test_prioritise_simulates_the_base_once_and_ranks_as_locally(address, count_submissions):
    """The base and every candidate in one batch (the base once); the ranking table, every
    candidate's tables, a combination and the best set equal the local session's."""
    ses = load_session(SESSION)
    on = prioritise(ses, runs=250, seed=3, scheduler=address)
    assert count_submissions == [len(ses.candidates) + 1], count_submissions
    local = prioritise(ses, runs=250, seed=3, workers=1)
    pd.testing.assert_frame_equal(on.table, local.table)
    for name in local.results:
        assert_same_tables(on.results[name], local.results[name], name)
    pair = ses.ids()[:2]
    pd.testing.assert_frame_equal(on.combine(pair).deltas, local.combine(pair).deltas)
    assert count_submissions[1:] == [1], "a combination is one scenario: one task"
    assert on.best_set() == local.best_set()


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "text",
    ["not an address", "tcp://", "tcp://host", "host:99999", "udp://host:8786", "tcp://a b:1"],
)
def test_a_malformed_address_is_named(text):
    with pytest.raises(SchedulerError, match="not a Dask scheduler address") as info:
        run(load_scenario(BASE), runs=10, seed=1, scheduler=text)
    assert repr(text)[1:-1] in str(info.value)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_refused_address_is_named_at_once():
    """Nothing listening: a SchedulerError naming the address, well inside the timeout."""
    port = free_port()
    start = time.monotonic()
    with pytest.raises(
        SchedulerError, match=f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}: "
    ):
        run(load_scenario(BASE), runs=10, seed=1, scheduler=f"127.0.0.1:{port}")
    assert time.monotonic() - start < cluster.CONNECT_TIMEOUT_S


def test_a_silent_listener_is_named_within_the_timeout(monkeypatch):
    """A port that accepts but never speaks Dask: the error names the address within the
    connect timeout (shortened here to 2 s), not a hang."""
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 2.0)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    port = server.getsockname()[1]
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    start = time.monotonic()
    try:
        with pytest.raises(SchedulerError, match=f"tcp://127.0.0.1:{port}"):
            run(load_scenario(BASE), runs=10, seed=1, scheduler=f"tcp://127.0.0.1:{port}")
        assert time.monotonic() - start < 2.0 + 3.0
    finally:
        stop.set()
        t.join()
        for c in accepted:
            c.close()
        server.close()


# ------------------------------------------------------------------ command line
def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    import os

    full = {k: v for k, v in os.environ.items() if k != cluster.SCHEDULER_ENV}
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "simulation", *args],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_scheduler_option_and_environment_give_the_local_json(address):
    """``--scheduler ADDRESS`` and ``SIM_SCHEDULER`` print exactly the local summary."""
    args = ("run", str(BASE), "--runs", "500", "--seed", "2", "--json")
    local = cli(*args)
    flag = cli(*args, "--scheduler", address)
    env = cli(*args, env={cluster.SCHEDULER_ENV: address})
    for p in (local, flag, env):
        assert p.returncode == 0, p.stderr
    assert json.loads(flag.stdout) == json.loads(local.stdout)
    assert json.loads(env.stdout) == json.loads(local.stdout)


def test_cli_unreachable_scheduler_exits_2_naming_it():
    port = free_port()
    p = cli(
        "compare",
        str(BASE),
        str(VARIANT),
        "--runs",
        "100",
        env={cluster.SCHEDULER_ENV: f"127.0.0.1:{port}"},
    )
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert f"tcp://127.0.0.1:{port}" in p.stderr and "Traceback" not in p.stderr, p.stderr


# ------------------------------------------------------------------ dashboard
def test_dashboard_forecasts_on_the_cluster_when_sim_scheduler_is_set(
    address, monkeypatch, count_submissions, tmp_path
):
    """With ``SIM_SCHEDULER`` the sidebar names the cluster, the Forecast page's chunks go
    to it, and its figures equal the engine's local numbers."""
    from streamlit.testing.v1 import AppTest

    from dashboard import fmt, saved_files

    monkeypatch.setenv(cluster.SCHEDULER_ENV, address)
    monkeypatch.setenv(saved_files.USER_DIR_ENV, str(tmp_path / "saved"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    version = at.session_state["editor_version"]
    # A seed no other test uses: the page's cache must miss, so the engine runs.
    at.number_input(key=f"sc_runs_{version}").set_value(500).run()
    at.number_input(key=f"sc_seed_{version}").set_value(90_417).run()
    at.switch_page("dashboard/pages/forecast.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(address in c.value and "Dask cluster" in c.value for c in at.sidebar.caption)
    assert count_submissions == [2], "500 runs: two 250-run chunks on the cluster"
    sc = at.session_state["scenario"]
    s = run(sc, runs=500, seed=90_417, workers=1).summary()
    m = {x.label: x.value for x in at.metric}
    assert m["P85 delivery"] == fmt.date(s["delivery"]["p85_date"])
    assert m["NPV (mean)"] == fmt.money(s["value"]["npv_mean"])
