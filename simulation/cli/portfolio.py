"""``portfolio FILE [VARIANT...]``: initiatives that share people, and a change's ripple.

Reference: ``docs/reference/portfolio.md``. The portfolio runs in this process
(one SimPy clock for all its initiatives per run); ``--workers`` and
``--scheduler`` are not offered yet.
"""

from __future__ import annotations

import json

from simulation.cli.options import progress_of, runs_type, seed_type
from simulation.scenario.errors import ScenarioError

NAME = "portfolio"


def register(sub):
    c = sub.add_parser(
        NAME,
        help="simulate initiatives that share people; variants show the ripple of a change",
    )
    c.add_argument("file", help="a portfolio file (scenarios/portfolios/*.yaml)")
    c.add_argument("variants", nargs="*", help="portfolio variant files to pair against FILE")
    c.add_argument("--runs", type=runs_type, help="runs per portfolio")
    c.add_argument("--seed", type=seed_type)
    c.add_argument("--json", action="store_true")
    return c


def command(args) -> int:
    from simulation.portfolio import compare_portfolios, load_portfolio
    from simulation.portfolio.text import format_portfolio, format_ripple

    if args.runs == "auto":
        raise ScenarioError("--runs: a portfolio needs a number of runs, not 'auto'")
    base = load_portfolio(args.file)
    portfolios = {base.name: base}
    for path in args.variants:
        p = load_portfolio(path)
        name = p.name if p.name not in portfolios else f"{p.name} ({path})"
        portfolios[name] = p
    cmp = compare_portfolios(
        portfolios, runs=args.runs, seed=args.seed, progress=progress_of("simulating")
    )
    if args.json:
        out = cmp.summary() if args.variants else cmp.results[base.name].summary()
        if args.variants:
            for name, p in portfolios.items():
                out["scenarios"][name]["changes"] = [c.describe() for c in p.changes]
        print(json.dumps(out, indent=2))
        return 0
    print(format_portfolio(cmp.results[base.name].summary()))
    for name, deltas in cmp.deltas.items():
        print(f"\n=== {name} vs {base.name} ===")
        for change in portfolios[name].changes:
            print(f"  * {change.describe()}")
        print(format_ripple(deltas))
    return 0
