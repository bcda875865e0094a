"""List action settings, signed webhook deliveries with retries, and a match path that stays
off the database unless its hits call for a write. Real server, SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from api_helpers import TEST_SETTINGS, ApiServer, flip_bits, free_port
from review_helpers import WEBHOOK_SECRET, Receiver, deliveries, listed_with_actions, wait_for
from sqlalchemy import Engine, event, func, select

from hashwarden.accounts.models import Role
from hashwarden.storage.review_tables import review_items, webhook_deliveries

FAST_WEBHOOKS = dataclasses.replace(
    TEST_SETTINGS, webhook_backoff_base=0.2, webhook_poll_interval=0.05, webhook_max_attempts=4
)
BACKGROUND_THREADS = {"index-follower", "audit-writer", "actions-follower", "webhook-sender"}


def test_action_settings_keep_the_secret_write_only(server: ApiServer) -> None:
    curator = server.client(Role.CURATOR)
    assert curator.post("/v1/lists", json={"name": "known"}).status_code == 201
    empty = curator.get("/v1/lists/known/actions").json()
    assert (empty["list"], empty["actions"], empty["webhook_secret_set"]) == ("known", [], False)
    body = {
        "actions": ["webhook", "review"],
        "webhook_url": "https://hooks.example.org/hw",
        "webhook_secret": WEBHOOK_SECRET,
    }
    saved = curator.put("/v1/lists/known/actions", json=body)
    assert saved.status_code == 200, saved.text
    assert saved.json()["actions"] == ["review", "webhook"]
    assert saved.json()["webhook_secret_set"] is True
    read = curator.get("/v1/lists/known/actions")
    assert WEBHOOK_SECRET not in saved.text + read.text
    assert read.json()["webhook_url"] == "https://hooks.example.org/hw"
    # A new URL keeps the stored secret when none is given.
    moved = curator.put(
        "/v1/lists/known/actions",
        json={"actions": ["webhook"], "webhook_url": "https://hooks.example.org/v2"},
    )
    assert moved.json()["webhook_secret_set"] is True

    for bad in (
        {"actions": ["delete"]},
        {"actions": ["webhook"]},
        {"actions": ["webhook"], "webhook_url": "ftp://x.org/", "webhook_secret": WEBHOOK_SECRET},
        {"actions": ["webhook"], "webhook_url": "https://x.org/", "webhook_secret": "short"},
        {"actions": ["block"], "webhook_url": "https://x.org/"},
        {"actions": ["block"], "extra": 1},
    ):
        refused = curator.put("/v1/lists/known/actions", json=bad)
        assert refused.status_code == 422, (bad, refused.text)
    assert curator.put("/v1/lists/absent/actions", json={"actions": []}).status_code == 404
    assert curator.get("/v1/lists/absent/actions").status_code == 404
    server.api.audit.flush()
    logged = json.dumps([e.details for e in server.api.audit_log.events()])
    assert "lists.actions.update" in {e.action for e in server.api.audit_log.events()}
    assert WEBHOOK_SECRET not in logged


def _expected_signature(header: str, body: bytes) -> tuple[int, bool]:
    fields = dict(part.split("=", 1) for part in header.split(","))
    timestamp = int(fields["t"])
    digest = hmac.new(
        WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return timestamp, hmac.compare_digest(digest, fields["v1"])


@pytest.mark.api_settings(FAST_WEBHOOKS)
def test_webhooks_are_signed_and_retried_with_backoff(server: ApiServer) -> None:
    with Receiver(statuses=[500, 500]) as receiver:
        listed = listed_with_actions(
            server, ["webhook"], webhook_url=receiver.url, webhook_secret=WEBHOOK_SECRET
        )
        platform = server.client(Role.PLATFORM)
        response = platform.post(
            "/v1/match",
            json={"signals": {"pdq": [flip_bits(str(listed["pdq"]), 6)]}, "reference": "u-1"},
        )
        assert response.json()["action"] == "none"  # a webhook is invisible to the caller
        curator = server.client(Role.CURATOR)
        wait_for(lambda: deliveries(curator)[0]["status"] == "delivered")
        assert len(receiver.received) == 3

    [delivery] = deliveries(curator)
    log = delivery["log"]
    assert [a["status_code"] for a in log] == [500, 500, 200]  # type: ignore[index]
    assert [a["attempt"] for a in log] == [1, 2, 3]  # type: ignore[index]
    assert delivery["attempts"] == 3 and delivery["delivered_at"] is not None
    assert log[0]["error"] == "HTTP 500"  # type: ignore[index]
    gaps = [b.at - a.at for a, b in zip(receiver.received, receiver.received[1:], strict=False)]
    assert gaps[0] >= 0.2 and gaps[1] >= 0.4, gaps

    bodies = {request.body for request in receiver.received}
    assert len(bodies) == 1  # the same event every time, signed anew
    for request in receiver.received:
        timestamp, valid = _expected_signature(
            request.headers["x-hashwarden-signature"], request.body
        )
        assert valid and abs(timestamp - time.time()) < 60
        assert request.headers["x-hashwarden-event"] == delivery["event_id"]
        assert request.headers["content-type"] == "application/json"
    document = json.loads(receiver.received[0].body)
    assert document["event_id"] == delivery["event_id"]
    assert (document["list"], document["entry_id"]) == ("known", listed["entry_id"])
    assert (document["signal_type"], document["distance"]) == ("pdq", 6)
    assert document["category"] == "iwf:A" and document["reference"] == "u-1"
    assert document["requester"].endswith(":test platform")
    raw = receiver.received[0].body.decode()
    assert str(listed["pdq"]) not in raw and str(listed["md5"]) not in raw
    assert flip_bits(str(listed["pdq"]), 6) not in raw


@pytest.mark.api_settings(dataclasses.replace(FAST_WEBHOOKS, webhook_max_attempts=2))
def test_an_unreachable_receiver_is_given_up_after_max_attempts(server: ApiServer) -> None:
    closed = f"http://127.0.0.1:{free_port()}/nobody-listens"
    listed = listed_with_actions(
        server, ["webhook", "block"], webhook_url=closed, webhook_secret=WEBHOOK_SECRET
    )
    platform = server.client(Role.PLATFORM)
    body = platform.post("/v1/match", json={"signals": {"md5": [listed["md5"]]}})
    assert body.json()["action"] == "block"
    admin = server.client(Role.ADMIN)
    wait_for(lambda: deliveries(admin)[0]["status"] == "failed")
    [delivery] = deliveries(admin)
    assert delivery["attempts"] == 2
    assert [a["status_code"] for a in delivery["log"]] == [None, None]  # type: ignore[index]
    assert all("Connect" in a["error"] for a in delivery["log"])  # type: ignore[index]
    assert delivery["next_attempt_at"] is None


@contextmanager
def _request_path_sql(engine: Engine) -> Iterator[list[tuple[str, str]]]:
    """SQL the request path runs (the background threads' own reads and writes left out)."""
    seen: list[tuple[str, str]] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if threading.current_thread().name not in BACKGROUND_THREADS:
            seen.append((threading.current_thread().name, statement.split()[0].upper()))

    def committed(_conn: Any) -> None:
        if threading.current_thread().name not in BACKGROUND_THREADS:
            seen.append((threading.current_thread().name, "COMMIT"))

    event.listen(engine, "before_cursor_execute", record)
    event.listen(engine, "commit", committed)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
        event.remove(engine, "commit", committed)


def _writes(seen: list[tuple[str, str]]) -> list[str]:
    return [statement for _, statement in seen if statement in ("INSERT", "UPDATE", "DELETE")]


def _rows(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        items = connection.scalar(select(func.count()).select_from(review_items))
        sent = connection.scalar(select(func.count()).select_from(webhook_deliveries))
    return int(items or 0), int(sent or 0)


@pytest.mark.api_settings(FAST_WEBHOOKS)
def test_only_matches_whose_hits_need_it_write_to_the_database(server: ApiServer) -> None:
    with Receiver(statuses=[]) as receiver:
        listed = listed_with_actions(
            server, ["review", "webhook"], webhook_url=receiver.url, webhook_secret=WEBHOOK_SECRET
        )
        listed_with_actions(server, ["block"], name="blocking", seed=2)
        platform = server.client(Role.PLATFORM)
        blocking_md5 = server.client(Role.CURATOR).get("/v1/lists/blocking/entries").json()
        blocked = blocking_md5["entries"][0]["signals"][0]["value"]
        platform.post("/v1/match", json={"signals": {"md5": ["0" * 32]}})  # token now cached
        engine = server.api.engine
        misses = [{"pdq": [flip_bits(str(listed["pdq"]), 80 + n)]} for n in range(10)]
        with _request_path_sql(engine) as seen:
            for signals in misses:
                assert platform.post("/v1/match", json={"signals": signals}).json()["matches"] == []
        assert seen == [], seen
        # A hit reads its entry's details; one on a block-only list writes nothing.
        with _request_path_sql(engine) as seen:
            block_only = platform.post("/v1/match", json={"signals": {"md5": [blocked]}}).json()
            assert block_only["action"] == "block"
        assert not _writes(seen), seen
        assert _rows(engine) == (0, 0)

        with _request_path_sql(engine) as seen:
            hit = platform.post("/v1/match", json={"signals": {"md5": [listed["md5"]]}}).json()
        assert hit["action"] == "review"
        # One transaction: the review item and the delivery.
        assert _writes(seen) == ["INSERT", "INSERT"], seen
        statements = [statement for _, statement in seen]
        first = statements.index("INSERT")
        last = len(statements) - 1 - statements[::-1].index("INSERT")
        assert "COMMIT" not in statements[first:last]
        assert _rows(engine) == (1, 1)
        wait_for(lambda: len(receiver.received) == 1)
