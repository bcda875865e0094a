"""Bad input gets a clear 4xx problem document, never a 5xx."""

from __future__ import annotations

import pytest
from api_helpers import TEST_SETTINGS, ApiServer

from hashwarden.accounts.models import Role

PROBLEM = "application/problem+json"


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ({"signals": {"pdq": ["abc"]}}, 422, "pdq"),
        ({"signals": {"pdq": ["g" * 64]}}, 422, "pdq"),
        ({"signals": {"md5": ["0" * 31]}}, 422, "md5"),
        ({"signals": {"sha512": ["0" * 128]}}, 422, "sha512"),
        ({"signals": {}}, 422, "no signal"),
        ({"signals": {"pdq": "f" * 64}}, 422, "signals"),
        ({"signal": {"pdq": ["f" * 64]}}, 422, "signal"),
        ({"signals": {"md5": ["0" * 32] * (TEST_SETTINGS.max_signals_per_request + 1)}}, 413,
         "at most"),
    ],
)  # fmt: skip
def test_invalid_match_requests(server: ApiServer, body: object, status: int, needle: str) -> None:
    response = server.client(Role.PLATFORM).post("/v1/match", json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == status
    assert needle in (problem["detail"] + str(problem.get("errors", "")))


def test_malformed_json_and_wrong_content(server: ApiServer) -> None:
    client = server.client(Role.PLATFORM)
    for content in (b"{not json", b"", b"[]", b'"x"'):
        response = client.post(
            "/v1/match", content=content, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422, (content, response.text)
        assert response.headers["content-type"] == PROBLEM


def test_bodies_over_the_limit_are_refused_before_reading(server: ApiServer) -> None:
    client = server.client(Role.CURATOR)
    huge = b'{"entries": [' + b'{"signals": []},' * 40_000 + b"{}]}"
    response = client.post(
        "/v1/lists/x/entries", content=huge, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["status"] == 413

    def chunks() -> object:
        for _ in range(100):
            yield b" " * 10_000

    chunked = client.post(
        "/v1/match", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert chunked.status_code == 413


def test_unknown_routes_and_methods(server: ApiServer) -> None:
    client = server.client(Role.ADMIN)
    assert client.get("/v1/nothing").status_code == 404
    assert client.get("/v1/nothing").headers["content-type"] == PROBLEM
    assert client.put("/v1/match").status_code == 405
    assert client.get("/v1/lists/absent/entries/1").status_code == 404
    assert client.get("/v1/lists/known/entries", params={"limit": 0}).status_code == 422
