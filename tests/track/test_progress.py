"""Progress from a work-item export: matched by id or name, unmatched rows listed."""

from __future__ import annotations

import datetime as dt

from simulation.history import read_history
from simulation.scenario.loading import load_scenario
from simulation.track.progress import progress_from_export
from tests.helpers import LIBRARY

EXPORT = b"""ID,Title,Activated Date,Closed Date
INGEST,ERP data ingestion,2027-01-11,2027-01-29
42,Supplier and PO data model,2027-02-01,2027-02-12
43,Inventory dashboard,2027-02-15,
44,Printer drivers,2027-02-01,2027-02-03
45,PO approval queue,2027-03-01,
"""


def test_export_rows_fill_the_status_and_unmatched_rows_are_listed():
    """As of 2027-02-19: ingest (by id, any case) and model (by name) are done;
    inventory is in progress from 02-15; approvals starts after the as-of date
    so it is not started yet; "Printer drivers" matches no item and is listed.
    Catches: name matching missing, a future start counted, or a row dropped
    without a word.
    """
    hist = read_history(EXPORT, name="export.csv")
    got = progress_from_export(
        hist, load_scenario(LIBRARY / "supply-chain.yaml"), dt.date(2027, 2, 19)
    )
    d = dt.date
    assert got.items == {
        "ingest": {"done": d(2027, 1, 29), "started": d(2027, 1, 11)},
        "model": {"done": d(2027, 2, 12), "started": d(2027, 2, 1)},
        "inventory": {"started": d(2027, 2, 15)},
    }
    assert got.unmatched == [{"row": 5, "id": "44", "name": "Printer drivers"}]
