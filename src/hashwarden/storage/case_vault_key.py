"""The key file of encrypted case media: 32 random bytes, base64 on one line.

Text rather than raw bytes, so the key can be printed for a safe, pasted into a secret store and
compared by eye; anything else in the file (a second key, a stray byte) is refused rather than
guessed at, because a silently wrong key would seal copies nobody can open later.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from hashwarden.config import CASE_MEDIA_KEY_FILE_ENV
from hashwarden.core.errors import ConfigError
from hashwarden.storage.case_vault import KEY_BYTES


def read_key_file(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise ConfigError(
            f"{CASE_MEDIA_KEY_FILE_ENV}: no key file at {path}; create one with "
            f"'hashwarden case media-key {path}'"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not base64 text"
        raise ConfigError(f"{CASE_MEDIA_KEY_FILE_ENV}: cannot read {path} ({reason})") from exc
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except binascii.Error:
        key = b""
    if len(key) != KEY_BYTES:
        raise ConfigError(
            f"{CASE_MEDIA_KEY_FILE_ENV}: {path} does not hold a case media key "
            f"({KEY_BYTES} bytes in base64 on one line)"
        )
    return key


def create_key_file(path: Path) -> None:
    """Write a new random key readable by its owner only; never replaces an existing file."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        # O_EXCL: an existing key may be all that opens years of copies.
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigError(
            f"{path} exists already; a case media key is never overwritten (copies sealed "
            "with it could not be opened any more)"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot create the key file {path} ({exc.strerror})") from exc
    try:
        os.write(handle, base64.b64encode(os.urandom(KEY_BYTES)) + b"\n")
        os.fsync(handle)
    except OSError:
        os.close(handle)
        path.unlink(missing_ok=True)
        raise
    os.close(handle)
