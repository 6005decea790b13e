"""``validate FILE...``: check scenario files and report every problem."""

from __future__ import annotations

import sys

from simulation.cli.options import library_file
from simulation.scenario.errors import ScenarioError

NAME = "validate"


def register(sub):
    v = sub.add_parser(NAME, help="check scenario files and report every problem")
    v.add_argument("files", nargs="+", type=library_file)
    return v


def command(args) -> int:
    from simulation.scenario.loading import load_scenario

    bad = 0
    for path in args.files:
        try:
            sc = load_scenario(path)
        except ScenarioError as exc:
            bad += 1
            print(f"error: {exc}", file=sys.stderr)
            for where, msg in exc.problems[1:]:
                print(f"  also {where}: {msg}", file=sys.stderr)
            continue
        print(f"ok: {path}: {sc.name} ({len(sc.items)} items)")
    return 2 if bad else 0
