"""Alembic environment: runs on the connection ``hashwarden.storage.migrate`` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from hashwarden.storage.tables import metadata

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run migrations through hashwarden.storage.migrate, not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite cannot ALTER most things in place; batch mode rebuilds tables for later revisions.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
