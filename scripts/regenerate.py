"""Regenerate every number the repository keeps from a simulation.

One script owns them all, so a change to the engine moves them in one step:

- ``tests/golden/*.csv``: whole ``runs`` and ``items`` tables of two library
  scenarios (``tests/engine/test_golden.py`` recomputes them and compares bytes);
- the README's first-forecast and ``compare`` examples (``tests/test_readme.py``
  checks them against the CLI);
- the README's library table (P50 delivery, on time, NPV mean, outcome).

Usage::

    .venv/bin/python scripts/regenerate.py            # rewrite all of them
    .venv/bin/python scripts/regenerate.py --check    # exit 1 if any is stale
"""

from __future__ import annotations

import argparse
import re
import shlex
import subprocess
import sys
from pathlib import Path

from simulation import load_scenario, run

ROOT = Path(__file__).resolve().parent.parent


README = ROOT / "README.md"
GOLDEN = ROOT / "tests" / "golden"
LIBRARY = ROOT / "scenarios"

#: The golden tables: (scenario file, runs, seed). Small enough to read in a diff,
#: big enough that every mechanism of the two scenarios shows in some run.
GOLDEN_CASES = (("supply-chain.yaml", 40, 42), ("stock-pipeline-iterative.yaml", 40, 42))
#: The library table's numbers (as its heading says).
TABLE_RUNS, TABLE_SEED = 1000, 42


def golden_tables(name: str, runs: int, seed: int) -> dict[str, str]:
    """``{file name: CSV text}`` of the runs and items tables of one case."""
    res = run(load_scenario(LIBRARY / name), runs=runs, seed=seed, workers=1)
    stem = name.removesuffix(".yaml")
    return {
        f"{stem}.runs.csv": res.runs.to_csv(index=False, lineterminator="\n"),
        f"{stem}.items.csv": res.items.to_csv(index=False, lineterminator="\n"),
    }


def all_golden() -> dict[str, str]:
    out: dict[str, str] = {}
    for case in GOLDEN_CASES:
        out.update(golden_tables(*case))
    return out


def _cli(args: list[str]) -> str:
    p = subprocess.run(
        [sys.executable, "-m", "simulation", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return p.stdout.strip()


def _first_forecast(text: str) -> str:
    marker = "## A first forecast from the command line"
    head, rest = text[: text.index(marker)], text[text.index(marker) :]
    command = re.search(r"\.venv/bin/python -m simulation (run [^\n]+)", rest).group(1)
    out = _cli(shlex.split(command))
    rest = re.sub(r"```\n.*?```", lambda _m: f"```\n{out}\n```", rest, count=1, flags=re.S)
    return head + rest


def _compare(text: str) -> str:
    marker = "An example of `compare` on library variants:"
    head, rest = text[: text.index(marker)], text[text.index(marker) :]
    block = re.search(r"```\n(.*?)```", rest, re.S)
    lines = block.group(1).split("\n")
    command_lines = []
    for line in lines:
        command_lines.append(line)
        if not line.endswith("\\"):
            break
    command = " ".join(x.rstrip("\\").strip() for x in command_lines)
    args = shlex.split(command.removeprefix("$ "))[3:]  # after "python -m simulation"
    new = "\n".join(command_lines) + "\n" + _cli(args) + "\n"
    rest = rest[: block.start(1)] + new + rest[block.end(1) :]
    return head + rest


def _library_row(line: str) -> str:
    cells = line.split(" | ")
    name = cells[0].removeprefix("| `").removesuffix("`")
    s = run(load_scenario(LIBRARY / name), runs=TABLE_RUNS, seed=TABLE_SEED).summary()
    outcome = s["value"]["outcome_probability"]
    cells[-4] = s["delivery"]["p50_date"] or "none"
    cells[-3] = f"{s['delivery']['on_time_probability']:.0%}"
    cells[-2] = f"{s['value']['npv_mean']:,.0f}"
    cells[-1] = ("n/a" if outcome is None else f"{outcome:.0%}") + " |"
    return " | ".join(cells)


def _library_table(text: str) -> str:
    start = text.index("### The scenario library")
    end = text.index("\n\n", text.index("| File | Kind |", start))
    table = re.sub(
        r"^\| `[^`]+\.yaml` \|.*$", lambda m: _library_row(m.group(0)), text[start:end], flags=re.M
    )
    return text[:start] + table + text[end:]


def regenerated_readme() -> str:
    text = README.read_text(encoding="utf-8")
    return _library_table(_compare(_first_forecast(text)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="report stale files, write nothing")
    args = ap.parse_args(argv)
    stale = []
    for name, csv in all_golden().items():
        path = GOLDEN / name
        if not path.exists() or path.read_text(encoding="utf-8") != csv:
            stale.append(str(path.relative_to(ROOT)))
            if not args.check:
                GOLDEN.mkdir(parents=True, exist_ok=True)
                path.write_text(csv, encoding="utf-8")
    readme = regenerated_readme()
    if readme != README.read_text(encoding="utf-8"):
        stale.append("README.md")
        if not args.check:
            README.write_text(readme, encoding="utf-8")
    verb = "stale" if args.check else "rewritten"
    print(f"{verb}: {', '.join(stale)}" if stale else "everything is current")
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
