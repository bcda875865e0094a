"""Shared fixtures. Database ones run every storage test against SQLite and PostgreSQL.

PostgreSQL comes from ``HASHWARDEN_TEST_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``); each test gets its own schema, so
test runs can share the server. An unreachable server skips those tests, unless ``CI`` is set:
then it fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from hashwarden.storage.database import create_engine
from hashwarden.storage.list_store import SqlListStore
from shared_data import shared_dir

POSTGRES_URL_ENV = "HASHWARDEN_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Engine]:
    """An engine on the test server; skips (or fails under CI) when it is unreachable."""
    url = os.environ.get(POSTGRES_URL_ENV, DEFAULT_POSTGRES_URL)
    engine = sqlalchemy.create_engine(url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("SELECT 1"))
    except DBAPIError as exc:
        engine.dispose()
        shown = make_url(url).render_as_string(hide_password=True)
        reason = str(exc.orig).strip().splitlines()[0]
        if _in_ci():
            pytest.fail(
                f"PostgreSQL not reachable at {shown} ({reason}); CI is set, so this fails",
                pytrace=False,
            )
        pytest.skip(f"PostgreSQL not reachable at {shown}: skipping ({reason})")
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_url(postgres_server: Engine) -> Iterator[str]:
    """A URL whose connections work in a fresh schema of their own, dropped after the test."""
    schema = f"hw_test_{uuid.uuid4().hex[:16]}"
    with postgres_server.begin() as connection:
        connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    url = postgres_server.url.update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with postgres_server.begin() as connection:
        connection.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'hashwarden.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def store(engine: Engine) -> SqlListStore:
    """A migrated, empty store."""
    return SqlListStore(engine)


@pytest.fixture(scope="session")
def conformance_dir() -> Path:
    """Meta's conformance data: shared/conformance beside the checkout or $HASHWARDEN_SHARED_DIR."""
    shared = shared_dir()
    folder = (shared or Path("../shared")) / "conformance"
    if not folder.is_dir():
        message = f"conformance data not found at {folder}: set HASHWARDEN_SHARED_DIR"
        if _in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return folder


#: Notes that make the database itself reject an entry, once ``failing_notes`` is in use.
POISON_NOTES = "poison: the database refuses this entry"

_POISON_TRIGGERS = {
    "sqlite": [
        f"""CREATE TRIGGER poison BEFORE INSERT ON entries WHEN NEW.notes = '{POISON_NOTES}'
        BEGIN SELECT RAISE(ABORT, 'poisoned entry'); END""",
    ],
    "postgresql": [
        f"""CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.notes = '{POISON_NOTES}' THEN RAISE EXCEPTION 'poisoned entry'; END IF;
        RETURN NEW; END $$""",
        "CREATE TRIGGER poison BEFORE INSERT ON entries FOR EACH ROW EXECUTE FUNCTION poison()",
    ],
}


@pytest.fixture
def failing_notes(store: SqlListStore) -> str:
    """Install a trigger that fails inserts of entries with these notes, mid-transaction."""
    with store.engine.begin() as connection:
        for statement in _POISON_TRIGGERS[connection.dialect.name]:
            connection.exec_driver_sql(statement)
    return POISON_NOTES
