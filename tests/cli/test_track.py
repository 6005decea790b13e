"""``track``: the re-forecast's JSON, recording, the trail and exit 2 on bad input."""

from __future__ import annotations

import json
import shutil

from simulation.cli import main
from tests.helpers import LIBRARY


def test_track_json_record_and_trail(tmp_path, monkeypatch, capsys):
    """The bundled week-10 status: 7 done, 2 in progress, realised value 750.

    Realised: inventory + alerts (3,000 + 2,000 a week) are live from 02-19 and
    earn 0.03, 0.05 and 0.07 in the weeks of 02-22, 03-01 and 03-08: 5,000 x
    0.15 = 750 (approvals goes live on 03-12, after the last measured week
    began). Two statuses recorded out of order come back oldest first. Catches:
    a JSON field missing, a record lost, or the trail keyed by the relative path.
    """
    monkeypatch.setenv("SIM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SIM_DATABASE_URL", f"sqlite:///{tmp_path / 'trail.sqlite'}")
    for week in ("2027-03-12", "2027-02-19"):
        assert (
            main(
                [
                    "track",
                    str(LIBRARY / "status" / f"{week}.yaml"),
                    "--runs",
                    "50",
                    "--json",
                    "--record",
                ]
            )
            == 0
        )
        out = json.loads(capsys.readouterr().out)
        if week == "2027-03-12":
            assert (out["done"], out["in_progress"], out["realised_value"]) == (7, 2, 750.0)
            assert out["adoption_fit"]["model"] == "bass" and out["adoption_fit"]["fitted"]
            assert set(out["since_plan"]) == {
                "delivery_p85_days",
                "npv_mean",
                "outcome_probability",
            }
    assert main(["track", "--trail", str(LIBRARY / "supply-chain.yaml"), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["as_of"] for r in rows] == ["2027-02-19", "2027-03-12"]


def test_bad_status_exits_2_naming_the_field(tmp_path, capsys):
    """A share of 1.2: exit 2, message names ``adoption[0].share``, no traceback."""
    shutil.copy(LIBRARY / "supply-chain.yaml", tmp_path / "plan.yaml")
    (tmp_path / "s.yaml").write_text(
        "plan: plan.yaml\nas_of: 2027-03-12\nadoption: [{week_of: 2027-03-01, share: 1.2}]\n"
    )
    assert main(["track", str(tmp_path / "s.yaml")]) == 2
    err = capsys.readouterr().err
    assert "adoption[0].share: must be <= 1" in err and "Traceback" not in err


def test_record_by_names_who_recorded_and_bad_names_are_refused(tmp_path, monkeypatch, capsys):
    """``--record --by "Ana Ruiz"`` keeps the name with the record (the trail's JSON
    gives it back; a record without ``--by`` has none); an empty name, one over the
    store's 200 characters, or ``--by`` without ``--record`` exits 2 naming ``--by``,
    and records nothing. Catches a name dropped on the way to the store, and a bad
    name stored or accepted silently."""
    monkeypatch.setenv("SIM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SIM_DATABASE_URL", f"sqlite:///{tmp_path / 'trail.sqlite'}")
    status = str(LIBRARY / "status" / "2027-03-05.yaml")
    base = ["track", status, "--runs", "50", "--json"]
    assert main([*base, "--record", "--by", "Ana Ruiz"]) == 0
    assert main([*base, "--record"]) == 0
    capsys.readouterr()
    for bad, why in (
        (["--record", "--by", "  "], "--by: required"),
        (["--record", "--by", "x" * 201], "--by: at most 200 characters"),
        (["--by", "Ana Ruiz"], "--by: only with --record"),
    ):
        assert main([*base, *bad]) == 2, bad
        err = capsys.readouterr().err
        assert why in err and "Traceback" not in err, err
    assert main(["track", "--trail", str(LIBRARY / "supply-chain.yaml"), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["recorded_by"] for r in rows] == ["Ana Ruiz", None]
