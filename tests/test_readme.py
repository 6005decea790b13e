"""The README's first forecast prints exactly what the CLI prints today.

If the engine or a library scenario changes a number, this fails until the
README is updated (``make golden``), so the first thing a reader runs matches
what they read. The docs site's command-line examples are checked by
``tests/test_docs.py``.
"""

from __future__ import annotations

import re
import shlex

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
