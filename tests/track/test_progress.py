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


def test_a_duplicated_export_row_fills_from_its_last_row_and_is_said(tmp_path, capsys):
    """INGEST is on two rows (closed, then reopened and closed again): its progress
    comes from the last row only (History's rule), and ``track --export`` says so on
    stderr. Catches the first row read, and a row dropped without a word."""
    from simulation.cli.track import with_export
    from simulation.track import load_status

    export = EXPORT + b"INGEST,ERP data ingestion,2027-01-11,2027-02-05\n"
    got = progress_from_export(
        read_history(export), load_scenario(LIBRARY / "supply-chain.yaml"), dt.date(2027, 2, 19)
    )
    assert got.items["ingest"] == {"started": dt.date(2027, 1, 11), "done": dt.date(2027, 2, 5)}
    path = tmp_path / "export.csv"
    path.write_bytes(export)
    with_export(load_status(LIBRARY / "status" / "2027-02-19.yaml"), str(path))
    err = capsys.readouterr().err
    assert f"{path}: warning: 1 item id appears on more than one row (INGEST)" in err, err
