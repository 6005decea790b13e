"""The README's command-line examples print exactly what the CLI prints today.

If the engine or a library scenario changes a number, this fails until the
README is updated, so the first thing a reader runs matches what they read.
"""

from __future__ import annotations

import re
import shlex

import pytest

from tests.cli.test_cli import cli
from tests.helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def example_after(marker: str) -> tuple[list[str], str]:
    """The command shown after ``marker`` and the output block that follows it."""
    rest = README[README.index(marker) :]
    block = re.search(r"```\n(.*?)```", rest, re.S)
    assert block, f"no output block after {marker!r}"
    return rest, block.group(1)


def test_first_forecast_example_matches_the_cli():
    rest, expected = example_after("## A first forecast from the command line")
    command = re.search(r"\.venv/bin/python -m simulation (run [^\n]+)", rest).group(1)
    p = cli(*shlex.split(command))
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == expected.strip()


@pytest.mark.slow
def test_compare_example_matches_the_cli():
    _, block = example_after("An example of `compare` on library variants:")
    command, _, expected = block.partition("\n")
    while command.endswith("\\"):
        more, _, expected = expected.partition("\n")
        command = command[:-1] + " " + more.strip()
    args = shlex.split(command.removeprefix("$ "))[3:]  # after "python -m simulation"
    p = cli(*args, timeout=180)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == expected.strip()
