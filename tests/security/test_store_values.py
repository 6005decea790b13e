"""The store refuses values no backend keeps as given (``docs/reference/security.md``).

SQLite keeps a zero byte PostgreSQL refuses, encodes a lone surrogate differently,
and stores ``NaN`` in JSON that PostgreSQL rejects: the same value must give the
same answer on both. Each is refused before the write with a StoreValueError (a
StoreError and an input error) naming the field, and nothing is written.
"""

from __future__ import annotations

import pytest

from simulation import ScenarioError
from simulation import store as st
from simulation.store import classrooms as cl
from simulation.store import decisions as dec

#: (keyword of record_decision, value, field named, words of the message)
HOSTILE = [
    ("decided_by", "Ana\x00", "decided_by", "U+0000"),
    ("rationale", "why\ud800", "rationale", "U+D800 (a lone surrogate)"),
    ("rationale", "\x1b[2Jall clear", "rationale", "U+001B (a control character)"),
    ("session", "Q2\x07", "session", "U+0007"),
    ("numbers", {"npv": 2**64}, "numbers.npv", "too large to store"),
    ("numbers", {"note": "x\x00"}, "numbers.note", "U+0000"),
    ("numbers", {"k": {1, 2}}, "numbers.k", "a value of type set cannot be stored"),
    ("numbers", {"deep": [1.0, {"a\x00": 1}]}, "numbers.deep[1] (a key)", "U+0000"),
]


@pytest.mark.parametrize(("kw", "value", "field", "words"), HOSTILE)
def test_record_decision_refuses_unstorable_values_alike(db_url, kw, value, field, words):
    """On SQLite and PostgreSQL: StoreValueError (also a StoreError and a ScenarioError)
    whose message starts with the field, and no row written. Catches a store that lets
    SQLite keep what PostgreSQL refuses (the zero byte), or raises a driver error."""
    store = st.Store(db_url)
    args = {"session": "Q2", "candidate": "refresh", "decision": "accept", "decided_by": "Ana"}
    args[kw] = value
    with pytest.raises(st.StoreValueError) as err:
        dec.record_decision(**args, store=store)
    assert str(err.value).startswith(f"{field}: ") and words in str(err.value)
    assert isinstance(err.value, st.StoreError) and isinstance(err.value, ScenarioError)
    assert dec.list_decisions(store=store) == []


def test_tabs_line_breaks_and_nan_numbers_are_kept(db_url):
    """A rationale with a line break and a tab is text; a NaN in the ranking's numbers is
    stored as no value (as before). Catches a check that refuses ordinary text."""
    store = st.Store(db_url)
    dec.record_decision(
        "Q2", "refresh", "accept", "Ana", "line\nnext\tcol", {"v": float("nan")}, store=store
    )
    [d] = dec.list_decisions(store=store)
    assert d.rationale == "line\nnext\tcol" and d.numbers == {"v": None}


def test_a_non_finite_prediction_is_refused_and_nothing_is_written(db_url):
    """A trainee's estimate of infinity: refused naming ``value``; no answer stored.
    Catches non-finite numbers reaching the answers table (SQLite keeps them)."""
    store = st.Store(db_url)
    opened = cl.open_class("cut-scope.yaml", store=store)
    me = cl.join_class(opened.code, "Bo", store=store)
    with pytest.raises(st.StoreValueError, match=r"^value: inf is not a number"):
        cl.submit_answers(me, {"q1": cl.Estimate(float("inf"), 1.0, 2.0)}, store=store)
    assert cl.own_answers(me, store=store) == {}


@pytest.mark.parametrize("look_alike", ["ＡＮＡ", "ana", "Ａna", "ANA", "\ufb00"])
def test_class_names_are_compared_after_nfkc_and_case_folding(db_url, look_alike):
    """``Ana`` joined first (``ff`` joined first for the ligature ``ﬀ``): full-width
    letters (NFKC maps them to ASCII), other cases and the ligature are the same name
    and refused as taken. Catches comparing by ``casefold()`` alone (``ＡＮＡ`` got in)."""
    store = st.Store(db_url)
    opened = cl.open_class("cut-scope.yaml", store=store)
    cl.join_class(opened.code, "ff" if look_alike == "\ufb00" else "Ana", store=store)
    with pytest.raises(cl.ClassError, match="already taken"):
        cl.join_class(opened.code, look_alike, store=store)


def test_a_name_that_expands_past_the_column_is_refused_in_words(db_url):
    """200 copies of U+FDFA (18 characters each in NFKC) would overflow the 800-character
    key column on PostgreSQL only: refused as too long on both. Catches a name_key that
    differs between backends."""
    store = st.Store(db_url)
    opened = cl.open_class("cut-scope.yaml", store=store)
    with pytest.raises(cl.ClassError, match="at most"):
        cl.join_class(opened.code, "\ufdfa" * 200, store=store)


@pytest.mark.parametrize(
    "statement", ["UPDATE decisions SET decided_by = 'Mallory'", "DELETE FROM decisions"]
)
def test_the_database_refuses_changing_or_removing_a_decision(db_url, statement):
    """A decision recorded, then an UPDATE or DELETE sent straight to the database (as a
    script or a console would): refused by the database's trigger with the insert-only
    message, on SQLite and PostgreSQL, and the record is as it was. Catches a store whose
    history anyone with the connection string can rewrite."""
    import sqlalchemy as sa

    store = st.Store(db_url)
    dec.record_decision("Q2", "refresh", "accept", "Ana", "ok", store=store)
    with pytest.raises(sa.exc.DBAPIError, match="insert-only"), store.engine.begin() as conn:
        conn.execute(sa.text(statement))
    [d] = dec.list_decisions(store=store)
    assert d.decided_by == "Ana"
