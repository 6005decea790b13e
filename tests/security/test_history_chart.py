"""The History page charts any export within the documented 50,000 rows
(``docs/reference/security.md``).

Altair refuses a chart with more than 5,000 inline rows (``MaxRowsError``); the
cycle-time scatter had one row per done item, so an export of 5,001 done items
crashed the page. Above 5,000 the items are counted in cells of done period x
cycle time before charting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import history_charts
from tests.helpers import ROOT

PCT = {"p50": 4.0, "p85": 9.0, "p95": 14.0}


def done_items(n: int, types: int = 3, seed: int = 1) -> pd.DataFrame:
    """``n`` done items over two years, cycle times 1-30 working days, ``types`` types."""
    rng = np.random.default_rng(seed)
    done = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 730, n), unit="D")
    return pd.DataFrame(
        {
            "id": [f"S-{i}" for i in range(n)],
            "name": "x",
            "type": [f"T{i % types}" for i in range(n)],
            "done": done,
            "cycle_time": rng.integers(1, 31, n).astype(float),
        }
    )


@pytest.mark.parametrize(("n", "types"), [(5_001, 3), (50_000, 3), (50_000, 9)])
def test_the_cycle_time_chart_takes_up_to_50000_items(n, types):
    """``to_dict()`` works (it raised MaxRowsError above 5,000 rows), the chart's data
    holds at most 5,000 rows, and the cells' counts add up to the ``n`` items: 50 done
    periods x 25 bands x 3 types is 3,750 cells at most; 9 types are not coloured
    (4 at most), so 1,250. Catches charting every item, or losing items in the cells."""
    items = done_items(n, types)
    spec = history_charts.cycle_time_chart(items, PCT).to_dict()
    points = history_charts.cycle_time_points(items)
    assert len(points) <= history_charts.MAX_POINTS
    assert points["count"].sum() == n
    rows = max(len(v) for v in spec["datasets"].values())
    assert rows <= history_charts.MAX_POINTS
    if types > history_charts.MAX_TYPES:
        assert set(points["type"]) == {""}


def test_a_small_export_still_charts_each_item():
    """5,000 items: one dot each, with its id in the tooltip. Catches aggregating
    small exports (the team loses the item behind an outlier)."""
    items = done_items(5_000)
    points = history_charts.cycle_time_points(items)
    assert len(points) == 5_000 and list(points["id"][:2]) == ["S-0", "S-1"]
    history_charts.cycle_time_chart(items, PCT).to_dict()


def test_the_page_shows_an_export_of_5001_done_items():
    """An export of 5,001 done items uploaded on the History page: no exception, and the
    page says it read 5,001 done items. Catches the page crash (MaxRowsError)."""
    items = done_items(5_001)
    start = items["done"] - pd.to_timedelta(items["cycle_time"] * 1.4, unit="D")
    csv = pd.DataFrame(
        {
            "ID": items["id"],
            "Type": items["type"],
            "Started": start.dt.strftime("%Y-%m-%d"),
            "Done": items["done"].dt.strftime("%Y-%m-%d"),
        }
    ).to_csv(index=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("dashboard/pages/history.py").run()
    at.file_uploader(key="history_upload").set_value(("big.csv", csv.encode(), "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("vega_lite_chart")) >= 2
