"""Benchmark a portfolio against its initiatives run alone (``python bench/portfolio_bench.py``).

Measures, in this one process, CPU time (``time.process_time``, so other
programs on the machine do not count) of:

* the bundled three-initiative portfolio (``scenarios/portfolios/data-platform.yaml``)
  at ``--runs`` runs, with the same initiatives isolated (own plan teams,
  nothing shared, nothing awaited): the portfolio engine's own overhead;
* the bundled portfolio as written (small own teams, a shared pool, a
  cross-initiative dependency): more waiting, so more events;
* the sum of the three plans run alone (``simulation.run``, ``workers=1``).

Each figure is the best of ``--repeat`` tries. Prints the two ratios (target for
the isolated one: at most 1.2) and writes them to ``--out`` as JSON when given.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from pathlib import Path

from simulation.engine.runner import run
from simulation.portfolio import Initiative, load_portfolio, run_portfolio

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "scenarios" / "portfolios" / "data-platform.yaml"


def cpu(fn, repeat: int) -> float:
    """Best CPU seconds of ``repeat`` calls of ``fn``."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    p = load_portfolio(BUNDLED)
    alone = tuple(Initiative(i.id, i.plan, i.scenario, i.scenario.team.size) for i in p.initiatives)
    iso = p.with_(initiatives=alone, shared=(), depends_on=())
    n, seed = args.runs, 42
    standalone = cpu(
        lambda: [run(i.scenario, runs=n, seed=seed, workers=1) for i in p.initiatives],
        args.repeat,
    )
    isolated = cpu(lambda: run_portfolio(iso, runs=n, seed=seed), args.repeat)
    shared = cpu(lambda: run_portfolio(p, runs=n, seed=seed), args.repeat)
    out = {
        "runs": n,
        "standalone_sum_s": round(standalone, 3),
        "portfolio_isolated_s": round(isolated, 3),
        "portfolio_shared_s": round(shared, 3),
        "ratio_isolated": round(isolated / standalone, 3),
        "ratio_shared": round(shared / standalone, 3),
    }
    for k, v in out.items():
        print(f"{k:<24}{v}")
    if args.out:
        args.out.write_text(json.dumps(out, indent=2) + "\n")
    return out


if __name__ == "__main__":
    main()
