"""Who recorded a row (docs/how-to/sign-people-in.md), on SQLite and PostgreSQL (``db_url``).

A decision, a trail record and a class keep the signed-in person's name with the
identity's claims beside it; a typed name keeps no claims. A store made before the
author columns existed is migrated on open: its rows read back as typed (no claims)
and new rows keep their identity.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from simulation import ScenarioError
from simulation import store as st
from simulation.store import classrooms as cl
from simulation.store import decisions as dec
from simulation.store.authors import Identity, verified_as
from simulation.store.trail import record_reforecast, trail

ADA = Identity("Ada Lovelace", subject="ada-7f3", issuer="https://login.example", email="ada@x.org")
CLAIMS = {"sub": "ada-7f3", "iss": "https://login.example", "email": "ada@x.org"}


def test_a_signed_in_decision_keeps_the_identity_and_a_typed_one_none(db_url):
    """Catches a store that drops the claims, or marks a typed name as verified."""
    store = st.Store(db_url)
    rec = dec.record_decision("Q2", "refresh", "accept", ADA, "Worth it", store=store)
    assert (rec.decision.decided_by, rec.decision.decided_by_identity) == ("Ada Lovelace", CLAIMS)
    dec.record_decision("Q2", "refresh", "defer", "Ben (typed)", store=store)
    typed, signed = dec.list_decisions("Q2", store=store)
    assert (signed.decided_by, signed.decided_by_identity, signed.verified) == (
        "Ada Lovelace",
        CLAIMS,
        True,
    )
    assert (typed.decided_by, typed.decided_by_identity, typed.verified) == (
        "Ben (typed)",
        None,
        False,
    )
    rows = dec.decision_rows([signed, typed])
    assert [r["verified_as"] for r in rows] == ["ada@x.org", ""]


def test_an_identity_without_subject_or_name_is_refused_and_nothing_written(db_url):
    """The subject is what makes an identity; a blank name shows nobody."""
    store = st.Store(db_url)
    with pytest.raises(ScenarioError, match="decided_by: a signed-in author needs"):
        dec.record_decision("Q2", "a", "accept", Identity("Ada", subject=""), store=store)
    with pytest.raises(ScenarioError, match="decided_by: required"):
        dec.record_decision("Q2", "a", "accept", Identity("  ", subject="s1"), store=store)
    assert dec.list_decisions(store=store) == []


def test_verified_as_reads_email_then_subject_then_nothing():
    assert verified_as({"sub": "s1", "email": "a@x.org"}) == "a@x.org"
    assert verified_as({"sub": "s1"}) == "s1"
    assert verified_as(None) == ""


def test_a_trail_record_keeps_who_recorded_it_or_nobody(db_url):
    """The Track page records with the signed-in person; the command line with nobody."""
    store = st.open_store(db_url)
    record_reforecast("p.yaml", date(2027, 2, 19), {}, {"x": 1}, store, recorded_by=ADA)
    record_reforecast("p.yaml", date(2027, 2, 26), {}, {"x": 2}, store)
    signed, nobody = trail("p.yaml", store)
    assert (signed.recorded_by, signed.recorded_by_identity) == ("Ada Lovelace", CLAIMS)
    assert (nobody.recorded_by, nobody.recorded_by_identity) == (None, None)


def test_a_class_keeps_its_owner_and_a_signed_in_trainee(db_url):
    """The owner comes back with the class; a signed-in trainee is marked verified after a
    rejoin too; a typed trainee is not. Catches claims lost between the store and the page."""
    store = st.Store(db_url)
    opened = cl.open_class("freeze.yaml", store, owner=ADA)
    info = cl.find_class(opened.code, store)
    assert (info.owner, info.owner_identity) == ("Ada Lovelace", CLAIMS)
    ben = Identity("Ben " + "B" * 60, subject="ben-1", issuer="https://login.example")
    me = cl.join_class(opened.code, ben, store)
    assert me.verified and me.name == ("Ben " + "B" * 60)[: cl.MAX_NAME], "cut, not refused"
    assert cl.rejoin(opened.code, me.token, store).verified
    typed = cl.join_class(opened.code, "Cleo", store)
    assert not typed.verified and not cl.rejoin(opened.code, typed.token, store).verified
    with store.begin() as conn:
        kept = dict(conn.execute(sa.select(cl.trainees.c.name, cl.trainees.c.identity)).all())
    assert kept == {me.name: {"sub": "ben-1", "iss": "https://login.example"}, "Cleo": None}
    with pytest.raises(cl.ClassError, match="go back to the tab or link you joined with"):
        cl.join_class(opened.code, ben, store)
    unowned = cl.find_class(cl.open_class("freeze.yaml", store).code, store)
    assert (unowned.owner, unowned.owner_identity) == (None, None)


def _back_to_before_authors(url: str) -> None:
    """The database as the version before author columns left it, with one row each."""
    s = st.Store(url)
    dec.record_decision("Q2", "refresh", "accept", "Ana (typed)", store=s)
    record_reforecast("p.yaml", date(2027, 2, 19), {}, {"x": 1}, s)
    opened = cl.open_class("freeze.yaml", s)
    cl.join_class(opened.code, "Ana", s)
    s.dispose()
    st._OPEN.pop(url, None)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for table, column in (
            ("decisions", "decided_by_identity"),
            ("trail", "recorded_by"),
            ("trail", "recorded_by_identity"),
            ("train_classes", "owner"),
            ("train_classes", "owner_identity"),
            ("train_trainees", "identity"),
        ):
            conn.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        conn.execute(
            st.schema_version.delete().where(
                st.schema_version.c.component.in_(
                    ["decisions-author", "trail-author", "classes-author"]
                )
            )
        )
    engine.dispose()


def test_a_store_from_before_authors_gets_the_columns_and_keeps_its_rows(db_url):
    """Opened again, the older store is migrated: the typed rows read back unverified, and
    signed-in rows keep their identity. Catches a migration that only fresh stores pass."""
    _back_to_before_authors(db_url)
    s = st.Store(db_url)
    try:
        assert {("decisions-author", 1), ("trail-author", 1), ("classes-author", 1)} <= s.applied()
        [old] = dec.list_decisions("Q2", store=s)
        assert (old.decided_by, old.verified) == ("Ana (typed)", False)
        dec.record_decision("Q2", "refresh", "reject", ADA, store=s)
        assert dec.latest_decisions("Q2", store=s)["refresh"].decided_by_identity == CLAIMS
        record_reforecast("p.yaml", date(2027, 2, 26), {}, {"x": 2}, s, recorded_by=ADA)
        assert [r.recorded_by for r in trail("p.yaml", s)] == [None, "Ada Lovelace"]
        opened = cl.open_class("freeze.yaml", s, owner=ADA)
        assert cl.find_class(opened.code, s).owner == "Ada Lovelace"
        assert cl.join_class(opened.code, ADA, s).verified
    finally:
        s.dispose()
