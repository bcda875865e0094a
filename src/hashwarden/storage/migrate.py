"""Schema migrations, run in code: the Alembic scripts ship inside the package, no alembic.ini.

Opening a :class:`~hashwarden.storage.list_store.SqlListStore` migrates a fresh (or older)
database automatically; :func:`upgrade_to_head` does the same for a URL without opening a store.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from hashwarden.core.errors import StorageError
from hashwarden.storage.database import create_engine, describe, read_transaction, write_transaction

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise StorageError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; ``None`` for an empty database."""
    with read_transaction(engine) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine) -> None:
    """Upgrade the database to the newest schema; a no-op when it is already there.

    Runs under the writers' lock, so processes opening a fresh database at once migrate it once.
    """
    head = head_revision()
    known = {
        script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    }
    with write_transaction(engine) as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        if current == head:
            return
        if current is not None and current not in known:
            raise StorageError(
                f"{describe(engine.url)} has schema revision {current!r}, newer than this "
                f"hashwarden (knows up to {head!r}); upgrade hashwarden"
            )
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def ensure_schema(engine: Engine) -> None:
    """Migrate when the database is not at the newest revision (cheap check first)."""
    if current_revision(engine) != head_revision():
        migrate(engine)


def upgrade_to_head(url: str) -> None:
    """Migrate the database at ``url`` to the newest schema."""
    engine = create_engine(url)
    try:
        migrate(engine)
    finally:
        engine.dispose()
