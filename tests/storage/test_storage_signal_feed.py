"""signal_changes_since: the feed a matcher loads at cursor 0 and then follows."""

from __future__ import annotations

from storage_samples import entry, md5, pdq, sha1

from hashwarden.core.lists.interfaces import IndexedSignal, ListChanges, SignalDelta
from hashwarden.core.lists.models import HashList, Signal
from hashwarden.storage.list_store import SqlListStore


def follow(index: dict[int, IndexedSignal], delta: SignalDelta) -> None:
    """What a matcher does with a delta."""
    for signal_id in delta.removed_signal_ids:
        index.pop(signal_id, None)
    for indexed in delta.added:
        index[indexed.signal_id] = indexed


def live_signals(store: SqlListStore) -> set[tuple[str, int, Signal]]:
    return {
        (hl.name, e.id, signal)
        for hl in store.all_lists()
        for e in store.entries(hl.name)
        for signal in e.signals
    }


def as_set(index: dict[int, IndexedSignal]) -> set[tuple[str, int, Signal]]:
    return {(s.list_name, s.entry_id, s.signal) for s in index.values()}


def test_empty_store_has_cursor_zero(store: SqlListStore) -> None:
    assert store.signal_changes_since(0) == SignalDelta(cursor=0)


def test_add_update_remove_semantics(store: SqlListStore) -> None:
    store.create_list(HashList("l"))
    [a, b] = store.apply("l", ListChanges(add=[entry(1, sha1(1)), entry(2)]))
    full = store.signal_changes_since(0)
    assert {(s.entry_id, s.signal) for s in full.added} == {
        (a.entry.id, md5(1)),
        (a.entry.id, sha1(1)),
        (b.entry.id, md5(2)),
    }
    assert full.removed_signal_ids == []
    ids = {s.signal: s.signal_id for s in full.added}
    assert store.signal_changes_since(full.cursor) == SignalDelta(cursor=full.cursor)

    # Update: sha1 goes, pdq comes, md5 keeps its id (no churn for the index).
    store.apply("l", ListChanges(update=[(a.entry.id, entry(1, pdq(1)))]))
    delta = store.signal_changes_since(full.cursor)
    assert delta.removed_signal_ids == [ids[sha1(1)]]
    assert [(s.signal, s.entry_id, s.list_name) for s in delta.added] == [(pdq(1), a.entry.id, "l")]
    assert delta.cursor > full.cursor

    # Remove: every live signal of the entry goes.
    store.apply("l", ListChanges(remove=[a.entry.id]))
    removal = store.signal_changes_since(delta.cursor)
    assert sorted(removal.removed_signal_ids) == sorted([ids[md5(1)], delta.added[0].signal_id])
    assert removal.added == []

    # A signal added and removed after the cursor never reaches the matcher.
    combined = store.signal_changes_since(full.cursor)
    assert combined.added == []
    assert sorted(combined.removed_signal_ids) == sorted([ids[md5(1)], ids[sha1(1)]])


def test_following_the_feed_tracks_the_live_set(store: SqlListStore) -> None:
    store.create_list(HashList("a"))
    store.create_list(HashList("b"))
    index: dict[int, IndexedSignal] = {}
    first = store.signal_changes_since(0)
    follow(index, first)
    cursor = first.cursor
    added = store.apply("a", ListChanges(add=[entry(n, pdq(n)) for n in range(10)]))
    store.apply("b", ListChanges(add=[entry(n) for n in range(5)]))
    for step, delta_source in enumerate(
        [
            ListChanges(update=[(added[0].entry.id, entry(100))]),
            ListChanges(remove=[c.entry.id for c in added[1:4]]),
            ListChanges(add=[entry(200, sha1(200))], update=[(added[5].entry.id, entry(5))]),
        ]
    ):
        store.apply("a", delta_source)
        if step % 2 == 0:
            delta = store.signal_changes_since(cursor)
            follow(index, delta)
            cursor = delta.cursor
    delta = store.signal_changes_since(cursor)
    follow(index, delta)
    assert as_set(index) == live_signals(store)

    store.delete_list("b")
    follow(index, store.signal_changes_since(delta.cursor))
    assert as_set(index) == live_signals(store)
    assert all(s.list_name == "a" for s in index.values())
    fresh: dict[int, IndexedSignal] = {}
    follow(fresh, store.signal_changes_since(0))
    assert fresh == index
