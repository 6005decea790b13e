"""A fast first answer: what a cold ``run`` loads, the processes it uses, and that
none outlives it (docs/explanation/big-runs.md, "A fast first answer")."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import LIBRARY, ROOT

BUNDLED = str(LIBRARY / "supply-chain.yaml")
#: Libraries only tables (pandas) or a cluster (Dask) need.
HEAVY = ("pandas", "pyarrow", "dask", "distributed")


def imported_by(*args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    """``python -X importtime -m simulation ARGS``: the process and every module it imported."""
    p = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "simulation", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    modules = {
        line.split("|")[2].strip()
        for line in p.stderr.splitlines()
        if line.startswith("import time:") and line.count("|") == 2
    }
    return p, modules


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def test_run_json_imports_neither_pandas_nor_dask():
    """``run FILE --runs 1000 --json`` needs no table, so it never imports pandas,
    pyarrow or Dask, yet prints the summary of 1,000 runs. Catches a module-level
    ``import pandas`` anywhere on the command line's path (the public API, a
    command's registration, the engine's chunks, the number formats)."""
    p, modules = imported_by("run", BUNDLED, "--runs", "1000", "--json")
    assert p.returncode == 0, p.stderr[-2000:]
    assert json.loads(p.stdout)["runs"] == 1000
    assert "simulation.engine.runner" in modules, "the import log was not read"
    assert not heavy(modules), f"run --json imported {heavy(modules)}"


def test_writing_the_tables_imports_pandas(tmp_path):
    """The same command with ``--out`` builds tables, so pandas is imported there:
    the check above reads the import log that would show it."""
    p, modules = imported_by("run", BUNDLED, "--runs", "20", "--out", str(tmp_path))
    assert p.returncode == 0, p.stderr[-2000:]
    assert "pandas" in modules and (tmp_path / "runs.csv").exists()


def _session_members(sid: int) -> list[int]:
    """Live (not zombie) processes of session ``sid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (name)"
        state, session = fields[0], int(fields[3])
        if session == sid and state != "Z":
            found.append(int(entry.name))
    return found


#: Runs ``main(argv)`` as ``python -m simulation`` does, then writes the pool's
#: workers and every other process of its session to a file, before it exits.
_PROGRAM = """
import os, sys
from simulation.cli import main
from simulation.engine import executors
argv, report = sys.argv[1:-1], sys.argv[-1]
rc = main(argv)
from tests.cli.test_cold_start import _session_members
others = [p for p in _session_members(os.getsid(0)) if p != os.getpid()]
with open(report, "w") as f:
    print(" ".join(map(str, executors.pool_pids())), file=f)
    print(" ".join(map(str, others)), file=f)
sys.exit(rc)
"""


def run_in_own_session(tmp_path: Path, *argv: str) -> tuple[list[int], list[int], int]:
    """Run the command line in a new session: its pool workers and the other
    processes of the session just before exit, and the session's id."""
    report = tmp_path / "pids.txt"
    p = subprocess.Popen(
        [sys.executable, "-c", _PROGRAM, *argv, str(report)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    _, err = p.communicate(timeout=180)
    assert p.returncode == 0, err[-2000:]
    workers, others = ([int(x) for x in line.split()] for line in report.read_text().splitlines())
    return workers, others, p.pid


def test_a_small_run_starts_no_worker_process(tmp_path):
    """A cold ``run --runs 1000`` of the 10-item bundled scenario (10,000
    replication-items, below the cold threshold) runs in-process: no pool, no
    other process in its session. Catches the pool started for a run it slows."""
    workers, others, _ = run_in_own_session(tmp_path, "run", BUNDLED, "--runs", "1000", "--json")
    assert workers == [] and others == [], (workers, others)


def test_no_process_outlives_the_command_line(tmp_path):
    """``run --workers 2`` runs on a pool: two workers and the server that forked
    them are in the command's session just before it exits, and none of them
    half a second after. Catches any process the run started that outlives it
    (the session check sees them: the first assertion shows they were there)."""
    import time

    workers, others, sid = run_in_own_session(
        tmp_path, "run", BUNDLED, "--runs", "600", "--workers", "2", "--json"
    )
    assert len(workers) == 2 and set(workers) <= set(others), (workers, others)
    assert len(others) >= 3, f"expected two workers and their fork server: {others}"
    time.sleep(0.5)
    left = _session_members(sid)
    assert not left, f"processes {left} of the command line still running after it exited"
