"""``run FILE``: simulate one scenario and print its forecast (both lenses)."""

from __future__ import annotations

import json
from pathlib import Path

from simulation.cli.options import add_run_options, library_file, progress_of, scheduler_of
from simulation.present.csv import write_frame
from simulation.present.text import format_summary
from simulation.scenario.errors import ScenarioError

NAME = "run"


def register(sub):
    r = sub.add_parser(NAME, help="simulate one scenario and print its forecast")
    r.add_argument("file", type=library_file)
    add_run_options(r)
    r.add_argument("--json", action="store_true", help="print the summary as JSON")
    r.add_argument("--out", metavar="DIR", help="write runs.csv, items.csv, weekly.csv here")
    return r


def command(args) -> int:
    from simulation.engine.runner import run
    from simulation.scenario.loading import load_scenario

    sc = load_scenario(args.file)
    res = run(
        sc,
        runs=args.runs,
        seed=args.seed,
        workers=args.workers,
        progress=progress_of("simulating"),
        scheduler=scheduler_of(args),
        # The forecast needs no table; only --out writes them.
        tables="all" if args.out else "none",
    )
    if args.out:
        write_tables(res, Path(args.out))
    summary = res.summary()
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(format_summary(summary))
        if args.out:
            print(f"\nTables written to {args.out}/ (runs.csv, items.csv, weekly.csv)")
    return 0


def write_tables(res, out: Path) -> None:
    """``runs.csv``, ``items.csv`` and ``weekly.csv`` in ``out`` (created if needed).

    A folder that cannot be written is the user's input, so it is a
    :class:`ScenarioError` (exit 2) naming ``--out``, not a failure of ours.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name in ("runs", "items", "weekly"):
            write_frame(getattr(res, name), out / f"{name}.csv")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ScenarioError(f"--out: cannot write the tables to '{out}': {reason}") from None
