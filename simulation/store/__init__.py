"""The store (docs/reference/store.md): what users record, kept in a real database.

Decisions (Decide), classes and answers (Train) live here; scenario files stay
files. SQLite by default, at ``$SIM_DATA_DIR/app.sqlite`` or ``data/app.sqlite``
under the project; any SQLAlchemy URL in ``SIM_DATABASE_URL`` (PostgreSQL for a
shared server).

Each part of the product owns its tables in a module of this package and
registers its schema steps with :func:`migration` when it is imported, and
calls :func:`open_store` for its connection. :func:`open_store` applies
every step not yet recorded in the ``schema_version`` table, each step and its
version row in one transaction, so two processes starting at once apply it
once, and a crash mid-step leaves the database as it was before the step.

Every write goes through :meth:`Store.begin` (one transaction: all of it or
none of it).
"""

from __future__ import annotations

import math
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from simulation.scenario.errors import ScenarioError

#: Environment variable holding a SQLAlchemy database URL (overrides the file).
URL_ENV = "SIM_DATABASE_URL"
#: Environment variable naming the folder of the default SQLite file.
DATA_DIR_ENV = "SIM_DATA_DIR"
#: The default folder: ``data/`` under the project.
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"
#: SQLite waits this long (milliseconds) for another writer before failing.
SQLITE_BUSY_MS = 10_000
#: Tries at creating the version table when another process races to create it.
VERSION_TABLE_ATTEMPTS = 5

metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("component", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)


class StoreError(RuntimeError):
    """The store cannot be opened or written; the message says which and why."""


class StoreValueError(ScenarioError, StoreError):
    """A value no backend can keep as given (a zero byte, a lone surrogate, a control
    character, a non-finite or too large number, an object): refused before the write,
    the same on SQLite and PostgreSQL, naming the field. It is bad input too, so a page
    or command that shows input errors in words shows this one."""


#: Largest whole number a row or a JSON value may hold (64-bit, as both backends).
MAX_STORED_INT = 2**63 - 1
# Text may hold tabs and line breaks; no other control character (SQLite keeps a
# zero byte that PostgreSQL refuses; ESC sequences would reach terminals).
_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def check_value(field: str, value: Any) -> None:
    """Raise :class:`StoreValueError` naming ``field`` (``numbers.npv`` inside a JSON
    value) unless ``value`` is storable alike on every backend: None, a bool, a whole
    number within 64 bits, a finite float, text without control characters or lone
    surrogates, a date or time, or a list or mapping (text keys) of those."""
    if value is None or isinstance(value, bool | datetime | date):
        return
    if isinstance(value, int):
        if abs(value) > MAX_STORED_INT:
            _refuse(field, f"the number {value:.3g} is too large to store")
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            _refuse(field, f"{value} is not a number that can be stored")
        return
    if isinstance(value, str):
        bad = _BAD_CHAR.search(value)
        if bad:
            code = ord(bad.group())
            what = "a lone surrogate" if 0xD800 <= code <= 0xDFFF else "a control character"
            _refuse(field, f"the character U+{code:04X} ({what}) cannot be stored")
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                _refuse(field, f"the key {k!r} is not text")
            check_value(f"{field} (a key)", k)  # the message never echoes the bad key
            check_value(f"{field}.{k}", v)
        return
    if isinstance(value, list | tuple):
        for i, v in enumerate(value):
            check_value(f"{field}[{i}]", v)
        return
    _refuse(field, f"a value of type {type(value).__name__} cannot be stored")


def _refuse(field: str, message: str) -> None:
    raise StoreValueError(f"{field}: {message}", problems=[(field, message)])


def _check_write(conn, clauseelement, multiparams, params, execution_options) -> None:
    """Every INSERT and UPDATE of a store, before it is sent: each value checked with
    :func:`check_value`, named by its column."""
    if not isinstance(clauseelement, sa.sql.Insert | sa.sql.Update):
        return
    rows: list[dict] = [clauseelement.compile().params]
    for p in (*multiparams, params):
        if isinstance(p, dict):
            rows.append(p)
        elif isinstance(p, list | tuple):
            rows.extend(r for r in p if isinstance(r, dict))
    for row in rows:
        for column, value in row.items():
            check_value(str(column), value)


@dataclass(frozen=True)
class Migration:
    """One schema step of one component, applied once per database."""

    component: str
    version: int
    apply: Callable[[Connection], None]


_MIGRATIONS: list[Migration] = []


def migration(
    component: str, version: int
) -> Callable[[Callable[[Connection], None]], Callable[[Connection], None]]:
    """Register ``fn(conn)`` as step ``version`` of ``component``'s schema.

    Steps of a component run in version order; a step never changes once
    released (a later step alters what an earlier one made).
    """

    def register(fn: Callable[[Connection], None]) -> Callable[[Connection], None]:
        if any(m.component == component and m.version == version for m in _MIGRATIONS):
            raise ValueError(f"migration {component} {version} is registered twice")
        _MIGRATIONS.append(Migration(component, version, fn))
        return fn

    return register


def create_tables(*tables: sa.Table) -> Callable[[Connection], None]:
    """A migration step that creates ``tables`` (and their indexes)."""

    def step(conn: Connection) -> None:
        for table in tables:
            table.create(conn)

    return step


def add_columns(table: str, *columns: sa.Column) -> Callable[[Connection], None]:
    """A migration step that adds ``columns`` to ``table`` where they are missing.

    A database made after the column joined the table's definition has it
    already (the creating step makes the table as defined now); an older one
    gets it here, empty (NULL) in every existing row.
    """

    def step(conn: Connection) -> None:
        have = {c["name"] for c in sa.inspect(conn).get_columns(table)}
        for column in columns:
            if column.name not in have:
                kind = column.type.compile(dialect=conn.dialect)
                conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN {column.name} {kind}"))

    return step


def database_url() -> str:
    """The database in use: ``SIM_DATABASE_URL``, else the SQLite file."""
    url = os.environ.get(URL_ENV, "").strip()
    if url:
        return url
    folder = Path(os.environ.get(DATA_DIR_ENV, "").strip() or DEFAULT_DATA_DIR)
    return f"sqlite:///{folder / 'app.sqlite'}"


def _shown(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def _sqlite_connect(dbapi_conn, _record) -> None:
    # The driver's own implicit BEGIN is turned off: _sqlite_begin starts every
    # transaction itself, DDL included (a failed schema step leaves nothing).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    # The wait first: switching to WAL takes a lock another process may hold.
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    # WAL lets readers go on while one process writes.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    # IMMEDIATE takes the write lock at the start, waiting busy_timeout for it;
    # a deferred transaction that read first would fail at once with "database
    # is locked" when another writer got in between.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class Store:
    """An open database with every registered schema step applied."""

    def __init__(self, url: str | None = None):
        self.url = url or database_url()
        try:
            parsed = sa.engine.make_url(self.url)
        except Exception as exc:
            raise StoreError(f"{URL_ENV}: not a database URL: {self.url!r}") from exc
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            folder = Path(parsed.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the data folder {folder}: {exc}") from exc
        sqlite = parsed.get_backend_name() == "sqlite"
        self.engine: Engine = sa.create_engine(
            self.url, connect_args={"timeout": SQLITE_BUSY_MS / 1000} if sqlite else {}
        )
        sa.event.listen(self.engine, "before_execute", _check_write)
        if sqlite:
            sa.event.listen(self.engine, "connect", _sqlite_connect)
            sa.event.listen(self.engine, "begin", _sqlite_begin)
        self.migrate()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back on error.

        A component module imported since this store was opened gets its schema
        steps applied first, so a store held from before still has its tables.
        """
        if self.known != len(_MIGRATIONS):
            self.migrate()
        try:
            with self.engine.begin() as conn:
                yield conn
        except OperationalError as exc:
            raise StoreError(f"the store at {_shown(self.url)} failed: {exc.orig}") from exc

    def applied(self) -> set[tuple[str, int]]:
        """The (component, version) steps recorded in this database."""
        self._version_table()
        with self.begin() as conn:
            rows = conn.execute(sa.select(schema_version.c.component, schema_version.c.version))
            return {(c, v) for c, v in rows}

    def _version_table(self) -> None:
        """Create ``schema_version`` unless it exists.

        Two processes starting on a new database can both see no table and both
        create it; the loser's error (table exists / duplicate type) is harmless
        once the table is there.
        """
        for attempt in range(VERSION_TABLE_ATTEMPTS):
            try:
                with self.engine.begin() as conn:
                    conn.execute(sa.schema.CreateTable(schema_version, if_not_exists=True))
                return
            except DBAPIError:
                # SQLite in WAL refuses, without waiting, to turn a read (the check)
                # into a write when another connection wrote meanwhile: try again.
                if sa.inspect(self.engine).has_table(schema_version.name):
                    return
                if attempt == VERSION_TABLE_ATTEMPTS - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))

    def migrate(self) -> list[tuple[str, int]]:
        """Apply every registered step not yet applied; return the ones applied."""
        done = []
        self.known = len(_MIGRATIONS)
        try:
            have = self.applied()
        except OperationalError as exc:
            raise StoreError(f"cannot open the store at {_shown(self.url)}: {exc.orig}") from exc
        for m in sorted(_MIGRATIONS, key=lambda m: (m.component, m.version)):
            if (m.component, m.version) in have:
                continue
            try:
                with self.engine.begin() as conn:
                    # The version row first: a second process applying the same
                    # step at the same moment fails here and rolls back whole.
                    conn.execute(
                        schema_version.insert().values(
                            component=m.component, version=m.version, applied_at=datetime.now(UTC)
                        )
                    )
                    m.apply(conn)
            except IntegrityError:
                continue  # another process applied it first
            done.append((m.component, m.version))
        return done

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


_OPEN: dict[str, Store] = {}
_OPEN_LOCK = threading.Lock()


def open_store(url: str | None = None) -> Store:
    """The store for ``url`` (default :func:`database_url`), opened once per process."""
    key = url or database_url()
    with _OPEN_LOCK:
        store = _OPEN.get(key)
        if store is None:
            store = _OPEN[key] = Store(key)
        elif store.known != len(_MIGRATIONS):
            store.migrate()  # a component module imported since the last open
        return store
