"""Big runs on many cores (``make bench`` with ``--cores N``, or this file directly).

On ``bench/reference.yaml`` (60 items), in this one process so the rows share
the machine's state:

* **scaling table**: 1, 2, 4, ... N workers (the local pool), ``RUNS_PER_WORKER``
  runs per worker, once keeping no table and once keeping every table; runs/s,
  parallel efficiency (runs/s over N times the 1-worker runs/s), the parent's
  share of the wall time (reading chunk results, merging statistics, joining
  columns, building the tables) and the parent's peak resident memory during
  the run (sampled every 0.1 s);
* **the machine's ceiling** at each worker count: as many independent
  processes, each simulating ``RUNS_PER_WORKER`` runs in-process without
  tables, started together; their runs/s together is what the machine gives
  that many busy cores (turbo clocks fall as cores fill, two hardware threads
  share a core), so "of machine" (the pool's runs/s over it) is the pool's own
  loss, apart from the hardware's;
* **Dask vs the pool** at 4 and N workers (``LocalCluster``, one thread per
  worker process), no tables and every table, each a warm cluster and a warm pool;
* **memory**: 1,000,000 runs keeping no table (``--big`` to change), and
  100,000 runs with and without tables, each in a fresh process: runs/s and the
  peak resident memory of the whole process tree (the parent's and every
  worker's ``VmHWM`` summed: an upper bound of the tree's peak);
* **cold command line**: ``python -m simulation run bench/reference.yaml --runs
  1000 --json`` in a fresh process, best of 3, and the same with ``--workers 1``.

Prints the tables and writes JSON (``--out``). Reproduce on any machine with
``python bench/scaling.py --cores N`` (``docs/explanation/big-runs.md``).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))  # the other bench modules

import simulation  # noqa: E402
from simulation.engine import assembly, executors  # noqa: E402

REFERENCE = HERE / "reference.yaml"
SEED = 1
RUNS_PER_WORKER = 4_000


class Parent:
    """Wall time the parent spends on results (reading, merging, joining)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._orig = (executors._read_chunk, assembly.Assembler.add, assembly.Assembler.results)
        read, add, results = self._orig

        def timed(fn):
            def wrapper(*a, **k):
                t0 = time.perf_counter()
                try:
                    return fn(*a, **k)
                finally:
                    self.seconds += time.perf_counter() - t0

            return wrapper

        executors._read_chunk = timed(read)
        assembly.Assembler.add = timed(add)
        assembly.Assembler.results = timed(results)

    def close(self) -> None:
        executors._read_chunk, assembly.Assembler.add, assembly.Assembler.results = self._orig


def _status_mb(pid: int | str, field: str) -> float:
    """A memory field of ``/proc/PID/status`` in MB (0 when the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def hwm_mb(pid: int | str = "self") -> float:
    """Peak resident memory of the process so far."""
    return _status_mb(pid, "VmHWM")


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of the process now."""
    return _status_mb(pid, "VmRSS")


class RssSampler:
    """This process's resident memory every ``every_s`` seconds while it runs (a thread):
    its peak, and the series (seconds from the start, MB) thinned to ``keep`` points."""

    def __init__(self, every_s: float = 0.1, keep: int = 60) -> None:
        self.every_s, self.keep = every_s, keep
        self.series: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        t0 = time.perf_counter()
        while True:
            self.series.append((time.perf_counter() - t0, rss_mb()))
            if self._stop.wait(self.every_s):
                self.series.append((time.perf_counter() - t0, rss_mb()))
                return

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return max((mb for _, mb in self.series), default=0.0)

    def thinned(self) -> list[tuple[float, float]]:
        step = max(1, -(-len(self.series) // self.keep))
        return [(round(t, 2), round(mb, 1)) for t, mb in self.series[::step]]


def timed_run(sc, runs: int, workers: int, tables: str, scheduler=None) -> dict[str, Any]:
    gc.collect()
    parent = Parent()
    try:
        with RssSampler() as rss:
            t0 = time.perf_counter()
            res = simulation.run(
                sc, runs=runs, seed=SEED, workers=workers, tables=tables, scheduler=scheduler
            )
            wall = time.perf_counter() - t0
    finally:
        parent.close()
    p85 = res.summary()["delivery"]["p85_day"]
    del res
    return {
        "runs": runs,
        "workers": workers,
        "tables": tables,
        "wall_s": wall,
        "runs_per_s": runs / wall,
        "parent_s": parent.seconds,
        "parent_share": parent.seconds / wall,
        "parent_rss_peak_mb": rss.peak_mb,
        "parent_rss_mb": rss.thinned(),
        "p85_day": p85,
    }


def solo(scenario: Path, runs: int) -> dict[str, Any]:
    """One of the machine-ceiling processes (``--solo RUNS``): warm up, say "ready", wait
    for "go" on stdin, simulate ``runs`` runs in-process without tables, print the time."""
    sc = simulation.load_scenario(scenario)
    simulation.run(sc, runs=50, seed=SEED, workers=1, tables="none")
    print("ready", flush=True)
    sys.stdin.readline()
    t0 = time.perf_counter()
    simulation.run(sc, runs=runs, seed=SEED, workers=1, tables="none")
    return {"wall_s": time.perf_counter() - t0}


def ceiling(scenario: Path, processes: int, per_worker: int) -> dict[str, Any]:
    """``processes`` independent one-process runs started together: the machine's runs/s
    for that many busy cores (all runs over the slowest process's time)."""
    cmd = [sys.executable, __file__, "--scenario", str(scenario), "--solo", str(per_worker)]
    procs = [
        subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "ready"
        for p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()
        walls = [json.loads(p.communicate()[0].strip().splitlines()[-1])["wall_s"] for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    return {
        "processes": processes,
        "runs_per_s": processes * per_worker / max(walls),
        "slowest_s": max(walls),
        "fastest_s": min(walls),
    }


def scaling(sc, cores: int, per_worker: int, scenario: Path = REFERENCE) -> list[dict[str, Any]]:
    counts = [w for w in (1, 2, 4, 8, 16, 32, 64) if w <= cores]
    if cores not in counts:
        counts.append(cores)
    rows = []
    for w in counts:
        executors.shutdown_pool(wait=True)
        machine = ceiling(scenario, w, per_worker)
        say(f"  {w:>2} independent processes: {machine['runs_per_s']:,.0f} runs/s")
        if w > 1:
            simulation.run(sc, runs=250 * w, seed=SEED, workers=w, tables="none")  # warm pool
        for tables in ("none", "all"):
            row = timed_run(sc, per_worker * w, w, tables)
            row["machine_runs_per_s"] = machine["runs_per_s"]
            row["of_machine"] = row["runs_per_s"] / machine["runs_per_s"]
            rows.append(row)
            say(f"  {w:>2} workers, tables={tables}: {row['runs_per_s']:,.0f} runs/s")
    for tables in ("none", "all"):
        one = next(r for r in rows if r["workers"] == 1 and r["tables"] == tables)
        for r in rows:
            if r["tables"] == tables:
                r["efficiency"] = r["runs_per_s"] / (r["workers"] * one["runs_per_s"])
    return rows


def dask_vs_pool(sc, cores: int, per_worker: int) -> list[dict[str, Any]]:
    from distributed import Client, LocalCluster

    rows = []
    for w in sorted({min(4, cores), cores}):
        executors.shutdown_pool(wait=True)
        cluster = LocalCluster(
            n_workers=w,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        )
        client = Client(cluster, set_as_default=False)
        try:
            simulation.run(sc, runs=250 * w, seed=SEED, workers=w, tables="none")
            simulation.run(sc, runs=250 * w, seed=SEED, scheduler=client, tables="none")
            for tables in ("none", "all"):
                runs = per_worker * w
                pool = timed_run(sc, runs, w, tables)
                dask = timed_run(sc, runs, w, tables, scheduler=client)
                rows.append(
                    {
                        "workers": w,
                        "tables": tables,
                        "runs": runs,
                        "pool_s": pool["wall_s"],
                        "dask_s": dask["wall_s"],
                        "ratio": dask["wall_s"] / pool["wall_s"],
                        "same_p85": pool["p85_day"] == dask["p85_day"],
                    }
                )
                say(f"  {w} workers, tables={tables}: dask/pool {rows[-1]['ratio']:.2f}x")
        finally:
            client.close()
            cluster.close()
    return rows


def memory(sc, cores: int, big: int, medium: int = 100_000) -> list[dict[str, Any]]:
    """Each row in a fresh process, so its peak resident memory is that run's alone."""
    rows = []
    for runs, tables in ((medium, "none"), (medium, "all"), (big, "none")):
        done = subprocess.run(
            [sys.executable, __file__, "--row", f"{runs},{tables},{cores}"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        row = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(row)
        say(
            f"  {runs:,} runs tables={tables}: {row['runs_per_s']:,.0f} runs/s, "
            f"tree peak <= {row['tree_peak_mb']:,.0f} MB"
        )
    return rows


def memory_row(sc, spec: str) -> dict[str, Any]:
    """One memory row in this (fresh) process: ``RUNS,TABLES,WORKERS``."""
    runs, tables, workers = spec.split(",")
    before = hwm_mb()
    row = timed_run(sc, int(runs), int(workers), tables)  # with the parent's RSS over time
    peaks = [hwm_mb(pid) for pid in executors.pool_pids()]
    row.update(
        parent_peak_mb=hwm_mb(),
        parent_before_mb=before,
        worker_peaks_mb=peaks,
        tree_peak_mb=hwm_mb() + sum(peaks),
    )
    return row


def cold_cli(repeats: int = 3) -> dict[str, Any]:
    """The cold command line on the reference scenario, best of ``repeats``: default
    workers, one worker, and the imports alone (measured by ``bench/first_answer.py``)."""
    import first_answer

    def once(extra: tuple[str, ...]) -> float:
        return first_answer.cold_cli_once(ROOT, extra, scenario=str(REFERENCE))["wall_s"]

    default = [once(()) for _ in range(repeats)]
    one = [once(("--workers", "1")) for _ in range(repeats)]
    imports = [first_answer.imports_once(ROOT) for _ in range(repeats)]
    return {
        "default_s": default,
        "workers1_s": one,
        "imports_s": imports,
        "default_best_s": min(default),
        "workers1_best_s": min(one),
        "imports_best_s": min(imports),
    }


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def report(res: dict[str, Any]) -> str:
    lines = [f"Scaling on {res['cores']} workers ({res['cpu_count']} CPUs), reference 60 items"]
    head = ("workers", "tables", "runs", "runs/s", "eff.", "parent", "machine", "of it", "RSS MB")
    lines.append("{:>7} {:>6} {:>9} {:>9} {:>5} {:>6} {:>9} {:>5} {:>6}".format(*head))
    for r in res["scaling"]:
        lines.append(
            f"{r['workers']:>7} {r['tables']:>6} {r['runs']:>9,} {r['runs_per_s']:>9,.0f} "
            f"{r['efficiency']:>5.2f} {r['parent_share']:>6.1%} "
            f"{r['machine_runs_per_s']:>9,.0f} {r['of_machine']:>5.2f} "
            f"{r['parent_rss_peak_mb']:>6,.0f}"
        )
    for r in res.get("dask", []):
        lines.append(
            f"dask vs pool, {r['workers']} workers, tables={r['tables']}, {r['runs']:,} runs: "
            f"{r['dask_s']:.2f} s vs {r['pool_s']:.2f} s = {r['ratio']:.2f}x"
            + ("" if r["same_p85"] else " (P85 differs!)")
        )
    for r in res.get("memory", []):
        lines.append(
            f"{r['runs']:,} runs, tables={r['tables']}, {r['workers']} workers: "
            f"{r['runs_per_s']:,.0f} runs/s, {r['wall_s']:.1f} s; peak RSS parent "
            f"{r['parent_peak_mb']:,.0f} MB + workers {sum(r['worker_peaks_mb']):,.0f} MB "
            f"= {r['tree_peak_mb']:,.0f} MB; parent RSS (s, MB) "
            + " ".join(
                f"{t:g}:{mb:,.0f}"
                for t, mb in r["parent_rss_mb"][:: max(1, len(r["parent_rss_mb"]) // 12)]
            )
        )
    c = res.get("cold_cli")
    if c:
        lines.append(
            f"cold CLI, 1,000 runs --json: {c['default_best_s']:.2f} s (default workers), "
            f"{c['workers1_best_s']:.2f} s (--workers 1); imports alone {c['imports_best_s']:.2f} s"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--per-worker", type=int, default=RUNS_PER_WORKER)
    ap.add_argument("--big", type=int, default=1_000_000, help="runs of the no-table memory row")
    ap.add_argument("--medium", type=int, default=100_000, help="runs of the with/without rows")
    ap.add_argument("--skip", default="", help="comma list of: dask, memory, cli")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--scenario", type=Path, default=REFERENCE, help="default bench/reference.yaml")
    ap.add_argument("--row", help=argparse.SUPPRESS)  # one memory row, in a fresh process
    ap.add_argument("--solo", type=int, help=argparse.SUPPRESS)  # one machine-ceiling process
    args = ap.parse_args(argv)
    if args.solo:
        print(json.dumps(solo(args.scenario, args.solo)))
        return 0
    skip = set(filter(None, args.skip.split(",")))
    sc = simulation.load_scenario(args.scenario)
    if args.row:
        print(json.dumps(memory_row(sc, args.row)))
        return 0
    res: dict[str, Any] = {"cores": args.cores, "cpu_count": os.cpu_count()}
    say("scaling ...")
    res["scaling"] = scaling(sc, args.cores, args.per_worker, args.scenario)
    if "dask" not in skip:
        say("dask vs pool ...")
        res["dask"] = dask_vs_pool(sc, args.cores, args.per_worker)
    if "memory" not in skip:
        say("memory ...")
        res["memory"] = memory(sc, args.cores, args.big, args.medium)
    if "cli" not in skip:
        say("cold CLI ...")
        res["cold_cli"] = cold_cli()
    text = report(res)
    print(text)
    if args.out:
        args.out.write_text(json.dumps(res, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
