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


def test_a_record_reads_back_as_written_json_safe_and_in_utc(db_url):
    """What a re-forecast hands in (numpy numbers, NaN, dates in tuples) is stored as
    JSON would hold it: plain numbers, None for NaN, ISO dates. The plan is trimmed;
    the record's id and its UTC time are the ones read back."""
    import numpy as np

    store = open_store(db_url)
    status = {"p": np.float64(0.5), "gap": float("nan"), "days": (date(2027, 1, 4),)}
    rec = record_reforecast(" q.yaml ", date(2027, 1, 8), status, {"n": [np.int64(2)]}, store)
    assert rec.plan == "q.yaml" and isinstance(rec.id, int)
    assert rec.recorded_at.utcoffset().total_seconds() == 0
    (back,) = trail("q.yaml", store)
    assert (back.id, back.plan, back.as_of) == (rec.id, "q.yaml", date(2027, 1, 8))
    assert back.status == {"p": 0.5, "gap": None, "days": ["2027-01-04"]}
    assert back.summary == {"n": [2]}
    assert back.recorded_at.utcoffset().total_seconds() == 0
    assert back.recorded_at == rec.recorded_at, "the time recorded, to the microsecond"


def test_the_plan_name_is_required_and_bounded(db_url):
    """500 characters are stored; 501, empty or blank are refused naming the field."""
    import pytest

    from simulation import ScenarioError

    store = open_store(db_url)
    assert record_reforecast("p" * 500, date(2027, 1, 8), {}, {}, store).plan == "p" * 500
    for plan in ("p" * 501, "", "   ", None):
        with pytest.raises(ScenarioError) as info:
            record_reforecast(plan, date(2027, 1, 8), {}, {}, store)
        assert str(info.value) == "plan: required, at most 500 characters"
