"""Where chunks of replications run: in this process, a local process pool, or Dask.

:func:`run_chunks` takes one argument tuple of
:func:`simulation.engine.chunks.simulate_chunk` per chunk and hands each
result to ``on_part(index, part)`` in this thread as it arrives, so the caller
merges or files it at once and memory holds only the chunks in flight. The
local pool is kept for the session (starting it costs more than a small run);
:func:`default_workers` decides when it pays (``docs/explanation/big-runs.md``).
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import pickle
import shutil
import sys
import tempfile
import time
import types
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

from simulation.engine.chunks import simulate_chunk
from simulation.scenario.errors import SimulationError

#: Replications per unit of work handed to a process (amortises the hand-over).
CHUNK_RUNS = 250
#: Replications x backlog items below which worker processes cost more than
#: they save, with the pool already running (the dashboard warms it when it
#: opens): 1,000 runs of the 60-item benchmark took 1.4 s in-process and
#: 0.76 s on a warm 2-process pool.
PARALLEL_MIN_WORK = 1_000 * 60
#: The same without a running pool, which takes about a second to start (a
#: cold command line): 1,000 runs of 60 items ran 0.61x as fast on a cold
#: 2-process pool as in-process.
COLD_MIN_WORK = 8 * PARALLEL_MIN_WORK
#: Chunks queued per worker: enough to keep every worker busy while the parent
#: reads results, few enough that memory does not grow with the run count.
IN_FLIGHT_PER_WORKER = 3

Progress = Callable[[int, int], None]
OnPart = Callable[[int, dict], None]


def chunk_bounds(start: int, stop: int) -> list[tuple[int, int]]:
    """``(first, one past last)`` replication of each chunk of ``start..stop-1``."""
    return [(a, min(a + CHUNK_RUNS, stop)) for a in range(start, stop, CHUNK_RUNS)]


def default_workers(runs: int, items: int = 60) -> int:
    """Processes for ``runs`` replications of a ``items``-item backlog.

    In-process below :data:`PARALLEL_MIN_WORK` replication-items (below
    :data:`COLD_MIN_WORK` while no pool is running); else every core, but never
    more processes than chunks.
    """
    work = runs * max(items, 1)
    if work < (PARALLEL_MIN_WORK if _POOL is not None else COLD_MIN_WORK):
        return 1
    chunks = -(-runs // CHUNK_RUNS)
    return max(min(os.cpu_count() or 1, chunks), 1)


def run_chunks(
    tasks: Sequence[tuple],
    workers: int,
    on_part: OnPart,
    progress: Progress | None = None,
    scheduler: Any = None,
) -> None:
    """``simulate_chunk(*task)`` for every task; ``on_part(i, result)`` as each arrives.

    Parameters
    ----------
    tasks : sequence of tuple
        ``(scenario, seed, start, stop, tables, paired)`` per chunk.
    workers : int
        1: in this process; N: the local pool of N processes. Ignored with a
        ``scheduler`` (the cluster's workers run them).
    on_part : callable
        Called in this thread with the task's index and its result.
    progress : callable, optional
        ``progress(runs_done, runs_total)`` as chunks finish.
    scheduler : str or distributed.Client, optional
        A Dask scheduler (:mod:`simulation.engine.cluster`).

    Raises
    ------
    SimulationError
        A worker process died, or the cluster was lost.
    """
    sizes = [t[3] - t[2] for t in tasks]
    if scheduler is not None:
        from simulation.engine.cluster import map_chunks

        map_chunks(scheduler, simulate_chunk, tasks, sizes, progress, on_result=on_part)
        return
    total, done = sum(sizes), 0
    if workers <= 1 or len(tasks) == 1:
        for i, t in enumerate(tasks):
            on_part(i, simulate_chunk(*t))
            done += sizes[i]
            if progress:
                progress(done, total)
        return
    pool = _pool(workers)
    folder = tempfile.mkdtemp(prefix="sim-chunks-", dir=_HANDOFF_DIR)
    pending: dict[Any, int] = {}
    todo = iter(range(len(tasks)))
    try:
        with _bare_main():  # in case the pool replaces a worker
            for i in todo:
                pending[pool.submit(_chunk_to_file, *tasks[i], folder)] = i
                if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                    break
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                i = pending.pop(fut)
                on_part(i, _read_chunk(fut.result()))
                done += sizes[i]
                if progress:
                    progress(done, total)
                nxt = next(todo, None)
                if nxt is not None:
                    with _bare_main():
                        pending[pool.submit(_chunk_to_file, *tasks[nxt], folder)] = nxt
    except BrokenProcessPool as exc:
        shutdown_pool()
        raise SimulationError(
            "a worker process stopped unexpectedly (out of memory or killed); "
            "no results were produced - try again, or with workers=1"
        ) from exc
    finally:
        for fut in pending:
            fut.cancel()
        shutil.rmtree(folder, ignore_errors=True)


# ------------------------------------------------------------------- pool
_POOL: ProcessPoolExecutor | None = None
_POOL_SIZE = 0


def _pool(workers: int) -> ProcessPoolExecutor:
    """One process pool per Python process, reused (start-up cost is paid once)."""
    global _POOL, _POOL_SIZE
    if _POOL is None or workers != _POOL_SIZE:
        shutdown_pool()
        # forkserver, not fork: the dashboard's server is multi-threaded, and a forked
        # child can inherit a lock some other thread held. The server process imports
        # the engine once; each worker then starts from it in milliseconds.
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["simulation.engine.executors"])
        _POOL = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
        with _bare_main():  # start every worker now, while __main__ is hidden
            for fut in [_POOL.submit(time.sleep, 0.05) for _ in range(workers)]:
                fut.result()
        _POOL_SIZE = workers
    return _POOL


def pool_pids() -> list[int]:
    """Process ids of the pool's workers (empty when no pool runs)."""
    procs = getattr(_POOL, "_processes", None) or {}
    return list(procs)


def shutdown_pool(wait: bool = False) -> None:
    """Stop the pool's processes (``wait``: until they have exited)."""
    global _POOL
    if _POOL is not None:
        pool, _POOL = _POOL, None
        pool.shutdown(wait=wait, cancel_futures=True)


def forkserver_pid() -> int | None:
    """Process id of the server that starts the pool's workers (None when none runs)."""
    from multiprocessing import forkserver

    return getattr(forkserver._forkserver, "_forkserver_pid", None)


def _shutdown_at_exit() -> None:
    # Wait for the workers and stop the server that forked them, so a command
    # line leaves no process behind (the server otherwise lingers after exit).
    had_pool = _POOL is not None
    shutdown_pool(wait=True)
    if had_pool:
        with contextlib.suppress(Exception):  # a private hook of multiprocessing
            from multiprocessing import forkserver

            forkserver._forkserver._stop()


atexit.register(_shutdown_at_exit)


@contextmanager
def _bare_main():
    """Start worker processes without the host's ``__main__``.

    forkserver children re-import the parent's main module, which here may be a
    Streamlit script or stdin: they must only import the engine.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def warm_pool() -> None:
    """Start the worker processes now (e.g. when the dashboard opens), not on first use."""
    workers = max(os.cpu_count() or 1, 1)
    if workers > 1:
        _pool(workers)


#: Where workers leave their chunks' results: memory-backed where the system has it.
_HANDOFF_DIR = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


def _chunk_to_file(*args: Any) -> str:
    """In a worker: ``simulate_chunk(*args[:-1])``, its result left in a file in ``args[-1]``.

    Only the file's name crosses the pool's result pipe. A message that short is
    written to the pipe in one piece, so a worker killed mid-hand-over (out of
    memory, or by a signal) cannot leave half a message there; with the tables
    themselves in the pipe, CPython's executor then waited forever for the rest
    instead of reporting a broken pool.
    """
    *task, folder = args
    part = simulate_chunk(*task)
    path = os.path.join(folder, f"{task[2]}-{os.getpid()}.pickle")
    with open(path + ".part", "wb") as f:
        pickle.dump(part, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(path + ".part", path)
    return path


def _read_chunk(path: str) -> dict:
    with open(path, "rb") as f:
        part = pickle.load(f)
    os.unlink(path)
    return part
