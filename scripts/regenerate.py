"""Regenerate every number the repository keeps from a simulation.

One script owns them all, so a change to the engine moves them in one step:

- ``tests/golden/*.csv``: whole ``runs`` and ``items`` tables of two library
  scenarios (``tests/engine/test_golden.py`` recomputes them and compares bytes);
- the README's first-forecast example (``tests/test_readme.py`` checks it
  against the CLI);
- every command-line example of the docs site, a ```` ```console ```` block that
  starts with ``$ python -m simulation`` (``tests/test_docs.py`` runs each);
- the library table of ``docs/reference/scenario-file.md`` (P50 delivery, on
  time, NPV mean, outcome).

Usage::

    .venv/bin/python scripts/regenerate.py            # rewrite all of them
    .venv/bin/python scripts/regenerate.py --check    # exit 1 if any is stale
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from simulation import load_scenario, run

ROOT = Path(__file__).resolve().parent.parent


README = ROOT / "README.md"
DOCS = ROOT / "docs"
#: The page that holds the library table.
LIBRARY_PAGE = DOCS / "reference" / "scenario-file.md"
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


#: A command-line example: a ``console`` block whose first line runs the CLI.
CONSOLE_BLOCK = re.compile(r"^```console\n(\$ python -m simulation .*?)^```", re.S | re.M)


@dataclass(frozen=True)
class ConsoleExample:
    """One ``console`` block: the command (continuation lines joined) and its output."""

    command: str
    output: str
    line: int
    start: int  # the block's text (command and output) in the page
    end: int
    command_text: str  # the command as written, with its line breaks


def console_examples(text: str) -> list[ConsoleExample]:
    """Every command-line example of a page, in page order."""
    out = []
    for m in CONSOLE_BLOCK.finditer(text):
        lines = m.group(1).split("\n")
        n = 1
        while lines[n - 1].endswith("\\"):
            n += 1
        command = " ".join(x.rstrip("\\").strip() for x in lines[:n]).removeprefix("$ ")
        out.append(
            ConsoleExample(
                command=command,
                output="\n".join(lines[n:]),
                line=text.count("\n", 0, m.start()) + 1,
                start=m.start(1),
                end=m.end(1),
                command_text="\n".join(lines[:n]),
            )
        )
    return out


def doc_pages() -> list[Path]:
    """The pages whose examples run in the tests: the docs site and the README."""
    return [*sorted(DOCS.rglob("*.md")), README]


def run_console_example(command: str) -> tuple[int, str]:
    """Run a page's ``python -m simulation ...`` command as a reader would.

    It runs in a fresh folder holding ``scenarios`` (a link to the library), so
    an ``--out`` writes nowhere in the repository, with a store of its own and no
    cluster. Returns the exit code and what it printed (stdout, then stderr).
    """
    args = shlex.split(command)[3:]  # after "python -m simulation"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SIM_DATABASE_URL", "SIM_SCHEDULER", "SIM_DATA_DIR")
    }
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "scenarios").symlink_to(LIBRARY, target_is_directory=True)
        env["SIM_DATA_DIR"] = str(Path(folder) / "data")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        p = subprocess.run(
            [sys.executable, "-m", "simulation", *args],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    return p.returncode, (p.stdout + p.stderr).strip()


def _console_blocks(text: str) -> str:
    """``text`` with the output of every command-line example printed afresh."""
    for ex in reversed(console_examples(text)):
        code, printed = run_console_example(ex.command)
        if code not in (0, 2):
            raise SystemExit(f"`{ex.command}` failed (exit {code}):\n{printed}")
        text = text[: ex.start] + ex.command_text + "\n" + printed + "\n" + text[ex.end :]
    return text


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
    start = text.index("## The scenario library")
    end = text.index("\n\n", text.index("| File | Kind |", start))
    table = re.sub(
        r"^\| `[^`]+\.yaml` \|.*$", lambda m: _library_row(m.group(0)), text[start:end], flags=re.M
    )
    return text[:start] + table + text[end:]


def regenerated_readme() -> str:
    return _first_forecast(README.read_text(encoding="utf-8"))


def regenerated_pages() -> dict[Path, str]:
    """``{page: its text with every simulated number rewritten}``."""
    out = {README: regenerated_readme()}
    for page in sorted(DOCS.rglob("*.md")):
        text = _console_blocks(page.read_text(encoding="utf-8"))
        if page == LIBRARY_PAGE:
            text = _library_table(text)
        out[page] = text
    return out


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
    for page, text in regenerated_pages().items():
        if text != page.read_text(encoding="utf-8"):
            stale.append(str(page.relative_to(ROOT)))
            if not args.check:
                page.write_text(text, encoding="utf-8")
    verb = "stale" if args.check else "rewritten"
    print(f"{verb}: {', '.join(stale)}" if stale else "everything is current")
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
