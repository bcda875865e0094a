"""``SqlKeyStore``: this instance's signing keys (the ``signing_keys`` table)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from hashwarden.federation.errors import SigningKeyError
from hashwarden.storage.database import read_transaction, write_transaction
from hashwarden.storage.federation_tables import signing_keys
from hashwarden.storage.migrate import ensure_schema


@dataclass(frozen=True, slots=True)
class StoredKey:
    key_id: str
    #: Raw 32-byte Ed25519 public key, base64.
    public_key: str
    created_at: datetime
    retired_at: datetime | None = None
    #: PKCS#8 PEM (possibly encrypted); only the key service reads it.
    private_pem: str = ""
    #: The key this one replaced and its signature handing over ("" for a first key).
    endorsed_by: str = ""
    endorsement: str = ""

    @property
    def is_current(self) -> bool:
        return self.retired_at is None


class SqlKeyStore:
    def __init__(self, engine: Engine, *, migrate: bool = True) -> None:
        self.engine = engine
        if migrate:
            ensure_schema(engine)

    def add(self, key: StoredKey, *, retire_current_at: datetime | None = None) -> StoredKey:
        """Store ``key`` as the current key.

        Without ``retire_current_at`` a current key must not exist (checked under the write
        lock, so two ``keys create`` cannot both win); with it the current key is retired in
        the same transaction, so there is never a moment without a current key.
        """
        with write_transaction(self.engine) as connection:
            current = _current(connection)
            if key.endorsed_by and (current is None or current.key_id != key.endorsed_by):
                raise SigningKeyError(
                    "the current signing key changed meanwhile (another rotation?); try again"
                )
            if current is not None:
                if retire_current_at is None:
                    raise SigningKeyError(
                        f"a signing key exists already ({current.key_id}); "
                        "use `hashwarden keys rotate` to replace it"
                    )
                connection.execute(
                    update(signing_keys)
                    .where(signing_keys.c.retired_at.is_(None))
                    .values(retired_at=retire_current_at)
                )
            connection.execute(
                insert(signing_keys).values(
                    key_id=key.key_id,
                    public_key=key.public_key,
                    private_key=key.private_pem,
                    created_at=key.created_at,
                    retired_at=None,
                    endorsed_by=key.endorsed_by or None,
                    endorsement=key.endorsement or None,
                )
            )
        return key

    def current(self) -> StoredKey | None:
        with read_transaction(self.engine) as connection:
            return _current(connection)

    def all(self) -> list[StoredKey]:
        """Every key, newest first, without the private parts."""
        query = select(
            signing_keys.c.key_id,
            signing_keys.c.public_key,
            signing_keys.c.created_at,
            signing_keys.c.retired_at,
            signing_keys.c.endorsed_by,
            signing_keys.c.endorsement,
        ).order_by(signing_keys.c.id.desc())
        with read_transaction(self.engine) as connection:
            return [_key(row._mapping) for row in connection.execute(query)]


def _current(connection: Connection) -> StoredKey | None:
    query = (
        select(signing_keys)
        .where(signing_keys.c.retired_at.is_(None))
        .order_by(signing_keys.c.id.desc())
        .limit(1)
    )
    row = connection.execute(query).one_or_none()
    return None if row is None else _key(row._mapping, with_private=True)


def _key(row: Any, *, with_private: bool = False) -> StoredKey:
    return StoredKey(
        key_id=str(row["key_id"]),
        public_key=str(row["public_key"]),
        created_at=row["created_at"],
        retired_at=row["retired_at"],
        private_pem=str(row["private_key"]) if with_private else "",
        endorsed_by=str(row.get("endorsed_by") or ""),
        endorsement=str(row.get("endorsement") or ""),
    )
