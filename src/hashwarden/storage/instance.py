"""This database's identity: a random id that tells files made from it (index snapshots) apart."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from hashwarden.storage.database import read_transaction, write_transaction
from hashwarden.storage.tables import instance_info

_KEY = "instance_id"


def instance_id(engine: Engine) -> str:
    """The id migration 0004 wrote (created here if a database lacks it)."""
    query = select(instance_info.c.value).where(instance_info.c.key == _KEY)
    with read_transaction(engine) as connection:
        found = connection.scalar(query)
    if found:
        return str(found)
    try:
        with write_transaction(engine) as connection:
            connection.execute(instance_info.insert().values(key=_KEY, value=str(uuid.uuid4())))
    except IntegrityError:
        pass  # another process wrote it first
    with read_transaction(engine) as connection:
        return str(connection.scalar(query))
