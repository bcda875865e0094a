"""Migrations: packaged, run in code, and producing exactly the schema of tables.py."""

from __future__ import annotations

import pytest
import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from hashwarden.core.errors import StorageError
from hashwarden.storage.migrate import (
    MIGRATIONS_DIR,
    current_revision,
    head_revision,
    migrate,
    upgrade_to_head,
)
from hashwarden.storage.tables import metadata


def test_scripts_ship_inside_the_package() -> None:
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert (MIGRATIONS_DIR / "script.py.mako").is_file()
    assert head_revision() == "0015"


def test_upgrade_empty_database_matches_tables(engine: Engine) -> None:
    assert current_revision(engine) is None
    migrate(engine)
    assert current_revision(engine) == head_revision()
    assert set(inspect(engine).get_table_names()) >= {t.name for t in metadata.sorted_tables}
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
    migrate(engine)  # idempotent
    assert current_revision(engine) == head_revision()


def test_upgrade_to_head_by_url(database_url: str, engine: Engine) -> None:
    upgrade_to_head(database_url)
    assert current_revision(engine) == head_revision()


def test_newer_schema_is_refused(engine: Engine) -> None:
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StorageError, match="newer"):
        migrate(engine)
