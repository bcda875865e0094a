"""SqlListStore: lists, entries, sequence numbers, history and tombstones on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from storage_samples import entry, md5, pdq, sha1

from hashwarden.core.errors import (
    EntryNotFoundError,
    ListError,
    ListExistsError,
    ListNotFoundError,
    StorageError,
)
from hashwarden.core.lists.interfaces import ListChanges, ListPatch
from hashwarden.core.lists.models import (
    Category,
    ChangeOp,
    EntryData,
    HashList,
    ListKind,
    Signal,
)
from hashwarden.storage import open_store
from hashwarden.storage.list_store import SqlListStore


def test_list_crud(store: SqlListStore) -> None:
    created = store.create_list(
        HashList("iwf", "IWF list", ListKind.BLOCK, {"pdq": 20}, classification_scheme="iwf")
    )
    assert created.id is not None
    assert created.sequence == 0
    assert created.created_at is not None and created.created_at.tzinfo is not None
    assert store.get_list("iwf") == created
    store.create_list(HashList("allow", kind=ListKind.ALLOW))
    assert [hl.name for hl in store.all_lists()] == ["allow", "iwf"]

    patched = store.update_list("iwf", ListPatch(description="new", thresholds={}))
    assert (patched.description, patched.thresholds, patched.kind) == ("new", {}, ListKind.BLOCK)
    assert store.update_list("iwf", ListPatch()) == patched

    with pytest.raises(ListExistsError):
        store.create_list(HashList("iwf"))
    store.delete_list("iwf")
    with pytest.raises(ListNotFoundError):
        store.get_list("iwf")
    with pytest.raises(ListNotFoundError):
        store.delete_list("iwf")
    with pytest.raises(ListNotFoundError):
        store.update_list("iwf", ListPatch(description="x"))
    with pytest.raises(ListNotFoundError):
        store.apply("iwf", ListChanges(add=[entry(1)]))


def test_add_update_remove_round_trip(store: SqlListStore) -> None:
    store.create_list(HashList("l"))
    when = datetime(2020, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    data = EntryData(
        signals=(sha1(1), md5(1), md5(1)),
        category=Category("iwf", "A"),
        source="hotline",
        external_id="X-1",
        notes="first",
        added_by="ana",
        added_at=when,
    )
    [added] = store.apply("l", ListChanges(add=[data], actor="ana"))
    assert added.op is ChangeOp.ADD and added.sequence == 1
    stored = store.get_entry("l", added.entry.id)
    assert stored == added.entry
    assert stored.signals == (md5(1), sha1(1))  # de-duplicated and sorted
    assert stored.added_at == when and stored.added_at.tzinfo == UTC
    assert stored.data.category == Category("iwf", "A")
    assert (stored.data.source, stored.data.external_id, stored.data.notes) == (
        "hotline",
        "X-1",
        "first",
    )

    new_data = EntryData(signals=(md5(1), pdq(1)), notes="second")
    [updated] = store.apply("l", ListChanges(update=[(stored.id, new_data)]))
    assert updated.op is ChangeOp.UPDATE and updated.sequence == 2
    after = store.get_entry("l", stored.id)
    assert after.signals == (md5(1), pdq(1))
    assert after.data.category is None and after.data.notes == "second"
    assert after.added_at == when  # kept when the update does not say

    [removed] = store.apply("l", ListChanges(remove=[stored.id]))
    assert removed.op is ChangeOp.REMOVE and removed.sequence == 3
    tomb = store.get_entry("l", stored.id)
    assert tomb.is_removed and tomb.signals == (md5(1), pdq(1)) and tomb.sequence == 3
    assert store.count_entries("l") == 0
    assert list(store.entries("l")) == []
    assert list(store.entries("l", include_removed=True)) == [tomb]
    assert store.find_live_entries("l", [md5(1)]) == []
    assert store.get_list("l").sequence == 3


def test_sequences_are_consecutive_across_batches(store: SqlListStore) -> None:
    store.create_list(HashList("l"))
    first = store.apply("l", ListChanges(add=[entry(n) for n in range(5)]))
    ids = [change.entry.id for change in first]
    second = store.apply(
        "l",
        ListChanges(add=[entry(9)], update=[(ids[0], entry(0, sha1(0)))], remove=ids[1:3]),
    )
    assert [c.sequence for c in first + second] == list(range(1, 10))
    assert [c.op for c in second] == [
        ChangeOp.ADD,
        ChangeOp.UPDATE,
        ChangeOp.REMOVE,
        ChangeOp.REMOVE,
    ]
    assert store.apply("l", ListChanges()) == []
    assert store.get_list("l").sequence == 9


def test_changes_since_pages_and_replays_snapshots(store: SqlListStore) -> None:
    store.create_list(HashList("l"))
    [first] = store.apply("l", ListChanges(add=[entry(1, category="C")], actor="a"))
    store.apply("l", ListChanges(add=[entry(n) for n in range(2, 8)], actor="b"))
    store.apply("l", ListChanges(update=[(first.entry.id, entry(1, category="A"))], actor="c"))
    store.apply("l", ListChanges(remove=[first.entry.id], actor="d"))

    everything = []
    cursor = 0
    while page := store.changes_since("l", cursor, limit=3):
        assert len(page) <= 3
        everything.extend(page)
        cursor = page[-1].sequence
    assert [c.sequence for c in everything] == list(range(1, 10))
    # The first change still shows the entry as it was then.
    assert everything[0].entry == first.entry
    assert everything[0].entry.data.category == Category("iwf", "C")
    assert everything[7].entry.data.category == Category("iwf", "A")
    assert everything[8].op is ChangeOp.REMOVE and everything[8].entry.is_removed
    assert store.changes_since("l", 9) == []
    assert store.changes_since("l", 0, limit=0) == []


def test_failed_batch_changes_nothing(store: SqlListStore) -> None:
    store.create_list(HashList("l"))
    [kept] = store.apply("l", ListChanges(add=[entry(1)]))
    other = store.create_list(HashList("other"))
    [foreign] = store.apply(other.name, ListChanges(add=[entry(2)]))
    for bad in (
        ListChanges(add=[entry(3)], remove=[kept.entry.id, 999_999]),
        ListChanges(add=[entry(3)], update=[(foreign.entry.id, entry(4))]),
        ListChanges(add=[entry(3)], remove=[kept.entry.id, kept.entry.id]),
    ):
        with pytest.raises(ListError):
            store.apply("l", bad)
        assert store.get_list("l").sequence == 1
        assert [e.id for e in store.entries("l")] == [kept.entry.id]
        assert store.changes_since("l", 1) == []
    store.apply("l", ListChanges(remove=[kept.entry.id]))
    with pytest.raises(EntryNotFoundError):
        store.apply("l", ListChanges(remove=[kept.entry.id]))
    with pytest.raises(EntryNotFoundError):
        store.get_entry("l", foreign.entry.id)


def test_find_live_entries_matches_exact_signals_only(store: SqlListStore) -> None:
    store.create_list(HashList("l"))
    store.create_list(HashList("other"))
    long_opaque = Signal("photodna", "A" * 5000)
    changes = store.apply("l", ListChanges(add=[entry(1), entry(2, long_opaque), entry(3)]))
    store.apply("other", ListChanges(add=[entry(1)]))
    found = store.find_live_entries(
        "l", [md5(1), long_opaque, md5(99), Signal("sha1", md5(1).value)]
    )
    assert [e.id for e in found] == [changes[0].entry.id, changes[1].entry.id]
    assert found[1].signals == (md5(2), long_opaque)
    assert store.find_live_entries("l", []) == []
    many = store.find_live_entries("l", [md5(n) for n in range(2000)])
    assert len(many) == 3


def test_entries_stream_in_id_order_across_pages(store: SqlListStore) -> None:
    store.create_list(HashList("l"))
    changes = store.apply("l", ListChanges(add=[entry(n) for n in range(2500)]))
    store.apply("l", ListChanges(remove=[changes[10].entry.id]))
    live = list(store.entries("l"))
    assert len(live) == 2499 == store.count_entries("l")
    assert [e.id for e in live] == sorted(e.id for e in live)
    assert len(list(store.entries("l", include_removed=True))) == 2500
    ids = [c.entry.id for c in changes[:3]]
    got = store.get_entries([*ids, 123_456_789])
    assert sorted(got) == ids and got[ids[0]].list_name == "l"


def test_delete_list_cascades(store: SqlListStore) -> None:
    store.create_list(HashList("l"))
    [change] = store.apply("l", ListChanges(add=[entry(1)]))
    store.delete_list("l")
    assert store.get_entries([change.entry.id]) == {}
    store.create_list(HashList("l"))
    assert store.count_entries("l") == 0
    assert store.changes_since("l", 0) == []


def test_database_failure_midway_rolls_back(store: SqlListStore, failing_notes: str) -> None:
    store.create_list(HashList("l"))
    [kept] = store.apply("l", ListChanges(add=[entry(0)]))
    batch = [entry(n) for n in range(1, 1500)] + [entry(1500, notes=failing_notes)]
    batch += [entry(n) for n in range(1501, 1600)]
    with pytest.raises(StorageError, match="poisoned entry"):
        store.apply("l", ListChanges(add=batch, update=[(kept.entry.id, entry(0, sha1(0)))]))
    assert store.get_list("l").sequence == 1
    assert list(store.entries("l", include_removed=True)) == [kept.entry]
    assert store.find_live_entries("l", [md5(5), sha1(0)]) == []
    feed = store.signal_changes_since(0)
    assert [s.signal for s in feed.added] == [md5(0)]


def test_ids_are_never_reused(store: SqlListStore) -> None:
    """Signal ids label the matcher's index, so a deleted list's ids must stay retired."""
    store.create_list(HashList("l"))
    [old] = store.apply("l", ListChanges(add=[entry(1, sha1(1))]))
    old_signals = {s.signal_id for s in store.signal_changes_since(0).added}
    store.delete_list("l")
    store.create_list(HashList("l"))
    [new] = store.apply("l", ListChanges(add=[entry(1, sha1(1))]))
    new_signals = {s.signal_id for s in store.signal_changes_since(0).added}
    assert new.entry.id > old.entry.id
    assert min(new_signals) > max(old_signals)


def test_open_store_uses_the_configured_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("HASHWARDEN_DATABASE_URL", raising=False)
    monkeypatch.setenv("HASHWARDEN_HOME", str(tmp_path / "home"))
    opened = open_store()
    opened.create_list(HashList("l"))
    assert (tmp_path / "home" / "hashwarden.db").is_file()
    assert open_store(f"sqlite:///{tmp_path / 'home' / 'hashwarden.db'}").get_list("l").name == "l"


def test_format_attributes_survive_storage_and_history(store: SqlListStore) -> None:
    """Fields of foreign formats (VICS ``Series``, NCMEC ``member``) come back unchanged."""
    store.create_list(HashList("l"))
    attributes = {"vics": {"Series": "S-1", "Tags": ["a", "b"], "VictimIdentified": "true"}}
    data = EntryData(signals=(md5(1),), attributes=attributes)
    [change] = store.apply("l", ListChanges(add=[data]))
    assert change.entry.data.attributes == attributes
    [stored] = store.get_entries([change.entry.id]).values()
    assert stored.data.attributes == attributes
    [logged] = store.changes_since("l", 0)
    assert logged.entry.data.attributes == attributes
