"""Key rotation that subscribers can follow without re-pinning by hand.

When a publisher rotates, its outgoing key signs a statement naming the new key (the
*endorsement*, served with the public keys at ``GET /v1/keys``). A subscriber that meets a page
signed by a key it has not pinned fetches the keys and accepts the new one only if a chain of
endorsements leads to it from a key it already pins; anything else stays an ``UntrustedKeyError``.
A stolen key can still endorse a successor, as it can sign pages: after a compromise the
subscribers must re-pin by hand (``hashwarden subscriptions pin``), which replaces the old keys.

Pure: no I/O.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hashwarden.federation.envelope import canonical_json, decode_public_key, key_id
from hashwarden.federation.errors import UntrustedKeyError

PURPOSE = "hashwarden-key-rotation/1"
#: Longest chain of rotations followed in one go.
MAX_CHAIN = 16


@dataclass(frozen=True, slots=True)
class PublishedKey:
    key_id: str
    public_key: str
    endorsed_by: str = ""
    endorsement: str = ""


def statement(new_key_id: str, new_public_key: str, previous_key_id: str) -> bytes:
    """The bytes an outgoing key signs to hand over to ``new_key_id``."""
    return canonical_json(
        {
            "purpose": PURPOSE,
            "key_id": new_key_id,
            "public_key": new_public_key,
            "previous_key_id": previous_key_id,
        }
    )


def endorse(
    previous: Ed25519PrivateKey, previous_key_id: str, new_key_id: str, new_public_key: str
) -> str:
    signature = previous.sign(statement(new_key_id, new_public_key, previous_key_id))
    return base64.b64encode(signature).decode("ascii")


def published_keys(document: object) -> dict[str, PublishedKey]:
    """The keys of a ``GET /v1/keys`` answer, by key id; malformed rows are skipped."""
    keys: dict[str, PublishedKey] = {}
    rows = document.get("keys") if isinstance(document, Mapping) else None
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, Mapping):
            continue
        fields = [row.get(name) or "" for name in ("key_id", "public_key")]
        extra = [row.get(name) or "" for name in ("endorsed_by", "endorsement")]
        if all(isinstance(value, str) for value in (*fields, *extra)) and all(fields):
            keys[str(fields[0])] = PublishedKey(*(str(v) for v in (*fields, *extra)))
    return keys


def follow(wanted: str, pinned: Iterable[str], keys: Mapping[str, PublishedKey]) -> list[str]:
    """Public keys to pin so that ``wanted`` is trusted: the endorsed chain back to a pinned key.

    Raises ``UntrustedKeyError`` saying why when no valid chain exists.
    """
    trusted = {key_id(decode_public_key(text)) for text in pinned}
    chain: list[PublishedKey] = []
    current = wanted
    while current not in trusted:
        if len(chain) >= MAX_CHAIN:
            raise UntrustedKeyError(f"key {wanted!r}: more than {MAX_CHAIN} rotations to follow")
        key = keys.get(current)
        if key is None:
            raise UntrustedKeyError(f"key {current!r} is not among the publisher's keys")
        if key_id(_raw(key.public_key)) != key.key_id:
            raise UntrustedKeyError(f"key {current!r}: its id does not match its public key")
        endorser = keys.get(key.endorsed_by) if key.endorsed_by else None
        if endorser is None:
            raise UntrustedKeyError(
                f"key {current!r} is not endorsed by a key this subscription trusts: "
                "pin it by hand if the publisher confirms it"
            )
        _verify(endorser, key)
        chain.append(key)
        current = endorser.key_id
    return [key.public_key for key in reversed(chain)]


def _verify(endorser: PublishedKey, key: PublishedKey) -> None:
    try:
        signature = base64.b64decode(key.endorsement, validate=True)
        Ed25519PublicKey.from_public_bytes(_raw(endorser.public_key)).verify(
            signature, statement(key.key_id, key.public_key, endorser.key_id)
        )
    except (InvalidSignature, binascii.Error, ValueError):
        raise UntrustedKeyError(
            f"key {key.key_id!r}: its endorsement by {endorser.key_id!r} does not verify"
        ) from None


def _raw(public_key: str) -> bytes:
    try:
        return decode_public_key(public_key)
    except ValueError as exc:
        raise UntrustedKeyError(f"a published key is malformed: {exc}") from None
