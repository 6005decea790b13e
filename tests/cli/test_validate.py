"""``validate`` tells each kind of file apart and checks it as what it is.

Every file the product ships (scenarios, variants, sessions, exercises, work-item
exports) must pass; a broken file of each kind must fail with the message its own
reader gives (docs/reference/cli.md), exit 2 and no traceback.
"""

from __future__ import annotations

import shutil

import pytest

from simulation.cli import main
from simulation.cli.validate import KINDS, kind_of
from tests.helpers import LIBRARY, ROOT

SHIPPED = sorted(
    [*LIBRARY.glob("*.yaml"), *LIBRARY.glob("*/*.yaml"), *LIBRARY.glob("history/*.csv")]
)
EXPECTED_KIND = {
    "supply-chain.yaml": "scenario",
    "supply-chain-creep.yaml": "variant",
    "freeze.yaml": "exercise",
    "supply-chain-q2.yaml": "session",
    "team-stories.csv": "work-item export",
}


def test_every_shipped_file_validates(capsys):
    """Exit 0 on all of them, one ``ok`` line each naming its kind. Catches a kind
    that is not recognised (a session read as a scenario fails on ``candidates``)."""
    assert len(SHIPPED) >= 25, "the library, its exercises, sessions and exports"
    assert main(["validate", *map(str, SHIPPED)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(SHIPPED)
    for path in SHIPPED:
        if path.name in EXPECTED_KIND:
            line = next(x for x in out if x.startswith(f"ok: {path}:"))
            assert f": {EXPECTED_KIND[path.name]}: " in line, line


def test_the_kinds_are_one_table_ending_in_scenario():
    """Detection is first match in :data:`KINDS`, so the catch-all scenario is last."""
    assert [k.name for k in KINDS][-1] == "scenario"
    assert len({k.name for k in KINDS}) == len(KINDS)


@pytest.mark.parametrize(
    ("name", "edit", "words"),
    [
        (
            "exercises/freeze.yaml",
            ("metric: delivery.p50_day", "metric: delivery.p51_day"),
            "questions[0].metric",
        ),
        ("sessions/supply-chain-q2.yaml", ("- id: refresh", "- id: Refresh!"), "candidates"),
    ],
)
def test_a_broken_file_fails_with_its_own_readers_message(tmp_path, capsys, name, edit, words):
    """An exercise with an unknown metric and a session with a bad candidate id: exit 2
    and the reader's own field path, not a scenario's "unknown key". Catches every file
    validated as a scenario."""
    text = (LIBRARY / name).read_text(encoding="utf-8")
    assert edit[0] in text
    for f in LIBRARY.glob("*.yaml"):  # the scenarios beside the copy
        shutil.copy(f, tmp_path / f.name)
    text = text.replace("../", "").replace(edit[0], edit[1], 1)
    path = tmp_path / name.split("/")[1]
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert words in err and "unknown key" not in err and "Traceback" not in err, err


def test_a_broken_export_is_an_export_problem(tmp_path, capsys):
    """A CSV with an impossible date: exit 2 naming column and row."""
    path = tmp_path / "bad.csv"
    path.write_text("ID,Started,Done\nA,2027-01-04,2027-02-30\n", encoding="utf-8")
    assert kind_of(path).name == "work-item export"
    assert main(["validate", str(path)]) == 2
    assert "column 'Done', row 2" in capsys.readouterr().err


def test_an_export_with_data_quality_warnings_is_valid_and_says_so(tmp_path, capsys):
    """A duplicated id and an item done before its start: the export is valid (exit 0),
    the line counts the two warnings and the item once."""
    path = tmp_path / "dirty.csv"
    path.write_text(
        "ID,Started,Done\nA,2027-01-04,2027-01-05\nB,2027-01-12,2027-01-08\n"
        "A,2027-01-04,2027-01-06\n",
        encoding="utf-8",
    )
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "2 items, 2 done; dates ISO; 2 data-quality warnings (see history)" in out, out


def test_an_unreadable_file_is_a_message(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "missing.yaml"), str(ROOT)]) == 2
    err = capsys.readouterr().err
    assert "file not found" in err and "folder" in err and "Traceback" not in err
