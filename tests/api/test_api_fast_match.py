"""The ``/v1/match`` fast path answers exactly as the FastAPI route, and hands it what it can't."""

from __future__ import annotations

import dataclasses

import pytest
from api_helpers import TEST_SETTINGS, ApiServer, flip_bits

from hashwarden.accounts.models import Role

PDQ = "f0" * 32
MD5 = "0123456789abcdef0123456789abcdef"


def _seed(server: ApiServer) -> None:
    curator = server.client(Role.CURATOR)
    assert curator.post("/v1/lists", json={"name": "known"}).status_code == 201
    entry = {"signals": [{"type": "pdq", "value": PDQ}, {"type": "md5", "value": MD5}]}
    assert curator.post("/v1/lists/known/entries", json={"entries": [entry]}).is_success
    server.api.matcher.refresh()


def _fast_requests(server: ApiServer) -> float:
    """Requests the fast path answered so far (it labels them with the route, like FastAPI)."""
    text = server.client().get("/metrics").text
    total = 0.0
    for line in text.splitlines():
        if line.startswith("hashwarden_http_requests_total{") and 'route="/v1/match"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


@pytest.mark.parametrize("role", [Role.PLATFORM, Role.CURATOR])
def test_answers_are_identical_on_both_paths(server: ApiServer, role: Role) -> None:
    _seed(server)
    client = server.client(role)
    body = {"signals": {"pdq": [flip_bits(PDQ, 9)], "md5": [MD5]}, "reference": "u-1"}
    # The token's first request authenticates through the route; later ones take the fast path.
    first = client.post("/v1/match", json=body)
    second = client.post("/v1/match", json=body)
    third = client.post(
        "/v1/match",
        content=first.request.content,
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert first.status_code == second.status_code == third.status_code == 200
    assert first.content == second.content == third.content
    assert first.headers["content-type"] == second.headers["content-type"]
    assert len(first.json()["matches"]) == 2


def test_errors_from_cached_tokens_come_from_the_route(server: ApiServer) -> None:
    _seed(server)
    client = server.client(Role.PLATFORM)
    assert client.post("/v1/match", json={"signals": {"md5": [MD5]}}).status_code == 200
    malformed = client.post(
        "/v1/match", content=b'{"signals": ', headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 422
    assert malformed.headers["content-type"] == "application/problem+json"
    extra = client.post("/v1/match", json={"signals": {"md5": [MD5]}, "surprise": 1})
    assert extra.status_code == 422 and "surprise" in extra.text
    bad_hash = client.post("/v1/match", json={"signals": {"pdq": ["xyz"]}})
    assert bad_hash.status_code == 422 and bad_hash.json()["detail"]
    unknown = client.post("/v1/match", json={"signals": {"md5": [MD5]}, "lists": ["nope"]})
    assert unknown.status_code == 404 and "nope" in unknown.json()["detail"]
    empty = client.post("/v1/match", json={"signals": {}})
    assert empty.status_code == 422
    reviewer = server.client(Role.REVIEWER)
    for _ in range(2):  # cached or not, a role without the match permission is refused
        assert reviewer.post("/v1/match", json={"signals": {"md5": [MD5]}}).status_code == 403


def test_the_fast_path_is_counted_in_metrics(server: ApiServer) -> None:
    _seed(server)
    client = server.client(Role.PLATFORM)
    before = _fast_requests(server)
    for _ in range(5):
        assert client.post("/v1/match", json={"signals": {"md5": [MD5]}}).status_code == 200
    assert _fast_requests(server) - before == 5


@pytest.mark.api_settings(dataclasses.replace(TEST_SETTINGS, rate_limit=1.0, rate_burst=3.0))
def test_the_fast_path_applies_the_rate_limit(server: ApiServer) -> None:
    client = server.client(Role.PLATFORM)
    statuses = [
        client.post("/v1/match", json={"signals": {"md5": [MD5]}}).status_code for _ in range(6)
    ]
    assert statuses[:3] == [200, 200, 200]
    refused = client.post("/v1/match", json={"signals": {"md5": [MD5]}})
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["content-type"] == "application/problem+json"
