"""``compare BASE VARIANT...``: a base and its variants under the same seeds."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from simulation.cli.options import add_run_options, library_file, progress_of, scheduler_of
from simulation.present.csv import write_frame
from simulation.present.text import format_deltas, format_summary
from simulation.scenario.errors import ScenarioError

NAME = "compare"


def register(sub):
    c = sub.add_parser(NAME, help="run a base and variants under the same seeds")
    c.add_argument("base", type=library_file)
    c.add_argument("variants", nargs="+", type=library_file)
    add_run_options(c)
    c.add_argument("--json", action="store_true")
    c.add_argument(
        "--out",
        metavar="DIR",
        help="write runs.csv (every scenario) and deltas.csv (paired differences) here",
    )
    c.add_argument(
        "--force", action="store_true", help="compare scenarios that are not variants of BASE"
    )
    return c


def command(args) -> int:
    from simulation.engine.runner import compare
    from simulation.scenario.changes import changes_from, variant_base
    from simulation.scenario.loading import load_scenario

    base = load_scenario(args.base)
    scenarios = {base.name: base}
    notes: dict[str, list[str]] = {}
    unrelated: dict[str, str] = {}
    for path in args.variants:
        sc = load_scenario(path)
        name = sc.name if sc.name not in scenarios else f"{sc.name} ({path})"
        scenarios[name] = sc
        changes = changes_from(args.base, path)
        if changes is None:
            # Its own changes describe another base: listing them under BASE would
            # claim edits (removing an item BASE may not even have) that never happened.
            root = variant_base(path)
            unrelated[name] = (
                f"{path} is a separate scenario, not a variant of {args.base}"
                if Path(root).resolve() == Path(path).resolve()
                else f"{path} is a variant of {root.name}, not of {args.base}"
            )
            notes[name] = []
        else:
            notes[name] = [c.describe() for c in changes]
    if unrelated and not args.force:
        raise ScenarioError(
            "; ".join(unrelated.values()) + ": its differences would not be "
            "the effect of its changes on BASE. Compare it with its own base, "
            "or pass --force to compare unrelated scenarios"
        )
    for reason in unrelated.values():
        print(
            f"warning: {reason}; the differences are between two unrelated scenarios",
            file=sys.stderr,
        )
    cmp = compare(
        scenarios,
        runs=args.runs,
        seed=args.seed,
        workers=args.workers,
        progress=progress_of("simulating"),
        scheduler=scheduler_of(args),
    )
    if args.out:
        write_comparison(cmp, Path(args.out))
    summary = cmp.summary()
    if args.json:
        for name, lines in notes.items():
            summary["scenarios"][name]["changes"] = lines
            if name in unrelated:
                summary["scenarios"][name]["unrelated"] = unrelated[name]
        print(json.dumps(summary, indent=2))
        return 0
    print(format_summary(summary["scenarios"][cmp.baseline]))
    for name, deltas in summary["paired_differences"].items():
        print(f"\n=== {name} vs {cmp.baseline} ===")
        lines = notes.get(name, [])
        for line in lines:
            print(f"  * {line}")
        if name in unrelated:
            print(
                f"  ({unrelated[name]}: no changes to list; the differences are between "
                "two unrelated scenarios)"
            )
        elif not lines:
            print("  (the same scenario file as the base: no changes)")
        print(format_deltas(deltas))
    if args.out:
        print(f"\nTables written to {args.out}/ (runs.csv, deltas.csv)")
    return 0


def write_comparison(cmp, out: Path) -> None:
    """``runs.csv`` (every scenario's runs, a ``scenario`` column first) and ``deltas.csv``
    (the paired differences: variant, metric, mean, 90% interval) in ``out``."""
    import pandas as pd

    try:
        out.mkdir(parents=True, exist_ok=True)
        runs = pd.concat(
            [res.runs.assign(scenario=name) for name, res in cmp.results.items()], ignore_index=True
        )
        write_frame(
            runs[["scenario", *[c for c in runs.columns if c != "scenario"]]], out / "runs.csv"
        )
        write_frame(cmp.deltas, out / "deltas.csv")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ScenarioError(f"--out: cannot write the tables to '{out}': {reason}") from None
