"""SyncService against a real publishing server: full and incremental sync, faults, backoff."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from federation_helpers import Publisher, entries_body, free_port, random_md5s, tampering_proxy
from sqlalchemy import Engine, func, select, update

from hashwarden.accounts.models import Role
from hashwarden.core.lists.models import EntryData, Signal
from hashwarden.core.lists.services import ListService
from hashwarden.federation.errors import MirrorListError
from hashwarden.federation.mirror_guard import MirrorGuardedListStore
from hashwarden.federation.subscriber import SyncPolicy, SyncService
from hashwarden.federation.subscriptions import SubscriptionService
from hashwarden.storage.federation_tables import signing_keys, subscription_entries
from hashwarden.storage.list_store import SqlListStore
from hashwarden.storage.subscription_store import SqlSubscriptionStore


class Subscriber:
    def __init__(self, store: SqlListStore, page_size: int = 10) -> None:
        self.store = store
        self.lists = ListService(store)
        self.subscriptions = SqlSubscriptionStore(store.engine, migrate=False)
        self.service = SubscriptionService(self.subscriptions, self.lists)
        self.sync = SyncService(self.subscriptions, SyncPolicy(page_size=page_size))

    def subscribe(self, publisher: Publisher, url: str | None = None, *, name: str = "feed",
                  keys: list[str] | None = None) -> None:  # fmt: skip
        pinned = keys or [key.public_key for key in publisher.keys.public_keys()]
        self.service.add(
            name, publisher_url=url or publisher.base_url, remote_list="shared",
            into="mirror", token=publisher.token(Role.SUBSCRIBER, "shared"), public_keys=pinned,
        )  # fmt: skip

    def md5s(self) -> list[str]:
        return sorted(s.value for e in self.store.entries("mirror") for s in e.signals)

    def mapped(self) -> int:
        with self.store.engine.connect() as connection:
            count = connection.scalar(select(func.count()).select_from(subscription_entries))
        return int(count or 0)


def published(publisher: Publisher) -> list[str]:
    return sorted(
        s.value for e in publisher.api.store.entries("shared") for s in e.signals
    )


@pytest.fixture
def curator(publisher: Publisher) -> httpx.Client:
    publisher.keys.create()
    client = httpx.Client(
        base_url=publisher.base_url,
        headers={"Authorization": f"Bearer {publisher.token(Role.CURATOR)}"},
        timeout=30,
    )
    assert client.post("/v1/lists", json={"name": "shared"}).status_code == 201
    return client


def test_full_then_incremental_sync_mirrors_the_list(
    publisher: Publisher, curator: httpx.Client, store: SqlListStore
) -> None:
    added = curator.post("/v1/lists/shared/entries", json=entries_body(random_md5s(25, 1)))
    assert added.status_code == 200, added.text
    subscriber = Subscriber(store)
    subscriber.subscribe(publisher)

    result = subscriber.sync.sync("feed")
    assert result.ok, result.error
    assert (result.pages, result.changes, result.cursor) == (3, 25, 25)
    assert subscriber.md5s() == published(publisher)
    assert subscriber.mapped() == 25
    feeds = [e for e in publisher.api.audit_log.events() if e.action == "lists.feed"]
    assert [(e.object, e.details) for e in feeds] == [
        ("list:shared", {"since": 0, "until": 10, "count": 10}),
        ("list:shared", {"since": 10, "until": 20, "count": 10}),
        ("list:shared", {"since": 20, "until": 25, "count": 5}),
    ]
    assert all(e.actor.endswith("t subscriber") for e in feeds)

    # Adds, an update (a signal replaced) and removals, then one incremental sync.
    curator.post("/v1/lists/shared/entries", json=entries_body(random_md5s(5, 2)))
    first = curator.get("/v1/lists/shared/entries", params={"limit": 4}).json()["entries"]
    changed = {**first[0], "signals": [{"type": "md5", "value": "ab" * 16}], "notes": "fixed"}
    assert curator.put(f"/v1/lists/shared/entries/{first[0]['id']}", json=changed).is_success
    removed = [entry["id"] for entry in first[1:]]
    assert curator.post("/v1/lists/shared/entries/remove", json={"ids": removed}).is_success

    result = subscriber.sync.sync("feed", force=True)
    assert result.ok, result.error
    assert (result.changes, result.cursor) == (9, 34)
    assert subscriber.md5s() == published(publisher)
    assert len(subscriber.md5s()) == 27
    assert subscriber.mapped() == 27
    notes = {e.data.notes for e in store.entries("mirror") if Signal("md5", "ab" * 16) in e.signals}
    assert notes == {"fixed"}

    again = subscriber.sync.sync("feed", force=True)
    assert (again.ok, again.pages, again.changes) == (True, 1, 0)
    state = subscriber.subscriptions.get("feed")
    assert (state.cursor, state.failures, state.last_error) == (34, 0, "")
    assert state.last_success_at is not None


def test_feed_pages_are_gzipped_for_clients_that_accept_it(
    publisher: Publisher, curator: httpx.Client
) -> None:
    curator.post("/v1/lists/shared/entries", json=entries_body(random_md5s(40, 3)))
    token = publisher.token(Role.SUBSCRIBER, "shared")
    url = f"{publisher.base_url}/v1/lists/shared/feed"

    def fetch(accept: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": accept}
        return httpx.get(url, headers=headers, timeout=30)

    plain = fetch("identity")
    zipped = fetch("br;q=1.0, gzip;q=0.5")
    refused = fetch("gzip;q=0")
    assert "content-encoding" not in plain.headers
    assert "content-encoding" not in refused.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept-Encoding"
    # Same signed body once decoded; the manifest's timestamp is the only line that may differ.
    assert zipped.content.splitlines()[1:] == plain.content.splitlines()[1:]
    assert int(zipped.headers["content-length"]) < len(plain.content) / 2


def test_removals_travel_as_the_entry_id_only(publisher: Publisher, curator: httpx.Client) -> None:
    curator.post("/v1/lists/shared/entries", json=entries_body(random_md5s(2, 4)))
    first = curator.get("/v1/lists/shared/entries").json()["entries"][0]
    assert curator.post("/v1/lists/shared/entries/remove", json={"ids": [first["id"]]}).is_success
    token = publisher.token(Role.SUBSCRIBER, "shared")
    page = httpx.get(
        f"{publisher.base_url}/v1/lists/shared/feed",
        params={"since": 2},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    change = json.loads(page.content.splitlines()[1])
    assert change["op"] == "remove"
    assert set(change["entry"]) == {"id", "removed_at"}
    assert change["entry"]["id"] == first["id"]


def test_a_corrupted_page_is_rejected_and_the_next_sync_resumes(
    publisher: Publisher, curator: httpx.Client, store: SqlListStore
) -> None:
    curator.post("/v1/lists/shared/entries", json=entries_body(random_md5s(8, 3)))
    subscriber = Subscriber(store)
    with tampering_proxy(publisher.base_url, tamper=False) as proxy:
        subscriber.subscribe(publisher, proxy.url)
        assert subscriber.sync.sync("feed").ok
        before = subscriber.md5s()
        curator.post("/v1/lists/shared/entries", json=entries_body(random_md5s(4, 4)))

        proxy.tamper = True
        result = subscriber.sync.sync("feed", force=True)
        assert proxy.altered, "the proxy relayed no feed page"
        assert not result.ok
        assert result.error.startswith("page rejected: ")
        assert "body_sha256" in result.error or "line" in result.error
        assert subscriber.md5s() == before
        state = subscriber.subscriptions.get("feed")
        assert (state.cursor, state.failures) == (8, 1)
        assert state.last_error == result.error

        proxy.tamper = False
        result = subscriber.sync.sync("feed", force=True)
        assert result.ok, result.error
        assert subscriber.md5s() == published(publisher)
        assert subscriber.subscriptions.get("feed").failures == 0


def test_a_rotated_key_is_followed_through_its_endorsement(
    publisher: Publisher, curator: httpx.Client, store: SqlListStore
) -> None:
    curator.post("/v1/lists/shared/entries", json=entries_body(random_md5s(3, 5)))
    subscriber = Subscriber(store)
    subscriber.subscribe(publisher)
    assert subscriber.sync.sync("feed").ok
    publisher.keys.rotate()
    publisher.keys.rotate()  # two rotations between syncs: the chain is followed
    curator.post("/v1/lists/shared/entries", json=entries_body(random_md5s(3, 6)))
    result = subscriber.sync.sync("feed", force=True)
    assert result.ok, result.error
    assert subscriber.md5s() == published(publisher)
    pinned = subscriber.subscriptions.get("feed").public_keys
    assert [key.public_key for key in publisher.keys.public_keys()] == list(reversed(pinned))


def test_pages_signed_by_an_unendorsed_key_are_refused(
    publisher: Publisher, curator: httpx.Client, store: SqlListStore
) -> None:
    curator.post("/v1/lists/shared/entries", json=entries_body(random_md5s(3, 7)))
    subscriber = Subscriber(store)
    subscriber.subscribe(publisher)
    assert subscriber.sync.sync("feed").ok
    publisher.keys.rotate()
    # A key that the previous one did not endorse (a forged or wiped endorsement).
    with publisher.api.engine.begin() as connection:
        connection.execute(update(signing_keys).values(endorsement="AAAA"))
    curator.post("/v1/lists/shared/entries", json=entries_body(random_md5s(3, 8)))
    result = subscriber.sync.sync("feed", force=True)
    assert "not pinned" in result.error and "does not verify" in result.error
    assert len(subscriber.md5s()) == 3
    current = publisher.keys.current()
    assert current is not None
    subscriber.service.pin("feed", [current.public_key])
    assert subscriber.sync.sync("feed", force=True).ok
    assert subscriber.md5s() == published(publisher)


def test_failures_back_off_exponentially_and_are_recorded(store: SqlListStore) -> None:
    subscriber = Subscriber(store)
    key = "A" * 43 + "="
    subscriber.service.add(
        "feed", publisher_url=f"http://127.0.0.1:{free_port()}", remote_list="shared",
        into="mirror", token="hw_nothing", public_keys=[key],
    )  # fmt: skip
    delays = []
    for failures in (1, 2, 3):
        started = datetime.now(UTC)
        result = subscriber.sync.sync("feed", force=True)
        assert "cannot reach the publisher" in result.error
        state = subscriber.subscriptions.get("feed")
        assert state.failures == failures
        assert state.next_attempt_at is not None
        delays.append(state.next_attempt_at - started)
    assert [round(d.total_seconds()) for d in delays] == [5, 10, 20]
    # Not due during the backoff: the scheduled path leaves it alone.
    assert subscriber.sync.sync_due() == []
    assert subscriber.sync.policy.backoff(40) == timedelta(hours=1)


def test_a_token_not_granted_the_list_is_refused(
    publisher: Publisher, curator: httpx.Client, store: SqlListStore
) -> None:
    subscriber = Subscriber(store)
    subscriber.service.add(
        "feed", publisher_url=publisher.base_url, remote_list="shared", into="mirror",
        token=publisher.token(Role.SUBSCRIBER, "other"),
        public_keys=[k.public_key for k in publisher.keys.public_keys()],
    )  # fmt: skip
    result = subscriber.sync.sync("feed")
    expected = "the publisher answered HTTP 403: this token is not granted list 'shared'"
    assert result.error == expected


def test_a_page_failing_in_the_database_leaves_list_cursor_and_map_unchanged(
    publisher: Publisher, curator: httpx.Client, store: SqlListStore, failing_notes: str
) -> None:
    body = entries_body(random_md5s(6, 7))
    body["entries"][4]["notes"] = failing_notes
    curator.post("/v1/lists/shared/entries", json=body)
    subscriber = Subscriber(store, page_size=100)
    subscriber.subscribe(publisher)
    result = subscriber.sync.sync("feed")
    assert "poisoned entry" in result.error
    assert subscriber.md5s() == []
    assert store.get_list("mirror").sequence == 0
    assert subscriber.mapped() == 0
    assert subscriber.subscriptions.get("feed").cursor == 0


def test_mirror_lists_refuse_local_edits(
    publisher: Publisher, curator: httpx.Client, store: SqlListStore
) -> None:
    curator.post("/v1/lists/shared/entries", json=entries_body(random_md5s(2, 8)))
    subscriber = Subscriber(store)
    subscriber.subscribe(publisher)
    assert subscriber.sync.sync("feed").ok
    guarded = ListService(MirrorGuardedListStore(store.engine))
    entry = EntryData(signals=(Signal("md5", "cd" * 16),))
    with pytest.raises(MirrorListError, match="mirrors subscription 'feed'"):
        guarded.add_entries("mirror", [entry])
    mirrored = next(iter(store.entries("mirror")))
    with pytest.raises(MirrorListError):
        guarded.remove_entries("mirror", [mirrored.id])
    guarded.create_list("local")
    assert guarded.add_entries("local", [entry]).added == 1


def test_only_one_claimant_wins_a_due_subscription(engine: Engine, store: SqlListStore) -> None:
    subscriber = Subscriber(store)
    subscriber.service.add(
        "feed", publisher_url="http://127.0.0.1:9", remote_list="shared", into="mirror",
        token="hw_x", public_keys=["A" * 43 + "="],
    )  # fmt: skip
    now = datetime.now(UTC)
    lease = now + timedelta(minutes=2)
    other = SqlSubscriptionStore(engine, migrate=False)
    assert subscriber.subscriptions.claim("feed", now, lease) is not None
    assert other.claim("feed", now, lease) is None
    assert subscriber.subscriptions.due(now) == []
    assert other.claim("feed", lease, lease + timedelta(minutes=2)) is not None
