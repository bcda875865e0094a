"""Hit actions and the review queue through the real server, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import threading
import time

import httpx
import pytest
from api_helpers import TEST_SETTINGS, ApiServer, flip_bits, photo_bytes
from review_helpers import listed_with_actions

from hashwarden.accounts.models import Role


def _match(server: ApiServer, role: Role, pdq: str, **extra: object) -> dict[str, object]:
    response = server.client(role).post("/v1/match", json={"signals": {"pdq": [pdq]}, **extra})
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def _audit_actions(server: ApiServer) -> list[str]:
    server.api.audit.flush()
    return [event.action for event in server.api.audit_log.events()]


def test_block_lists_say_block_and_queue_nothing(server: ApiServer) -> None:
    listed = listed_with_actions(server, ["block"])
    body = _match(server, Role.PLATFORM, flip_bits(str(listed["pdq"]), 5))
    assert body["action"] == "block"
    assert "review_ids" not in body
    assert _match(server, Role.PLATFORM, flip_bits(str(listed["pdq"]), 60))["action"] == "none"
    admin = server.client(Role.ADMIN)
    assert admin.get("/v1/review/items").json()["items"] == []
    assert admin.get("/v1/webhooks/deliveries").json()["deliveries"] == []


def test_review_queues_one_item_per_entry_that_reviewers_see_without_values(
    server: ApiServer,
) -> None:
    listed = listed_with_actions(server, ["review"])
    md5, pdq = str(listed["md5"]), str(listed["pdq"])
    # MD5 and PDQ both hit the one entry: one item to review, with the closest hit.
    platform = server.client(Role.PLATFORM).post(
        "/v1/match",
        json={"signals": {"md5": [md5], "pdq": [flip_bits(pdq, 3)]}, "reference": "upload-7"},
    ).json()
    assert platform["action"] == "review"
    assert "review_ids" not in platform  # platforms learn that, not which item
    curator = _match(server, Role.CURATOR, flip_bits(pdq, 4))
    assert curator["action"] == "review"
    [curator_item] = curator["review_ids"]  # type: ignore[misc]

    reviewer = server.client(Role.REVIEWER)
    page = reviewer.get("/v1/review/items", params={"status": "pending"})
    assert page.status_code == 200, page.text
    first, second = page.json()["items"]
    assert second["id"] == curator_item
    assert first["list"] == "known"
    assert first["entry_id"] == listed["entry_id"]
    assert (first["signal_type"], first["distance"], first["variant"]) == ("md5", 0, "original")
    assert first["category"] == "iwf:A"
    assert first["reference"] == "upload-7"
    assert first["requester"].endswith(":test platform")
    assert first["status"] == "pending"
    assert second["distance"] == 4
    # Neither the listed value nor the queried hash (for MD5 the same thing) reaches reviewers.
    one = reviewer.get(f"/v1/review/items/{first['id']}").json()
    assert one["query_value"] is None and md5 not in str(one)
    assert reviewer.get("/v1/lists/known/entries/1").status_code == 403
    admin_view = server.client(Role.ADMIN).get(f"/v1/review/items/{first['id']}").json()
    assert admin_view["query_value"] == md5
    assert reviewer.get("/v1/review/items/999999").status_code == 404
    assert reviewer.get("/v1/review/items", params={"status": "nonsense"}).status_code == 422
    actions = _audit_actions(server)
    assert {"review.items", "review.read", "lists.actions.update"} <= set(actions)
    match_events = [e for e in server.api.audit_log.events() if e.action == "match"]
    assert match_events[-1].details["review_ids"] == [curator_item]
    assert match_events[-1].details["action"] == "review"


def test_claim_decide_and_false_positives_on_the_entry(server: ApiServer) -> None:
    listed = listed_with_actions(server, ["review"])
    for bits in (1, 2, 3):
        _match(server, Role.PLATFORM, flip_bits(str(listed["pdq"]), bits))
    ana, ben = server.client(Role.REVIEWER), server.client(Role.REVIEWER)
    ids = [item["id"] for item in ana.get("/v1/review/items").json()["items"]]
    assert len(ids) == 3

    claimed = ana.post(f"/v1/review/items/{ids[0]}/claim")
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["status"] == "claimed"
    assert claimed.json()["claim_expires_at"] is not None
    taken = ben.post(f"/v1/review/items/{ids[0]}/claim")
    assert taken.status_code == 409
    assert "claimed by" in taken.json()["detail"]
    decision = {"decision": "false_positive", "reason": "a different beach"}
    assert ben.post(f"/v1/review/items/{ids[0]}/decision", json=decision).status_code == 409
    no_reason = ana.post(f"/v1/review/items/{ids[0]}/decision", json={"decision": "escalated"})
    assert no_reason.status_code == 422
    assert "reason" in no_reason.json()["detail"]
    invalid = ana.post(f"/v1/review/items/{ids[0]}/decision", json={"decision": "maybe"})
    assert invalid.status_code == 422
    decided = ana.post(f"/v1/review/items/{ids[0]}/decision", json=decision)
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "false_positive"
    assert decided.json()["reason"] == "a different beach"
    assert ana.post(f"/v1/review/items/{ids[0]}/decision", json=decision).status_code == 409
    assert ben.post(f"/v1/review/items/{ids[1]}/claim").status_code == 200
    confirmed = ben.post(f"/v1/review/items/{ids[1]}/decision", json={"decision": "confirmed"})
    assert confirmed.status_code == 200

    pending = [item["id"] for item in ana.get("/v1/review/items").json()["items"]]
    assert pending == [ids[2]]
    decided_fp = ana.get("/v1/review/items", params={"status": "false_positive"}).json()
    assert [item["id"] for item in decided_fp["items"]] == [ids[0]]

    curator = server.client(Role.CURATOR)
    entry = curator.get(f"/v1/lists/known/entries/{listed['entry_id']}").json()
    assert entry["reviews"] == {"confirmed": 1, "false_positive": 1, "escalated": 0}
    disputed = curator.get("/v1/lists/known/reviews").json()
    assert disputed == [{"entry_id": listed["entry_id"], "reviews": entry["reviews"]}]

    server.api.audit.flush()
    decisions = [e for e in server.api.audit_log.events() if e.action == "review.decide"]
    assert [e.details["decision"] for e in decisions] == ["false_positive", "confirmed"]
    assert decisions[0].details["reason"] == "a different beach"
    assert decisions[0].object == f"review:{ids[0]}"
    assert len([e for e in server.api.audit_log.events() if e.action == "review.claim"]) == 2
    assert server.api.audit_log.verify().ok


def test_two_reviewers_racing_for_an_item_one_wins(server: ApiServer) -> None:
    listed = listed_with_actions(server, ["review"])
    for bits in range(1, 7):
        _match(server, Role.PLATFORM, flip_bits(str(listed["pdq"]), bits))
    reviewers = [server.client(Role.REVIEWER) for _ in range(2)]
    ids = [item["id"] for item in reviewers[0].get("/v1/review/items").json()["items"]]
    for item_id in ids:
        barrier = threading.Barrier(2)
        statuses: list[int] = []

        def claim(client: httpx.Client, item_id: int, barrier: threading.Barrier,
                  statuses: list[int]) -> None:  # fmt: skip
            barrier.wait()
            statuses.append(client.post(f"/v1/review/items/{item_id}/claim").status_code)

        threads = [
            threading.Thread(target=claim, args=(client, item_id, barrier, statuses))
            for client in reviewers
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(statuses) == [200, 409], (item_id, statuses)
    claimed = reviewers[0].get("/v1/review/items", params={"status": "claimed"}).json()
    assert len(claimed["items"]) == len(ids)

@pytest.mark.api_settings(dataclasses.replace(TEST_SETTINGS, review_claim_seconds=0.5))
def test_an_abandoned_claim_returns_to_the_queue(server: ApiServer) -> None:
    listed = listed_with_actions(server, ["review"])
    _match(server, Role.PLATFORM, str(listed["pdq"]))
    ana, ben = server.client(Role.REVIEWER), server.client(Role.REVIEWER)
    [item] = ana.get("/v1/review/items").json()["items"]
    assert ana.post(f"/v1/review/items/{item['id']}/claim").status_code == 200
    assert ben.get("/v1/review/items").json()["items"] == []
    assert ben.post(f"/v1/review/items/{item['id']}/claim").status_code == 409
    time.sleep(0.6)
    [back] = ben.get("/v1/review/items").json()["items"]
    assert (back["id"], back["status"], back["claimed_by"]) == (item["id"], "pending", None)
    assert ben.post(f"/v1/review/items/{item['id']}/claim").status_code == 200
    late = ana.post(f"/v1/review/items/{item['id']}/decision", json={"decision": "confirmed"})
    assert late.status_code == 409
    done = ben.post(f"/v1/review/items/{item['id']}/decision", json={"decision": "confirmed"})
    assert done.status_code == 200


def test_uploads_trigger_actions_too(server: ApiServer) -> None:
    listed_with_actions(server, ["review", "block"])
    curator = server.client(Role.CURATOR)
    response = curator.post(
        "/v1/match/media",
        params={"reference": "upload-42"},
        files={"file": ("upload.jpg", photo_bytes(1, size=(300, 225)), "image/jpeg")},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["action"] == "block"
    [item_id] = body["review_ids"]
    item = server.client(Role.REVIEWER).get(f"/v1/review/items/{item_id}").json()
    assert (item["reference"], item["signal_type"]) == ("upload-42", "pdq")
