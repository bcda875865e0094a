"""Server settings, from the environment (see the README's configuration table)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from hashwarden.config import robust_level
from hashwarden.core.errors import ConfigError
from hashwarden.core.robust.levels import RobustLevel
from hashwarden.hotline.retention import RetentionPolicy

INDEX_DIR_ENV = "HASHWARDEN_INDEX_DIR"


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc
    if value < 0:
        raise ConfigError(f"{name} must not be negative, got {raw!r}")
    return value


def _positive(name: str, default: float) -> float:
    value = _env_number(name, default)
    if value <= 0:
        raise ConfigError(f"{name} must be greater than 0, got {value:g}")
    return value


def _days(name: str, default: int) -> int:
    value = _env_number(name, default)
    if value != int(value):
        raise ConfigError(f"{name} must be a whole number of days, got {value:g}")
    return int(value)


def _count(name: str, default: int) -> int:
    value = _env_number(name, default)
    if value < 1 or value != int(value):
        raise ConfigError(f"{name} must be a whole number of at least 1, got {value:g}")
    return int(value)


@dataclass(frozen=True, slots=True)
class ApiSettings:
    #: Largest JSON request body.
    max_json_bytes: int = 4 * 1024 * 1024
    #: Largest media upload (``/v1/match/media``) and import file, held in memory.
    max_upload_bytes: int = 64 * 1024 * 1024
    #: Largest video upload; past ``max_upload_bytes`` it goes to a private temporary file in
    #: ``upload_spool_dir`` (the system's temporary folder when empty), deleted once hashed.
    max_video_upload_bytes: int = 2 * 1024**3
    upload_spool_dir: str = ""
    #: Most signal values in one match request.
    max_signals_per_request: int = 10_000
    #: How often each worker pulls list changes into its index (seconds).
    follow_interval: float = 0.5
    #: How often buffered audit events are written (seconds).
    audit_flush_interval: float = 0.2
    #: Seconds a valid token stays cached per worker (revocation elsewhere takes this long).
    token_cache_seconds: float = 5.0
    #: Requests per second per token and worker (0: unlimited), and the burst allowed.
    rate_limit: float = 0.0
    rate_burst: float = 100.0
    #: Seconds a reviewer's claim on a review item lasts before the item returns to the queue.
    review_claim_seconds: float = 900.0
    #: Attempts per webhook delivery before giving up.
    webhook_max_attempts: int = 12
    #: Seconds before the first retry of a webhook; doubles per attempt (capped at an hour).
    webhook_backoff_base: float = 1.0
    #: How often each worker looks for due webhook deliveries (seconds).
    webhook_poll_interval: float = 1.0
    #: Folder for index snapshots shared by the workers of this host ("" keeps a private
    #: in-memory index per worker). ``hashwarden serve`` sets it to ``$HASHWARDEN_HOME/index``.
    index_dir: str = ""
    #: Daily minutes an analyst may have material revealed in the console (previews stay
    #: blurred beyond it).
    exposure_limit_minutes: float = 60.0
    #: Public reports (and follow-up attempts) per client and hour. Behind Tor every visitor
    #: arrives from the same address: raise it there (docs/onion-service.md).
    report_limit_per_hour: float = 20.0
    #: Seconds between re-checks of addresses whose host was notified (0: only by cron, with
    #: ``hashwarden hotline recheck``).
    recheck_interval: float = 6 * 3600.0
    #: Days after a report is closed before the reporter's contact details and passphrase hash
    #: are erased, and before the rest of the report is (a tombstone stays for statistics).
    #: A year by default: US providers must preserve a report's contents that long.
    retention_contact_days: int = 30
    retention_report_days: int = 365
    #: Seconds between ``serve``'s retention purges (0: only by cron, ``hashwarden hotline
    #: purge``).
    purge_interval: float = 86400.0
    #: How hard uploads and triage look for edited copies (``core.robust``).
    robust: RobustLevel = RobustLevel.STANDARD
    #: Tests only: let triage fetch from loopback and private addresses.
    triage_allow_private: bool = False

    @classmethod
    def from_env(cls) -> ApiSettings:
        defaults = cls()
        return cls(
            max_json_bytes=int(_env_number("HASHWARDEN_MAX_JSON_BYTES", defaults.max_json_bytes)),
            max_upload_bytes=int(
                _env_number("HASHWARDEN_MAX_UPLOAD_BYTES", defaults.max_upload_bytes)
            ),
            max_video_upload_bytes=int(
                _env_number("HASHWARDEN_MAX_VIDEO_UPLOAD_BYTES", defaults.max_video_upload_bytes)
            ),
            upload_spool_dir=os.environ.get(
                "HASHWARDEN_UPLOAD_SPOOL_DIR", defaults.upload_spool_dir
            ).strip(),
            max_signals_per_request=int(
                _env_number("HASHWARDEN_MAX_SIGNALS", defaults.max_signals_per_request)
            ),
            follow_interval=_env_number("HASHWARDEN_FOLLOW_INTERVAL", defaults.follow_interval),
            audit_flush_interval=_env_number(
                "HASHWARDEN_AUDIT_FLUSH_INTERVAL", defaults.audit_flush_interval
            ),
            token_cache_seconds=_env_number(
                "HASHWARDEN_TOKEN_CACHE_SECONDS", defaults.token_cache_seconds
            ),
            rate_limit=_env_number("HASHWARDEN_RATE_LIMIT", defaults.rate_limit),
            rate_burst=_env_number("HASHWARDEN_RATE_BURST", defaults.rate_burst),
            review_claim_seconds=_positive(
                "HASHWARDEN_REVIEW_CLAIM_SECONDS", defaults.review_claim_seconds
            ),
            webhook_max_attempts=_count(
                "HASHWARDEN_WEBHOOK_MAX_ATTEMPTS", defaults.webhook_max_attempts
            ),
            webhook_backoff_base=_positive(
                "HASHWARDEN_WEBHOOK_BACKOFF_BASE", defaults.webhook_backoff_base
            ),
            webhook_poll_interval=_positive(
                "HASHWARDEN_WEBHOOK_POLL_INTERVAL", defaults.webhook_poll_interval
            ),
            index_dir=os.environ.get(INDEX_DIR_ENV, defaults.index_dir).strip(),
            report_limit_per_hour=_positive(
                "HASHWARDEN_REPORT_LIMIT_PER_HOUR", defaults.report_limit_per_hour
            ),
            recheck_interval=_env_number(
                "HASHWARDEN_RECHECK_INTERVAL", defaults.recheck_interval
            ),
            retention_contact_days=_days(
                "HASHWARDEN_RETENTION_CONTACT_DAYS", defaults.retention_contact_days
            ),
            retention_report_days=_days(
                "HASHWARDEN_RETENTION_REPORT_DAYS", defaults.retention_report_days
            ),
            purge_interval=_env_number("HASHWARDEN_PURGE_INTERVAL", defaults.purge_interval),
            exposure_limit_minutes=_positive(
                "HASHWARDEN_EXPOSURE_LIMIT_MINUTES", defaults.exposure_limit_minutes
            ),
            robust=robust_level(),
        )

    @property
    def retention(self) -> RetentionPolicy:
        return RetentionPolicy(self.retention_contact_days, self.retention_report_days)
