"""Per-token rate limits: the token bucket itself and 429s from a real server."""

from __future__ import annotations

from dataclasses import replace

import pytest
from api_helpers import TEST_SETTINGS, ApiServer

from hashwarden.accounts.models import Role
from hashwarden.api.rate_limit import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_the_burst_then_the_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=2.0, burst=3, clock=clock)
    assert [limiter.acquire(1) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire(1) == pytest.approx(0.5)
    assert limiter.acquire(2) == 0.0  # another token has its own bucket
    clock.now += 0.5
    assert limiter.acquire(1) == 0.0
    assert limiter.acquire(1) > 0


def test_zero_rate_means_unlimited() -> None:
    limiter = RateLimiter(rate=0, burst=1)
    assert all(limiter.acquire(1) == 0.0 for _ in range(1000))


@pytest.mark.api_settings(replace(TEST_SETTINGS, rate_limit=1.0, rate_burst=3))
def test_server_answers_429_with_retry_after(server: ApiServer) -> None:
    limited = server.client(Role.PLATFORM)
    other = server.client(Role.PLATFORM)
    body = {"signals": {"md5": ["0" * 32]}}
    statuses = [limited.post("/v1/match", json=body).status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200]
    assert 429 in statuses[3:]
    refused = limited.post("/v1/match", json=body)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["content-type"] == "application/problem+json"
    assert other.post("/v1/match", json=body).status_code == 200
