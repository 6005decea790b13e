"""The command line as a user runs it: exit codes, JSON, CSV tables, messages."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd

from tests.helpers import LIBRARY, ROOT

BUNDLED = str(LIBRARY / "supply-chain.yaml")


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulation", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def test_run_json_has_both_lenses():
    """`run --json` prints the summary of DESIGN section 5 with exit code 0."""
    p = cli("run", BUNDLED, "--runs", "200", "--seed", "3", "--json")
    assert p.returncode == 0, p.stderr
    s = json.loads(p.stdout)
    assert s["runs"] == 200 and s["seed"] == 3
    assert set(s["delivery"]) >= {"p50_day", "p85_day", "p95_day", "mean_day", "p50_date",
                                  "p85_date", "p95_date", "on_time_probability"}
    assert set(s["cost"]) == {"mean", "p50", "p85"}
    assert set(s["value"]) >= {"value_mean", "npv_mean", "npv_p50", "roi_mean",
                               "first_value_day_p50", "outcome_probability"}
    assert s["delivery"]["p50_day"] <= s["delivery"]["p85_day"] <= s["delivery"]["p95_day"]


def test_run_writes_tables(tmp_path):
    """`--out DIR` writes the runs, items and weekly tables as CSV."""
    p = cli("run", BUNDLED, "--runs", "30", "--out", str(tmp_path))
    assert p.returncode == 0, p.stderr
    runs = pd.read_csv(tmp_path / "runs.csv")
    assert len(runs) == 30 and "delivery_day" in runs and "npv" in runs
    assert (tmp_path / "items.csv").exists() and (tmp_path / "weekly.csv").exists()
    assert "Project lens" in p.stdout and "Product lens" in p.stdout


def test_bad_input_exit_2_with_field_path(tmp_path):
    """A bad field: exit 2, the message names the file and the field path, no traceback."""
    bad = tmp_path / "bad.yaml"
    bad.write_text((LIBRARY / "supply-chain.yaml").read_text().replace(
        "effort: {dist: triangular, low: 8, mode: 12, high: 22}",
        "effort: {dist: triangular, low: 8, mode: 12, high: 2}"))
    for cmd in (("validate", str(bad)), ("run", str(bad))):
        p = cli(*cmd)
        assert p.returncode == 2
        assert "bad.yaml: items[0].effort.high: must be >= mode" in p.stderr
        assert "Traceback" not in p.stderr


def test_usage_errors_exit_2():
    for args in (("run", BUNDLED, "--runs", "0"), ("run", BUNDLED, "--runs", "many"),
                 ("frobnicate",), ("run", "/no/such/file.yaml")):
        p = cli(*args)
        assert p.returncode == 2, args
        assert "Traceback" not in p.stderr


def test_validate_reports_ok():
    p = cli("validate", BUNDLED)
    assert p.returncode == 0 and p.stdout.startswith("ok:")
