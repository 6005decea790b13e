"""The trail of re-forecasts in the store: insert-only, oldest first, two writers."""

from __future__ import annotations

import threading
from datetime import date

from simulation.store import open_store
from simulation.store.trail import record_reforecast, trail


def test_trail_lists_records_oldest_first_and_keeps_both_writers(db_url):
    """Records for 03-12, then 02-19, then two at once for 02-26 (threads).

    The trail is ordered by as-of date (02-19, 02-26, 02-26, 03-12), both
    concurrent records kept, another plan's record left out. Catches: ordering
    by insertion instead of as-of date, or an upsert that keeps one writer.
    """
    store = open_store(db_url)
    record_reforecast("p.yaml", date(2027, 3, 12), {"as_of": "2027-03-12"}, {"x": 3}, store)
    record_reforecast("p.yaml", date(2027, 2, 19), {"as_of": "2027-02-19"}, {"x": 1}, store)
    record_reforecast("other.yaml", date(2027, 2, 1), {}, {}, store)
    barrier = threading.Barrier(2)

    def write(who: str) -> None:
        barrier.wait()
        record_reforecast("p.yaml", date(2027, 2, 26), {"by": who}, {"x": 2}, store)

    threads = [threading.Thread(target=write, args=(w,)) for w in ("ana", "ben")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = trail("p.yaml", store)
    assert [r.as_of.isoformat() for r in rows] == [
        "2027-02-19",
        "2027-02-26",
        "2027-02-26",
        "2027-03-12",
    ]
    assert {rows[1].status["by"], rows[2].status["by"]} == {"ana", "ben"}
    assert rows[0].summary == {"x": 1}
