"""Session files at their bounds (docs/reference/decide.md): what is refused, what is not.

Bounds, each exactly at the edge and one past it:

* a candidate needs at least one change (``changes: []`` is the base itself, nothing
  to rank);
* a constraint is a probability from 0 to 1, both ends included (0 asks for nothing,
  1 for every future);
* at most ``MAX_CANDIDATES`` (50) candidates: 50 load, 51 are refused.
"""

from __future__ import annotations

import shutil

import pytest
import yaml

from simulation import ScenarioError
from simulation.decide.sessions import MAX_CANDIDATES, load_session
from tests.helpers import ROOT

DATA = ROOT / "tests" / "data"


def _load(tmp_path, edit):
    data = yaml.safe_load((DATA / "hand-session.yaml").read_text())
    edit(data)
    shutil.copy(DATA / "hand-base.yaml", tmp_path / "hand-base.yaml")
    path = tmp_path / "bounds.yaml"
    path.write_text(yaml.safe_dump(data))
    return load_session(path), path


def _refused(tmp_path, edit) -> str:
    with pytest.raises(ScenarioError) as info:
        _load(tmp_path, edit)
    return str(info.value).removeprefix(f"{tmp_path / 'bounds.yaml'}: ")


def _many(n: int):
    def edit(d):
        d["candidates"] = [
            {"id": f"slip-{i}", "changes": [{"delay_start": {"days": i % 5 + 1}}]} for i in range(n)
        ]

    return edit


@pytest.mark.parametrize("changes", [[], None])
def test_a_candidate_without_changes_is_refused(tmp_path, changes):
    """Catches a check on the key's presence only: ``changes: []`` would rank the base
    against itself (Δ 0 everywhere, a "loss" ranked with the rest)."""

    def edit(d):
        d["candidates"].append({"id": "nothing", "changes": changes})

    message = _refused(tmp_path, edit)
    got = "an empty list" if changes == [] else "nothing"
    assert message == f"candidates[6].changes: list at least one change, got {got}"


@pytest.mark.parametrize("floor", [0, 0.0, 1, 1.0, 0.7])
def test_a_constraint_from_0_to_1_is_accepted_ends_included(tmp_path, floor):
    """Catches ``0 < v`` or ``v < 1`` in place of ``0 <= v <= 1``."""
    ses, _ = _load(tmp_path, lambda d: d.update(constraint={"on_time_probability": floor}))
    assert ses.constraint == {"on_time_probability": float(floor)}


@pytest.mark.parametrize("floor", [-0.01, 1.01, True, "0.5"])
def test_a_constraint_outside_0_to_1_is_refused_with_the_value(tmp_path, floor):
    message = _refused(tmp_path, lambda d: d.update(constraint={"outcome_probability": floor}))
    assert message == (
        f"constraint.outcome_probability: must be a probability from 0 to 1, got {floor!r}"
    )


def test_exactly_the_maximum_of_candidates_loads_one_more_is_refused(tmp_path):
    """50 candidates load; 51 are refused naming the bound and the count. Catches
    ``>=`` in place of ``>`` (50 refused) and a missing bound (51 accepted)."""
    assert MAX_CANDIDATES == 50
    ses, _ = _load(tmp_path, _many(MAX_CANDIDATES))
    assert len(ses.candidates) == 50
    assert _refused(tmp_path, _many(MAX_CANDIDATES + 1)) == (
        "candidates: at most 50 candidates in a session, got 51"
    )
