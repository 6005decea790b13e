"""Which items count toward the business outcome: live must-haves only."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd

from simulation import compare, run
from simulation.scenario.loading import scenario_from_data
from simulation.scenario.yamlio import read_yaml_file
from tests.helpers import LIBRARY, make_scenario


def one_run(**sections: Any) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame]:
    res = run(make_scenario(**sections), runs=1, seed=1, workers=1)
    return res.runs.iloc[0], res.items.set_index("id"), res.weekly


def test_a_nice_to_have_never_counts_toward_the_outcome():
    """Must-have a (1,000/week, live day 10) and nice-to-have b (5,000/week, live
    day 5, two people). Target 1.0 x 1,000: b alone would meet it on day 5, but
    only must-haves count, so the outcome is day 10."""
    row, _, weekly = one_run(
        team={"size": 2},
        items=[
            {"id": "a", "effort": 10, "value": {"per_week": 1000}},
            {"id": "b", "effort": 5, "value": {"per_week": 5000}, "must_have": False},
        ],
        value={"outcome": {"target_fraction": 1.0}, "horizon_weeks": 4},
    )
    assert row["outcome_day"] == 10
    # The run-rate the chart draws is the counted one: 1,000 once a is live.
    assert weekly["run_rate"].tolist() == [0, 1000, 1000, 1000]


def test_adding_a_nice_to_have_cannot_raise_the_outcome_chance():
    """Direction of change, paired: the same plan plus an optional valuable item."""
    base = read_yaml_file(LIBRARY / "supply-chain.yaml")
    more = copy.deepcopy(base)
    more["items"].append(
        {"id": "extra", "effort": 3, "value": {"per_week": 50_000}, "must_have": False}
    )
    cmp = compare(
        {"base": scenario_from_data(base), "more": scenario_from_data(more)}, runs=200, seed=5
    )
    out = cmp.runs.pivot(index="run", columns="scenario", values="outcome_day")
    later = out["more"].fillna(np.inf) >= out["base"].fillna(np.inf)
    assert later.all(), "an optional item moved some future's outcome earlier"


def test_an_added_must_have_counts_toward_the_outcome():
    """Planned a (1,000/week, 20 days). A must-have z (1,000/week, 5 days) added on
    day 0 at the top goes live on day 5; target 0.5 x 1,000 (planned must-haves)
    is met by z on day 5."""
    row, _, _ = one_run(
        items=[{"id": "a", "effort": 20, "value": {"per_week": 1000}}],
        scope={
            "changes": [
                {
                    "at_day": 0,
                    "priority": "top",
                    "add": [{"id": "z", "effort": 5, "value": {"per_week": 1000}}],
                }
            ]
        },
        value={"outcome": {"target_fraction": 0.5}},
    )
    assert row["outcome_day"] == 5


def test_with_no_must_have_every_item_counts():
    """No must-have: a and b (1,000/week each, live 10 and 20), target 0.75 of 2,000."""
    row, _, _ = one_run(
        items=[
            {"id": "a", "effort": 10, "value": {"per_week": 1000}, "must_have": False},
            {"id": "b", "effort": 10, "value": {"per_week": 1000}, "must_have": False},
        ],
        value={"outcome": {"target_fraction": 0.75}},
    )
    assert row["outcome_day"] == 20
