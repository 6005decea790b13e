"""Bad numbers and keys through the Python API: a ScenarioError naming the field."""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd
import pytest

from simulation import ScenarioError, run
from simulation.scenario.loading import scenario_from_data
from simulation.scenario.yamlio import read_yaml_file
from tests.helpers import LIBRARY, make_scenario


def one_run(**sections: Any) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame]:
    res = run(make_scenario(**sections), runs=1, seed=1, workers=1)
    return res.runs.iloc[0], res.items.set_index("id"), res.weekly


def _numeric_paths(data: Any, path: str = "") -> list[tuple[str, list[Any]]]:
    """(shown path, key path) of every number in plain data."""
    out = []
    if isinstance(data, dict):
        for k, v in data.items():
            out += [
                (p, [k, *keys]) for p, keys in _numeric_paths(v, f"{path}.{k}" if path else str(k))
            ]
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += [(p, [i, *keys]) for p, keys in _numeric_paths(v, f"{path}[{i}]")]
    elif isinstance(data, int | float) and not isinstance(data, bool):
        out.append((path, []))
    return out


def test_a_huge_integer_anywhere_through_the_api_is_a_scenario_error():
    """Defect: ``10**400`` as an effort raised OverflowError from the Python API.
    Every number of the library's richest file, replaced by 10**400, gives a
    ScenarioError naming that field (or its distribution)."""
    data = read_yaml_file(LIBRARY / "supply-chain.yaml")
    paths = _numeric_paths(data)
    assert len(paths) > 60
    for shown, keys in paths:
        bad = copy.deepcopy(data)
        node = bad
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = 10**400
        with pytest.raises(ScenarioError) as err:
            scenario_from_data(bad)
        named = (
            shown.rsplit(".", 1)[0]
            if shown.split(".")[-1]
            in ("low", "mode", "high", "median", "p90", "mean", "sd", "value")
            else shown
        )
        assert named in str(err.value), (shown, str(err.value))


def test_huge_bare_effort_names_the_item():
    data = {
        "name": "x",
        "start_date": "2027-01-04",
        "team": {"size": 2},
        "items": [{"id": "a", "effort": 10**400}],
    }
    with pytest.raises(ScenarioError, match=r"items\[0\]\.effort: must be <= 1,000,000"):
        scenario_from_data(data)


@pytest.mark.parametrize("where", ["top", "team"])
def test_an_empty_key_is_named(where):
    """Defect: an unknown key '' read ``<upload>: : unknown key``."""
    data: dict[str, Any] = {
        "name": "x",
        "start_date": "2027-01-04",
        "team": {"size": 2},
        "items": [{"id": "a", "effort": 3}],
    }
    (data if where == "top" else data["team"])[""] = 1
    with pytest.raises(ScenarioError) as err:
        scenario_from_data(data)
    prefix = "" if where == "top" else "team."
    assert f"<upload>: {prefix}'' (an empty key): unknown key" in str(err.value)
