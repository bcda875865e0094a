"""Index snapshots: written once, mapped by every worker, followed by changes, rolled, recovered."""

from __future__ import annotations

import hashlib
import mmap
import random
from pathlib import Path

import numpy as np
import pytest

from hashwarden.core.lists.interfaces import ListChanges
from hashwarden.core.lists.models import EntryData, HashList, Signal
from hashwarden.core.matching.matcher import Matcher
from hashwarden.snapshots.directory import SnapshotDirectory
from hashwarden.snapshots.files import capture, open_index, write
from hashwarden.snapshots.keeper import SnapshotKeeper
from hashwarden.storage.list_store import SqlListStore

rng = random.Random(7)


def pdq_hex(n: int) -> str:
    return hashlib.sha256(f"snap-{n}".encode()).hexdigest()


def flip(hex_value: str, bits: int) -> str:
    value = int(hex_value, 16)
    for bit in rng.sample(range(256), bits):
        value ^= 1 << bit
    return f"{value:064x}"


def md5_hex(n: int) -> str:
    # Every tenth digest ends in a zero byte: NumPy's fixed-width bytes must not drop it.
    digest = hashlib.md5(f"snap-{n}".encode()).hexdigest()
    return digest[:30] + "00" if n % 10 == 0 else digest


def fill(store: SqlListStore, first: int, count: int, list_name: str = "known") -> list[int]:
    changes = store.apply(
        list_name,
        ListChanges(
            add=[
                EntryData(signals=(Signal("pdq", pdq_hex(n)), Signal("md5", md5_hex(n))))
                for n in range(first, first + count)
            ]
        ),
    )
    return [change.entry.id for change in changes]


def answers(matcher: Matcher, numbers: range) -> list[tuple[str, int, int]]:
    """(list, entry, distance) of every hit for near copies and exact digests of ``numbers``."""
    found = []
    for n in numbers:
        outcome = matcher.match_signals({"pdq": [flip(pdq_hex(n), 5)], "md5": [md5_hex(n)]})
        found.extend((h.list_name, h.entry_id, h.distance) for h in outcome.hits)
    return sorted(found)


def is_mapped(array: object) -> bool:
    while array is not None and not isinstance(array, mmap.mmap):
        array = getattr(array, "base", None)
    return array is not None


@pytest.fixture
def known(store: SqlListStore) -> SqlListStore:
    store.create_list(HashList("known"))
    store.create_list(HashList("other"))
    fill(store, 0, 600)
    fill(store, 600, 50, "other")
    return store


def test_a_snapshot_matches_like_the_index_it_was_written_from(
    known: SqlListStore, tmp_path: Path
) -> None:
    built = Matcher(known)
    write(capture(built.index), tmp_path / "snap")
    mapped = Matcher(known, index=open_index(tmp_path / "snap"))
    assert len(mapped.index) == len(built.index) == 1300
    assert answers(mapped, range(0, 650, 7)) == answers(built, range(0, 650, 7))
    assert len(answers(mapped, range(0, 650, 7))) == 2 * len(range(0, 650, 7))
    # The big arrays are views of file mappings, shared through the page cache.
    segment = mapped.index.pdq.sole_segment()
    assert segment is not None and is_mapped(segment.words) and is_mapped(segment.labels)


def test_changes_after_the_snapshot_are_replayed_and_followed(
    known: SqlListStore, tmp_path: Path
) -> None:
    write(capture(Matcher(known).index), tmp_path / "snap")
    gone = list(known.entries("known"))[:5]
    known.apply("known", ListChanges(remove=[e.id for e in gone]))
    fill(known, 1000, 20)
    mapped = Matcher(known, index=open_index(tmp_path / "snap"))
    assert answers(mapped, range(0, 5)) == []  # removed after the snapshot
    assert len(answers(mapped, range(1000, 1020))) == 40
    fill(known, 2000, 3)
    known.apply("known", ListChanges(remove=[e.id for e in list(known.entries("known"))[:3]]))
    mapped.refresh()
    assert len(answers(mapped, range(2000, 2003))) == 6
    assert answers(mapped, range(5, 8)) == []
    assert answers(mapped, range(8, 60)) == answers(Matcher(known), range(8, 60))


def test_workers_share_one_build_and_move_to_rolled_snapshots(
    known: SqlListStore, tmp_path: Path
) -> None:
    keepers = [SnapshotKeeper(tmp_path, known, min_roll=10, roll_fraction=0.01) for _ in range(2)]
    first, second = (keeper.open_matcher() for keeper in keepers)
    directory = SnapshotDirectory(tmp_path)
    assert len(directory.snapshots()) == 1  # built once, opened twice
    assert first.index.snapshot_name == second.index.snapshot_name

    fill(known, 3000, 40)
    first.refresh()
    assert keepers[0].maintain(first) is None  # starts writing in the background
    keepers[0].wait(30)
    rolled = directory.latest()
    assert rolled is not None and rolled.name != first.index.snapshot_name
    for keeper, matcher in zip(keepers, (first, second), strict=True):
        matcher.refresh()
        replacement = keeper.maintain(matcher)
        assert replacement is not None and replacement.snapshot_name == rolled.name
        matcher.index = replacement
        assert matcher.index.overlay_size() == 0
        assert len(answers(matcher, range(3000, 3040))) == 80
    fill(known, 4000, 40)
    first.refresh()
    keepers[0].maintain(first)
    keepers[0].wait(30)
    assert len(directory.snapshots()) == 2  # older ones are pruned


def test_a_damaged_snapshot_is_ignored_and_rebuilt(known: SqlListStore, tmp_path: Path) -> None:
    keeper = SnapshotKeeper(tmp_path, known)
    reference = answers(keeper.open_matcher(), range(0, 650, 13))
    [damaged] = SnapshotDirectory(tmp_path).snapshots()
    (damaged / "meta.json").write_text("{", encoding="utf-8")
    reopened = SnapshotKeeper(tmp_path, known).open_matcher()
    assert answers(reopened, range(0, 650, 13)) == reference
    assert reopened.index.snapshot_name != damaged.name


def test_a_snapshot_ahead_of_the_database_is_rebuilt(store: SqlListStore, tmp_path: Path) -> None:
    """A database restored from an older backup must not be served from a newer snapshot."""
    store.create_list(HashList("known"))
    fill(store, 0, 10)
    keeper = SnapshotKeeper(tmp_path, store)
    keeper.open_matcher()
    [path] = SnapshotDirectory(tmp_path).snapshots()
    ahead = path.with_name(path.name.replace("snap-0", "snap-9", 1))
    path.rename(ahead)
    reopened = keeper.open_matcher()
    assert reopened.index.snapshot_name != ahead.name
    assert len(answers(reopened, range(10))) == 20


def test_an_empty_database_gives_an_empty_snapshot(store: SqlListStore, tmp_path: Path) -> None:
    matcher = SnapshotKeeper(tmp_path, store).open_matcher()
    assert len(matcher.index) == 0
    store.create_list(HashList("known"))
    fill(store, 0, 3)
    matcher.refresh()
    assert len(answers(matcher, range(3))) == 6


def test_owner_rows_written_after_mapping_stay_private(known: SqlListStore, tmp_path: Path) -> None:
    write(capture(Matcher(known).index), tmp_path / "snap")
    before = np.load(tmp_path / "snap" / "owners" / "list_of.npy").copy()
    mapped = Matcher(known, index=open_index(tmp_path / "snap"))
    known.apply("known", ListChanges(remove=[e.id for e in list(known.entries("known"))[:50]]))
    mapped.refresh()
    assert np.array_equal(np.load(tmp_path / "snap" / "owners" / "list_of.npy"), before)


def test_the_first_build_can_run_in_a_child_process(
    known: SqlListStore, database_url: str, tmp_path: Path
) -> None:
    """Workers build through a child so the load's Python heap is returned when it exits."""
    matcher = SnapshotKeeper(tmp_path, known, database_url=database_url).open_matcher()
    assert matcher.index.snapshot_name.startswith("snap-")
    assert answers(matcher, range(0, 650, 11)) == answers(Matcher(known), range(0, 650, 11))
