"""Scale-out benchmark: a 2-worker Dask LocalCluster against the local process pool.

Two rows (docs/reference/scale-out.md; ``make bench``, or ``bench/run_bench.py --only cluster``):

* **overhead**: ``run`` of the reference scenario (``bench/reference.yaml``,
  10,000 runs = 40 chunks) with ``workers=2`` on the warm local pool and with
  ``scheduler=`` a warm ``LocalCluster(n_workers=2, threads_per_worker=1)``
  (processes), best of ``repeats`` each, interleaved. The ratio cluster / local
  is what the hand-over through Dask costs on one machine (target <= 1.15).
* **sweep**: 20 scenarios (the reference with team sizes 4 to 23), 500 runs
  each under one seed, as ``compare`` runs them: locally one scenario after
  the other on the pool, on the cluster all 40 chunks submitted at once.
  Throughput in runs/s both ways.

Both sides use the same two cores, so the numbers measure overhead, not
scale-out: a real cluster adds cores, not speed per core.
"""

from __future__ import annotations

import gc
import time
from pathlib import Path
from typing import Any

import simulation
from simulation.engine import runner as engine_runner
from simulation.scenario.changes import SetField

HERE = Path(__file__).resolve().parent
REFERENCE = HERE / "reference.yaml"
SEED = 1
#: Overhead target: cluster time / local-pool time on the same cores.
TARGET_OVERHEAD = 1.15
WORKERS = 2


def _timed(fn) -> float:
    gc.collect()
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def sweep_scenarios(sc: simulation.Scenario, n: int = 20) -> dict[str, simulation.Scenario]:
    """``n`` variants of ``sc``: team sizes 4, 5, ... (each re-validated)."""
    return {f"team {k}": SetField(path="team.size", value=k).apply(sc) for k in range(4, 4 + n)}


def bench(
    runs: int = 10_000, sweep_runs: int = 500, sweep_size: int = 20, repeats: int = 2
) -> dict[str, Any]:
    from distributed import Client, LocalCluster

    sc = simulation.load_scenario(REFERENCE)
    sweep = sweep_scenarios(sc, sweep_size)
    cluster = LocalCluster(
        n_workers=WORKERS,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        host="127.0.0.1",
    )
    client = Client(cluster, set_as_default=False)
    try:
        # Warm both: the pool's processes and the workers' imports and first chunk.
        simulation.run(sc, runs=500, seed=SEED, workers=WORKERS)
        simulation.run(sc, runs=500, seed=SEED, scheduler=client)
        local, dask = [], []
        for _ in range(repeats):
            local.append(_timed(lambda: simulation.run(sc, runs=runs, seed=SEED, workers=WORKERS)))
            dask.append(_timed(lambda: simulation.run(sc, runs=runs, seed=SEED, scheduler=client)))
        sweep_local = _timed(
            lambda: simulation.compare(sweep, runs=sweep_runs, seed=SEED, workers=WORKERS)
        )
        sweep_dask = _timed(
            lambda: simulation.compare(sweep, runs=sweep_runs, seed=SEED, scheduler=client)
        )
    finally:
        client.close()
        cluster.close()
        engine_runner.shutdown_pool()
    total = sweep_runs * len(sweep)
    return {
        "runs": runs,
        "workers": WORKERS,
        "local_s": local,
        "cluster_s": dask,
        "local_best_s": min(local),
        "cluster_best_s": min(dask),
        "overhead_ratio": min(dask) / min(local),
        "target": TARGET_OVERHEAD,
        "sweep": {
            "scenarios": len(sweep),
            "runs_each": sweep_runs,
            "local_s": sweep_local,
            "cluster_s": sweep_dask,
            "local_runs_per_s": total / sweep_local,
            "cluster_runs_per_s": total / sweep_dask,
        },
    }


def report(res: dict[str, Any]) -> str:
    s = res["sweep"]
    met = "met" if res["overhead_ratio"] <= res["target"] else "NOT met"
    return "\n".join(
        [
            f"\nScale-out (Dask LocalCluster, {res['workers']} workers x 1 thread, vs the local "
            f"pool of {res['workers']} processes, same cores)",
            f"  {res['runs']:,} runs: local pool {res['local_best_s']:.1f} s, cluster "
            f"{res['cluster_best_s']:.1f} s (best of {len(res['local_s'])}): overhead "
            f"{res['overhead_ratio']:.2f}x (target <= {res['target']:g}x: {met})",
            f"  sweep of {s['scenarios']} scenarios x {s['runs_each']:,} runs: local "
            f"{s['local_runs_per_s']:,.0f} runs/s ({s['local_s']:.1f} s), cluster "
            f"{s['cluster_runs_per_s']:,.0f} runs/s ({s['cluster_s']:.1f} s, all chunks at once)",
        ]
    )


if __name__ == "__main__":
    print(report(bench()))
