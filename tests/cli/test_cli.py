"""The command line as a user runs it: exit codes, JSON, CSV tables, messages."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd

from tests.helpers import LIBRARY, ROOT

BUNDLED = str(LIBRARY / "supply-chain.yaml")


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simulation", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_run_json_has_both_lenses():
    """`run --json` prints the summary of docs/reference/python-api.md with exit code 0."""
    p = cli("run", BUNDLED, "--runs", "200", "--seed", "3", "--json")
    assert p.returncode == 0, p.stderr
    s = json.loads(p.stdout)
    assert s["runs"] == 200 and s["seed"] == 3
    assert set(s["delivery"]) >= {
        "p50_day",
        "p85_day",
        "p95_day",
        "mean_day",
        "p50_date",
        "p85_date",
        "p95_date",
        "on_time_probability",
    }
    assert set(s["cost"]) == {"mean", "p50", "p85"}
    assert set(s["value"]) >= {
        "value_mean",
        "npv_mean",
        "npv_p50",
        "roi_mean",
        "first_value_day_p50",
        "outcome_probability",
    }
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
    bad.write_text(
        (LIBRARY / "supply-chain.yaml")
        .read_text()
        .replace(
            "effort: {dist: triangular, low: 8, mode: 12, high: 22}",
            "effort: {dist: triangular, low: 8, mode: 12, high: 2}",
        )
    )
    for cmd in (("validate", str(bad)), ("run", str(bad))):
        p = cli(*cmd)
        assert p.returncode == 2
        assert "bad.yaml: items[0].effort.high: must be >= mode" in p.stderr
        assert "Traceback" not in p.stderr


def test_usage_errors_exit_2():
    for args in (
        ("run", BUNDLED, "--runs", "0"),
        ("run", BUNDLED, "--runs", "many"),
        ("frobnicate",),
        ("run", "/no/such/file.yaml"),
    ):
        p = cli(*args)
        assert p.returncode == 2, args
        assert "Traceback" not in p.stderr


def test_validate_reports_ok():
    p = cli("validate", BUNDLED)
    assert p.returncode == 0 and p.stdout.startswith("ok:")


def test_unwritable_out_folder_is_bad_input_exit_2(tmp_path):
    """`--out` at a path that cannot be a folder: exit 2 naming --out, no traceback."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    p = cli("run", BUNDLED, "--runs", "20", "--out", str(blocker / "tables"))
    assert p.returncode == 2, p.stderr
    assert "--out: cannot write the tables to" in p.stderr and "Traceback" not in p.stderr


def test_runs_auto_on_the_command_line():
    """`--runs auto` replicates until the P85 is known within half a day and says so."""
    p = cli("run", BUNDLED, "--runs", "auto", "--json", timeout=240)
    assert p.returncode == 0, p.stderr
    s = json.loads(p.stdout)
    assert s["runs"] % 1000 == 0 and s["runs"] >= 1000
    assert s["precision"]["converged"] is (s["precision"]["p85_half_width_days"] <= 0.5)


def test_simulation_failure_exits_1(monkeypatch, capsys):
    """A failure that is not the input's fault (a worker died) exits 1 with a message."""
    from simulation import cli as cli_mod
    from simulation.engine.runner import SimulationError

    def broken(*_a, **_k):
        raise SimulationError("a worker process stopped unexpectedly")

    monkeypatch.setattr("simulation.engine.runner.run", broken)
    assert cli_mod.main(["run", BUNDLED]) == 1
    err = capsys.readouterr().err
    assert "error: a worker process stopped unexpectedly" in err and "Traceback" not in err


# ------------------------------------------------ compare: honest and written out
def test_compare_refuses_a_variant_of_another_base():
    """A variant of grant-portal is not a change to supply-chain: listing its changes
    under supply-chain would be false, so compare refuses (exit 2) and says why."""
    other = str(LIBRARY / "grant-portal-core-only.yaml")
    p = cli("compare", BUNDLED, other, "--runs", "20")
    assert p.returncode == 2, p.stdout
    assert "is a variant of grant-portal.yaml, not of" in p.stderr
    assert "--force" in p.stderr and "Traceback" not in p.stderr
    forced = cli("compare", BUNDLED, other, "--runs", "20", "--force")
    assert forced.returncode == 0, forced.stderr
    assert "warning:" in forced.stderr and "unrelated" in forced.stderr
    block = forced.stdout[forced.stdout.index("=== Heat-pump") :]
    assert "  * " not in block, "no change is described as if applied to the base"
    assert "not of" in block


def test_compare_lists_only_the_changes_after_the_given_base():
    """late-request-frozen extends late-request: against it, only the freeze is new."""
    p = cli(
        "compare",
        str(LIBRARY / "supply-chain-late-request.yaml"),
        str(LIBRARY / "supply-chain-late-request-frozen.yaml"),
        "--runs",
        "20",
    )
    assert p.returncode == 0, p.stderr
    block = p.stdout[p.stdout.index("=== ") :]
    changes = [line for line in block.splitlines() if line.startswith("  * ")]
    assert changes == ["  * Freezes scope on day 20: later requests wait until after closure"]


def test_compare_out_writes_runs_and_paired_deltas(tmp_path):
    from simulation import compare, load_scenario

    variant = LIBRARY / "supply-chain-late-request.yaml"
    p = cli("compare", BUNDLED, str(variant), "--runs", "30", "--seed", "4", "--out", str(tmp_path))
    assert p.returncode == 0, p.stderr
    deltas = pd.read_csv(tmp_path / "deltas.csv")
    runs = pd.read_csv(tmp_path / "runs.csv")
    assert list(runs.columns[:2]) == ["scenario", "run"] and len(runs) == 60
    base, var = load_scenario(BUNDLED), load_scenario(variant)
    cmp = compare({base.name: base, var.name: var}, runs=30, seed=4)
    want = cmp.deltas.set_index("metric")["mean"]
    got = deltas.set_index("metric")["mean"]
    assert set(deltas["variant"]) == {var.name}
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False)


def test_library_files_are_found_from_any_folder(tmp_path):
    """From a folder with no scenarios, a library file's name is enough: ``run
    supply-chain.yaml`` gives the same forecast as the full path. A file that is
    neither here nor in the library is named in the error (exit 2). Catches the
    console script working only from the checkout's root."""
    import os

    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def here(*args):
        return subprocess.run(
            [sys.executable, "-m", "simulation", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )

    short = here("run", "supply-chain.yaml", "--runs", "30", "--json")
    assert short.returncode == 0, short.stderr
    assert json.loads(short.stdout) == json.loads(
        cli("run", BUNDLED, "--runs", "30", "--json").stdout
    )
    missing = here("run", "no-such-plan.yaml")
    assert missing.returncode == 2 and "no-such-plan.yaml: file not found" in missing.stderr
