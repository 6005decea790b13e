"""Command line: ``initiative-sim COMMAND`` (or ``python -m simulation COMMAND``).

Each command is one module of this package with the same two functions:
``register(sub)`` adds its parser to the subcommands and returns it, and
``command(args)`` does the work and returns the exit code. :data:`COMMANDS`
lists them in the order ``--help`` shows them; nothing else registers commands.

Exit codes: 0 ok, 2 bad input (the message names the file and field path),
1 unexpected failure. Bad input never prints a traceback. Reference:
``docs/reference/cli.md``.
"""

from __future__ import annotations

import os
import sys

from simulation.cli import (
    compare,
    decisions,
    exercise,
    history,
    library,
    portfolio,
    prioritise,
    report,
    run,
    sequence,
    track,
    validate,
)
from simulation.cli.options import Parser
from simulation.present.text import TerminalStream
from simulation.scenario.errors import ScenarioError

#: Every command module, in the order of ``--help``.
COMMANDS = (
    run,
    compare,
    validate,
    library,
    prioritise,
    sequence,
    decisions,
    history,
    portfolio,
    track,
    exercise,
    report,
)


def build_parser() -> Parser:
    """The argument parser with every command of :data:`COMMANDS` registered."""
    prog = (
        "initiative-sim"
        if os.path.basename(sys.argv[0]) == "initiative-sim"
        else "python -m simulation"
    )
    p = Parser(
        prog=prog,
        description="Simulate an initiative: delivery date (project lens) "
        "and value (product lens).",
    )
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    for module in COMMANDS:
        module.register(sub).set_defaults(handler=module.command)
    return p


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` (default: the process's), run the command, return its exit code.

    Everything printed goes through :class:`~simulation.present.text.TerminalStream`:
    a name holding a control character is shown as its escape, never acted on.
    """
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = TerminalStream(out), TerminalStream(err)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = out, err


def _main(argv: list[str] | None) -> int:
    from simulation.engine.runner import SimulationError

    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `... list | head`: the reader left, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (SimulationError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 1
