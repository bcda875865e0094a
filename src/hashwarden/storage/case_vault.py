"""Encrypted copies of case media: one AES-256-GCM blob per item under ``<folder>/<case id>/``.

A blob is a 25-byte header, ``HWCM | version | key id (8) | nonce (12)``, then the item's bytes
in 1 MiB segments, each sealed with its tag. The object's fresh random nonce salts HKDF into a
key of the blob's own, so segment nonces can be plain counters (plus a last-segment flag, so
cutting whole segments off fails too), AES-GCM's 2 GiB-per-message limit never bites a long
video, and no nonce repeats however many blobs one key seals. Every segment authenticates the
header, the case id and the item path: a blob copied to another item or case does not open.
The key id lets a later key rotation read old blobs (``retired`` keys).

File names are the SHA-256 of the item path, so a directory listing says nothing about what
was seized. Blobs are written to a temporary file, synced and renamed into place: a killed
process leaves at most a ``.tmp-`` file of ciphertext (``forget_case`` takes it too), never a
torn blob.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hashwarden.cases.interfaces import CaseError
from hashwarden.cases.media import CaseMediaMissingError
from hashwarden.core.errors import ConfigError
from hashwarden.scanning.items import display_name

MAGIC = b"HWCM"
VERSION = 1
KEY_BYTES = 32
KEY_ID_BYTES = 8
NONCE_BYTES = 12
HEADER_BYTES = len(MAGIC) + 1 + KEY_ID_BYTES + NONCE_BYTES
SEGMENT_BYTES = 1024 * 1024
TAG_BYTES = 16
_SEALED_SEGMENT = SEGMENT_BYTES + TAG_BYTES
_HKDF_INFO = b"hashwarden case media v1"
TEMP_PREFIX = ".tmp-"


class CaseMediaSealError(CaseMediaMissingError):
    """The copy exists but does not open: altered, cut short, moved, or not a copy at all."""


class CaseMediaKeyError(CaseMediaSealError):
    """The copy was sealed with a key this installation does not have."""


def key_id(key: bytes) -> bytes:
    """A short public fingerprint naming the key in each blob's header (not the key itself)."""
    return hashlib.sha256(b"hashwarden case media key id\x00" + key).digest()[:KEY_ID_BYTES]


def blob_name(path: str) -> str:
    return hashlib.sha256(_path_bytes(path)).hexdigest()


class EncryptedCaseMedia:
    """``CaseMediaStore`` keeping an encrypted copy of every item a scan hands in."""

    keeps_copies = True

    def __init__(self, folder: Path, key: bytes, *, retired: Sequence[bytes] = ()) -> None:
        for candidate in (key, *retired):
            if len(candidate) != KEY_BYTES:
                raise ConfigError(f"a case media key has {KEY_BYTES} bytes, not {len(candidate)}")
        self.folder = folder
        self._key_id = key_id(key)
        self._key = key
        self._keys = {key_id(k): k for k in (*retired, key)}

    def keep(self, case_id: int, path: str, data: bytes) -> None:
        case_dir = self._case_dir(case_id)
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        case_dir.mkdir(mode=0o700, exist_ok=True)
        nonce = os.urandom(NONCE_BYTES)
        header = MAGIC + bytes([VERSION]) + self._key_id + nonce
        aead = AESGCM(_object_key(self._key, nonce))
        aad = _associated_data(header, case_id, path)
        count = max(1, -(-len(data) // SEGMENT_BYTES))
        # mkstemp creates the file 0600 in the case folder, so the rename stays on one device.
        handle, temporary = tempfile.mkstemp(dir=case_dir, prefix=TEMP_PREFIX)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(header)
                for index in range(count):
                    segment = data[index * SEGMENT_BYTES:(index + 1) * SEGMENT_BYTES]
                    out.write(aead.encrypt(_segment_nonce(index, index == count - 1), segment, aad))
                out.flush()
                os.fsync(out.fileno())
            Path(temporary).replace(case_dir / blob_name(path))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _sync_folder(case_dir)

    def read(self, case_id: int, path: str) -> bytes:
        blob = self._case_dir(case_id) / blob_name(path)
        try:
            with blob.open("rb") as source:
                return self._open(source, os.fstat(source.fileno()).st_size, case_id, path)
        except FileNotFoundError:
            raise CaseMediaMissingError(
                f"{display_name(path)}: case {case_id} holds no encrypted copy of it "
                "(never kept, or purged)"
            ) from None
        except OSError as exc:
            raise CaseMediaMissingError(
                f"{display_name(path)}: the encrypted copy cannot be read ({exc.strerror})"
            ) from exc

    def forget_case(self, case_id: int) -> None:
        forget_copies(self.folder, case_id)

    def _case_dir(self, case_id: int) -> Path:
        return self.folder / str(int(case_id))

    def _open(self, source: BinaryIO, size: int, case_id: int, path: str) -> bytes:
        shown = display_name(path)
        header = source.read(HEADER_BYTES)
        if len(header) < HEADER_BYTES or not header.startswith(MAGIC):
            raise CaseMediaSealError(f"{shown}: the encrypted copy is cut short or not a copy")
        version = header[len(MAGIC)]
        if version != VERSION:
            raise CaseMediaSealError(
                f"{shown}: the encrypted copy has format version {version}; "
                f"this hashwarden reads version {VERSION}"
            )
        sealed_by = header[len(MAGIC) + 1:len(MAGIC) + 1 + KEY_ID_BYTES]
        key = self._keys.get(sealed_by)
        if key is None:
            raise CaseMediaKeyError(
                f"{shown}: the copy was sealed with key {sealed_by.hex()}, but the configured key "
                f"is {self._key_id.hex()} (HASHWARDEN_CASE_MEDIA_KEY_FILE points at another key)"
            )
        aead = AESGCM(_object_key(key, header[-NONCE_BYTES:]))
        aad = _associated_data(header, case_id, path)
        remaining = size - HEADER_BYTES
        plain = bytearray()
        index = 0
        while True:
            last = remaining <= _SEALED_SEGMENT
            sealed = source.read(min(remaining, _SEALED_SEGMENT))
            if len(sealed) < TAG_BYTES:
                raise CaseMediaSealError(f"{shown}: the encrypted copy is cut short")
            try:
                plain += aead.decrypt(_segment_nonce(index, last), sealed, aad)
            except InvalidTag:
                raise CaseMediaSealError(
                    f"{shown}: the encrypted copy fails authentication: it was altered, cut "
                    "short, or belongs to another item or case"
                ) from None
            if last:
                return bytes(plain)
            remaining -= len(sealed)
            index += 1


def forget_copies(folder: Path, case_id: int) -> None:
    """Remove the case's copies (no key needed: deleting must work even after a key is lost)."""
    case_dir = folder / str(int(case_id))
    try:
        shutil.rmtree(case_dir)
    except FileNotFoundError:
        return
    except OSError as exc:
        # The case's rows are gone by now: say loudly that personal data stayed behind.
        raise CaseError(
            f"the encrypted copies of case {case_id} in {case_dir} could not all be removed "
            f"({exc.strerror}); remove that folder by hand"
        ) from exc


def _object_key(key: bytes, nonce: bytes) -> bytes:
    return HKDF(hashes.SHA256(), KEY_BYTES, salt=nonce, info=_HKDF_INFO).derive(key)


def _segment_nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(NONCE_BYTES - 1, "big") + (b"\x01" if last else b"\x00")


def _associated_data(header: bytes, case_id: int, path: str) -> bytes:
    # The header has a fixed length and the case id eight bytes, so the path needs no framing.
    return header + int(case_id).to_bytes(8, "big") + _path_bytes(path)


def _path_bytes(path: str) -> bytes:
    # Scanned paths keep undecodable file-name bytes as surrogates (os.fsdecode); any surrogate
    # must encode, since a path that cannot be hashed would be a crash, not a missing copy.
    return path.encode("utf-8", "surrogatepass")


def _sync_folder(folder: Path) -> None:
    # The rename is durable only once the directory entry is on disk.
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
