"""Portfolio page charts and tables: pure builders, checked with ``to_dict()``."""

from __future__ import annotations

import pandas as pd

from dashboard import portfolio_charts, portfolio_view
from simulation.portfolio import load_portfolio
from tests.helpers import LIBRARY


def test_roadmap_has_one_row_per_initiative_in_priority_order():
    """Three initiatives: the y axis sorts them in the given (priority) order and the
    chart is tall enough for three rows (50 px each); a row without a deadline
    draws no tick (the filter), so a NaT never becomes 1970."""
    t = pd.DataFrame(
        {
            "initiative": ["grant", "supply", "finance"],
            "p50": pd.to_datetime(["2027-05-01"] * 3),
            "p85": pd.to_datetime(["2027-06-01"] * 3),
            "deadline": pd.to_datetime(["2027-05-14", None, "2027-05-20"]),
            "on_time": [0.5, 0.4, 0.3],
        }
    )
    spec = portfolio_charts.roadmap_chart(t).to_dict()
    assert spec["layer"][0]["encoding"]["y"]["sort"] == ["grant", "supply", "finance"]
    assert spec["height"] >= 3 * 50
    assert spec["layer"][1]["transform"] == [{"filter": "isValid(datum.deadline)"}]


def test_move_up_and_lever_changes():
    """The arrow moves one place up (the first stays); levers that change nothing
    give no change, so Compare stays disabled."""
    assert portfolio_view.move_up(["a", "b", "c"], "c") == ["a", "c", "b"]
    assert portfolio_view.move_up(["a", "b"], "a") == ["a", "b"]
    p = load_portfolio(LIBRARY / "portfolios" / "data-platform.yaml")
    none = portfolio_view.lever_changes(
        p,
        list(p.ids),
        {"from": "supply", "to": "grant", "count": 0, "at_day": 0},
        {"initiative": "supply", "days": 0},
        portfolio_view.NO_CANCEL,
    )
    assert none == ()
    two = portfolio_view.lever_changes(p, ["grant", "supply", "finance"], None, None, "finance")
    assert [c.describe() for c in two] == [
        "Priority order: grant, supply, finance first",
        "Cancel finance",
    ]
