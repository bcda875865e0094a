"""Webhook signing, payloads and the retry schedule (pure: the sender lives in ``api``).

The signature follows Stripe's scheme so receivers can reuse known code: the header
``X-Hashwarden-Signature: t=<unix seconds>,v1=<hex>`` carries the time of the attempt and
HMAC-SHA256 under the list's secret over ``f"{t}."`` followed by the raw body. Signing the time
too lets a receiver refuse replays of an old, captured request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from hashwarden.core.errors import ReviewError
from hashwarden.review.models import QueuedHit

SIGNATURE_HEADER = "X-Hashwarden-Signature"
EVENT_HEADER = "X-Hashwarden-Event"
#: Receivers should refuse signatures older than this (seconds).
DEFAULT_TOLERANCE = 300
MIN_SECRET = 16
MAX_SECRET = 200
MAX_URL = 2000


def signature(secret: str, body: bytes, timestamp: int) -> str:
    """The hex HMAC-SHA256 of ``f"{timestamp}."`` + ``body`` under ``secret``."""
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    return f"t={timestamp},v1={signature(secret, body, timestamp)}"


def verify_signature(
    secret: str, header: str, body: bytes, now: int, tolerance: int = DEFAULT_TOLERANCE
) -> bool:
    """What a receiver does: the header is well formed, recent, and one ``v1`` matches."""
    parts = [part.partition("=") for part in header.split(",")]
    timestamps = [value for key, _, value in parts if key.strip() == "t"]
    candidates = [value.strip() for key, _, value in parts if key.strip() == "v1"]
    if len(timestamps) != 1 or not timestamps[0].strip().isdigit() or not candidates:
        return False
    timestamp = int(timestamps[0])
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, body, timestamp)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)


def payload(event_id: str, at: datetime, hit: QueuedHit) -> str:
    """The JSON body for one hit: what matched and how closely, never a hash value or media."""
    document = {
        "event_id": event_id,
        "type": "match.hit",
        "time": at.isoformat(),
        "match_id": hit.match_id,
        "list": hit.list_name,
        "entry_id": hit.entry_id,
        "category": hit.category,
        "signal_type": hit.signal_type,
        "distance": hit.distance,
        "variant": hit.variant,
        "requester": hit.requester,
        "reference": hit.reference,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True)


def check_url(url: str) -> str:
    """An absolute http(s) URL with a host; refused otherwise."""
    cleaned = url.strip()
    parts = urlsplit(cleaned)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(cleaned) > MAX_URL:
        raise ReviewError(f"a webhook URL must be an absolute http(s) URL, got {url!r}")
    if parts.username or parts.password:
        raise ReviewError("a webhook URL must not carry credentials; the secret signs requests")
    return cleaned


def check_secret(secret: str) -> str:
    if not MIN_SECRET <= len(secret) <= MAX_SECRET or not secret.isprintable():
        raise ReviewError(
            f"a webhook secret must be {MIN_SECRET}-{MAX_SECRET} printable characters"
        )
    return secret


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff: attempt n failing waits ``base * 2**(n-1)`` seconds, capped."""

    max_attempts: int = 12
    base: float = 1.0
    cap: float = 3600.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ReviewError(f"webhooks need at least one attempt, got {self.max_attempts}")
        if self.base <= 0 or self.cap <= 0:
            raise ReviewError("webhook backoff times must be positive")

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        # The exponent is bounded first: 2.0**attempt overflows a float long before the cap.
        return min(self.cap, self.base * 2.0 ** min(attempt - 1, 64))

    def retry_at(self, attempt: int, now: datetime) -> datetime | None:
        """When to try again after failed attempt ``attempt``; ``None``: give up."""
        if attempt >= self.max_attempts:
            return None
        return now + timedelta(seconds=self.delay(attempt))
