"""Where the database lives and how hashwarden connects to it.

The URL comes from ``HASHWARDEN_DATABASE_URL`` (any SQLAlchemy URL; PostgreSQL as
``postgresql+psycopg://user@host/db``). Without it hashwarden uses SQLite at
``$HASHWARDEN_HOME/hashwarden.db``; ``HASHWARDEN_HOME`` defaults to ``~/.local/share/hashwarden``
and is created when missing.

SQLite connections run in WAL mode (readers never wait for the writer), enforce foreign keys and
wait up to ``busy_timeout`` seconds for a lock before giving up. Write transactions start with
``BEGIN IMMEDIATE`` so two writers queue up front instead of failing when one upgrades a read lock.

Every database failure that is not a domain error (locked, unreachable, unopenable, read-only)
surfaces as :class:`~hashwarden.core.errors.StorageError` with a message naming the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy
from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError

from hashwarden.config import database_url
from hashwarden.core.errors import StorageError

DEFAULT_BUSY_TIMEOUT = 30.0
_WRITE_OPTION = "hashwarden_write"
# Any constants work; all writers of one database must agree on them.
#: Writers of lists and everything else that feeds ``signal_events``.
WRITERS_LOCK = 0x6857_4C53
#: Appenders to the audit chain: kept apart so a long import never holds up the audit log.
AUDIT_LOCK = 0x6857_4155


def describe(url: str | URL) -> str:
    """The URL without its password, fit for error messages."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite database {parsed.database or ':memory:'}"
    return f"database {parsed.render_as_string(hide_password=True)}"


def create_engine(
    url: str | URL | None = None, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT
) -> Engine:
    """An engine for ``url`` (default: :func:`database_url`) with hashwarden's connection setup."""
    target = make_url(url if url is not None else database_url())
    if target.get_backend_name() == "sqlite":
        engine = sqlalchemy.create_engine(target, connect_args={"timeout": busy_timeout})
        _configure_sqlite(engine, busy_timeout)
        return engine
    connect_args: dict[str, Any] = {}
    if target.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = max(1, round(busy_timeout))
    return sqlalchemy.create_engine(target, connect_args=connect_args, pool_pre_ping=True)


def _configure_sqlite(engine: Engine, busy_timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control from the sqlite3 module, so BEGIN is ours to choose.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if engine.url.database not in (None, "", ":memory:"):
                cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@contextmanager
def storage_errors(engine: Engine) -> Iterator[None]:
    """Turn driver failures into ``StorageError`` (the driver's error stays as ``__cause__``)."""
    try:
        yield
    except DBAPIError as exc:
        raise StorageError(_explain(engine, exc)) from exc


def _explain(engine: Engine, exc: DBAPIError) -> str:
    where = describe(engine.url)
    detail = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    lowered = detail.lower()
    if "locked" in lowered or "busy" in lowered:
        return f"{where} is locked by another process (gave up waiting): {detail}"
    if "unable to open" in lowered:
        return f"{where} cannot be opened (missing folder or no permission): {detail}"
    if "readonly" in lowered or "read-only" in lowered:
        return f"{where} is read-only: {detail}"
    if isinstance(exc, IntegrityError):
        return f"{where} refused the change: {detail}"
    if exc.connection_invalidated or "connect" in lowered or "connection" in lowered:
        return f"{where} is unreachable: {detail}"
    return f"{where} failed: {detail}"


@contextmanager
def write_transaction(engine: Engine, lock: int | None = WRITERS_LOCK) -> Iterator[Connection]:
    """One write transaction: holds SQLite's write lock (or the advisory ``lock`` on PostgreSQL).

    Serialising writers keeps ``signal_events`` ids in commit order, so a matcher that has read
    up to id N never misses a later commit with a smaller id. ``lock=None`` is for tables that
    nothing orders (PostgreSQL's row locks suffice), so they never wait for a long import.
    """
    with storage_errors(engine), engine.connect() as connection:
        connection.execution_options(**{_WRITE_OPTION: True})
        with connection.begin():
            if lock is not None and connection.dialect.name == "postgresql":
                connection.execute(
                    sqlalchemy.text("SELECT pg_advisory_xact_lock(:key)"),
                    {"key": lock},
                )
            yield connection


@contextmanager
def read_transaction(engine: Engine, *, snapshot: bool = False) -> Iterator[Connection]:
    """One read-only transaction; ``snapshot`` makes every statement see the same data."""
    with storage_errors(engine), engine.connect() as connection:
        if snapshot and connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            yield connection
