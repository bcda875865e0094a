"""Two real instances: ``hashwarden serve`` processes on two ports with two databases.

The publisher serves a signed feed; the subscriber follows it with its background worker or
with ``hashwarden sync``, through faults: a proxy corrupting one byte, the sync process killed
mid-way, the publisher restarted.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from federation_helpers import Instance, entries_body, random_md5s, tampering_proxy


def wait_for(condition: Callable[[], bool], timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def curator(instance: Instance) -> httpx.Client:
    return httpx.Client(
        base_url=instance.base_url,
        headers={"Authorization": f"Bearer {instance.token('curator')}"},
        timeout=60,
    )


def subscribe(subscriber: Instance, publisher: Instance, key: str, url: str, list_name: str) -> None:  # noqa: E501
    token_file = subscriber.home / f"{list_name}.token"
    token_file.write_text(publisher.token("subscriber", list_name) + "\n")
    subscriber.cli(
        "subscriptions", "add", "feed", "--url", url, "--list", list_name, "--into", "mirror",
        "--token-file", str(token_file), "--public-key", key,
    )  # fmt: skip


def start_publisher(home: Path) -> tuple[Instance, str]:
    publisher = Instance(home, f"sqlite:///{home / 'publisher.db'}")
    [key] = publisher.records("keys", "create")
    publisher.serve()
    return publisher, str(key["public_key"])


@pytest.fixture(scope="module")
def shared_publisher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Instance, str]]:
    publisher, key = start_publisher(tmp_path_factory.mktemp("shared-publisher"))
    yield publisher, key
    publisher.stop()


def test_the_serve_worker_follows_the_publisher_through_a_restart(
    tmp_path: Path, database_url: str
) -> None:
    publisher, key = start_publisher(tmp_path / "publisher")
    fast = {"HASHWARDEN_SYNC_POLL_INTERVAL": "0.2", "HASHWARDEN_SYNC_INTERVAL": "0.5",
            "HASHWARDEN_SYNC_BACKOFF_BASE": "0.5", "HASHWARDEN_SYNC_PAGE_SIZE": "15"}  # fmt: skip
    subscriber = Instance(tmp_path / "subscriber", database_url, fast)
    try:
        with curator(publisher) as client:
            assert client.post("/v1/lists", json={"name": "shared"}).status_code == 201
            client.post("/v1/lists/shared/entries", json=entries_body(random_md5s(40, 11)))
        assert httpx.get(f"{publisher.base_url}/v1/keys").json()["keys"][0]["public_key"] == key
        subscribe(subscriber, publisher, key, publisher.base_url, "shared")
        subscriber.serve()

        def in_step() -> bool:
            return subscriber.md5s("mirror") == publisher.md5s("shared")

        wait_for(in_step, what="the full sync")
        assert len(subscriber.md5s("mirror")) == 40

        with curator(publisher) as client:
            client.post("/v1/lists/shared/entries", json=entries_body(random_md5s(5, 12)))
            page = client.get("/v1/lists/shared/entries?limit=3").json()["entries"]
            ids = [entry["id"] for entry in page]
            assert client.post("/v1/lists/shared/entries/remove", json={"ids": ids}).is_success
        wait_for(in_step, what="the incremental sync")
        assert len(subscriber.md5s("mirror")) == 42

        # The mirror refuses local edits; the matcher serves it like any list.
        with curator(subscriber) as local:
            refused = local.post("/v1/lists/mirror/entries", json=entries_body(["cd" * 16]))
            assert refused.status_code == 422
            assert "mirrors subscription 'feed'" in refused.json()["detail"]
            md5 = subscriber.md5s("mirror")[0]
            wait_for(lambda: bool(local.post("/v1/match", json={"signals": {"md5": [md5]}})
                                  .json()["matches"]), what="a match on the mirror")  # fmt: skip

        publisher.stop()
        wait_for(
            lambda: "cannot reach the publisher" in str(subscriber.scalar(
                "SELECT last_error FROM subscriptions WHERE name = 'feed'")),
            what="the outage to be recorded",
        )  # fmt: skip
        publisher.serve()  # same port, same database
        with curator(publisher) as client:
            client.post("/v1/lists/shared/entries", json=entries_body(random_md5s(7, 13)))
        wait_for(in_step, what="the sync after the publisher restarted")
        assert len(subscriber.md5s("mirror")) == 49
        wait_for(lambda: subscriber.scalar(
            "SELECT failures FROM subscriptions WHERE name = 'feed'") == 0, what="recovery")
    finally:
        subscriber.stop()
        publisher.stop()


def test_a_corrupted_page_is_rejected_and_the_list_stays_as_it_was(
    shared_publisher: tuple[Instance, str], tmp_path: Path
) -> None:
    publisher, key = shared_publisher
    with curator(publisher) as client:
        assert client.post("/v1/lists", json={"name": "corrupt"}).status_code == 201
        client.post("/v1/lists/corrupt/entries", json=entries_body(random_md5s(30, 21)))
    subscriber = Instance(tmp_path / "sub", f"sqlite:///{tmp_path / 'sub.db'}")
    with tampering_proxy(publisher.base_url, tamper=False) as proxy:
        subscribe(subscriber, publisher, key, proxy.url, "corrupt")
        subscriber.cli("sync", "--page-size", "10")
        before = subscriber.md5s("mirror")
        assert before == publisher.md5s("corrupt")

        with curator(publisher) as client:
            client.post("/v1/lists/corrupt/entries", json=entries_body(random_md5s(12, 22)))
        proxy.tamper = True
        failed = subscriber.cli("sync", "feed", "--page-size", "10", check=False)
        assert failed.returncode == 1
        [report] = [json.loads(line) for line in failed.stdout.splitlines()]
        assert report["ok"] is False and report["error"].startswith("page rejected")
        assert proxy.altered
        assert subscriber.md5s("mirror") == before
        [state] = subscriber.records("subscriptions", "ls")
        assert (state["cursor"], state["failures"]) == (30, 1)
        assert state["last_error"] == report["error"]
        assert "token" not in json.dumps(state).lower().replace("publisher", "")

        proxy.tamper = False
        resumed = subscriber.records("sync", "feed", "--page-size", "10")
        assert resumed[0]["ok"] is True and resumed[0]["cursor"] == 42
        assert subscriber.md5s("mirror") == publisher.md5s("corrupt")


def test_a_sync_killed_mid_way_resumes_from_its_cursor(
    shared_publisher: tuple[Instance, str], tmp_path: Path
) -> None:
    publisher, key = shared_publisher
    total = 5000
    with curator(publisher) as client:
        assert client.post("/v1/lists", json={"name": "big"}).status_code == 201
        added = client.post("/v1/lists/big/entries", json=entries_body(random_md5s(total, 31)))
        assert added.json()["added"] == total
    subscriber = Instance(tmp_path / "sub", f"sqlite:///{tmp_path / 'sub.db'}")
    subscribe(subscriber, publisher, key, publisher.base_url, "big")

    def cursor() -> int:
        return int(subscriber.scalar("SELECT cursor FROM subscriptions WHERE name = 'feed'"))

    process = subprocess.Popen(
        [sys.executable, "-m", "hashwarden", "sync", "feed", "--page-size", "20"],
        env=subscriber.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(lambda: cursor() > 0 or process.poll() is not None, what="the first page")
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    reached = cursor()
    assert 0 < reached < total, f"not killed mid-sync (cursor {reached})"
    # Exactly the pages up to the cursor were applied: one add per sequence number here.
    mirrored = subscriber.md5s("mirror")
    assert len(mirrored) == reached
    assert subscriber.scalar("SELECT count(*) FROM subscription_entries") == reached
    assert set(mirrored) <= set(publisher.md5s("big"))

    resumed = subscriber.records("sync", "feed", "--page-size", "500")
    assert resumed[0]["ok"] is True
    assert resumed[0]["changes"] == total - reached
    assert subscriber.md5s("mirror") == publisher.md5s("big")
    assert subscriber.scalar("SELECT count(*) FROM subscription_entries") == total
