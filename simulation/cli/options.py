"""What every command shares: the parser class, ``--runs``/``--seed`` types, the
scheduler option and the progress line."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from simulation.engine.cluster import SCHEDULER_ENV
from simulation.scenario.library import LIBRARY_DIR
from simulation.scenario.schema import MAX_RUNS_NO_TABLES, SimulationSettings

#: The largest seed: the same bound as a scenario file's ``simulation.seed``.
MAX_SEED = next(m.le for m in SimulationSettings.model_fields["seed"].metadata if hasattr(m, "le"))


def max_workers() -> int:
    """The most ``--workers`` a command takes: this machine's cores (more processes than
    cores only queue, and 100,000 of them never start)."""
    return max(os.cpu_count() or 1, 1)


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are bad input: exit 2, no traceback."""

    def error(self, message: str) -> None:
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)


def runs_type(text: str) -> int | str:
    if text.strip().lower() == "auto":
        return "auto"
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--runs must be a whole number or 'auto', got '{text}'"
        ) from None
    if not 1 <= n <= MAX_RUNS_NO_TABLES:
        raise argparse.ArgumentTypeError(
            f"--runs must be from 1 to {MAX_RUNS_NO_TABLES:,}, got {n:,}"
        )
    return n


def seed_type(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--seed must be a whole number, got '{text}'") from None
    if not 0 <= n <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"--seed must be from 0 to {MAX_SEED:,}, got {n:,}")
    return n


def workers_type(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--workers must be a whole number, got '{text}'"
        ) from None
    top = max_workers()
    if not 1 <= n <= top:
        raise argparse.ArgumentTypeError(
            f"--workers must be from 1 to {top} (this machine's cores), got {n:,}"
        )
    return n


def add_scheduler_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on this Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: "
        f"${SCHEDULER_ENV} if set, else this machine)",
    )


def scheduler_of(args) -> str | None:
    """``--scheduler``, else ``$SIM_SCHEDULER``, else None (this machine's process pool)."""
    if args.scheduler is not None:
        return args.scheduler
    return os.environ.get(SCHEDULER_ENV, "").strip() or None


def progress_of(what: str):
    """A progress line on stderr while simulating (only on a terminal: logs and pipes
    get the result alone). Counts runs, as finished chunks report them."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        print(f"\r{what}: {done:,} of {total:,} runs", end=end, file=sys.stderr, flush=True)

    return show


def add_run_options(p: argparse.ArgumentParser, *, scheduler: bool = True) -> None:
    """``--runs``, ``--seed``, ``--workers`` (and ``--scheduler``): how a command simulates."""
    p.add_argument("--runs", type=runs_type, help="runs per scenario, or 'auto'")
    p.add_argument("--seed", type=seed_type)
    p.add_argument("--workers", type=workers_type, default=None, help="processes (default: auto)")
    if scheduler:
        add_scheduler_option(p)


def split_list(text: str | None) -> list[str] | None:
    """``"a, b,,c"`` -> ``["a", "b", "c"]``; None stays None."""
    return None if text is None else [t.strip() for t in text.split(",") if t.strip()]


def library_file(text: str) -> str:
    """A file argument: the path as given when it exists, else the same path inside
    the scenario library, so ``initiative-sim run supply-chain.yaml`` or
    ``prioritise sessions/supply-chain-q2.yaml`` works from any folder. A path that
    is in neither place is returned as given, and reading it names it."""
    if Path(text).exists():
        return text
    inside = LIBRARY_DIR / text
    return str(inside) if inside.is_file() else text
