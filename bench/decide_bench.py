"""Decide benchmark: ``prioritise`` against the runs it is made of.

A session of six candidates on ``bench/reference.yaml`` (60 items) at 1,000
runs: the wall time of ``prioritise`` against 7 plain 1,000-run ``run`` calls
(the base once plus each candidate once), best of ``repeats`` each, interleaved
with a warm pool, workers as the runner picks them. Target ratio <= 1.05.
Also the Decide page's first ranking: ``prioritise`` at
``dashboard.decide.PRELIMINARY_RUNS`` runs, against 2 x one 1,000-run ``run``.

Run by ``make bench`` (through ``run_bench.py``) or alone:
``.venv/bin/python bench/decide_bench.py [--quick]``.
"""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path

from simulation import prioritise, run
from simulation.decide.sessions import parse_session
from simulation.engine.runner import warm_pool

HERE = Path(__file__).resolve().parent


TARGET_RATIO = 1.05
TARGET_FIRST_X_RUNS = 2.0

#: Six candidates: two additions competing for the team, two removals, a hire, a freeze.
CANDIDATES = [
    {
        "id": "add-a",
        "changes": [
            {
                "add_items": {
                    "at_day": 20,
                    "items": [
                        {
                            "id": "new-a",
                            "effort": {"dist": "pert", "low": 8, "mode": 12, "high": 25},
                            "value": {"per_week": 2500},
                        }
                    ],
                }
            }
        ],
    },
    {
        "id": "add-b",
        "changes": [
            {
                "add_items": {
                    "at_day": 30,
                    "items": [
                        {
                            "id": "new-b",
                            "effort": {"dist": "triangular", "low": 5, "mode": 10, "high": 20},
                            "value": {"per_week": 1500},
                        }
                    ],
                }
            }
        ],
    },
    {"id": "drop-1", "changes": [{"remove_items": ["e01-3"]}]},
    {"id": "drop-2", "changes": [{"remove_items": {"at_day": 40, "ids": ["e01-2"]}}]},
    {
        "id": "hire",
        "changes": [
            {
                "add_people": {
                    "at_day": 20,
                    "count": 2,
                    "ramp_up_days": 20,
                    "start_productivity": 0.5,
                    "mentoring": 0.2,
                }
            },
            {"set": {"path": "team.wip_limit", "value": 10}},
        ],
    },
    {"id": "freeze", "changes": [{"freeze_scope": {"at_day": 50}}]},
]


def _timed(fn) -> float:
    gc.collect()
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def bench(runs: int = 1000, repeats: int = 3, seed: int = 1) -> dict:
    """Times in seconds and the two ratios; see the module docstring."""
    from dashboard.decide import PRELIMINARY_RUNS

    ses = parse_session(
        {"name": "bench", "base": "reference.yaml", "candidates": CANDIDATES},
        "bench-session.yaml",
        HERE,
    )
    scenarios = [ses.base] + [ses.scenario_of([c.id]) for c in ses.candidates]
    warm_pool()
    prioritise(ses, runs=runs, seed=seed)  # warm-up: imports, pool, caches
    plain, whole, first, one = [], [], [], []
    for _ in range(repeats):
        plain.append(_timed(lambda: [run(sc, runs=runs, seed=seed) for sc in scenarios]))
        whole.append(_timed(lambda: prioritise(ses, runs=runs, seed=seed)))
        first.append(_timed(lambda: prioritise(ses, runs=PRELIMINARY_RUNS, seed=seed)))
        one.append(_timed(lambda: run(ses.base, runs=runs, seed=seed)))
    out = {
        "runs": runs,
        "candidates": len(ses.candidates),
        "repeats": repeats,
        "seven_runs_s": min(plain),
        "prioritise_s": min(whole),
        "ratio": min(whole) / min(plain),
        "target_ratio": TARGET_RATIO,
        "preliminary_runs": PRELIMINARY_RUNS,
        "first_ranking_s": min(first),
        "one_run_s": min(one),
        "first_ranking_x_runs": min(first) / min(one),
        "target_first_x_runs": TARGET_FIRST_X_RUNS,
    }
    return out


def report(r: dict) -> str:
    ok = "ok" if r["ratio"] <= r["target_ratio"] else "OVER TARGET"
    ok2 = "ok" if r["first_ranking_x_runs"] <= r["target_first_x_runs"] else "OVER TARGET"
    return (
        f"decide: prioritise {r['candidates']} candidates x {r['runs']:,} runs "
        f"{r['prioritise_s']:.2f} s vs 7 plain runs {r['seven_runs_s']:.2f} s: ratio "
        f"{r['ratio']:.3f} (target <= {r['target_ratio']}) {ok}\n"
        f"decide: first (preliminary, {r['preliminary_runs']} runs each) ranking "
        f"{r['first_ranking_s']:.2f} s = {r['first_ranking_x_runs']:.2f} x one "
        f"{r['runs']:,}-run forecast ({r['one_run_s']:.2f} s; target <= "
        f"{r['target_first_x_runs']}) {ok2}"
    )


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    print(report(bench(runs=200 if quick else 1000, repeats=1 if quick else 3)))
