"""Command-line options a shared machine can trust (``docs/reference/security.md``):
bounded numbers, and bad values refused in the project's words (exit 2, no traceback).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from simulation.cli import main
from simulation.cli.options import MAX_SEED, max_workers
from tests.helpers import LIBRARY, ROOT

SCENARIO = str(LIBRARY / "onboarding.yaml")
HISTORY = str(ROOT / "tests" / "data" / "history" / "five-flat.csv")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simulation", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["run", SCENARIO, "--workers", "100000"], f"--workers must be from 1 to {max_workers()}"),
        (["run", SCENARIO, "--workers", "0"], "--workers must be from 1"),
        (["run", SCENARIO, "--seed", str(MAX_SEED + 1)], f"--seed must be from 0 to {MAX_SEED:,}"),
        (["history", HISTORY, "--seed", "-1"], "--seed must be from 0"),
        (["history", HISTORY, "--date-format", "%Q"], "--date-format: '%Q' is not a date pattern"),
        (["history", HISTORY, "--holidays", "2027-13-01"], "--holidays[0]: '2027-13-01' is not a"),
        (["history", HISTORY, "--workdays", "Mon,Funday"], "--workdays[1]: must be one of"),
        (
            ["exercise", str(LIBRARY / "exercises" / "cut-scope.yaml"), "--runs", "100001"],
            "over the limit of 100,000",
        ),
    ],
)
def test_bad_options_exit_2_in_words(args, words):
    """Each bad value exits 2 within the 60 s timeout, the message names the option, and
    neither a traceback nor pydantic's dump is printed. Catches ``--workers 100000``
    hanging (it started that many processes), ``%Q`` raising from pandas, and the
    calendar options printing ``validation error for Calendar``."""
    p = cli(*args)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert words in p.stderr, p.stderr
    for leak in ("Traceback", "validation error", "pydantic", "input_value"):
        assert leak not in p.stderr, p.stderr


def test_report_out_into_a_missing_folder_is_refused_and_nothing_is_created(tmp_path):
    """``report --out missing/r.html`` exits 2 naming the folder, and ``missing`` is
    not created. Catches ``mkdir(parents=True)`` making folders on the user's behalf."""
    out = tmp_path / "missing" / "deeper" / "r.html"
    p = cli("report", SCENARIO, "--runs", "5", "--out", str(out))
    assert p.returncode == 2 and "--out: the folder" in p.stderr, p.stderr
    assert not (tmp_path / "missing").exists()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_an_exercise_solve_shows_progress_on_a_terminal(monkeypatch, capsys):
    """``exercise FILE --runs 20`` on a terminal prints a progress line that ends at
    ``40 of 40 runs`` (base and variant, 20 each). Catches the command solving silently
    (no progress was passed to ``solve``)."""
    err = _Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    path = LIBRARY / "exercises" / "cut-scope.yaml"
    assert main(["exercise", str(path), "--runs", "20", "--seed", "1"]) == 0
    assert "solving: 40 of 40 runs" in err.getvalue(), err.getvalue()
