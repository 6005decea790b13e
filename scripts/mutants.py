"""Mutation testing of ``simulation/`` with mutmut, and the score.

Usage::

    .venv/bin/python scripts/mutants.py                       # every module (hours)
    .venv/bin/python scripts/mutants.py simulation/engine/value.py   # only these files
    .venv/bin/python scripts/mutants.py --tests tests/decide/test_session_bounds.py \\
        --children 1 simulation/decide/sessions.py           # fewer tests, one process

To limit a run, the files are written into ``only_mutate`` for its duration, and
``--tests`` (a test file or folder, repeatable) replaces the configured
``pytest_add_cli_args_test_selection`` (the pyproject is restored afterwards).
``--children`` (default: ``MUTANTS_CHILDREN`` from the environment, else the number
of cores) is how many mutants run at once. Prints killed / survived / other counts
and the score = killed / (killed + survived), then the survivors' names
(``mutmut show NAME`` prints one).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
MUTMUT = Path(sys.executable).parent / "mutmut"


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{p}"' for p in items) + "]"


def limited(pyproject: str, mutate: list[str], tests: list[str]) -> str:
    """The pyproject text with ``only_mutate`` and the test selection replaced where given."""
    if mutate:
        pyproject = re.sub(
            r"^only_mutate = .*$",
            lambda _: f"only_mutate = {_toml_list(sorted(set(mutate)))}",
            pyproject,
            flags=re.M,
        )
    if tests:
        pyproject = re.sub(
            r"^pytest_add_cli_args_test_selection = \[.*?\]",
            lambda _: f"pytest_add_cli_args_test_selection = {_toml_list(tests)}",
            pyproject,
            flags=re.M | re.S,
        )
    return pyproject


def _children(value: str | None) -> int:
    try:
        n = int(value) if value else (os.cpu_count() or 1)
    except ValueError:
        raise SystemExit(f"MUTANTS_CHILDREN: expected a whole number, got {value!r}") from None
    if n < 1:
        raise SystemExit(f"--children / MUTANTS_CHILDREN: at least 1, got {n}")
    return n


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Mutation testing of simulation/ with mutmut.")
    parser.add_argument("files", nargs="*", help="the modules to mutate (default: all)")
    parser.add_argument(
        "--tests",
        action="append",
        default=[],
        metavar="PATH",
        help="a test file or folder each mutant runs (repeatable; default: the pyproject's)",
    )
    parser.add_argument(
        "--children",
        type=int,
        default=None,
        help="mutants run at once (default: MUTANTS_CHILDREN, else the number of cores)",
    )
    args = parser.parse_args(argv)
    children = (
        _children(str(args.children))
        if args.children is not None
        else _children(os.environ.get("MUTANTS_CHILDREN"))
    )
    original = PYPROJECT.read_text(encoding="utf-8")
    PYPROJECT.write_text(
        limited(original, [str(Path(a)) for a in args.files], [str(Path(t)) for t in args.tests]),
        encoding="utf-8",
    )
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    try:
        run = subprocess.run([str(MUTMUT), "run", "--max-children", str(children)], cwd=ROOT)
        out = subprocess.run(
            [str(MUTMUT), "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True
        ).stdout
    finally:
        PYPROJECT.write_text(original, encoding="utf-8")
    status = Counter()
    survivors = []
    for line in out.splitlines():
        name, _, state = line.strip().rpartition(": ")
        if name:
            status[state] += 1
            if state == "survived":
                survivors.append(name)
    killed, survived = status["killed"], status["survived"]
    score = killed / (killed + survived) if killed + survived else float("nan")
    print(
        f"\nmutants: {sum(status.values())}  "
        + "  ".join(f"{k}: {v}" for k, v in sorted(status.items()))
    )
    print(f"mutation score (killed / (killed + survived)): {score:.1%}")
    print("survivors:", *survivors, sep="\n  ")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
