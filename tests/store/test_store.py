"""The store (docs/reference/store.md): schema steps applied once, transactions all-or-nothing.

Each database test runs on SQLite and on PostgreSQL (``db_url``, tests/db.py).
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from simulation import store as st


@pytest.fixture
def fresh_registry(monkeypatch):
    """A registry with only this test's steps, so the real components stay out."""
    monkeypatch.setattr(st, "_MIGRATIONS", [])
    return st._MIGRATIONS


def test_default_url_follows_data_dir(monkeypatch, tmp_path):
    monkeypatch.delenv(st.URL_ENV, raising=False)
    monkeypatch.setenv(st.DATA_DIR_ENV, str(tmp_path))
    assert st.database_url() == f"sqlite:///{tmp_path / 'app.sqlite'}"
    monkeypatch.setenv(st.URL_ENV, "postgresql://u:secret@db/sim")
    assert st.database_url() == "postgresql://u:secret@db/sim"


def test_steps_apply_once_in_version_order(fresh_registry, db_url):
    order = []
    notes = sa.Table("notes_t1", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))

    @st.migration("notes", 2)
    def add_column(conn):
        order.append(2)
        conn.execute(sa.text("ALTER TABLE notes_t1 ADD COLUMN body TEXT"))

    st.migration("notes", 1)(lambda conn: (order.append(1), notes.create(conn)))
    url = db_url
    s1 = st.Store(url)
    assert order == [1, 2]
    assert s1.applied() == {("notes", 1), ("notes", 2)}
    s2 = st.Store(url)  # a second start migrates nothing
    assert order == [1, 2] and s2.migrate() == []
    with s2.begin() as conn:
        conn.execute(sa.text("INSERT INTO notes_t1 (id, body) VALUES (1, 'x')"))


def test_a_failing_step_leaves_nothing_behind(fresh_registry, db_url):
    def broken(conn):
        conn.execute(sa.text("CREATE TABLE half (id INTEGER)"))
        raise RuntimeError("crash mid-step")

    st.migration("broken", 1)(broken)
    url = db_url
    with pytest.raises(RuntimeError, match="crash mid-step"):
        st.Store(url)
    engine = sa.create_engine(url)
    assert "half" not in sa.inspect(engine).get_table_names()
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM schema_version")).scalar() == 0


def test_concurrent_starts_apply_a_step_once(fresh_registry, db_url):
    calls = []
    table = sa.Table("once_t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))

    def create(conn):
        calls.append(1)
        table.create(conn)

    st.migration("once", 1)(create)
    url = db_url
    errors = []

    def start():
        try:
            st.Store(url)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(calls) == 1


def test_a_transaction_is_all_or_nothing(fresh_registry, db_url):
    table = sa.Table("pairs_t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))
    st.migration("pairs", 1)(st.create_tables(table))
    s = st.Store(db_url)
    with pytest.raises(RuntimeError), s.begin() as conn:
        conn.execute(table.insert().values(id=1))
        raise RuntimeError("crash between two writes")
    with s.begin() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0


def test_bad_url_is_named(fresh_registry):
    with pytest.raises(st.StoreError, match="SIM_DATABASE_URL: not a database URL"):
        st.Store("not a url at all")
