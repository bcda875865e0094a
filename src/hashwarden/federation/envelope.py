"""Signed feed pages: the wire format between a publishing and a subscribing instance.

A page is JSON Lines. Line 1 is the manifest::

    {"format": "hashwarden-feed/1", "publisher": <instance id>, "key_id": ..., "list": ...,
     "since": N, "until": M, "count": K, "body_sha256": ..., "issued_at": ..., "signature": ...}

and the K lines after it are changes ``{"sequence", "op", "entry"}`` with the entry in the
lossless ``formats.jsonl`` shape; a removal's entry is only ``{"id", "removed_at"}``.
``signature`` is Ed25519 over the canonical JSON of the manifest without ``signature``;
``body_sha256`` covers the exact bytes of the change lines, so the signature vouches for every
byte of the page.

Pure: no I/O, no clock; callers pass times in.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from hashwarden.core.lists.models import ChangeOp
from hashwarden.federation.errors import (
    BadSignatureError,
    CountMismatchError,
    DigestMismatchError,
    MalformedPageError,
    ReplayedPageError,
    SequenceError,
    StalePageError,
    UntrustedKeyError,
)

FORMAT = "hashwarden-feed/1"
_MANIFEST_KEYS = frozenset(
    {"format", "publisher", "key_id", "list", "since", "until", "count", "body_sha256",
     "issued_at", "signature"}
)  # fmt: skip
_OPS = frozenset(op.value for op in ChangeOp)


@dataclass(frozen=True, slots=True)
class Manifest:
    publisher: str
    key_id: str
    list: str
    since: int
    until: int
    count: int
    body_sha256: str
    issued_at: str
    signature: str = ""

    def unsigned(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "publisher": self.publisher,
            "key_id": self.key_id,
            "list": self.list,
            "since": self.since,
            "until": self.until,
            "count": self.count,
            "body_sha256": self.body_sha256,
            "issued_at": self.issued_at,
        }


@dataclass(frozen=True, slots=True)
class FeedChange:
    sequence: int
    op: ChangeOp
    #: The entry after the change, as ``formats.jsonl.entry_to_json(..., with_removed=True)``;
    #: for a removal only ``id`` and ``removed_at``.
    entry: Mapping[str, Any]

    @property
    def entry_id(self) -> int:
        value = self.entry["id"]
        assert isinstance(value, int)
        return value


@dataclass(frozen=True, slots=True)
class VerifiedPage:
    manifest: Manifest
    changes: list[FeedChange]


def canonical_json(obj: Mapping[str, Any]) -> bytes:
    """Sorted keys, no spaces, UTF-8: the bytes a signature covers."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def key_id(public_key: bytes) -> str:
    """Short public fingerprint: the first 16 hex digits of SHA-256 over the raw public key."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def raw_public_key(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def decode_public_key(text: str) -> bytes:
    """A pinned key as given by ``keys show`` (base64 of the raw 32 bytes); ValueError if not."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(
            "a public key must be base64 (as `hashwarden keys show` prints it)"
        ) from None
    if len(raw) != 32:
        raise ValueError(f"an Ed25519 public key has 32 bytes, this one has {len(raw)}")
    return raw


def change_line(sequence: int, op: ChangeOp | str, entry: Mapping[str, Any]) -> bytes:
    obj = {"sequence": sequence, "op": str(op), "entry": dict(entry)}
    # ASCII-only lines: odd characters in notes can never break the line structure.
    return json.dumps(obj, ensure_ascii=True, separators=(",", ":")).encode() + b"\n"


def sign_page(
    lines: Sequence[bytes],
    *,
    private_key: Ed25519PrivateKey,
    publisher: str,
    list_name: str,
    since: int,
    until: int,
    issued_at: str,
) -> bytes:
    """The manifest line for change ``lines`` (each ending in a newline), signed."""
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line)
    manifest = Manifest(
        publisher=publisher,
        key_id=key_id(raw_public_key(private_key)),
        list=list_name,
        since=since,
        until=until,
        count=len(lines),
        body_sha256=digest.hexdigest(),
        issued_at=issued_at,
    )
    unsigned = manifest.unsigned()
    signature = base64.b64encode(private_key.sign(canonical_json(unsigned))).decode("ascii")
    return canonical_json({**unsigned, "signature": signature}) + b"\n"


def verify_page(
    page: bytes,
    *,
    pinned_keys: Iterable[str],
    list_name: str,
    cursor: int,
    now: datetime | None = None,
    max_age: timedelta | None = None,
) -> VerifiedPage:
    """Check every byte of ``page`` against the pinned keys and the subscriber's ``cursor``.

    Raises a ``FeedError`` subclass naming what was wrong; returns the changes only when the
    whole page holds.
    """
    head, newline, body = page.partition(b"\n")
    if not newline:
        raise MalformedPageError("the page has no manifest line (empty or cut before line 1 ended)")
    manifest = _parse_manifest(head)
    _check_signature(manifest, pinned_keys)
    if manifest.list != list_name:
        raise MalformedPageError(
            f"the page is for list {manifest.list!r}, this subscription follows {list_name!r}"
        )
    if manifest.since != cursor:
        raise ReplayedPageError(
            f"the page continues from sequence {manifest.since}, but the local cursor is "
            f"{cursor} (replayed or out-of-order page)"
        )
    if now is not None and max_age is not None:
        _check_age(manifest, now, max_age)
    lines = _split_lines(body)
    if len(lines) != manifest.count:
        kind = "truncated page" if len(lines) < manifest.count else "extra lines"
        raise CountMismatchError(
            f"the manifest announces {manifest.count} change line(s), the page has "
            f"{len(lines)} ({kind})"
        )
    if hashlib.sha256(body).hexdigest() != manifest.body_sha256:
        raise DigestMismatchError(
            "the change lines do not match the signed body_sha256 (altered in transit?)"
        )
    changes = [_parse_change(line, number) for number, line in enumerate(lines, 2)]
    _check_sequences(manifest, changes)
    return VerifiedPage(manifest, changes)


def _split_lines(body: bytes) -> list[bytes]:
    if not body:
        return []
    if not body.endswith(b"\n"):
        cut = body.count(b"\n") + 2
        raise CountMismatchError(f"line {cut} is cut off before its end (truncated page)")
    return [line + b"\n" for line in body[:-1].split(b"\n")]


def _parse_manifest(head: bytes) -> Manifest:
    try:
        obj = json.loads(head)
    except (ValueError, RecursionError):
        raise MalformedPageError("line 1 (the manifest) is not valid JSON") from None
    if not isinstance(obj, dict):
        raise MalformedPageError("line 1 (the manifest) is not a JSON object")
    if obj.get("format") != FORMAT:
        raise MalformedPageError(
            f"unknown page format {str(obj.get('format'))[:40]!r} (this reader knows {FORMAT})"
        )
    missing = sorted(_MANIFEST_KEYS - obj.keys())
    if missing:
        raise MalformedPageError(f"the manifest lacks {', '.join(missing)}")
    extra = sorted(str(key)[:40] for key in obj.keys() - _MANIFEST_KEYS)
    if extra:
        raise MalformedPageError(f"the manifest has unknown field(s) {', '.join(extra)}")
    for name in ("since", "until", "count"):
        if type(obj[name]) is not int or obj[name] < 0:
            raise MalformedPageError(f"manifest field {name!r} must be a whole number >= 0")
    for name in ("publisher", "key_id", "list", "body_sha256", "issued_at", "signature"):
        if not isinstance(obj[name], str):
            raise MalformedPageError(f"manifest field {name!r} must be a string")
    return Manifest(**{key: obj[key] for key in _MANIFEST_KEYS if key != "format"})


def _check_signature(manifest: Manifest, pinned_keys: Iterable[str]) -> None:
    trusted = {key_id(raw): raw for raw in (decode_public_key(text) for text in pinned_keys)}
    raw = trusted.get(manifest.key_id)
    if raw is None:
        pinned = ", ".join(sorted(trusted)) or "none"
        raise UntrustedKeyError(
            f"the page is signed with key {manifest.key_id[:40]!r}, which is not pinned "
            f"(pinned: {pinned})",
            key_id=manifest.key_id[:64],
        )
    try:
        signature = base64.b64decode(manifest.signature, validate=True)
        if base64.b64encode(signature).decode("ascii") != manifest.signature:
            raise ValueError("not canonical base64")  # unused bits set: not what was signed
        Ed25519PublicKey.from_public_bytes(raw).verify(
            signature, canonical_json(manifest.unsigned())
        )
    except (InvalidSignature, binascii.Error, ValueError):
        raise BadSignatureError(
            f"the manifest's signature does not verify under pinned key {manifest.key_id} "
            "(the manifest was altered or not signed by the publisher)"
        ) from None


def _check_age(manifest: Manifest, now: datetime, max_age: timedelta) -> None:
    try:
        issued = datetime.fromisoformat(manifest.issued_at.replace("Z", "+00:00"))
    except ValueError:
        raise MalformedPageError("manifest field 'issued_at' is not an ISO 8601 time") from None
    if issued.tzinfo is None:
        raise MalformedPageError("manifest field 'issued_at' has no time zone")
    if not now - max_age <= issued <= now + max_age:
        raise StalePageError(
            f"the page was issued at {manifest.issued_at}, more than {max_age} from now "
            "(an old page served again, or a clock far off)"
        )


def _parse_change(line: bytes, number: int) -> FeedChange:
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        raise MalformedPageError(f"line {number} is not valid JSON") from None
    if not isinstance(obj, dict):
        raise MalformedPageError(f"line {number} is not a JSON object")
    sequence, op, entry = obj.get("sequence"), obj.get("op"), obj.get("entry")
    if type(sequence) is not int:
        raise MalformedPageError(f"line {number}: 'sequence' must be a whole number")
    if op not in _OPS:
        raise MalformedPageError(f"line {number}: unknown op {str(op)[:20]!r}")
    if not isinstance(entry, dict) or type(entry.get("id")) is not int:
        raise MalformedPageError(f"line {number}: 'entry' must be an object with an integer id")
    return FeedChange(sequence, ChangeOp(op), entry)


def _check_sequences(manifest: Manifest, changes: Sequence[FeedChange]) -> None:
    previous = manifest.since
    for number, change in enumerate(changes, 2):
        if change.sequence <= previous:
            raise SequenceError(
                f"line {number}: sequence {change.sequence} does not follow {previous} "
                "(reordered or repeated change)"
            )
        if change.sequence > manifest.until:
            raise SequenceError(
                f"line {number}: sequence {change.sequence} is past the page's end "
                f"{manifest.until}"
            )
        previous = change.sequence
    if previous != manifest.until:
        raise SequenceError(
            f"the page claims to end at sequence {manifest.until}, its last change is {previous}"
        )
