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
