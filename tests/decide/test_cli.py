"""The Decide commands as a user runs them: ``prioritise`` and ``decisions``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import yaml

from simulation import store as st
from simulation.store import decisions as dec
from simulation.store.authors import Identity
from tests.helpers import ROOT

HAND = str(ROOT / "tests" / "data" / "hand-session.yaml")


def cli(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simulation", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def test_prioritise_json_is_the_design_shape_with_the_hand_worked_numbers(tmp_path):
    p = cli(
        "prioritise",
        HAND,
        "--runs",
        "10",
        "--seed",
        "3",
        "--json",
        "--combine",
        "report,extra",
        "--best",
        "--out",
        str(tmp_path),
    )
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert (out["session"], out["runs"], out["seed"]) == ("Hand-worked session", 10, 3)
    assert [c["id"] for c in out["candidates"]] == [
        "extra",
        "report",
        "polish",
        "drop-d",
        "slip",
        "third-person",
    ]
    polish = out["candidates"][2]
    assert polish["verdict"] == "trade-off" and polish["value_per_day"] == 10
    assert polish["delivery_days"] == {"mean": 10.0, "ci90": [10.0, 10.0]}
    assert out["combination"]["ids"] == ["extra", "report"]
    assert out["combination"]["interaction"]["delivery_day"] == 10
    assert out["combination"]["deltas"]["npv"]["mean"] == 16300
    assert [s["ids"] for s in out["best_set"]] == [[], ["extra"]]
    ranking = pd.read_csv(tmp_path / "ranking.csv")
    assert list(ranking["candidate"][:2]) == ["extra", "report"]
    assert list(ranking["npv"]) == [14100, 4700, 100, -2400, -1400, -4000]


def test_prioritise_text_names_the_verdicts():
    p = cli("prioritise", HAND, "--runs", "5")
    assert p.returncode == 0, p.stderr
    assert "trade-off" in p.stdout and "+14,100" in p.stdout


def test_bad_session_exits_2_naming_the_field(tmp_path):
    data = yaml.safe_load(Path(HAND).read_text())
    data["candidates"][1]["id"] = "extra"
    data["base"] = str(ROOT / "tests" / "data" / "hand-base.yaml")
    path = tmp_path / "dup.yaml"
    path.write_text(yaml.safe_dump(data))
    p = cli("prioritise", str(path))
    assert p.returncode == 2
    assert "base: '" in p.stderr and "is an absolute path" in p.stderr, p.stderr
    data["base"] = "nowhere.yaml"
    path.write_text(yaml.safe_dump(data))
    p = cli("prioritise", str(path))
    assert p.returncode == 2 and "base: base file 'nowhere.yaml' not found" in p.stderr
    assert "Traceback" not in p.stderr
    p = cli("prioritise", HAND, "--combine", "extra,nope")
    assert p.returncode == 2 and "--combine: no candidate 'nope'" in p.stderr
    p = cli("prioritise", HAND, "--runs", "many")
    assert p.returncode == 2


def test_decisions_lists_and_exports_the_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    store = st.Store(url)
    dec.record_decision("Q2", "refresh", "defer", "Ana", "later", {"npv": 5.0}, store=store)
    dec.record_decision("Q2", "refresh", "accept", "Ben", "now", {"npv": 5.0}, store=store)
    dec.record_decision("Other", "x", "reject", "Cy", store=store)
    cy = Identity("Cy Signed", subject="cy-3", email="cy@x.org")
    dec.record_decision("Other", "y", "accept", cy, store=store)
    store.dispose()
    env = {"SIM_DATABASE_URL": url}
    p = cli("decisions", "--session", "Q2", env=env)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.strip().splitlines()
    assert len(lines) == 2 and "ACCEPT by Ben: now" in lines[0], "newest first"
    p = cli("decisions", "--csv", env=env)
    assert p.returncode == 0, p.stderr
    table = pd.read_csv(pd.io.common.StringIO(p.stdout))
    assert list(table.columns) == dec.CSV_COLUMNS and len(table) == 4
    assert table.set_index("candidate").loc["y", "verified_as"] == "cy@x.org"
    p = cli("decisions", "--session", "Other", env=env)
    assert "ACCEPT by Cy Signed (signed in as cy@x.org)" in p.stdout, "the identity is said"
    assert "REJECT by Cy\n" in p.stdout + "\n", "a typed name is not said to be signed in"
    p = cli("decisions", "--session", "none", env=env)
    assert p.stdout.strip() == "no decisions stored for session 'none'"
    p = cli("decisions", env={"SIM_DATABASE_URL": "postgresql+psycopg://x:y@127.0.0.1:1/z"})
    assert p.returncode == 1 and p.stderr.startswith("error: ") and "Traceback" not in p.stderr


def test_decisions_of_one_session_by_its_id_or_its_file(tmp_path):
    """Two sessions named "Q2" with their own ids and a record from before ids:
    ``--session`` with an id or with the session file lists that id's records only;
    a file without an id, or the name, lists the id-less record only; a name whose
    records all have ids says which ids; a bad file names the field. Catches a lookup
    by name (Eve's record shown with Ana's) and ids missing from the CSV."""
    ours, theirs = "q2-ours-0001", "q2-theirs-0002"
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    store = st.Store(url)
    dec.record_decision("Q2", "refresh", "defer", "Old", store=store)
    dec.record_decision("Q2", "refresh", "accept", "Ana", "ours", store=store, session_id=ours)
    dec.record_decision("Q2", "refresh", "reject", "Eve", store=store, session_id=theirs)
    dec.record_decision("Q4", "x", "reject", "Cy", store=store, session_id="q4-session")
    store.dispose()
    env = {"SIM_DATABASE_URL": url}

    def session_file(name: str, **data) -> str:
        path = tmp_path / name
        path.write_text(yaml.safe_dump({"name": "Q2", "base": "gone.yaml", **data}))
        return str(path)

    for key in (ours, session_file("ours.yaml", id=ours)):
        p = cli("decisions", "--session", key, env=env)
        assert p.returncode == 0, p.stderr
        [line] = p.stdout.strip().splitlines()
        assert f"Q2 [{ours}]  refresh  ACCEPT by Ana: ours" in line, line
        p = cli("decisions", "--session", key, "--csv", env=env)
        table = pd.read_csv(pd.io.common.StringIO(p.stdout))
        assert list(table["session_id"]) == [ours] and list(table["decided_by"]) == ["Ana"]
    for key in (session_file("old.yaml"), "Q2"):
        p = cli("decisions", "--session", key, env=env)
        [line] = p.stdout.strip().splitlines()
        assert "Q2 [no id]  refresh  DEFER by Old" in line, line
    p = cli("decisions", "--session", "Q4", env=env)
    assert p.stdout.strip() == (
        "no decisions stored for session 'Q4'; sessions of that name have ids: q4-session "
        "(give one)"
    )
    p = cli("decisions", "--session", session_file("bad.yaml", id="Q2 Team"), env=env)
    assert p.returncode == 2 and "bad.yaml: id: must be 8-64 lower-case" in p.stderr, p.stderr
    p = cli("decisions", "--session", str(tmp_path / "missing.yaml"), env=env)
    assert p.returncode == 2 and "missing.yaml" in p.stderr and "Traceback" not in p.stderr
