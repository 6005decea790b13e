"""Benchmark the engine against the floor model (``make bench``).

Measures, in this one process (so the comparisons share a machine state):

* replications per second of ``simulation.run`` on ``bench/reference.yaml``
  (60 items) on one core (``workers=1``) and on all cores;
* the engine/floor time ratio: same runs, same seed, best of 3 each,
  interleaved (``bench/floor.py`` is the bare-minimum SimPy model);
* wall time of 10,000 runs with ``workers=None`` (the runner picks all cores)
  and the memory of the resulting tables;
* scaling: runs/s at 15, 60 and 240 items (1,000 runs) and at 1,000 and
  10,000 runs (60 items), one core;
* the dashboard's recompute: a small change (one more person) applied to the
  validated scenario, then ``run(..., runs=1000)`` with the default workers and
  a warm pool (as the dashboard runs it), ``summary()``, and the Forecast page's
  tables and chart specs;
* History: 10,000 runs of a 40-item *when* throughput forecast from the demo
  export ``scenarios/history/team-stories.csv`` (numpy, one core), best of 5;
  ``--only history`` measures just this row;
* a fast first answer (``bench/first_answer.py``): the cold command line
  (``run supply-chain.yaml --runs 1000 --json`` in a fresh process, wall and CPU
  time, and whether it imported pandas) and the dashboard's cold Forecast click
  in Chromium, split into the server's part and the browser's; ``--only first``
  measures just these (``bench/first_answer.py --tree DIR`` against another checkout).

Prints a table and writes ``bench/results.json`` (machine, versions, date, git
commit of the engine, every number). ``--quick`` is a smoke run with small N
(a few seconds; written only with ``--out``). ``--profile`` prints a cProfile of
1,000 reference runs instead of benchmarking.

Timing is wall-clock ``time.perf_counter``; garbage is collected before each
timed call. Memory: the tables' ``DataFrame.memory_usage(deep=True)`` (bytes of
``res.runs``, ``res.items``, ``res.weekly``; it counts a string repeated on many
rows once per row, so it is an upper bound for text columns) plus the
operating system's peak resident set size (``ru_maxrss`` of this process;
``VmHWM`` of each worker process from ``/proc`` where available).

A busy-loop "cpu check" before and after says whether other programs shared
the cores (the numbers are then pessimistic), and an untimed "floor check"
shows the floor and the engine model the same initiative.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import json
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import floor
import recipe
import yaml

import simulation
from simulation.engine import runner as engine_runner
from simulation.scenario.schema import parse_scenario

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


REFERENCE = HERE / "reference.yaml"
RESULTS = HERE / "results.json"
SEED = 1

#: Run counts for a full benchmark and for ``--quick``.
FULL = {
    "runs": 1000,
    "parallel_runs": 1000,
    "repeats": 3,
    "big_runs": 10_000,
    "big_repeats": 2,
    "scale_runs": (1000, 10_000),
    "item_sizes": (15, 60, 240),
    "recompute_seeds": (1, 2, 3),
}
QUICK = {
    "runs": 100,
    "parallel_runs": 500,
    "repeats": 2,
    "big_runs": 1000,
    "big_repeats": 1,
    "scale_runs": (100, 400),
    "item_sizes": (15, 60, 240),
    "recompute_seeds": (1, 2),
}
#: Target from the design (section 7) and the issue, printed beside the numbers.
TARGET_RATIO = 2.0
TARGET_RECOMPUTE_S = 1.0


# ----------------------------------------------------------------- helpers
def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Wall time of one call (after a garbage collection) and its result."""
    gc.collect()
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def maxrss_mb() -> float:
    """Peak resident set size of this process so far, MB (Linux reports KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024 if sys.platform != "darwin" else kib / 2**20


def worker_peaks_mb() -> list[float]:
    """Peak RSS (VmHWM) of the runner's live worker processes, MB (Linux only)."""
    from simulation.engine import executors

    peaks = []
    for pid in executors.pool_pids():
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        except OSError:
            pass
    return peaks


def _spin(n: int) -> float:
    """Pure-Python busy loop (the calibration's unit of work); returns its wall time."""
    t0 = time.perf_counter()
    x = 0
    for i in range(n):
        x += i * i
    return time.perf_counter() - t0


def cpu_check(workers: int, n: int = 5_000_000) -> dict[str, Any]:
    """How much parallel speed-up the machine offers right now.

    Runs the same busy loop once in this process, then once in each of
    ``workers`` processes at the same time. A speed-up well below ``workers``
    means other programs are using the cores, and every number below is slower
    (the parallel ones most). The load average is recorded for the same reason.
    """
    from concurrent.futures import ProcessPoolExecutor

    one = _spin(n)
    with ProcessPoolExecutor(workers) as ex:
        list(ex.map(_spin, [n // 10] * workers))  # start the processes
        t0 = time.perf_counter()
        list(ex.map(_spin, [n] * workers))
        many = time.perf_counter() - t0
    return {
        "workers": workers,
        "one_s": one,
        "parallel_s": many,
        "speedup": workers * one / many,
        "loadavg": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def tables_mb(res: simulation.Results) -> dict[str, float]:
    """Bytes held by each results table (``memory_usage(deep=True)``), MB."""
    out = {
        name: float(getattr(res, name).memory_usage(deep=True).sum()) / 2**20
        for name in ("runs", "items", "weekly")
    }
    out["total"] = sum(out.values())
    return out


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "usable_cpus": usable,
        "memory_gb": mem_gb,
    }


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("numpy", "pandas", "simpy", "pydantic", "PyYAML"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "missing"
    return out


def git_state() -> dict[str, Any]:
    """The commit benchmarked, and whether simulation/ had uncommitted edits."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()

    try:
        return {
            "commit": git("rev-parse", "HEAD"),
            "simulation_dirty": bool(git("status", "--porcelain", "--", "simulation")),
        }
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "simulation_dirty": None}


def load_reference() -> tuple[dict[str, Any], simulation.Scenario]:
    """The reference as data (for the floor) and as a validated Scenario (for the engine)."""
    data = yaml.safe_load(REFERENCE.read_text())
    if data != recipe.scenario_data(recipe.REFERENCE_ITEMS):
        print(
            "warning: bench/reference.yaml differs from bench/recipe.py; regenerate it "
            "with `.venv/bin/python bench/recipe.py > bench/reference.yaml`",
            file=sys.stderr,
        )
    return data, simulation.load_scenario(REFERENCE)


def engine(
    sc: simulation.Scenario, runs: int, workers: int | None = 1, seed: int = SEED
) -> simulation.Results:
    return simulation.run(sc, runs=runs, seed=seed, workers=workers)


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------- sections
def bench_ratio(data, sc, runs: int, repeats: int) -> dict[str, Any]:
    """Engine vs floor on one core: same runs, interleaved, best of ``repeats``."""
    engine(sc, 50)  # warm imports and caches
    floor.simulate(data, 50, SEED)
    eng, flo = [], []
    for _ in range(repeats):
        eng.append(timed(lambda: engine(sc, runs))[0])
        flo.append(timed(lambda: floor.simulate(data, runs, SEED))[0])
    best_e, best_f = min(eng), min(flo)
    return {
        "runs": runs,
        "engine_s": eng,
        "floor_s": flo,
        "engine_best_s": best_e,
        "floor_best_s": best_f,
        "engine_runs_per_s": runs / best_e,
        "floor_runs_per_s": runs / best_f,
        "ratio": best_e / best_f,
    }


def bench_parallel(sc, runs: int, repeats: int, workers: int) -> dict[str, Any]:
    """``workers`` processes: the first call starts the pool (cold), the rest reuse it."""
    engine_runner.shutdown_pool()
    cold = timed(lambda: engine(sc, runs, workers))[0]
    warm = [timed(lambda: engine(sc, runs, workers))[0] for _ in range(repeats)]
    return {
        "runs": runs,
        "workers": workers,
        "cold_s": cold,
        "warm_s": warm,
        "runs_per_s": runs / min(warm),
        "cold_runs_per_s": runs / cold,
    }


def bench_big(sc, runs: int, repeats: int) -> dict[str, Any]:
    """``runs`` replications with ``workers=None`` (the runner's default: all cores).

    Memory is read after the first call; the wall time is the best of ``repeats``.
    """
    rss_before = maxrss_mb()
    workers = engine_runner.default_workers(runs)
    if workers > 1:
        engine_runner.shutdown_pool()  # fresh workers, so their peak RSS is this run's
        chunk = getattr(engine_runner, "CHUNK_RUNS", 250)
        engine(sc, 2 * chunk, workers)  # ...but started before timing
    wall, res = timed(lambda: engine(sc, runs, None))
    out = {
        "runs": runs,
        "workers": workers,
        "tables_mb": tables_mb(res),
        "rows": {"runs": len(res.runs), "items": len(res.items), "weekly": len(res.weekly)},
        "maxrss_before_mb": rss_before,
        "maxrss_after_mb": maxrss_mb(),
        "worker_peak_rss_mb": worker_peaks_mb() if workers > 1 else [],
    }
    out["summary_s"] = timed(res.summary)[0]
    del res
    walls = [wall] + [timed(lambda: engine(sc, runs, None))[0] for _ in range(repeats - 1)]
    out.update(wall_all_s=walls, wall_s=min(walls), runs_per_s=runs / min(walls))
    return out


def bench_items(sizes, runs: int, ratio: dict[str, Any]) -> list[dict[str, Any]]:
    """Runs/s on one core by backlog size (the recipe at each size; 60 = the reference row)."""
    rows = []
    for n in sizes:
        if n == recipe.REFERENCE_ITEMS and ratio["runs"] == runs:
            e, f = ratio["engine_best_s"], ratio["floor_best_s"]
        else:
            data = recipe.scenario_data(n)
            sc = parse_scenario(data)
            e = timed(lambda sc=sc: engine(sc, runs))[0]
            f = timed(lambda data=data: floor.simulate(data, runs, SEED))[0]
        rows.append(
            {
                "items": n,
                "runs": runs,
                "engine_s": e,
                "floor_s": f,
                "engine_runs_per_s": runs / e,
                "floor_runs_per_s": runs / f,
                "ratio": e / f,
            }
        )
        say(f"  {n} items: engine {runs / e:,.0f} runs/s, floor {runs / f:,.0f} runs/s")
    return rows


def _phases(sc, runs: int) -> tuple[float, float] | None:
    """(simulate, assemble) seconds of ``run(sc, runs, workers=1)``: the chunks
    (``engine.chunks``), then joining them into tables (``engine.assembly``)."""
    from simulation.engine.assembly import Assembler
    from simulation.engine.chunks import simulate_chunk
    from simulation.engine.executors import chunk_bounds

    bounds = chunk_bounds(0, runs)
    t_sim, parts = timed(lambda: [simulate_chunk(sc, SEED, a, b) for a, b in bounds])

    def assemble():
        acc = Assembler(sc, SEED, "all", 0)
        acc.expect(0, runs)
        acc.parts = [None] * len(parts)
        for i, p in enumerate(parts):
            acc.add(i, p)
        return acc.results()

    return t_sim, timed(assemble)[0]


def bench_runs(sc, counts, ratio: dict[str, Any]) -> list[dict[str, Any]]:
    """Runs/s on one core by number of runs (60 items), split into simulate + assemble."""
    rows = []
    for n in counts:
        phases = None
        if n == ratio["runs"]:
            e = ratio["engine_best_s"]
        else:
            phases = _phases(sc, n)
            e = sum(phases) if phases else timed(lambda n=n: engine(sc, n))[0]
        row = {"runs": n, "engine_s": e, "engine_runs_per_s": n / e}
        if phases:
            row["simulate_s"], row["assemble_s"] = phases
        rows.append(row)
        say(f"  {n:,} runs: {n / e:,.0f} runs/s")
    return rows


def bench_recompute(data, sc, runs: int, seeds) -> dict[str, Any]:
    """The dashboard's loop: change one lever, re-run 1,000 runs (default workers), summarise."""
    team = sc.team
    bigger = {"size": team.size + 1, "wip_limit": (team.wip_limit + 1) if team.wip_limit else None}
    t_copy, variant = timed(lambda: sc.model_copy(update={"team": team.model_copy(update=bigger)}))
    changed = {**data, "team": {**data["team"], **{k: v for k, v in bigger.items() if v}}}
    t_parse, parsed = timed(lambda: parse_scenario(changed))
    assert parsed.team.size == variant.team.size
    # As the dashboard does it: the runner's default workers, with the pool the app
    # starts when it opens already running.
    engine_runner.warm_pool()
    # What the Forecast page then builds from the results (pure pandas and Altair; the
    # dashboard caches it with the forecast): its tables and its five chart specs.
    from dashboard import charts, page_tables

    def page(res: simulation.Results) -> dict[str, Any]:
        tables = page_tables.forecast_tables(res)
        return charts.specs(
            charts.forecast_charts(tables, variant.deadline, variant.value.outcome.by)
        )

    runs_s, summary_s, page_s = [], [], []
    for s in seeds:
        t, res = timed(lambda s=s: engine(variant, runs, None, s))
        runs_s.append(t)
        summary_s.append(timed(res.summary)[0])
        page_s.append(timed(lambda res=res: page(res))[0])
    best_run = min(runs_s)
    median_run = statistics.median(runs_s)
    median_sum = statistics.median(summary_s)
    median_page = statistics.median(page_s)
    return {
        "runs": runs,
        "seeds": list(seeds),
        "change": "team.size + 1 (wip_limit + 1)",
        "model_copy_s": t_copy,
        "reparse_s": t_parse,
        "run_s": runs_s,
        "summary_s": summary_s,
        "run_median_s": median_run,
        "run_best_s": best_run,
        "page_s": page_s,
        "page_median_s": median_page,
        "total_median_s": t_parse + median_run + median_sum + median_page,
    }


def bench_history(runs: int = 10_000, items: int = 40, repeats: int = 5) -> dict[str, Any]:
    """A *when* forecast of ``items`` items, ``runs`` runs, from the demo export's window."""
    from simulation.history import read_history

    h = read_history(ROOT / "scenarios" / "history" / "team-stories.csv")
    read_s = timed(lambda: read_history(ROOT / "scenarios" / "history" / "team-stories.csv"))[0]
    tp = h.throughput()
    times = [timed(lambda: h.when(items, runs=runs, seed=SEED))[0] for _ in range(repeats)]
    return {
        "runs": runs,
        "items": items,
        "when_s": times,
        "when_best_s": min(times),
        "read_s": read_s,
        "window_working_days": len(tp.samples),
        "mean_per_day": float(tp.samples.mean()),
    }


def floor_check(data, runs: int) -> dict[str, Any]:
    """Is the floor the same work? Engine vs floor with the engine-only mechanisms off.

    With misfits, the extra-work risk and change control switched off, the two
    models describe the same initiative, so their mean delivery day and mean
    value should agree closely (they differ in pulling order: the engine pulls
    in backlog order, the floor first come, first served). Not timed.
    """
    import numpy as np

    same = yaml.safe_load(yaml.safe_dump(data))
    same["iteration"]["misfit_probability"] = 0.0
    same["scope"]["change_control_days"] = 0.0
    same["risks"] = [r for r in same["risks"] if r["impact"]["kind"] == "blocker"]
    eng = engine(parse_scenario(same), runs).runs
    flo = floor.simulate(same, runs, SEED)
    return {
        "runs": runs,
        "engine_delivery_mean": float(eng["delivery_day"].mean()),
        "floor_delivery_mean": float(np.mean(flo["delivery_day"])),
        "engine_value_mean": float(eng["value"].mean()),
        "floor_value_mean": float(np.mean(flo["value"])),
    }


# ------------------------------------------------------------------ report
def table(res: dict[str, Any]) -> str:
    r, p, b = res["ratio"], res["parallel"], res["big"]
    rc = res["recompute"]
    lines = [("Row", "Value", "Note")]

    def row(name: str, value: str, note: str = "") -> None:
        lines.append((name, value, note))

    row(
        "engine, 1 core",
        f"{r['engine_runs_per_s']:,.0f} runs/s",
        f"reference 60 items, {r['runs']:,} runs, best of {len(r['engine_s'])}",
    )
    row("floor, 1 core", f"{r['floor_runs_per_s']:,.0f} runs/s", "bench/floor.py, same runs")
    row("engine / floor", f"{r['ratio']:.2f}x", f"target <= {TARGET_RATIO:g}x")
    row(
        f"engine, {p['workers']} workers",
        f"{p['runs_per_s']:,.0f} runs/s",
        f"{p['runs']:,} runs, warm pool; first call {p['cold_s']:.2f} s (starts the pool)",
    )
    row(
        f"{b['runs']:,} runs, workers=None",
        f"{b['wall_s']:.1f} s",
        f"{b['workers']} workers, {b['runs_per_s']:,.0f} runs/s, best of {len(b['wall_all_s'])}; "
        f"summary() {b['summary_s'] * 1e3:.0f} ms",
    )
    t = b["tables_mb"]
    row(
        "  tables in memory",
        f"{t['total']:,.0f} MB",
        f"deep: runs {t['runs']:.1f}, items {t['items']:.0f}, weekly {t['weekly']:.0f} MB; "
        f"{b['rows']['items']:,} item rows",
    )
    workers = b["worker_peak_rss_mb"]
    row(
        "  peak RSS",
        f"{b['maxrss_after_mb']:,.0f} MB",
        f"main process ru_maxrss (was {b['maxrss_before_mb']:,.0f} before); workers "
        + (", ".join(f"{w:,.0f}" for w in workers) + " MB" if workers else "n/a"),
    )
    for s in res["scaling_items"]:
        row(
            f"scaling: {s['items']} items",
            f"{s['engine_runs_per_s']:,.0f} runs/s",
            f"1 core, {s['runs']:,} runs; floor {s['floor_runs_per_s']:,.0f} runs/s, "
            f"ratio {s['ratio']:.2f}x",
        )
    for s in res["scaling_runs"]:
        split = (
            f" = simulate {s['simulate_s']:.1f} + assemble tables {s['assemble_s']:.2f} s"
            if "assemble_s" in s
            else ""
        )
        row(
            f"scaling: {s['runs']:,} runs",
            f"{s['engine_runs_per_s']:,.0f} runs/s",
            f"1 core, 60 items, {s['engine_s']:.1f} s{split}",
        )
    row(
        "dashboard recompute",
        f"{rc['total_median_s']:.2f} s",
        f"re-parse {rc['reparse_s'] * 1e3:.0f} ms + run {rc['run_median_s']:.2f} s "
        f"(median of {len(rc['run_s'])} seeds, best {rc['run_best_s']:.2f}) + summary + "
        f"page tables and charts {rc['page_median_s']:.2f} s; "
        f"target about {TARGET_RECOMPUTE_S:g} s",
    )
    row("  variant by model_copy", f"{rc['model_copy_s'] * 1e3:.2f} ms", rc["change"])
    hb = res.get("history")
    if hb:
        row(
            f"history: when, {hb['runs']:,} runs",
            f"{hb['when_best_s'] * 1e3:.0f} ms",
            f"{hb['items']} items from the demo export ({hb['mean_per_day']:.2f} a day), "
            f"best of {len(hb['when_s'])}; reading the export {hb['read_s'] * 1e3:.0f} ms",
        )
    fc = res["floor_check"]
    row(
        "floor check (not timed)",
        f"{fc['engine_delivery_mean']:.1f} vs {fc['floor_delivery_mean']:.1f} d",
        f"mean delivery day, engine vs floor, misfits/extra work/change control off; "
        f"value {fc['engine_value_mean'] / fc['floor_value_mean'] - 1:+.1%}",
    )
    widths = [max(len(line[i]) for line in lines) for i in range(3)]
    out = []
    for k, line in enumerate(lines):
        out.append("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def profile(sc, runs: int, top: int = 25) -> str:
    """cProfile of ``runs`` reference runs on one core, top functions both ways."""
    engine(sc, 50)
    prof = cProfile.Profile()
    prof.enable()
    engine(sc, runs)
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return buf.getvalue()


def write_json(path: Path, payload: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n")
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smoke run with small N")
    ap.add_argument(
        "--out",
        type=Path,
        default=None,
        help="JSON file to write (default bench/results.json; --quick writes only when given)",
    )
    ap.add_argument(
        "--only",
        choices=["history", "cluster", "first"],
        help="measure one row only and print it (nothing is written)",
    )
    ap.add_argument(
        "--profile", action="store_true", help="print a cProfile of 1,000 reference runs and exit"
    )
    ap.add_argument(
        "--cores",
        type=int,
        metavar="N",
        help="big runs only: the scaling table on 1, 2, 4, ... N workers, Dask vs the pool, "
        "memory of 100,000 and 1,000,000 runs, cold CLI (bench/scaling.py; --out writes JSON)",
    )
    args, rest = ap.parse_known_args(argv)
    if args.cores:
        import scaling

        extra = ["--out", str(args.out)] if args.out else []
        return scaling.main(["--cores", str(args.cores), *extra, *rest])

    if args.only == "first":
        import first_answer

        print(first_answer.report(first_answer.bench(repeats=1 if args.quick else 5)))
        return 0
    if args.only == "cluster":
        import cluster_bench

        print(cluster_bench.report(cluster_bench.bench()))
        return 0
    if args.only == "history":
        hb = bench_history()
        print(
            f"history: when, {hb['runs']:,} runs of a {hb['items']}-item forecast: best "
            f"{hb['when_best_s'] * 1e3:.1f} ms of {len(hb['when_s'])} "
            f"({', '.join(f'{t * 1e3:.1f}' for t in hb['when_s'])} ms); reading the "
            f"export {hb['read_s'] * 1e3:.0f} ms"
        )
        return 0
    data, sc = load_reference()
    if args.profile:
        print(profile(sc, 100 if args.quick else 1000))
        return 0
    cfg = QUICK if args.quick else FULL
    all_cores = os.cpu_count() or 1
    started = time.perf_counter()
    res: dict[str, Any] = {
        "mode": "quick" if args.quick else "full",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(),
        "git": git_state(),
        "scenario": str(REFERENCE.relative_to(ROOT)),
        "seed": SEED,
        "memory_method": "DataFrame.memory_usage(deep=True) of res.runs/items/weekly; "
        "ru_maxrss of this process; VmHWM of worker processes",
    }
    res["cpu_check_before"] = cpu_check(all_cores)
    say(f"engine vs floor, {cfg['runs']:,} runs x {cfg['repeats']} ...")
    res["ratio"] = bench_ratio(data, sc, cfg["runs"], cfg["repeats"])
    say(f"{all_cores} workers ...")
    res["parallel"] = bench_parallel(sc, cfg["parallel_runs"], cfg["repeats"], all_cores)
    say(f"{cfg['big_runs']:,} runs, workers=None ...")
    res["big"] = bench_big(sc, cfg["big_runs"], cfg["big_repeats"])
    say("scaling by items ...")
    res["scaling_items"] = bench_items(cfg["item_sizes"], cfg["runs"], res["ratio"])
    say("scaling by runs ...")
    res["scaling_runs"] = bench_runs(sc, cfg["scale_runs"], res["ratio"])
    say("dashboard recompute ...")
    res["recompute"] = bench_recompute(data, sc, cfg["runs"], cfg["recompute_seeds"])
    say("history forecast ...")
    res["history"] = bench_history()
    say("floor check ...")
    res["floor_check"] = floor_check(data, cfg["runs"])
    say("decide: prioritise vs 7 runs ...")
    import decide_bench

    res["decide"] = decide_bench.bench(runs=cfg["runs"], repeats=cfg["repeats"])
    say("scale-out: Dask LocalCluster vs the local pool ...")
    import cluster_bench

    res["cluster"] = cluster_bench.bench(
        runs=cfg["big_runs"], sweep_runs=cfg["parallel_runs"] // 2, repeats=cfg["big_repeats"]
    )
    engine_runner.shutdown_pool()
    say("a fast first answer: cold command line, cold Forecast click ...")
    import first_answer

    res["first_answer"] = first_answer.bench(repeats=cfg["repeats"])
    res["cpu_check_after"] = cpu_check(all_cores)
    res["bench_wall_s"] = time.perf_counter() - started

    m = res["machine"]
    print(
        f"\nBenchmark ({res['mode']}) {res['date']}  {m['cpu']}, {m['cpu_count']} CPUs, "
        f"Python {res['versions']['python']}, engine {str(res['git']['commit'])[:10]}"
        + (" + uncommitted simulation/ edits" if res["git"]["simulation_dirty"] else "")
    )
    print(table(res))
    print(decide_bench.report(res["decide"]))
    print(cluster_bench.report(res["cluster"]))
    print(first_answer.report(res["first_answer"]))
    for when in ("before", "after"):
        c = res[f"cpu_check_{when}"]
        load = ", ".join(f"{x:.2f}" for x in c["loadavg"]) if c["loadavg"] else "n/a"
        print(
            f"cpu check {when}: busy loop x{c['workers']} processes gives "
            f"{c['speedup']:.2f}x (ideal {c['workers']}); load average {load}"
        )
        if c["speedup"] < 0.8 * c["workers"]:
            print(
                f"  warning: the machine was busy {when} the benchmark; "
                "timings (parallel ones most) are pessimistic"
            )
    print(f"\nwhole benchmark: {res['bench_wall_s']:.0f} s")
    out = args.out if args.out is not None else (None if args.quick else RESULTS)
    if out is not None:
        write_json(out, res)
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
