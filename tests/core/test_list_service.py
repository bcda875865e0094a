"""ListService: list validation, imports (all-or-nothing, merged duplicates) over a real store."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest

from hashwarden.core.errors import (
    ImportFormatError,
    ListError,
    ListExistsError,
    ListNotFoundError,
    StorageError,
    UnknownSignalTypeError,
)
from hashwarden.core.lists.interfaces import ListChanges
from hashwarden.core.lists.models import (
    Category,
    Change,
    ChangeOp,
    EntryData,
    ListKind,
    Signal,
)
from hashwarden.core.lists.records import ParsedRecord, RecordProblem, RemovedRecord
from hashwarden.core.lists.services import ImportSummary, ListService
from hashwarden.storage.list_store import SqlListStore
from hashwarden.storage.list_writer import SqlListWriter


def md5(n: int) -> Signal:
    return Signal("md5", hashlib.md5(f"svc-{n}".encode()).hexdigest())


def sha1(n: int) -> Signal:
    return Signal("sha1", hashlib.sha1(f"svc-{n}".encode()).hexdigest())


def pdq(n: int) -> Signal:
    return Signal("pdq", hashlib.sha256(f"svc-{n}".encode()).hexdigest())


def rec(
    line: int, *signals: Signal, category: str = "", notes: str = "", source: str = ""
) -> ParsedRecord:
    data = EntryData(
        tuple(signals), Category("iwf", category) if category else None, source, notes=notes
    )
    return ParsedRecord(line, data)


@pytest.fixture
def service(store: SqlListStore) -> ListService:
    service = ListService(store)
    service.create_list("l")
    return service


def live(service: ListService, name: str = "l") -> list[EntryData]:
    return [e.data for e in service.entries(name)]


@pytest.mark.parametrize("name", ["", "a" * 101, "with space", "slash/name", "ümlaut", "x;y"])
def test_invalid_list_names(store: SqlListStore, name: str) -> None:
    with pytest.raises(ListError, match="invalid list name"):
        ListService(store).create_list(name)


def test_list_settings_are_validated(store: SqlListStore) -> None:
    service = ListService(store)
    created = service.create_list(
        "A-z_0.9" + "x" * 93, thresholds={"PDQ": 31, "md5": 0}, kind=ListKind.ALLOW
    )
    assert created.thresholds == {"pdq": 31, "md5": 0}
    assert created.kind is ListKind.ALLOW
    bad_tables: list[dict[str, int]] = [{"pdq": 129}, {"pdq": -1}, {"md5": 1}, {"pdq": True}]
    for bad in bad_tables:
        with pytest.raises(ListError, match="threshold"):
            service.create_list("other", thresholds=bad)
    with pytest.raises(UnknownSignalTypeError):
        service.create_list("other", thresholds={"nohash": 1})
    with pytest.raises(ListError, match="threshold"):
        service.update_list(created.name, thresholds={"pdq": 200})
    updated = service.update_list(created.name, thresholds={"pdq": 10}, description="d")
    assert (updated.thresholds, updated.description) == ({"pdq": 10}, "d")
    with pytest.raises(ListExistsError):
        service.create_list(created.name)
    assert [hl.name for hl in service.lists()] == [created.name]
    service.delete_list(created.name)
    with pytest.raises(ListNotFoundError):
        service.get_list(created.name)


def test_import_collects_every_problem_and_writes_nothing(service: ListService) -> None:
    records: list[ParsedRecord | RecordProblem] = [
        rec(1, md5(1)),
        rec(2, Signal("md5", "abc")),
        RecordProblem(3, "missing hash column"),
        rec(4, Signal("sha1", "z" * 40)),
        rec(5, Signal("nohash", "00")),
        rec(6),
        rec(7, md5(7)),
    ]
    with pytest.raises(ImportFormatError) as caught:
        service.import_records("l", records, "ana", "upload.csv")
    assert [line for line, _ in caught.value.problems] == [2, 3, 4, 5, 6]
    assert caught.value.source == "upload.csv"
    assert "32 hex" in caught.value.problems[0][1]
    assert "hexadecimal" in caught.value.problems[2][1]
    assert "unknown signal type" in caught.value.problems[3][1]
    assert service.get_list("l").sequence == 0
    assert live(service) == []


def test_import_canonicalises_and_merges_duplicates_in_file(service: ListService) -> None:
    upper = Signal("MD5", md5(1).value.upper())
    records = [
        rec(1, upper, category="A", notes="first"),
        rec(2, md5(1), sha1(1), notes="second"),
        rec(3, sha1(1), pdq(1), source="iwf"),
        rec(4, md5(2)),
        rec(5, md5(2)),
    ]
    summary = service.import_records("l", records, "ana", "f.csv")
    assert summary == ImportSummary(added=2, merged=0, unchanged=0, sequence=2, records=5)
    first, second = live(service)
    assert first.signals == tuple(sorted((md5(1), sha1(1), pdq(1))))
    assert first.category == Category("iwf", "A")
    assert (first.notes, first.source) == ("first\nsecond", "iwf")
    assert second.signals == (md5(2),)
    assert [c.entry.data.signals for c in service.changes_since("l", 0)] == [
        first.signals,
        second.signals,
    ]


def test_import_merges_into_live_entries(service: ListService) -> None:
    service.add_entries("l", [EntryData((md5(1),), notes="old"), EntryData((pdq(2),))])
    summary = service.import_records(
        "l",
        [rec(1, md5(1), sha1(1)), rec(2, pdq(2)), rec(3, md5(3))],
        "ana",
        "f",
    )
    assert (summary.added, summary.merged, summary.unchanged) == (1, 1, 1)
    assert summary.sequence == service.get_list("l").sequence == 4
    entries = list(service.entries("l"))
    assert [e.signals for e in entries] == [
        tuple(sorted((md5(1), sha1(1)))),
        (pdq(2),),
        (md5(3),),
    ]
    assert entries[0].data.notes == "old"
    # The same file again changes nothing and takes no sequence number.
    again = service.import_records(
        "l", [rec(1, md5(1), sha1(1)), rec(2, pdq(2)), rec(3, md5(3))], "ana", "f"
    )
    assert again == ImportSummary(added=0, merged=0, unchanged=3, sequence=4, records=3)


def test_pdq_merges_only_when_identical(service: ListService) -> None:
    near = Signal("pdq", format(int(pdq(1).value, 16) ^ 1, "064x"))
    summary = service.add_entries("l", [EntryData((pdq(1),)), EntryData((near,))])
    assert summary.added == 2
    assert service.add_entries("l", [EntryData((pdq(1), md5(9)))]).merged == 1


def test_record_bridging_two_entries_folds_them(service: ListService) -> None:
    service.add_entries("l", [EntryData((md5(1),), category=Category("iwf", "B"))])
    service.add_entries("l", [EntryData((sha1(1),), category=Category("iwf", "A"))])
    first, second = list(service.entries("l"))
    summary = service.import_records("l", [rec(1, md5(1), sha1(1))], "ana", "f")
    assert (summary.added, summary.merged) == (0, 1)
    [merged] = list(service.entries("l"))
    assert merged.id == first.id
    assert merged.signals == tuple(sorted((md5(1), sha1(1))))
    assert merged.data.category == Category("iwf", "B")  # the older entry's fields win
    assert service.get_entry("l", second.id).is_removed
    ops = [c.op for c in service.changes_since("l", 2)]
    assert ops == [ChangeOp.UPDATE, ChangeOp.REMOVE]


def test_failing_iterable_writes_nothing(service: ListService) -> None:
    def records() -> Iterator[ParsedRecord]:
        for line in range(1, 1000):
            yield rec(line, md5(line))
        raise OSError("disk went away")

    with pytest.raises(OSError, match="disk went away"):
        service.import_records("l", records(), "ana", "f")
    assert live(service) == []
    assert service.get_list("l").sequence == 0


def test_database_failure_during_import_writes_nothing(
    service: ListService, failing_notes: str
) -> None:
    service.add_entries("l", [EntryData((md5(0),))])
    records = [rec(line, md5(line)) for line in range(1, 2000)]
    records.insert(1500, rec(5000, md5(5000), notes=failing_notes))
    with pytest.raises(StorageError):
        service.import_records("l", records, "ana", "f")
    assert [e.signals for e in service.entries("l")] == [(md5(0),)]
    assert service.get_list("l").sequence == 1


def test_add_update_remove_entries(service: ListService) -> None:
    summary = service.add_entries("l", [EntryData((md5(1),)), EntryData((md5(2),))], "bo")
    assert summary.sequence == 2
    first, second = list(service.entries("l"))
    change = service.update_entry("l", first.id, EntryData((Signal("md5", md5(3).value.upper()),)))
    assert change.entry.signals == (md5(3),)
    with pytest.raises(ImportFormatError):
        service.add_entries("l", [EntryData((Signal("md5", "nothex"),))])
    removed = service.remove_entries("l", [second.id, second.id], "bo")
    assert [c.op for c in removed] == [ChangeOp.REMOVE]
    assert service.remove_entries("l", []) == []
    assert service.count_entries("l") == 1
    assert [c.sequence for c in service.changes_since("l", 0)] == [1, 2, 3, 4]


def test_withdrawn_external_ids_remove_live_entries_and_earlier_records(
    service: ListService,
) -> None:
    """Exchange deletion notices (NCMEC ``deletedImage``) remove entries by the source's id."""

    def entry(line: int, n: int, external_id: str) -> ParsedRecord:
        return ParsedRecord(line, EntryData((md5(n),), external_id=external_id))

    service.import_records("l", [entry(1, 1, "A"), entry(2, 2, "B"), entry(3, 3, "C")])
    summary = service.import_records(
        "l",
        [
            RemovedRecord(1, "A"),
            entry(2, 4, "D"),
            RemovedRecord(3, "D"),  # withdrawn later in the same file: never added
            RemovedRecord(4, "unknown"),
            entry(5, 5, "E"),
        ],
    )
    assert (summary.added, summary.removed) == (1, 1)
    live = {e.data.external_id for e in service.entries("l")}
    assert live == {"B", "C", "E"}


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("hashwarden.core.lists.services.IMPORT_CHUNK", 3)
    return 3


def test_large_import_is_written_in_chunks_while_reading(
    service: ListService, small_chunks: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service holds one chunk, not the file: earlier chunks are written as it reads on."""
    events: list[str] = []
    real_apply = SqlListWriter.apply

    def logged_apply(writer: SqlListWriter, changes: ListChanges) -> list[Change]:
        events.append("write")
        return real_apply(writer, changes)

    def records() -> Iterator[ParsedRecord]:
        for line in range(1, 11):
            events.append("read")
            yield rec(line, md5(line))

    monkeypatch.setattr(SqlListWriter, "apply", logged_apply)
    summary = service.import_records("l", records())
    assert summary.added == 10
    assert "".join(event[0] for event in events) == "rrrwrrrwrrrwrw"


def test_records_merge_and_withdraw_across_chunks(service: ListService, small_chunks: int) -> None:
    records = [
        ParsedRecord(1, EntryData((md5(1),), external_id="A")),
        ParsedRecord(2, EntryData((md5(2),), external_id="B")),
        ParsedRecord(3, EntryData((md5(3),), external_id="C")),
        # Next chunk: joins A's entry, withdraws B (written by the previous chunk).
        ParsedRecord(4, EntryData((md5(1), sha1(1)), external_id="A")),
        RemovedRecord(5, "B"),
        ParsedRecord(6, EntryData((md5(6),), external_id="D")),
        ParsedRecord(7, EntryData((md5(3),), external_id="C")),
    ]
    summary = service.import_records("l", records)
    assert (summary.added, summary.merged, summary.unchanged, summary.removed) == (4, 1, 1, 1)
    entries = {e.data.external_id: e.data.signals for e in service.entries("l")}
    assert entries == {"A": (md5(1), sha1(1)), "C": (md5(3),), "D": (md5(6),)}
    assert summary.sequence == service.get_list("l").sequence


def test_problem_after_written_chunks_keeps_nothing(
    service: ListService, small_chunks: int
) -> None:
    service.add_entries("l", [EntryData((md5(0),))])
    records = [rec(line, md5(line)) for line in range(1, 20)]
    records.append(rec(20, Signal("md5", "nothex")))
    records.append(RecordProblem(21, "unreadable row"))
    with pytest.raises(ImportFormatError) as caught:
        service.import_records("l", records, "ana", "f")
    assert caught.value.total == 2
    assert [line for line, _ in caught.value.problems] == [20, 21]
    assert [e.signals for e in service.entries("l")] == [(md5(0),)]
    assert service.get_list("l").sequence == 1
    assert service.store.signal_changes_since(0).added[-1].signal == md5(0)


def test_problem_report_keeps_the_first_lines_and_counts_all(
    service: ListService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("hashwarden.core.lists.services.MAX_PROBLEMS", 5)
    records = [RecordProblem(line, "bad") for line in range(1, 51)]
    with pytest.raises(ImportFormatError, match="50 invalid line") as caught:
        service.import_records("l", records)
    assert [line for line, _ in caught.value.problems] == [1, 2, 3, 4, 5]
