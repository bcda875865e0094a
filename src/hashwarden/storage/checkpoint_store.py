"""``SqlCheckpointStore``: where remote pulls resume, a JSON state per name (``pull_checkpoints``).

A state is only replaced when it still holds what the caller last read, so two pulls of the same
source racing each other cannot move a checkpoint backwards or over the other's progress.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from hashwarden.core.errors import HashwardenError
from hashwarden.storage.database import read_transaction, write_transaction
from hashwarden.storage.federation_tables import pull_checkpoints
from hashwarden.storage.migrate import ensure_schema

#: The longest name the table takes.
MAX_NAME = 100


class CheckpointConflictError(HashwardenError):
    """The checkpoint changed since it was read (another pull of the same source ran)."""


class SqlCheckpointStore:
    def __init__(self, engine: Engine, *, migrate: bool = True) -> None:
        self.engine = engine
        if migrate:
            ensure_schema(engine)

    def get(self, name: str) -> dict[str, Any] | None:
        """The saved state, or ``None`` when ``name`` has none."""
        query = select(pull_checkpoints.c.state).where(pull_checkpoints.c.name == _checked(name))
        with read_transaction(self.engine) as connection:
            state = connection.scalar(query)
        return dict(state) if state is not None else None

    def save(
        self, name: str, state: Mapping[str, Any], *, expected: Mapping[str, Any] | None
    ) -> None:
        """Store ``state`` if the saved one still equals ``expected`` (``None``: no state yet).

        Raises ``CheckpointConflictError`` otherwise, leaving the saved state as it is.
        """
        key = _checked(name)
        now = datetime.now(UTC)
        with write_transaction(self.engine) as connection:
            # Writers are serialised, so nothing changes between this read and the write.
            current = connection.scalar(
                select(pull_checkpoints.c.state).where(pull_checkpoints.c.name == key)
            )
            if (dict(current) if current is not None else None) != (
                dict(expected) if expected is not None else None
            ):
                raise CheckpointConflictError(
                    f"checkpoint {key!r} was changed by another pull meanwhile; run again"
                )
            if current is None:
                connection.execute(
                    insert(pull_checkpoints).values(name=key, state=dict(state), updated_at=now)
                )
            else:
                connection.execute(
                    update(pull_checkpoints)
                    .where(pull_checkpoints.c.name == key)
                    .values(state=dict(state), updated_at=now)
                )

    def delete(self, name: str) -> None:
        with write_transaction(self.engine) as connection:
            connection.execute(delete(pull_checkpoints).where(pull_checkpoints.c.name == name))


def _checked(name: str) -> str:
    if not name or len(name) > MAX_NAME:
        raise ValueError(f"a checkpoint name is 1-{MAX_NAME} characters, got {len(name)}")
    return name
