"""Screening through the real server: signals, media uploads, visibility by role, freshness."""

from __future__ import annotations

import time

from api_helpers import ApiServer, flip_bits, photo_bytes

from hashwarden.accounts.models import Role
from hashwarden.core.media.hashing import hash_media

MD5_EMPTY = "d41d8cd98f00b204e9800998ecf8427e"


def _listed(server: ApiServer, seed: int = 1) -> dict[str, str]:
    """Create list ``known`` holding one benign photo; returns its md5 and pdq."""
    hashes = hash_media(photo_bytes(seed))
    assert hashes.pdq is not None
    curator = server.client(Role.CURATOR)
    created = curator.post("/v1/lists", json={"name": "known", "thresholds": {"pdq": 31}})
    assert created.status_code == 201, created.text
    entry = {
        "signals": [{"type": "md5", "value": hashes.md5}, {"type": "pdq", "value": hashes.pdq.hex}],
        "category": {"scheme": "iwf", "value": "A"},
        "source": "test-hotline",
        "external_id": "X-1",
    }
    added = curator.post("/v1/lists/known/entries", json={"entries": [entry]})
    assert added.status_code == 200, added.text
    assert added.json()["added"] == 1
    server.api.matcher.refresh()
    return {"md5": hashes.md5, "pdq": hashes.pdq.hex}


def test_signals_match_exactly_and_within_the_threshold(server: ApiServer) -> None:
    listed = _listed(server)
    platform = server.client(Role.PLATFORM)
    near = flip_bits(listed["pdq"], 20)
    response = platform.post("/v1/match", json={"signals": {"pdq": [near], "md5": [listed["md5"]]}})
    assert response.status_code == 200, response.text
    hits = {hit["signal_type"]: hit for hit in response.json()["matches"]}
    assert hits["pdq"]["distance"] == 20
    assert hits["md5"]["distance"] == 0
    assert hits["pdq"]["category"] == "iwf:A"
    assert hits["pdq"]["source"] == "test-hotline"
    assert hits["pdq"]["list"] == "known"
    # A platform learns that and how closely it matched, never the listed value itself.
    assert all("matched_value" not in hit for hit in response.json()["matches"])

    far = flip_bits(listed["pdq"], 40)
    missed = platform.post("/v1/match", json={"signals": {"pdq": [far], "md5": [MD5_EMPTY]}})
    assert missed.json()["matches"] == []


def test_curators_see_the_matched_value(server: ApiServer) -> None:
    listed = _listed(server)
    response = server.client(Role.CURATOR).post(
        "/v1/match", json={"signals": {"pdq": [flip_bits(listed["pdq"], 3)]}}
    )
    assert response.json()["matches"][0]["matched_value"] == listed["pdq"]


def test_media_upload_is_hashed_in_memory_and_matched(server: ApiServer) -> None:
    _listed(server)
    platform = server.client(Role.PLATFORM)
    edited = photo_bytes(1, size=(300, 225))  # same picture, resized and re-encoded
    response = platform.post(
        "/v1/match/media", files={"file": ("upload.jpg", edited, "image/jpeg")}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["signals"]["media_type"] == "image"
    assert body["signals"]["pdq"]["quality"] >= 50
    assert [hit["signal_type"] for hit in body["matches"]] == ["pdq"]
    assert body["matches"][0]["distance"] <= 31

    raw = platform.post(
        "/v1/match/media", content=photo_bytes(1), headers={"Content-Type": "image/jpeg"}
    )
    assert {hit["signal_type"] for hit in raw.json()["matches"]} == {"md5", "pdq"}


def test_corrupt_and_oversized_uploads_get_clear_errors(server: ApiServer) -> None:
    platform = server.client(Role.PLATFORM)
    corrupt = platform.post(
        "/v1/match/media", files={"file": ("bad.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 50)}
    )
    assert corrupt.status_code == 422
    assert "bad.jpg" in corrupt.json()["detail"]
    empty = platform.post("/v1/match/media", files={"file": ("empty.png", b"")})
    assert empty.status_code == 422
    huge = platform.post("/v1/match/media", files={"file": ("big.bin", b"\0" * (3 << 20))})
    assert huge.status_code == 413
    assert huge.headers["content-type"] == "application/problem+json"
    missing = platform.post("/v1/match/media", files={"other": ("x.jpg", b"abc")})
    assert missing.status_code == 422


def test_a_new_entry_is_matchable_within_two_seconds(server: ApiServer) -> None:
    _listed(server)
    fresh = hash_media(photo_bytes(77))
    assert fresh.pdq is not None
    curator = server.client(Role.CURATOR)
    platform = server.client(Role.PLATFORM)
    entry = {"signals": [{"type": "pdq", "value": fresh.pdq.hex}]}
    started = time.monotonic()
    assert curator.post("/v1/lists/known/entries", json={"entries": [entry]}).status_code == 200
    while True:
        found = platform.post("/v1/match", json={"signals": {"pdq": [fresh.pdq.hex]}})
        if found.json()["matches"]:
            break
        assert time.monotonic() - started < 2.0, "not matchable within 2 s"
        time.sleep(0.02)


def test_allow_lists_suppress_and_list_filter_applies(server: ApiServer) -> None:
    listed = _listed(server)
    curator = server.client(Role.CURATOR)
    assert curator.post("/v1/lists", json={"name": "ok", "kind": "allow"}).status_code == 201
    entry = {"signals": [{"type": "md5", "value": listed["md5"]}]}
    assert curator.post("/v1/lists/ok/entries", json={"entries": [entry]}).status_code == 200
    server.api.matcher.refresh()
    platform = server.client(Role.PLATFORM)
    body = platform.post("/v1/match", json={"signals": {"md5": [listed["md5"]]}}).json()
    assert body["matches"] == []
    assert body["suppressed"] and body["allowed"]
    unknown = platform.post(
        "/v1/match", json={"signals": {"md5": [listed["md5"]]}, "lists": ["nope"]}
    )
    assert unknown.status_code == 404
    assert "nope" in unknown.json()["detail"]
