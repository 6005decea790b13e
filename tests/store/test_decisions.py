"""Decisions in the store (docs/reference/decide.md, 12), on SQLite and PostgreSQL (``db_url``).

Every decision is a new row: nothing recorded is overwritten, also when two
people decide the same candidate at the same moment; the newest is shown; the
numbers shown when deciding are kept with it.
"""

from __future__ import annotations

import math
import threading
from datetime import datetime

import numpy as np
import pytest
import sqlalchemy as sa

from simulation import ScenarioError
from simulation import store as st
from simulation.store import decisions as dec

NUMBERS = {
    "rank": 1,
    "verdict": "trade-off",
    "delivery_days": 3.5,
    "npv": 12000.0,
    "value_per_day": math.nan,
}


def test_schema_is_versioned_and_created_at_start(db_url):
    store = st.Store(db_url)
    assert ("decisions", 1) in store.applied()
    assert sa.inspect(store.engine).has_table("decisions")
    assert st.Store(db_url).migrate() == [], "a second start changes nothing"


def test_a_decision_keeps_who_why_when_and_the_numbers(db_url):
    store = st.Store(db_url)
    rec = dec.record_decision(
        "Q2", "refresh", "accept", "Ana (PMO)", "Worth ten days", NUMBERS, store=store
    )
    assert rec.unseen == []
    [d] = dec.list_decisions("Q2", store=store)
    assert (d.session, d.candidate, d.decision, d.decided_by, d.rationale) == (
        "Q2",
        "refresh",
        "accept",
        "Ana (PMO)",
        "Worth ten days",
    )
    assert d.id == rec.decision.id
    assert d.numbers == {**NUMBERS, "value_per_day": None}, "NaN is stored as no value"
    assert d.decided_at.tzinfo is not None
    assert abs((d.decided_at - rec.decision.decided_at).total_seconds()) < 1


def test_deciding_again_adds_a_row_and_the_newest_is_shown(db_url):
    store = st.Store(db_url)
    first = dec.record_decision("Q2", "refresh", "defer", "Ana", store=store).decision
    second = dec.record_decision(
        "Q2", "refresh", "reject", "Ben", "Too late", seen=first.id, store=store
    )
    assert second.unseen == [], "Ben saw Ana's decision"
    dec.record_decision("Other", "refresh", "accept", "Cy", store=store)
    rows = dec.list_decisions("Q2", store=store)
    assert [(d.decision, d.decided_by) for d in rows] == [("reject", "Ben"), ("defer", "Ana")]
    assert dec.latest_decisions("Q2", store=store)["refresh"].decision == "reject"
    assert len(dec.list_decisions(store=store)) == 3


def test_a_decision_someone_else_made_meanwhile_is_reported(db_url):
    """Ana and Ben both open the page with no decision; Ana decides first."""
    store = st.Store(db_url)
    ana = dec.record_decision("Q2", "refresh", "accept", "Ana", store=store)
    ben = dec.record_decision("Q2", "refresh", "reject", "Ben", seen=None, store=store)
    assert [u.id for u in ben.unseen] == [ana.decision.id]
    assert len(dec.list_decisions("Q2", store=store)) == 2, "both records are kept"


def test_two_people_deciding_at_once_keep_both_records(db_url):
    """Two threads, each with its own connection pool, write the same candidate at once."""
    stores = [st.Store(db_url), st.Store(db_url)]
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def decide(i: int) -> None:
        try:
            barrier.wait()
            for k in range(5):
                dec.record_decision(
                    "Q2",
                    "refresh",
                    ("accept", "reject")[i],
                    f"person {i}",
                    f"round {k}",
                    NUMBERS,
                    store=stores[i],
                )
        except Exception as exc:  # reported below, with the backend's message
            errors.append(exc)

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = dec.list_decisions("Q2", store=stores[0])
    assert len(rows) == 10 and len({d.id for d in rows}) == 10
    assert {d.decided_by for d in rows} == {"person 0", "person 1"}
    for s in stores:
        s.dispose()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"decision": "maybe"}, "decision: must be one of accept, defer, reject"),
        ({"decided_by": "  "}, "decided_by: required"),
        ({"candidate": ""}, "candidate: required"),
        ({"rationale": "x" * 5001}, "rationale: at most 5,000 characters"),
        ({"session_id": "Q2 Team"}, "session_id: must be 8-64 lower-case letters"),
        ({"session_id": "short"}, "session_id: must be 8-64 lower-case letters"),
    ],
)
def test_bad_decisions_name_the_field_and_write_nothing(db_url, kwargs, message):
    store = st.Store(db_url)
    args = {
        "session": "Q2",
        "candidate": "refresh",
        "decision": "accept",
        "decided_by": "Ana",
        **kwargs,
    }
    with pytest.raises(ScenarioError, match=message):
        dec.record_decision(**args, store=store)
    assert dec.list_decisions(store=store) == []


def test_decision_rows_for_csv(db_url):
    store = st.Store(db_url)
    dec.record_decision("Q2", "refresh", "accept", "Ana", "ok", NUMBERS, store=store)
    [row] = dec.decision_rows(dec.list_decisions(store=store))
    assert list(row) == dec.CSV_COLUMNS
    assert (row["verdict"], row["npv"], row["value_per_day"]) == ("trade-off", 12000.0, None)


#: Two sessions that share a name, each with its own id.
OURS, THEIRS = "0a1b2c3d-ours", "9f8e7d6c-theirs"


def test_decisions_belong_to_the_session_id_not_the_name(db_url):
    """Two sessions named "Q2" with different ids, and a record from before sessions had
    ids: each id sees and extends only its own records; the name alone sees only the
    record without an id. Catches a lookup by name (theirs would show ours), a
    "meanwhile" report across ids, and id-less rows shown to a session with an id."""
    store = st.Store(db_url)
    old = dec.record_decision("Q2", "refresh", "defer", "Old", store=store).decision
    ours = dec.record_decision("Q2", "refresh", "accept", "Ana", store=store, session_id=OURS)
    assert ours.unseen == [], "the id-less record is not this session's"
    theirs = dec.record_decision(
        "Q2", "refresh", "reject", "Eve", seen=None, store=store, session_id=THEIRS
    )
    assert theirs.unseen == [], "another id's decision is never reported as seen or unseen"
    assert [d.decided_by for d in dec.list_decisions(store=store, session_id=OURS)] == ["Ana"]
    assert dec.latest_decisions("Q2", store=store, session_id=OURS)["refresh"].decision == (
        "accept"
    ), "the newest of our id, not Eve's newer record under the same name"
    assert dec.latest_decisions(None, store=store, session_id=THEIRS)["refresh"].decided_by == (
        "Eve"
    )
    assert dec.list_decisions("Q2", store=store) == [old], "the name alone: id-less rows only"
    assert (ours.decision.session_id, old.session_id) == (OURS, None)
    assert len(dec.list_decisions(store=store)) == 3, "nothing is lost"
    [row] = dec.decision_rows(dec.list_decisions(store=store, session_id=OURS))
    assert row["session_id"] == OURS


def test_a_store_from_before_session_ids_keeps_its_rows(db_url):
    """A decisions table without the session_id column (the first version), holding a
    record: opening the store adds the column; the record stays, with no id, seen by
    its name alone; a session with an id neither sees it nor is told of it. Catches a
    migration that only fresh stores pass, and one that gives old rows an id."""
    st.Store(db_url).dispose()
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:  # back to the first version's table, with one record
        conn.execute(sa.text("DROP INDEX ix_decisions_session_id_candidate"))
        conn.execute(sa.text("ALTER TABLE decisions DROP COLUMN session_id"))
        conn.execute(
            st.schema_version.delete().where(
                st.schema_version.c.component == "decisions", st.schema_version.c.version == 2
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO decisions (session, candidate, decision, rationale, decided_by, "
                "decided_at, numbers) VALUES ('Q2', 'refresh', 'accept', 'kept', 'Ana', "
                "CURRENT_TIMESTAMP, '{}')"
            )
        )
    engine.dispose()
    st._OPEN.pop(db_url, None)
    store = st.Store(db_url)
    try:
        assert ("decisions", 2) in store.applied()
        [old] = dec.list_decisions("Q2", store=store)
        assert (old.decided_by, old.rationale, old.session_id) == ("Ana", "kept", None)
        rec = dec.record_decision("Q2", "refresh", "reject", "Ben", store=store, session_id=OURS)
        assert rec.unseen == []
        assert dec.list_decisions("Q2", store=store) == [old]
        assert [d.decided_by for d in dec.list_decisions(store=store, session_id=OURS)] == ["Ben"]
    finally:
        store.dispose()


def test_decision_rows_carry_every_column(db_url):
    """One recorded decision with a full ranking row: each CSV column is the value
    given (the session without an id reads "" for it, a typed name "" for
    ``verified_as``), the time to the second in ISO form with its zone. Catches a
    column read from the wrong key of the numbers, or left out."""
    store = st.Store(db_url)
    shown = {
        "rank": 2,
        "verdict": "gain",
        "delivery_days": -1.5,
        "npv": 900.0,
        "on_time": 0.25,
        "outcome": -0.5,
        "value_per_day": 12.0,
        "cost": 5.0,  # shown on the page, not a CSV column
    }
    rec = dec.record_decision("Q2", "refresh", "defer", "Ana", "wait", shown, store=store)
    [row] = dec.decision_rows(dec.list_decisions(store=store))
    at = rec.decision.decided_at
    assert row == {
        "session": "Q2",
        "session_id": "",
        "candidate": "refresh",
        "decision": "defer",
        "rationale": "wait",
        "decided_by": "Ana",
        "verified_as": "",
        "decided_at": row["decided_at"],
        "verdict": "gain",
        "rank": 2,
        "delivery_days": -1.5,
        "npv": 900.0,
        "on_time": 0.25,
        "outcome": -0.5,
        "value_per_day": 12.0,
        "id": rec.decision.id,
    }
    # to the second, with its zone (the backend's may differ from UTC): the same moment
    assert datetime.fromisoformat(row["decided_at"]) == at.replace(microsecond=0)
    assert "." not in row["decided_at"]


@pytest.mark.parametrize(
    ("field", "limit"), [("session", dec.MAX_NAME), ("candidate", 64), ("decided_by", 200)]
)
def test_texts_up_to_their_limit_are_kept_one_more_is_refused(db_url, field, limit):
    """A session name and a name of 200 characters, a candidate id of 64 (the columns'
    sizes) are stored as given; one character more is refused naming the field.
    Catches an off-by-one limit or a changed size."""
    store = st.Store(db_url)
    args = {"session": "Q2", "candidate": "refresh", "decision": "accept", "decided_by": "Ana"}
    rec = dec.record_decision(**{**args, field: "x" * limit}, store=store)
    assert getattr(rec.decision, field) == "x" * limit
    with pytest.raises(ScenarioError, match=f"^{field}: at most {limit} characters"):
        dec.record_decision(**{**args, field: "x" * (limit + 1)}, store=store)
    assert len(dec.list_decisions(store=store)) == 1


def test_texts_are_trimmed_and_a_missing_rationale_is_empty(db_url):
    """Spaces around the session name, candidate and rationale are not kept; no
    rationale (None) is stored as the empty text; the longest rationale (5,000) is
    kept. Catches untrimmed texts, None stored as "None", and ``>=`` at the limit."""
    store = st.Store(db_url)
    rec = dec.record_decision("  Q2 ", " refresh ", "accept", "Ana", None, store=store)
    assert (rec.decision.session, rec.decision.candidate, rec.decision.rationale) == (
        "Q2",
        "refresh",
        "",
    )
    long = dec.record_decision("Q2", "refresh", "reject", "Ben", "y" * 5_000, store=store)
    assert len(long.decision.rationale) == dec.MAX_RATIONALE == 5_000
    assert [d.rationale for d in dec.list_decisions("Q2", store=store)] == ["y" * 5_000, ""]


def test_numbers_are_stored_as_plain_json(db_url):
    """A ranking row as pandas gives it: numpy integers and floats become plain
    numbers, infinities and NaN no value, keys text. What the page gets back equals
    what was recorded. Catches numpy scalars kept (not JSON), +/-inf stored, and
    non-text keys."""
    store = st.Store(db_url)
    numbers = {
        "rank": np.int64(3),
        "npv": np.float64(1.5),
        "value_per_day": math.inf,
        "p85_days": -math.inf,
        "on_time": np.float64("nan"),
        7: "seven",
    }
    rec = dec.record_decision("Q2", "refresh", "accept", "Ana", numbers=numbers, store=store)
    want = {"rank": 3, "npv": 1.5, "value_per_day": None, "p85_days": None, "on_time": None}
    want["7"] = "seven"
    assert rec.decision.numbers == want
    assert type(rec.decision.numbers["rank"]) is int
    [d] = dec.list_decisions(store=store)
    assert d.numbers == want


def test_latest_decisions_needs_a_session_and_keeps_the_newest_per_candidate(db_url):
    """Three decisions on two candidates: the newest of each is shown; asking with
    neither a name nor an id is a mistake, not every session's decisions. Catches
    the oldest kept, and the missing-session guard dropped."""
    store = st.Store(db_url)
    dec.record_decision("Q2", "refresh", "defer", "Ana", store=store)
    dec.record_decision("Q2", "portal", "reject", "Ana", store=store)
    dec.record_decision("Q2", "refresh", "accept", "Ben", store=store)
    latest = dec.latest_decisions("Q2", store=store)
    assert {k: d.decision for k, d in latest.items()} == {"refresh": "accept", "portal": "reject"}
    with pytest.raises(
        ValueError, match=r"^latest_decisions: give the session's id \(or its name\)$"
    ):
        dec.latest_decisions(None, store=store)


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"session": " "}, ("session", "required")),
        ({"candidate": ""}, ("candidate", "required")),
        ({"rationale": "x" * 5001}, ("rationale", "at most 5,000 characters")),
        ({"decision": "maybe"}, ("decision", "must be one of accept, defer, reject, got 'maybe'")),
    ],
)
def test_a_refusal_names_its_field_for_the_form(db_url, kwargs, problem):
    """The page puts each refusal beside its field from ``problems``: one (field,
    message) pair, and the message starts with the field. Catches the pair dropped
    or the field misnamed."""
    store = st.Store(db_url)
    args = {"session": "Q2", "candidate": "refresh", "decision": "accept", "decided_by": "Ana"}
    with pytest.raises(ScenarioError) as err:
        dec.record_decision(**{**args, **kwargs}, store=store)
    assert err.value.problems == [problem]
    assert str(err.value) == f"{problem[0]}: {problem[1]}"


def test_no_rationale_is_stored_as_none_given(db_url):
    """A decision recorded without a rationale keeps the empty text."""
    store = st.Store(db_url)
    rec = dec.record_decision("Q2", "refresh", "accept", "Ana", store=store)
    assert rec.decision.rationale == "" and dec.list_decisions(store=store)[0].rationale == ""


def test_unseen_are_the_newer_decisions_on_that_candidate_only(db_url):
    """Ana decides refresh (1), then portal; Cy decides refresh (3); Ben had Ana's
    refresh decision on screen (seen = 1): only Cy's is unseen, not the portal one
    nor the one he saw. Catches the ``seen`` filter lost and decisions on other
    candidates reported."""
    store = st.Store(db_url)
    ana = dec.record_decision("Q2", "refresh", "defer", "Ana", store=store).decision
    dec.record_decision("Q2", "portal", "accept", "Ana", store=store)
    cy = dec.record_decision("Q2", "refresh", "accept", "Cy", store=store).decision
    ben = dec.record_decision("Q2", "refresh", "reject", "Ben", seen=ana.id, store=store)
    assert [u.id for u in ben.unseen] == [cy.id]
    eve = dec.record_decision("Q2", "refresh", "reject", "Eve", store=store)
    assert [u.decided_by for u in eve.unseen] == ["Ana", "Cy", "Ben"], "oldest first"
