"""The publisher's Ed25519 signing keys: create, rotate, and load the current one to sign.

Private keys are stored as PKCS#8 PEM, encrypted under ``HASHWARDEN_KEY_PASSPHRASE`` when it is
set at creation (``BestAvailableEncryption``); they are never logged, printed or served.
"""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    KeySerializationEncryption,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from hashwarden.federation.envelope import key_id, raw_public_key
from hashwarden.federation.errors import NoSigningKeyError, SigningKeyError
from hashwarden.federation.rotation import endorse
from hashwarden.storage.key_store import SqlKeyStore, StoredKey

PASSPHRASE_ENV = "HASHWARDEN_KEY_PASSPHRASE"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def passphrase_from_env() -> bytes | None:
    raw = os.environ.get(PASSPHRASE_ENV, "")
    return raw.encode() if raw else None


@dataclass(frozen=True, slots=True)
class Signer:
    """The current private key, opened, with its public id."""

    key_id: str
    private_key: Ed25519PrivateKey

    def __repr__(self) -> str:  # never show key material, even in a traceback
        return f"Signer(key_id={self.key_id!r})"


class KeyService:
    def __init__(
        self,
        store: SqlKeyStore,
        clock: Callable[[], datetime] = _utc_now,
        passphrase: Callable[[], bytes | None] = passphrase_from_env,
    ) -> None:
        self._store = store
        self._clock = clock
        self._passphrase = passphrase
        self._signer: Signer | None = None
        self._lock = threading.Lock()

    def create(self) -> StoredKey:
        """A first signing key; refused when a current key exists (use ``rotate``)."""
        return _public(self._store.add(self._new_key()))

    def rotate(self) -> StoredKey:
        """Retire the current key (if any) and make a new one current, in one transaction.

        The outgoing key endorses the new one, so subscribers follow the rotation by themselves.
        """
        key = self._new_key()
        if self._store.current() is not None:
            previous = self.signer()
            endorsement = endorse(
                previous.private_key, previous.key_id, key.key_id, key.public_key
            )
            key = replace(key, endorsed_by=previous.key_id, endorsement=endorsement)
        return _public(self._store.add(key, retire_current_at=key.created_at))

    def current(self) -> StoredKey | None:
        found = self._store.current()
        return None if found is None else _public(found)

    def public_keys(self) -> list[StoredKey]:
        """Every key this instance has signed with, newest first (public parts only)."""
        return self._store.all()

    def signer(self) -> Signer:
        """The current key, opened; cached until another process rotates it."""
        stored = self._store.current()
        if stored is None:
            raise NoSigningKeyError
        with self._lock:
            if self._signer is None or self._signer.key_id != stored.key_id:
                self._signer = Signer(stored.key_id, self._open(stored))
            return self._signer

    def _new_key(self) -> StoredKey:
        private_key = Ed25519PrivateKey.generate()
        raw = raw_public_key(private_key)
        passphrase = self._passphrase()
        encryption: KeySerializationEncryption = (
            BestAvailableEncryption(passphrase) if passphrase else NoEncryption()
        )
        pem = private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, encryption)
        return StoredKey(
            key_id=key_id(raw),
            public_key=base64.b64encode(raw).decode("ascii"),
            created_at=self._clock(),
            private_pem=pem.decode("ascii"),
        )

    def _open(self, stored: StoredKey) -> Ed25519PrivateKey:
        pem = stored.private_pem.encode("ascii")
        encrypted = b"ENCRYPTED" in pem.split(b"\n", 1)[0]
        passphrase = self._passphrase()
        if encrypted and passphrase is None:
            raise SigningKeyError(
                f"signing key {stored.key_id} is encrypted: set {PASSPHRASE_ENV}"
            )
        try:
            loaded = load_pem_private_key(pem, passphrase if encrypted else None)
        except (ValueError, TypeError):
            # The library's message may quote the input; say only what the operator can fix.
            raise SigningKeyError(
                f"signing key {stored.key_id} cannot be opened (wrong {PASSPHRASE_ENV}?)"
            ) from None
        if not isinstance(loaded, Ed25519PrivateKey):
            raise SigningKeyError(f"signing key {stored.key_id} is not an Ed25519 key")
        return loaded


def _public(key: StoredKey) -> StoredKey:
    return replace(key, private_pem="")
