"""Mutation testing of ``simulation/`` with mutmut, and the score.

Usage::

    .venv/bin/python scripts/mutants.py                       # every module (hours)
    .venv/bin/python scripts/mutants.py simulation/engine/value.py   # only these files

To limit a run, the files are written into ``only_mutate`` for its duration
(the pyproject is restored afterwards). Prints killed / survived / other counts and
the score = killed / (killed + survived), then the survivors' names
(``mutmut show NAME`` prints one).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
MUTMUT = Path(sys.executable).parent / "mutmut"


def main(argv: list[str]) -> int:
    only = {str(Path(a)) for a in argv}
    original = PYPROJECT.read_text(encoding="utf-8")
    if only:
        listed = ", ".join(f'"{p}"' for p in sorted(only))
        PYPROJECT.write_text(
            re.sub(r"^only_mutate = .*$", f"only_mutate = [{listed}]", original, flags=re.M),
            encoding="utf-8",
        )
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    try:
        run = subprocess.run([str(MUTMUT), "run"], cwd=ROOT)
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
