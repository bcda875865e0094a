"""Signing keys (create, rotate, encryption at rest) and the subscription store's atomic apply."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, select

from hashwarden.core.lists.models import EntryData, Signal
from hashwarden.core.lists.services import ListService
from hashwarden.federation.envelope import key_id, raw_public_key
from hashwarden.federation.errors import CursorMovedError, FederationError, SigningKeyError
from hashwarden.federation.keys import KeyService
from hashwarden.federation.subscriptions import SubscriptionService
from hashwarden.storage.federation_tables import signing_keys
from hashwarden.storage.key_store import SqlKeyStore
from hashwarden.storage.list_store import SqlListStore
from hashwarden.storage.subscription_store import SqlSubscriptionStore

NOW = datetime(2026, 3, 1, tzinfo=UTC)
PINNED = base64.b64encode(raw_public_key(Ed25519PrivateKey.generate())).decode()


def keys(engine: Engine, passphrase: bytes | None = None) -> KeyService:
    return KeyService(SqlKeyStore(engine, migrate=False), passphrase=lambda: passphrase)


def test_create_show_and_rotate(engine: Engine, store: SqlListStore) -> None:
    service = keys(engine)
    assert service.current() is None
    with pytest.raises(SigningKeyError, match="no signing key"):
        service.signer()
    first = service.create()
    assert first.private_pem == ""  # never handed out
    assert first.key_id == key_id(base64.b64decode(first.public_key))
    with pytest.raises(SigningKeyError, match=r"exists already.*keys rotate"):
        service.create()
    signer = first.key_id in repr(service.signer()) and service.signer()
    assert signer and raw_public_key(signer.private_key) == base64.b64decode(first.public_key)

    second = service.rotate()
    assert second.key_id != first.key_id
    listed = service.public_keys()
    assert [k.key_id for k in listed] == [second.key_id, first.key_id]
    assert listed[0].is_current and not listed[1].is_current
    assert listed[1].retired_at is not None
    assert all(k.private_pem == "" for k in listed)
    assert service.signer().key_id == second.key_id


def test_private_keys_are_encrypted_with_a_passphrase(engine: Engine, store: SqlListStore) -> None:
    key = keys(engine, b"correct horse").create()
    with engine.connect() as connection:
        pem = connection.scalar(select(signing_keys.c.private_key))
    assert pem.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert keys(engine, b"correct horse").signer().key_id == key.key_id
    with pytest.raises(SigningKeyError, match="cannot be opened"):
        keys(engine, b"wrong").signer()
    with pytest.raises(SigningKeyError, match="is encrypted: set HASHWARDEN_KEY_PASSPHRASE"):
        keys(engine, None).signer()


def test_without_a_passphrase_the_key_is_plain_pkcs8(engine: Engine, store: SqlListStore) -> None:
    keys(engine).create()
    with engine.connect() as connection:
        pem = connection.scalar(select(signing_keys.c.private_key))
    assert pem.startswith("-----BEGIN PRIVATE KEY-----")


def _subscribed(store: SqlListStore) -> tuple[SqlSubscriptionStore, int]:
    subscriptions = SqlSubscriptionStore(store.engine, migrate=False)
    service = SubscriptionService(subscriptions, ListService(store))
    added = service.add(
        "feed", publisher_url="https://hotline.example/", remote_list="shared", into="mirror",
        token="hw_secret\n", public_keys=[PINNED],
    )  # fmt: skip
    assert (added.publisher_url, added.token, added.list_name) == (
        "https://hotline.example", "hw_secret", "mirror"
    )
    assert "hw_secret" not in repr(added)
    return subscriptions, added.id


def data(md5: str, notes: str = "") -> EntryData:
    return EntryData(signals=(Signal("md5", md5),), notes=notes)


def test_pages_apply_onto_their_cursor_only(store: SqlListStore) -> None:
    subscriptions, sub_id = _subscribed(store)
    lease = NOW + timedelta(minutes=2)
    first = {10: data("aa" * 16), 11: data("bb" * 16), 12: None}
    result = subscriptions.apply_page(
        sub_id, since=0, until=3, states=first, actor="t", now=NOW, lease_until=lease
    )
    assert (result.added, result.updated, result.removed) == (2, 0, 0)
    assert subscriptions.get("feed").cursor == 3
    local = subscriptions.local_entry_ids(sub_id)
    assert sorted(local) == [10, 11]

    # The same page again (cursor moved on): refused, nothing written.
    sequence = store.get_list("mirror").sequence
    with pytest.raises(CursorMovedError, match="at sequence 3 now, not 0"):
        subscriptions.apply_page(
            sub_id, since=0, until=3, states=first, actor="t", now=NOW, lease_until=lease
        )
    assert store.get_list("mirror").sequence == sequence

    second = {10: data("cc" * 16, "changed"), 11: None, 13: data("dd" * 16)}
    result = subscriptions.apply_page(
        sub_id, since=3, until=7, states=second, actor="t", now=NOW, lease_until=lease
    )
    assert (result.added, result.updated, result.removed) == (1, 1, 1)
    live = {e.id: e for e in store.entries("mirror")}
    assert sorted(s.value for e in live.values() for s in e.signals) == ["cc" * 16, "dd" * 16]
    assert live[local[10]].data.notes == "changed"
    assert sorted(subscriptions.local_entry_ids(sub_id)) == [10, 13]
    assert subscriptions.get("feed").cursor == 7


def test_a_mirror_must_start_empty_and_names_are_unique(store: SqlListStore) -> None:
    lists = ListService(store)
    lists.create_list("used")
    lists.add_entries("used", [data("ee" * 16)])
    service = SubscriptionService(SqlSubscriptionStore(store.engine, migrate=False), lists)
    common = {"publisher_url": "https://p.example", "remote_list": "shared",
              "token": "hw_t", "public_keys": [PINNED]}  # fmt: skip
    with pytest.raises(FederationError, match="must start from an empty list"):
        service.add("feed", into="used", **common)  # type: ignore[arg-type]
    service.add("feed", into="mirror", **common)  # type: ignore[arg-type]
    with pytest.raises(FederationError, match="exists already"):
        service.add("feed", into="mirror2", **common)  # type: ignore[arg-type]
    assert [h.name for h in lists.lists()] == ["mirror", "used"]  # mirror2 rolled back
    with pytest.raises(FederationError, match="public key"):
        service.add("x", into="m3", **{**common, "public_keys": ["bm90IGEga2V5"]})  # type: ignore[arg-type]
    with pytest.raises(FederationError, match="URL"):
        service.add("x", into="m3", **{**common, "publisher_url": "ftp://p"})  # type: ignore[arg-type]
    removed = service.remove("feed")
    assert removed.list_name == "mirror"
    assert service.all() == []
    assert [h.name for h in lists.lists()] == ["mirror", "used"]
