"""The store when a component arrives late, and a reveal that happens twice.

See docs/reference/store.md. A component (``decisions``, ``classrooms``, ...)
registers its schema steps when its module is imported; a process may open the
store before that (the Decide page first, the Train page later).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from simulation import store as st
from simulation.store import classrooms as cl
from tests.helpers import ROOT


@pytest.fixture
def fresh_registry(monkeypatch):
    """A registry with only this test's steps, and no store opened yet in the process."""
    monkeypatch.setattr(st, "_MIGRATIONS", [])
    monkeypatch.setattr(st, "_OPEN", {})
    return st._MIGRATIONS


def _late_table(name: str) -> sa.Table:
    return sa.Table(name, sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))


def test_open_store_migrates_a_component_registered_after_the_first_open(fresh_registry, db_url):
    """The first open knows no step; a step registered afterwards is applied by the
    next ``open_store``. Catches an ``open_store`` that returns the cached store as is
    ("no such table")."""
    first = st.open_store(db_url)
    assert first.applied() == set()
    st.migration("late", 1)(st.create_tables(_late_table("late_t1")))
    again = st.open_store(db_url)
    assert again is first, "still opened once per process"
    assert again.applied() == {("late", 1)}
    with again.begin() as conn:
        conn.execute(sa.text("INSERT INTO late_t1 (id) VALUES (1)"))
    again.dispose()


def test_a_store_held_from_before_migrates_before_its_next_transaction(fresh_registry, db_url):
    """A page keeps the Store object it opened; a component imported later writes
    through it. Catches ``begin`` running on a schema that lacks the new tables."""
    held = st.Store(db_url)
    st.migration("late", 1)(st.create_tables(_late_table("late_t2")))
    with held.begin() as conn:
        conn.execute(sa.text("INSERT INTO late_t2 (id) VALUES (7)"))
        assert conn.execute(sa.text("SELECT id FROM late_t2")).scalar_one() == 7
    assert ("late", 1) in held.applied()
    held.dispose()


def test_a_real_component_imported_after_the_first_open(tmp_path):
    """In a fresh process: open the store, only then import ``classrooms``, and open a
    class through the store opened before (and through ``open_store``)."""
    url = f"sqlite:///{tmp_path / 'late.sqlite'}"
    code = f"""
import simulation.store as st
held = st.open_store({url!r})
assert held.applied() == set(), held.applied()
from simulation.store import classrooms as cl
opened = cl.open_class("freeze.yaml", held)
assert cl.find_class(opened.code).exercise == "freeze.yaml"
from simulation.store import decisions as dec
assert dec.list_decisions(store=held) == []
print("ok")
"""
    p = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "SIM_DATABASE_URL": url},
    )
    assert p.returncode == 0 and p.stdout.strip() == "ok", p.stderr


def test_a_second_reveal_keeps_the_first_reveal_time(tmp_path):
    """Reveal at 10:00, again at 10:05: ``revealed_at`` stays 10:00 (when predictions
    closed). Catches the update without its ``revealed_at IS NULL`` condition."""
    store = st.Store(f"sqlite:///{tmp_path / 'reveal.sqlite'}")
    t0 = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
    opened = cl.open_class("freeze.yaml", store, now=t0)
    assert cl.reveal(opened.code, opened.key, store, now=t0).revealed
    assert cl.reveal(opened.code, opened.key, store, now=t0 + timedelta(minutes=5)).revealed
    with store.begin() as conn:
        (when,) = conn.execute(
            sa.select(cl.classes.c.revealed_at).where(cl.classes.c.code == opened.code)
        ).one()
    assert cl._aware(when) == t0
    store.dispose()
