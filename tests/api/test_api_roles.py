"""Every route with every role: the allowed set is exactly what the role table grants."""

from __future__ import annotations

from datetime import timedelta

import pytest
from api_helpers import ApiServer

from hashwarden.accounts.models import Role
from hashwarden.api.app import create_app

PDQ = "f" * 64
ADMIN, CURATOR, PLATFORM, REVIEWER, AUDITOR, SUBSCRIBER = (
    Role.ADMIN, Role.CURATOR, Role.PLATFORM, Role.REVIEWER, Role.AUDITOR, Role.SUBSCRIBER
)  # fmt: skip

#: (method, path template) -> (concrete request, roles allowed).
ROUTES: dict[tuple[str, str], tuple[dict[str, object], set[Role]]] = {
    ("POST", "/v1/match"): ({"json": {"signals": {"pdq": [PDQ]}}}, {ADMIN, CURATOR, PLATFORM}),
    ("POST", "/v1/match/media"): ({"content": b""}, {ADMIN, CURATOR, PLATFORM}),
    ("GET", "/v1/lists"): ({}, {ADMIN, CURATOR}),
    ("POST", "/v1/lists"): ({"json": {"name": "made"}}, {ADMIN, CURATOR}),
    ("GET", "/v1/lists/{name}"): ({}, {ADMIN, CURATOR}),
    ("PATCH", "/v1/lists/{name}"): ({"json": {"description": "d"}}, {ADMIN, CURATOR}),
    ("DELETE", "/v1/lists/{name}"): ({"path": "/v1/lists/absent"}, {ADMIN, CURATOR}),
    ("GET", "/v1/lists/{name}/entries"): ({}, {ADMIN, CURATOR}),
    ("POST", "/v1/lists/{name}/entries"): ({"json": {"entries": []}}, {ADMIN, CURATOR}),
    ("GET", "/v1/lists/{name}/entries/{entry_id}"): ({}, {ADMIN, CURATOR}),
    ("PUT", "/v1/lists/{name}/entries/{entry_id}"): ({"json": {}}, {ADMIN, CURATOR}),
    ("DELETE", "/v1/lists/{name}/entries/{entry_id}"): ({}, {ADMIN, CURATOR}),
    ("POST", "/v1/lists/{name}/entries/remove"): ({"json": {"ids": []}}, {ADMIN, CURATOR}),
    ("POST", "/v1/lists/{name}/import"): ({"path": "/v1/lists/{name}/import?format=plain&signal_type=md5", "content": b""}, {ADMIN, CURATOR}),  # noqa: E501
    ("GET", "/v1/lists/{name}/export"): ({}, {ADMIN, CURATOR}),
    ("GET", "/v1/lists/{name}/changes"): ({}, {ADMIN, CURATOR, SUBSCRIBER}),
    ("GET", "/v1/lists/{name}/feed"): ({}, {ADMIN, CURATOR, SUBSCRIBER}),
    ("POST", "/v1/lists/{name}/feedback"): ({"json": {"entries": []}}, {ADMIN, CURATOR, SUBSCRIBER}),  # noqa: E501
    ("GET", "/v1/lists/{name}/actions"): ({}, {ADMIN, CURATOR}),
    ("PUT", "/v1/lists/{name}/actions"): ({"json": {"actions": ["block"]}}, {ADMIN, CURATOR}),
    ("GET", "/v1/lists/{name}/reviews"): ({}, {ADMIN, CURATOR}),
    ("GET", "/v1/webhooks/deliveries"): ({}, {ADMIN, CURATOR}),
    ("GET", "/v1/review/items"): ({}, {ADMIN, REVIEWER}),
    ("GET", "/v1/review/items/{item_id}"): ({"path": "/v1/review/items/999999"}, {ADMIN, REVIEWER}),
    ("POST", "/v1/review/items/{item_id}/claim"): ({"path": "/v1/review/items/999999/claim"}, {ADMIN, REVIEWER}),  # noqa: E501
    ("POST", "/v1/review/items/{item_id}/decision"): ({"path": "/v1/review/items/999999/decision", "json": {"decision": "confirmed"}}, {ADMIN, REVIEWER}),  # noqa: E501
    ("GET", "/v1/tokens"): ({}, {ADMIN}),
    ("POST", "/v1/tokens"): ({"json": {"name": "n", "role": "platform"}}, {ADMIN}),
    ("DELETE", "/v1/tokens/{token_id}"): ({"path": "/v1/tokens/999999"}, {ADMIN}),
}
OPEN_ROUTES = {("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/metrics"), ("GET", "/v1/keys")}


def test_the_table_covers_every_route() -> None:
    paths = create_app().openapi()["paths"]
    declared = {(method.upper(), path) for path, item in paths.items() for method in item}
    declared.add(("GET", "/metrics"))  # outside the schema: Prometheus text
    assert declared == set(ROUTES) | OPEN_ROUTES


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_exactly_its_routes(server: ApiServer, role: Role) -> None:
    setup = server.client(ADMIN)
    assert setup.post("/v1/lists", json={"name": "known"}).status_code == 201
    server.api.keys.create()  # the feed signs its pages
    lists = ("known",) if role is SUBSCRIBER else ()
    client = server.client(secret=server.token(role, lists))
    allowed = set()
    for (method, template), (spec, _) in ROUTES.items():
        request = dict(spec)
        path = str(request.pop("path", template))
        path = path.replace("{name}", "known").replace("{entry_id}", "1")
        response = client.request(method, path, **request)  # type: ignore[arg-type]
        assert response.status_code != 401, (method, path, response.text)
        assert response.status_code < 500, (method, path, response.text)
        if response.status_code != 403:
            allowed.add((method, template))
    expected = {key for key, (_, roles) in ROUTES.items() if role in roles}
    assert allowed == expected


def test_missing_revoked_and_expired_tokens_are_refused(server: ApiServer) -> None:
    body = {"json": {"signals": {"pdq": [PDQ]}}}
    anonymous = server.client()
    assert anonymous.post("/v1/match", **body).status_code == 401  # type: ignore[arg-type]
    assert anonymous.post("/v1/match", **body).headers["www-authenticate"] == "Bearer"  # type: ignore[arg-type]
    garbage = server.client(secret="hw_not-a-token")
    assert garbage.post("/v1/match", **body).status_code == 401  # type: ignore[arg-type]

    secret = server.token(PLATFORM)
    client = server.client(secret=secret)
    assert client.post("/v1/match", **body).status_code == 200  # type: ignore[arg-type]
    token_id = next(t.id for t in server.tokens.list() if t.role is PLATFORM)
    assert server.client(ADMIN).delete(f"/v1/tokens/{token_id}").status_code == 204
    revoked = client.post("/v1/match", **body)  # type: ignore[arg-type]
    assert revoked.status_code == 401
    assert revoked.json()["detail"] == "the token is unknown, revoked or expired"

    expired = server.token(PLATFORM, expires_in=timedelta(microseconds=1))
    assert server.client(secret=expired).post("/v1/match", **body).status_code == 401  # type: ignore[arg-type]


def test_subscribers_read_only_granted_feeds(server: ApiServer) -> None:
    admin = server.client(ADMIN)
    for name in ("granted", "other"):
        assert admin.post("/v1/lists", json={"name": name}).status_code == 201
    subscriber = server.client(secret=server.token(SUBSCRIBER, ("granted",)))
    assert subscriber.get("/v1/lists/granted/changes").status_code == 200
    assert subscriber.get("/v1/lists/other/changes").status_code == 403
    server.api.keys.create()
    assert subscriber.get("/v1/lists/granted/feed").status_code == 200
    assert subscriber.get("/v1/lists/other/feed").status_code == 403
    assert subscriber.get("/v1/lists/granted").status_code == 403
