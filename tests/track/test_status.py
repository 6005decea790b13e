"""Status files: bad input names its field; saving is atomic and never overwrites."""

from __future__ import annotations

import pytest

from simulation.scenario.errors import ScenarioError
from simulation.track import load_status, save_status, status_from_data, status_to_yaml
from tests.helpers import LIBRARY, make_scenario

PLAN = make_scenario(
    items=[{"id": "a", "effort": 5}, {"id": "b", "effort": 5}],
    risks=[
        {"id": "r", "probability": 0.5, "window": [0, 10], "impact": {"kind": "blocker", "days": 2}}
    ],
)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"as_of": "2027-01-08", "items": {"nope": {"done": "2027-01-05"}}}, "items.nope:"),
        ({"as_of": "2027-01-08", "items": {"a": {"done": "2027-01-11"}}}, "items.a.done:"),
        ({"as_of": "2026-12-31"}, "as_of:"),
        (
            {"as_of": "2027-01-08", "adoption": [{"week_of": "2027-01-04", "share": 1.5}]},
            "adoption[0].share:",
        ),
        ({"as_of": "2027-01-08", "risks": {"x": "passed"}}, "risks.x:"),
        (
            {"as_of": "2027-01-08", "items": {"a": {"started": "2027-01-05", "spent": -1}}},
            "items.a.spent:",
        ),
        ({"as_of": "2027-01-08", "team": {"size": "six"}}, "team.size:"),
        ({"as_of": "2027-01-08", "colour": "red"}, "colour:"),
        (
            {"as_of": "2027-01-08", "added": [{"id": "x", "effort": 1, "depends_on": ["zz"]}]},
            "added[0].depends_on[0]:",
        ),
        ({"as_of": "2027-01-08", "added": [{"id": "a", "effort": 1}]}, "added[0].id:"),
    ],
)
def test_bad_input_names_the_field(data, field):
    """Each case breaks one rule of the status format; the message starts with its path.

    Catches: a check missing (no error), or a message that hides the field.
    """
    with pytest.raises(ScenarioError) as err:
        status_from_data(data, plan=PLAN)
    assert str(err.value).startswith(field), str(err.value)


def test_spent_defaults_to_working_days_since_started_times_focus():
    """Started Tue 01-05, as of Fri 01-08: 4 working days, both counted, x focus 1 = 4.

    Catches: counting from the end of the start day (3) or calendar days.
    """
    st = status_from_data(
        {"as_of": "2027-01-08", "items": {"a": {"started": "2027-01-05"}}}, plan=PLAN
    )
    assert st.items["a"].spent == 4.0


def test_save_writes_atomically_and_never_overwrites(tmp_path):
    """A bundled status saved and read back is equal; a second save to the name fails.

    Catches: a save that silently replaces what a user saved, or a YAML form
    that does not read back.
    """
    st = load_status(LIBRARY / "status" / "2027-03-12.yaml")
    target = tmp_path / "status.yaml"
    save_status(st, target)
    text = target.read_text()
    assert text == status_to_yaml(st)
    with pytest.raises(ScenarioError, match="already exists"):
        save_status(st, target)
    assert target.read_text() == text
    assert [p.name for p in tmp_path.iterdir()] == ["status.yaml"], "no temporary file left"


def test_the_bundled_status_history_loads():
    """The four weekly files of the supply-chain plan are valid, oldest first."""
    files = sorted((LIBRARY / "status").glob("*.yaml"))
    assert len(files) == 4
    done = [len(load_status(f).done_ids) for f in files]
    assert done == sorted(done), "each week has at least as much done as the last"
