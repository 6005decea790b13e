"""Golden tables: whole ``runs`` and ``items`` tables of two library scenarios.

``scripts/regenerate.py`` writes ``tests/golden/*.csv``; this test recomputes
them with the same function and compares the bytes. Any engine change that
moves a number, anywhere in either table, fails here until the script is run
again (and the diff of the CSVs shows what moved); a hand edit of a CSV fails
too, so the script is the only way they change.
"""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.helpers import ROOT

_spec = importlib.util.spec_from_file_location("regenerate", ROOT / "scripts" / "regenerate.py")
regenerate = importlib.util.module_from_spec(_spec)
sys.modules["regenerate"] = regenerate  # its dataclasses look their module up there
_spec.loader.exec_module(regenerate)


@pytest.mark.parametrize("case", regenerate.GOLDEN_CASES, ids=lambda c: c[0])
def test_tables_equal_the_golden_csv(case):
    for name, text in regenerate.golden_tables(*case).items():
        path = regenerate.GOLDEN / name
        assert path.exists(), f"{name} missing: run scripts/regenerate.py"
        golden = path.read_text(encoding="utf-8")
        if golden != text:
            old, new = golden.splitlines(), text.splitlines()
            first = next(
                (i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
                min(len(old), len(new)),
            )
            pytest.fail(
                f"{name} differs from line {first + 1} (of {len(old)}):\n"
                f"golden:  {old[first] if first < len(old) else '<end>'}\n"
                f"now:     {new[first] if first < len(new) else '<end>'}\n"
                "If the change is intended, run scripts/regenerate.py and commit."
            )


def test_golden_files_are_exactly_the_cases():
    """No stale golden file lingers after a case is dropped."""
    expected = {
        n for case in regenerate.GOLDEN_CASES for n in regenerate.golden_tables(case[0], 1, case[2])
    }
    assert {p.name for p in regenerate.GOLDEN.glob("*.csv")} == expected
