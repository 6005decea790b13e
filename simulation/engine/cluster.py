"""Chunks of replications on a Dask distributed cluster (docs/reference/scale-out.md).

The runner hands :func:`map_chunks` its chunk function and one argument tuple
per chunk; each chunk becomes one Dask task and the results come back in the
order the tuples were given. A chunk is a pure function of its arguments
(scenario, seed, first and last replication), so the tables are the same
whichever worker ran it, and however often.

This module imports nothing from the runner (the runner imports it, lazily,
when a scheduler is given) and imports ``distributed`` only inside functions:
a local run never pays for it.

Failure handling, with the times it allows:

* an address that is malformed, refused or silent for
  :data:`CONNECT_TIMEOUT_S` is a :class:`SchedulerError` naming it;
* a worker that dies mid-chunk: the scheduler runs the chunk again on another
  worker, up to ``distributed.scheduler.allowed-failures`` deaths per chunk
  (Dask's default, :data:`ALLOWED_FAILURES`; the scheduler's own setting
  governs), then the run ends with a :class:`SimulationError`;
* an error raised inside a chunk is retried :data:`CHUNK_RETRIES` times (a
  worker short of memory, say), then raised;
* the scheduler lost mid-run (its connection closes: noticed at once; a
  silent network: after Dask's ``distributed.comm.timeouts.tcp``, 30 s by
  default) ends the run with a :class:`SimulationError` naming the address;
* a cluster without a single worker for :data:`NO_WORKERS_TIMEOUT_S` ends the
  run the same way, instead of waiting for workers forever;
* a scheduler alive but not answering (stopped with SIGSTOP, swapped out), whose
  connection stays open: each liveness question waits :data:`ANSWER_TIMEOUT_S`,
  and no answer for :data:`SILENT_TIMEOUT_S` ends the run the same way.
"""

from __future__ import annotations

import contextlib
import queue
import re
import socket
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from simulation.scenario.errors import ScenarioError, SimulationError

#: Environment variable the CLI and the dashboard read for a scheduler address.
SCHEDULER_ENV = "SIM_SCHEDULER"
#: Seconds to reach the scheduler (TCP connect, then the Dask handshake).
CONNECT_TIMEOUT_S = 10.0
#: Seconds a cluster may have no worker at all before the run gives up.
NO_WORKERS_TIMEOUT_S = 60.0
#: Seconds the client may be disconnected from the scheduler before the run gives up.
LOST_TIMEOUT_S = 10.0
#: Seconds one liveness question to the scheduler may take.
ANSWER_TIMEOUT_S = 2.0
#: Seconds a connected scheduler may leave every liveness question unanswered.
SILENT_TIMEOUT_S = 30.0
#: Seconds between liveness checks while no chunk finishes.
POLL_S = 0.5
#: Retries of a chunk that raised an error on a worker (not a worker death).
CHUNK_RETRIES = 2
#: Worker deaths a chunk may cause before Dask gives up on it (Dask's default).
ALLOWED_FAILURES = 3

_ADDRESS = re.compile(
    r"^(?:(?P<scheme>tcp|tls|ws|wss)://)?"
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(?P<port>\d{1,5})/?$"
)
#: One client per scheduler address per process: connecting costs a round trip
#: and a handshake; the dashboard runs many small jobs.
_CLIENTS: dict[str, Any] = {}

Progress = Callable[[int, int], None]


class SchedulerError(ScenarioError):
    """A scheduler address that is malformed or cannot be reached (bad input: CLI exit 2)."""


def parse_address(address: str) -> tuple[str, str, int]:
    """``(address with scheme, host, port)`` of a scheduler address.

    ``HOST:PORT`` means ``tcp://HOST:PORT``.

    Raises
    ------
    SchedulerError
        If the text is not ``[tcp|tls|ws|wss://]HOST:PORT`` with a port 1-65535.
    """
    text = str(address).strip()
    m = _ADDRESS.match(text)
    port = int(m["port"]) if m else 0
    if not m or not 1 <= port <= 65_535:
        raise SchedulerError(
            f"scheduler '{address}': not a Dask scheduler address; expected "
            "tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786"
        )
    scheme = m["scheme"] or "tcp"
    host = m["host"].strip("[]")
    return f"{scheme}://{m['host']}:{port}", host, port


def client_for(scheduler: Any) -> tuple[Any, str]:
    """A connected ``distributed.Client`` and the address it talks to.

    ``scheduler`` is an address (a client is made once and kept for the
    process) or a ``distributed.Client`` (used as it is, never closed here).

    Raises
    ------
    SchedulerError
        Malformed address, or nothing answering as a Dask scheduler there
        within :data:`CONNECT_TIMEOUT_S`.
    """
    if not isinstance(scheduler, str):
        address = getattr(getattr(scheduler, "scheduler", None), "address", None)
        if address is None or not hasattr(scheduler, "submit"):
            raise SchedulerError(
                f"scheduler: expected an address or a distributed.Client, "
                f"got {type(scheduler).__name__}"
            )
        return scheduler, str(address)
    address, host, port = parse_address(scheduler)
    client = _CLIENTS.get(address)
    if client is not None and client.status == "running":
        return client, address
    _CLIENTS.pop(address, None)
    # A plain TCP connect first: a refused port or an unknown host answers in
    # milliseconds with a reason the user can act on; Dask's own connect only
    # says it timed out, and only after its timeout.
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        reason = (
            f"no answer within {CONNECT_TIMEOUT_S:g} s"
            if isinstance(exc, TimeoutError)
            else (exc.strerror or str(exc))
        )
        raise SchedulerError(f"cannot reach the Dask scheduler at {address}: {reason}") from None
    kind = _identity(address)
    if kind != "Scheduler":
        raise SchedulerError(
            f"{address} is a Dask {kind}, not the scheduler: give the "
            "address `dask scheduler` printed"
        )
    from distributed import Client

    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, ValueError) as exc:
        raise SchedulerError(
            f"no Dask scheduler answered at {address} within {CONNECT_TIMEOUT_S:g} s ({exc})"
        ) from None
    _CLIENTS[address] = client
    return client, address


def _identity(address: str) -> str:
    """What answers at ``address`` ("Scheduler", "Worker", ...), within the connect timeout.

    ``distributed.Client`` waits forever on a port that accepts the connection
    but never answers (a different service, a stuck process), whatever its
    ``timeout``; this asks for the identity with a deadline of our own. It
    runs its event loop in a thread of its own, so it works where the caller
    already has one running (a notebook).
    """
    import asyncio

    from distributed.core import rpc

    async def ask() -> dict:
        async with rpc(address, timeout=CONNECT_TIMEOUT_S) as remote:
            return await remote.identity()

    def in_thread() -> dict:
        return asyncio.run(asyncio.wait_for(ask(), CONNECT_TIMEOUT_S))

    with ThreadPoolExecutor(1, thread_name_prefix="sim-scheduler-probe") as pool:
        try:
            answer = pool.submit(in_thread).result()
        except (OSError, TimeoutError, ValueError) as exc:
            reason = (
                f"no Dask answer within {CONNECT_TIMEOUT_S:g} s"
                if isinstance(exc, TimeoutError)
                else str(exc)
            )
            raise SchedulerError(
                f"cannot reach the Dask scheduler at {address}: {reason}"
            ) from None
        except Exception as exc:  # not Dask's protocol at all: garbage came back
            raise SchedulerError(
                f"no Dask scheduler at {address}: it answered something else ({type(exc).__name__})"
            ) from None
    return (
        str(answer.get("type", "unknown service"))
        if isinstance(answer, dict)
        else ("unknown service")
    )


def close_clients() -> None:
    """Close the clients this module opened (tests; a long-lived process changing cluster)."""
    while _CLIENTS:
        _, client = _CLIENTS.popitem()
        with contextlib.suppress(Exception):  # a client whose scheduler is gone may time out
            client.close(timeout=2)


def map_chunks(
    scheduler: Any,
    fn: Callable[..., Any],
    tasks: Sequence[tuple],
    sizes: Sequence[int],
    progress: Progress | None = None,
    on_result: Callable[[int, Any], None] | None = None,
) -> list[Any]:
    """``[fn(*t) for t in tasks]``, each call a task on the cluster, all submitted at once.

    Parameters
    ----------
    scheduler : str or distributed.Client
        Where to run (see :func:`client_for`).
    fn : callable
        Importable by name on the workers (the ``simulation`` package must be
        installed or on ``PYTHONPATH`` there).
    tasks : sequence of tuple
        The arguments of each call.
    sizes : sequence of int
        Replications in each task, for ``progress``.
    progress : callable, optional
        ``progress(runs_done, runs_total)`` as chunks finish, in this thread.
    on_result : callable, optional
        ``on_result(index, result)`` as each result arrives, in this thread;
        the result is then not kept (a big run merges reduced chunks as they
        come instead of holding them all).

    Returns
    -------
    list
        The results, in the order of ``tasks`` (None each where ``on_result``
        took them).

    Raises
    ------
    SchedulerError
        The scheduler cannot be reached.
    SimulationError
        The scheduler was lost mid-run, the cluster had no worker for
        :data:`NO_WORKERS_TIMEOUT_S`, or a chunk killed too many workers.
    """
    client, address = client_for(scheduler)
    total = sum(sizes)
    futures = [client.submit(fn, *args, pure=False, retries=CHUNK_RETRIES) for args in tasks]
    where = {f.key: i for i, f in enumerate(futures)}
    finished: queue.Queue = queue.Queue()

    def collect(fut) -> None:
        # Dask calls this in its callback thread: the result's transfer happens
        # there, while the loop below keeps watching the scheduler.
        try:
            finished.put((fut, fut.result() if fut.status == "finished" else None, None))
        except BaseException as exc:
            finished.put((fut, None, exc))

    for f in futures:
        f.add_done_callback(collect)
    results: list[Any] = [None] * len(futures)
    remaining = len(futures)
    done = 0
    watch = _Watch(client, address)
    try:
        while remaining:
            try:
                fut, value, exc = finished.get(timeout=POLL_S)
            except queue.Empty:
                watch.check()
                continue
            if fut.status == "cancelled" or _is_cancelled(exc):
                raise SimulationError(_lost(address)) from None
            if fut.status == "error" or exc is not None:
                _raise_chunk_error(fut, exc, address)
            i = where[fut.key]
            if on_result is None:
                results[i] = value
            else:
                on_result(i, value)
            fut.release()
            remaining -= 1
            done += sizes[i]
            if progress:
                progress(done, total)
    finally:
        if remaining:
            if watch.silent_since is not None:
                # A silent scheduler would not answer the cancel either: drop the client
                # (its chunks end with the scheduler) instead of waiting on it.
                _CLIENTS.pop(address, None)
                with contextlib.suppress(Exception):
                    client.close(timeout=ANSWER_TIMEOUT_S)
            else:
                _cancel(client, futures)
                if client.status != "running":
                    _CLIENTS.pop(address, None)
    return results


class _Watch:
    """Liveness of the scheduler and its workers while no chunk finishes."""

    def __init__(self, client: Any, address: str) -> None:
        self.client = client
        self.address = address
        self.disconnected_since: float | None = None
        self.no_workers_since: float | None = None
        self.silent_since: float | None = None

    def check(self) -> None:
        now = time.monotonic()
        if self.client.status != "running":
            self.disconnected_since = self.disconnected_since or now
            if now - self.disconnected_since > LOST_TIMEOUT_S:
                raise SimulationError(_lost(self.address))
            return
        self.disconnected_since = None
        try:
            workers = len(self.client.nthreads(callback_timeout=ANSWER_TIMEOUT_S))
        except TimeoutError:
            self.silent_since = self.silent_since or now
            if time.monotonic() - self.silent_since > SILENT_TIMEOUT_S:
                raise SimulationError(
                    f"the Dask scheduler at {self.address} has not answered for "
                    f"{SILENT_TIMEOUT_S:g} s although its connection is open (stopped or "
                    "overloaded?); no results were produced - check the scheduler and try "
                    "again (or run without --scheduler)"
                ) from None
            return
        except OSError:
            return  # the connection is going: the status check above sees it next time
        self.silent_since = None
        if workers:
            self.no_workers_since = None
            return
        self.no_workers_since = self.no_workers_since or now
        if now - self.no_workers_since > NO_WORKERS_TIMEOUT_S:
            raise SimulationError(
                f"the Dask cluster at {self.address} has had no worker for "
                f"{NO_WORKERS_TIMEOUT_S:g} s; start one with: dask worker {self.address}"
            )


def _lost(address: str) -> str:
    return (
        f"lost the connection to the Dask scheduler at {address} mid-run; no results "
        "were produced - check the scheduler and try again (or run without --scheduler)"
    )


def _is_cancelled(exc: BaseException | None) -> bool:
    from distributed.client import FutureCancelledError

    return isinstance(exc, FutureCancelledError)


def _raise_chunk_error(fut: Any, exc: BaseException | None, address: str) -> None:
    from distributed.scheduler import KilledWorker

    exc = exc if exc is not None else fut.exception()
    if isinstance(exc, KilledWorker):
        raise SimulationError(
            f"workers of the Dask cluster at {address} kept dying while running the same "
            "chunk of runs (out of memory or killed) until Dask's retry limit was spent "
            "(distributed.scheduler.allowed-failures); no results were produced"
        ) from None
    raise exc


def _cancel(client: Any, futures: list[Any]) -> None:
    """Free the cluster of chunks nobody will collect (best effort: it may be gone)."""
    with contextlib.suppress(Exception):
        client.cancel([f for f in futures if not f.done()], asynchronous=False)
