"""Control characters never reach a terminal (``docs/reference/security.md``).

A name written with YAML escapes (``"\\e[2J"``) holds the control characters the
raw-text check refuses; it is refused the same way. Whatever else the command line
prints (a CSV's cells quoted in a message, a stored record) shows each control
character as its escape.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from simulation import ScenarioError, load_scenario_text
from simulation.present.text import terminal_text
from tests.helpers import ROOT

BASE = "start_date: 2027-01-04\nteam: {size: 2}\nitems:\n  - {id: a, effort: 5}\n"


@pytest.mark.parametrize(
    ("escape", "code"),
    [
        ("\\e[2J", "U+001B"),
        ("\\x07", "U+0007"),
        ("\\x9b31m", "U+009B"),
        ("a\\rb", "U+000D"),
        ("\\x00", "U+0000"),
        ("\\x7f", "U+007F"),
    ],
)
def test_escaped_control_characters_are_refused_naming_the_field(escape, code):
    """``name: "<escape>"`` is a ScenarioError naming ``name``, the code point and line 1.
    Catches the check running on the file's raw text only (the escapes pass it)."""
    with pytest.raises(ScenarioError) as err:
        load_scenario_text(f'name: "{escape}"\n' + BASE)
    assert f"name: the character {code}" in str(err.value) and "line 1" in str(err.value)


def test_tabs_and_line_breaks_in_text_are_kept():
    """A description with an escaped tab and line break loads: those are text. Catches
    a check so wide it refuses multi-line descriptions."""
    sc = load_scenario_text('name: "Plan\\twith\\nlines"\n' + BASE)
    assert sc.name == "Plan\twith\nlines"


def test_terminal_text_shows_controls_as_escapes():
    """ESC, BEL, CSI (U+009B) and a right-to-left override become ``\\x1b``, ``\\x07``,
    ``\\x9b`` and ``\\u202e``; tab, line feed and carriage return stay (the progress line's
    own). Catches a filter that misses the C1 range or the bidi overrides."""
    assert terminal_text("a\x1b[2Jb\x07\x9bc\u202ed\te\nf\r") == (
        "a\\x1b[2Jb\\x07\\x9bc\\u202ed\te\nf\r"
    )


def test_the_cli_prints_a_hostile_csv_value_escaped(tmp_path):
    """A work-item export with an ESC sequence in an unreadable date: ``history`` exits 2
    quoting the value as ``\\x1b[31m``, with no ESC byte on stderr. Catches a command line
    that prints messages quoting file contents raw (the bug before)."""
    path = tmp_path / "h.csv"
    path.write_text("ID,Started,Completed\nS-1,2027-01-04,2027-01-08\nS-2,2027-01-05,x\x1b[31m\n")
    p = subprocess.run(
        [sys.executable, "-m", "simulation", "history", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )
    assert p.returncode == 2, p.stderr
    assert "\x1b" not in p.stderr + p.stdout and "x\\x1b[31m" in p.stderr, p.stderr
