"""The databases the store tests run on: SQLite always, PostgreSQL when configured.

``db_url`` is parametrised over both. PostgreSQL needs ``SIM_TEST_POSTGRES_URL``
(e.g. ``postgresql+psycopg://sim:sim@127.0.0.1/sim``, as ``.ci/run`` sets it);
each test gets a schema of its own in that database, dropped afterwards. Without
the variable the PostgreSQL case is skipped on a workstation but FAILS under
``CI``, so CI cannot pass without testing PostgreSQL.
"""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

from simulation import store as st

PG_ENV = "SIM_TEST_POSTGRES_URL"


def postgres_url() -> str:
    """The test server's URL; skip (workstation) or fail (CI) without one."""
    url = os.environ.get(PG_ENV, "").strip()
    if url:
        return url
    message = f"{PG_ENV} is not set: the store tests on PostgreSQL need a server"
    if os.environ.get("CI"):
        pytest.fail(message + " (.ci/run starts one)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    url = postgres_url()
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    scoped = (
        sa.engine.make_url(url)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )
    try:
        yield scoped
    finally:
        store = st._OPEN.pop(scoped, None)
        if store is not None:
            store.dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
