"""Settings read from the environment for every adapter (CLI, server, scanners).

- ``HASHWARDEN_HOME``: data folder, default ``~/.local/share/hashwarden``.
- ``HASHWARDEN_DATABASE_URL``: SQLAlchemy URL; default SQLite at ``$HASHWARDEN_HOME/hashwarden.db``.
- ``HASHWARDEN_MAX_FILE_BYTES`` / ``HASHWARDEN_MAX_PIXELS``: decoding limits for media.
- ``HASHWARDEN_ROBUST_MATCHING``: ``off``, ``standard`` (default) or ``thorough``: how hard
  matching looks for edited copies (``core.robust``).
- ``HASHWARDEN_CASE_MEDIA``: ``reference`` (default: case media are read again where they were
  scanned) or ``encrypted`` (``case scan`` keeps an AES-256-GCM copy of every item).
- ``HASHWARDEN_CASE_MEDIA_KEY_FILE``: the key of the encrypted copies, required in ``encrypted``
  mode: 32 random bytes in base64 on one line, made by ``hashwarden case media-key``. Keep it
  outside ``HASHWARDEN_HOME`` so a backup of the data folder does not carry it.
- ``HASHWARDEN_CASE_MEDIA_DIR``: where the copies go, default ``$HASHWARDEN_HOME/case-media``.
"""

from __future__ import annotations

import os
from pathlib import Path

from hashwarden.core.errors import ConfigError, StorageError
from hashwarden.core.media.limits import DecodeLimits
from hashwarden.core.robust.levels import RobustLevel, parse_level
from hashwarden.core.video.limits import VideoLimits

HOME_ENV = "HASHWARDEN_HOME"
DATABASE_URL_ENV = "HASHWARDEN_DATABASE_URL"
CASE_MEDIA_ENV = "HASHWARDEN_CASE_MEDIA"
CASE_MEDIA_KEY_FILE_ENV = "HASHWARDEN_CASE_MEDIA_KEY_FILE"
CASE_MEDIA_DIR_ENV = "HASHWARDEN_CASE_MEDIA_DIR"
CASE_MEDIA_MODES = ("reference", "encrypted")


def hashwarden_home() -> Path:
    """The data folder: ``$HASHWARDEN_HOME`` or ``~/.local/share/hashwarden``, created if needed."""
    raw = os.environ.get(HOME_ENV)
    home = Path(raw).expanduser() if raw else Path.home() / ".local" / "share" / "hashwarden"
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot create the data folder {home}: {exc.strerror}") from exc
    return home


def database_url() -> str:
    """The configured database URL (see the module docstring)."""
    configured = os.environ.get(DATABASE_URL_ENV, "").strip()
    if configured:
        return configured
    return f"sqlite:///{hashwarden_home() / 'hashwarden.db'}"


def decode_limits() -> DecodeLimits:
    defaults = DecodeLimits()
    return DecodeLimits(
        max_file_bytes=_int_env("HASHWARDEN_MAX_FILE_BYTES", defaults.max_file_bytes),
        max_pixels=_int_env("HASHWARDEN_MAX_PIXELS", defaults.max_pixels),
    )


def robust_level() -> RobustLevel:
    raw = os.environ.get("HASHWARDEN_ROBUST_MATCHING", "").strip()
    if not raw:
        return RobustLevel.STANDARD
    try:
        return parse_level(raw)
    except ValueError as exc:
        raise ConfigError(f"HASHWARDEN_ROBUST_MATCHING: {exc}") from None


def case_media_mode() -> str:
    """``reference`` or ``encrypted`` (see the module docstring)."""
    raw = os.environ.get(CASE_MEDIA_ENV, "").strip().lower() or "reference"
    if raw not in CASE_MEDIA_MODES:
        raise ConfigError(f"{CASE_MEDIA_ENV} must be reference or encrypted, got {raw!r}")
    return raw


def case_media_key_file() -> Path | None:
    raw = os.environ.get(CASE_MEDIA_KEY_FILE_ENV, "").strip()
    return Path(raw).expanduser() if raw else None


def case_media_folder() -> Path:
    raw = os.environ.get(CASE_MEDIA_DIR_ENV, "").strip()
    return Path(raw).expanduser() if raw else hashwarden_home() / "case-media"


def video_limits() -> VideoLimits:
    defaults = VideoLimits()
    return VideoLimits(
        max_file_bytes=_int_env("HASHWARDEN_VIDEO_MAX_FILE_BYTES", defaults.max_file_bytes),
        max_pixels=_int_env("HASHWARDEN_VIDEO_MAX_PIXELS", defaults.max_pixels),
        max_seconds=_float_env("HASHWARDEN_VIDEO_MAX_SECONDS", defaults.max_seconds),
        timeout=_float_env("HASHWARDEN_VIDEO_TIMEOUT", defaults.timeout),
    )


def _float_env(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc
    if not value > 0 or value == float("inf"):
        raise ConfigError(f"{name} must be a positive number, got {raw!r}")
    return value


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
