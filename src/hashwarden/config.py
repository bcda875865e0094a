"""Settings read from the environment for every adapter (CLI, server, scanners).

- ``HASHWARDEN_HOME``: data folder, default ``~/.local/share/hashwarden``.
- ``HASHWARDEN_DATABASE_URL``: SQLAlchemy URL; default SQLite at ``$HASHWARDEN_HOME/hashwarden.db``.
- ``HASHWARDEN_MAX_FILE_BYTES`` / ``HASHWARDEN_MAX_PIXELS``: decoding limits for media.
"""

from __future__ import annotations

import os

from hashwarden.core.errors import ConfigError
from hashwarden.core.media.limits import DecodeLimits
from hashwarden.storage.database import database_url, hashwarden_home


def decode_limits() -> DecodeLimits:
    defaults = DecodeLimits()
    return DecodeLimits(
        max_file_bytes=_int_env("HASHWARDEN_MAX_FILE_BYTES", defaults.max_file_bytes),
        max_pixels=_int_env("HASHWARDEN_MAX_PIXELS", defaults.max_pixels),
    )


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc
    if value <= 0:
        raise ConfigError(f"{name} must be positive, got {value}")
    return value


__all__ = ["database_url", "decode_limits", "hashwarden_home"]
