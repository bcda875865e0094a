"""Health, readiness, metrics, OpenAPI, the audit trail of API calls, and ``hashwarden serve``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from api_helpers import ApiServer, free_port

from hashwarden.accounts.models import Role


def test_health_ready_and_openapi(server: ApiServer) -> None:
    anonymous = server.client()
    assert anonymous.get("/healthz").json() == {"status": "ok"}
    ready = anonymous.get("/readyz").json()
    assert ready["status"] == "ready"
    schema = anonymous.get("/openapi.json").json()
    assert "/v1/match" in schema["paths"]
    assert anonymous.get("/docs").status_code == 200


def test_metrics_count_requests_and_hits(server: ApiServer) -> None:
    curator = server.client(Role.CURATOR)
    curator.post("/v1/lists", json={"name": "known"})
    md5 = "0" * 31 + "1"
    entry = {"signals": [{"type": "md5", "value": md5}]}
    curator.post("/v1/lists/known/entries", json={"entries": [entry]})
    server.api.matcher.refresh()
    platform = server.client(Role.PLATFORM)
    assert platform.post("/v1/match", json={"signals": {"md5": [md5]}}).json()["matches"]
    text = server.client().get("/metrics").text
    assert re.search(
        r'hashwarden_http_requests_total\{method="POST",route="/v1/match",status="200"\} 1', text
    )
    assert 'hashwarden_match_hits_total{list="known"} 1.0' in text
    assert "hashwarden_index_signals 1.0" in text
    assert "hashwarden_change_feed_lag_seconds" in text
    assert md5 not in text


def test_every_api_access_is_in_the_audit_log_and_the_chain_holds(server: ApiServer) -> None:
    curator_secret = server.token(Role.CURATOR)
    curator = server.client(secret=curator_secret)
    curator.post("/v1/lists", json={"name": "known"})
    curator.get("/v1/lists/known")
    curator.get("/v1/lists/known/export")
    platform = server.client(Role.PLATFORM)
    platform.post("/v1/match", json={"signals": {"md5": ["0" * 32]}})
    server.api.audit.flush()
    events = list(server.api.audit_log.events())
    actions = [event.action for event in events]
    for action in ("lists.create", "lists.read", "lists.export", "match.summary"):
        assert action in actions, actions
    summary = next(event for event in events if event.action == "match.summary")
    assert summary.actor.startswith("token:")
    assert summary.details["requests"] == 1
    assert summary.details["signals"] == 1
    assert "0" * 32 not in str([event.details for event in events])
    assert server.api.audit_log.verify().ok


def test_matches_with_hits_are_logged_one_by_one(server: ApiServer) -> None:
    curator = server.client(Role.CURATOR)
    curator.post("/v1/lists", json={"name": "known"})
    md5 = "0" * 31 + "2"
    curator.post("/v1/lists/known/entries", json={"entries": [{"signals": [
        {"type": "md5", "value": md5}]}]})  # fmt: skip
    server.api.matcher.refresh()
    platform = server.client(Role.PLATFORM)
    asked_at = datetime.now(UTC)
    for _ in range(3):
        platform.post("/v1/match", json={"signals": {"md5": [md5]}})
    answered_at = datetime.now(UTC)
    for _ in range(4):
        platform.post("/v1/match", json={"signals": {"md5": ["0" * 32, "1" * 32]}})
    server.api.audit.flush()
    events = list(server.api.audit_log.events())
    hits = [e for e in events if e.action == "match"]
    assert len(hits) == 3
    assert all(e.details["lists_hit"] == ["known"] and e.details["hits"] == 1 for e in hits)
    # Buffered events keep the time of the request, not of the write.
    assert all(asked_at <= e.at <= answered_at for e in hits)
    assert server.api.audit_log.verify().ok
    summaries = [e for e in events if e.action == "match.summary"]
    assert sum(e.details["requests"] for e in summaries) == 4
    assert sum(e.details["signals"] for e in summaries) == 8


def test_serve_command_starts_the_api_with_a_fresh_admin_token(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "HASHWARDEN_HOME": str(tmp_path), "COLUMNS": "200"}
    env.pop("HASHWARDEN_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "hashwarden", "serve", "--port", str(port), "--admin-token"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        token = None
        deadline = time.monotonic() + 60
        while token is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            found = re.search(r"(hw_[A-Za-z0-9_-]{20,})", line)
            token = found.group(1) if found else None
        assert token, "no admin token printed"
        headers = {"Authorization": f"Bearer {token}"}
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        listed = httpx.get(f"http://127.0.0.1:{port}/v1/tokens", headers=headers)
        assert listed.status_code == 200
        assert [t["role"] for t in listed.json()] == ["admin"]
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_an_entry_is_matchable_on_every_worker_within_two_seconds(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "HASHWARDEN_HOME": str(tmp_path), "COLUMNS": "200"}
    env.pop("HASHWARDEN_DATABASE_URL", None)
    created = subprocess.run(
        [sys.executable, "-m", "hashwarden", "tokens", "create", "--name", "c",
         "--role", "curator"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    headers = {"Authorization": f"Bearer {json.loads(created.stdout)['token']}"}
    process = subprocess.Popen(
        [sys.executable, "-m", "hashwarden", "serve", "--port", str(port), "--workers", "2",
         "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        ready = 0
        while ready < 10 and time.monotonic() < deadline:  # both workers up (fresh connections)
            try:
                ready = ready + 1 if httpx.get(f"{base}/readyz").status_code == 200 else 0
            except httpx.TransportError:
                ready = 0
                time.sleep(0.1)
        assert ready >= 10, "the workers did not start"
        assert httpx.post(f"{base}/v1/lists", json={"name": "known"}, headers=headers).is_success
        md5 = "ab" * 16
        entry = {"entries": [{"signals": [{"type": "md5", "value": md5}]}]}
        added_at = time.monotonic()
        added = httpx.post(f"{base}/v1/lists/known/entries", json=entry, headers=headers)
        assert added.status_code == 200, added.text
        time.sleep(max(0.0, 2.0 - (time.monotonic() - added_at)))
        for _ in range(20):  # a new connection each time, so the kernel spreads them
            response = httpx.post(
                f"{base}/v1/match", json={"signals": {"md5": [md5]}}, headers=headers
            )
            assert response.json()["matches"], "a worker did not see the entry after 2 s"
        # Both workers mapped one snapshot, built once (in the default folder under the home).
        [instance] = (tmp_path / "index").iterdir()
        assert len([p for p in instance.iterdir() if p.name.startswith("snap-")]) == 1
    finally:
        process.terminate()
        process.wait(timeout=30)
