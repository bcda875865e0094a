"""SQL storage for hash lists (SQLite or PostgreSQL), behind the core's ``ListStore`` protocol.

``open_store()`` is the usual entry point: it connects to the configured database
(``HASHWARDEN_DATABASE_URL``, else SQLite under ``HASHWARDEN_HOME``) and migrates it.
"""

from __future__ import annotations

from hashwarden.config import database_url
from hashwarden.storage.database import create_engine
from hashwarden.storage.list_store import SqlListStore
from hashwarden.storage.migrate import migrate, upgrade_to_head


def open_store(url: str | None = None, *, busy_timeout: float = 30.0) -> SqlListStore:
    """A store on ``url`` (default: the configured database), migrated to the newest schema."""
    return SqlListStore(create_engine(url, busy_timeout=busy_timeout))


__all__ = [
    "SqlListStore",
    "create_engine",
    "database_url",
    "migrate",
    "open_store",
    "upgrade_to_head",
]
