"""Webhook signatures, payloads and the retry schedule (pure)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hashwarden.core.errors import ReviewError
from hashwarden.review.models import QueuedHit
from hashwarden.review.webhooks import (
    RetryPolicy,
    check_secret,
    check_url,
    payload,
    signature_header,
    verify_signature,
)

SECRET = "s3cret-for-the-receiver"
LISTED = "f" * 64


def test_the_header_is_stripe_style_hmac_over_time_and_body() -> None:
    body = b'{"event_id":"e1"}'
    header = signature_header(SECRET, body, 1_700_000_000)
    expected = hmac.new(SECRET.encode(), b"1700000000." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"


@given(body=st.binary(max_size=300), timestamp=st.integers(0, 2**40))
def test_a_receiver_accepts_exactly_the_signed_body(body: bytes, timestamp: int) -> None:
    header = signature_header(SECRET, body, timestamp)
    assert verify_signature(SECRET, header, body, now=timestamp)
    assert not verify_signature(SECRET, header, body + b"x", now=timestamp)
    assert not verify_signature("another-secret-value", header, body, now=timestamp)


def test_old_and_malformed_signatures_are_refused() -> None:
    body = b"{}"
    header = signature_header(SECRET, body, 1000)
    assert verify_signature(SECRET, header, body, now=1000 + 300)
    assert not verify_signature(SECRET, header, body, now=1000 + 301)
    for bad in ("", "v1=abc", "t=1000", "t=x,v1=abc", f"t=1000,t=1000,{header.split(',')[1]}"):
        assert not verify_signature(SECRET, bad, body, now=1000)


def test_the_payload_names_the_hit_but_carries_no_hash() -> None:
    hit = QueuedHit("m1", "known", 7, "iwf:A", "pdq", 12, "rotate90", LISTED, "token:3:p", "u-9")
    at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    document = json.loads(payload("e1", at, hit))
    assert document == {
        "event_id": "e1",
        "type": "match.hit",
        "time": "2026-12-01T09:00:00+00:00",
        "match_id": "m1",
        "list": "known",
        "entry_id": 7,
        "category": "iwf:A",
        "signal_type": "pdq",
        "distance": 12,
        "variant": "rotate90",
        "requester": "token:3:p",
        "reference": "u-9",
    }
    assert LISTED not in payload("e1", at, hit)


def test_backoff_doubles_from_the_base_up_to_the_cap_and_stops_at_max_attempts() -> None:
    policy = RetryPolicy(max_attempts=5, base=1.0, cap=6.0)
    assert [policy.delay(n) for n in range(1, 6)] == [1.0, 2.0, 4.0, 6.0, 6.0]
    now = datetime(2026, 12, 1, tzinfo=UTC)
    assert policy.retry_at(1, now) == now + timedelta(seconds=1)
    assert policy.retry_at(4, now) == now + timedelta(seconds=6)
    assert policy.retry_at(5, now) is None
    assert RetryPolicy(max_attempts=1000).delay(1000) == 3600.0
    with pytest.raises(ReviewError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ReviewError):
        RetryPolicy(base=0)


def test_urls_and_secrets_are_checked() -> None:
    assert check_url(" https://hooks.example.org/hw ") == "https://hooks.example.org/hw"
    assert check_url("http://127.0.0.1:8000/x?y=1") == "http://127.0.0.1:8000/x?y=1"
    for bad in ("ftp://example.org/", "hooks.example.org/hw", "https://", "https://u:p@h.org/"):
        with pytest.raises(ReviewError):
            check_url(bad)
    assert check_secret(SECRET) == SECRET
    for bad in ("short", "x" * 201, "sixteen chars\n!!"):
        with pytest.raises(ReviewError):
            check_secret(bad)
