"""Hash-list use cases: validation, de-duplication and atomic imports over any ``ListStore``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from hashwarden.core.errors import ImportFormatError, InvalidSignalError, ListError
from hashwarden.core.lists.interfaces import ListChanges, ListPatch, ListStore, ListWriter
from hashwarden.core.lists.models import Change, Entry, EntryData, HashList, ListKind, Signal
from hashwarden.core.lists.records import (
    ImportRecord,
    ParsedRecord,
    RecordProblem,
    RemovedRecord,
)
from hashwarden.core.lists.sharing import shareable_entries, shareable_entry
from hashwarden.core.signals.registry import SIGNALS, SignalRegistry

_LIST_NAME = re.compile(r"[A-Za-z0-9._-]{1,100}")
#: Signals per ``find_live_entries`` call while de-duplicating an import.
LOOKUP_BATCH = 1000
#: Records merged and written per step of an import: bounds its memory, not its atomicity.
IMPORT_CHUNK = 20_000
#: Bad lines kept for an import's error report (all are counted).
MAX_PROBLEMS = 1000


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import or ``add_entries`` did to the list."""

    #: New entries created.
    added: int = 0
    #: Existing entries that gained signals or fields from the import (or absorbed other entries).
    merged: int = 0
    #: Existing entries the import matched without adding anything to them.
    unchanged: int = 0
    #: The list's sequence number after the import.
    sequence: int = 0
    #: Valid records read (duplicates within the input included).
    records: int = 0
    #: Live entries removed because the input withdrew them (exchange deletion notices).
    removed: int = 0

    @property
    def updated(self) -> int:
        return self.merged


class ListService:
    def __init__(self, store: ListStore, signals: SignalRegistry = SIGNALS) -> None:
        self.store = store
        self.signals = signals

    # -- lists ---------------------------------------------------------------------------------

    def create_list(
        self,
        name: str,
        *,
        description: str = "",
        kind: ListKind = ListKind.BLOCK,
        thresholds: dict[str, int] | None = None,
        classification_scheme: str = "",
    ) -> HashList:
        """Create an empty list; ``name`` is 1-100 characters of ``A-Z a-z 0-9 . _ -``."""
        if not _LIST_NAME.fullmatch(name):
            raise ListError(
                f"invalid list name {name!r}: use 1-100 letters, digits, '.', '_' or '-'"
            )
        return self.store.create_list(
            HashList(
                name=name,
                description=description,
                kind=ListKind(kind),
                thresholds=self._checked_thresholds(thresholds or {}),
                classification_scheme=classification_scheme,
            )
        )

    def update_list(
        self,
        name: str,
        *,
        description: str | None = None,
        kind: ListKind | None = None,
        thresholds: dict[str, int] | None = None,
        classification_scheme: str | None = None,
    ) -> HashList:
        """Change the given settings; ``thresholds`` replaces the whole threshold table."""
        patch = ListPatch(
            description=description,
            kind=ListKind(kind) if kind is not None else None,
            thresholds=self._checked_thresholds(thresholds) if thresholds is not None else None,
            classification_scheme=classification_scheme,
        )
        return self.store.update_list(name, patch)

    def delete_list(self, name: str) -> None:
        self.store.delete_list(name)

    def get_list(self, name: str) -> HashList:
        return self.store.get_list(name)

    def lists(self) -> list[HashList]:
        return self.store.all_lists()

    def _checked_thresholds(self, thresholds: dict[str, int]) -> dict[str, int]:
        checked: dict[str, int] = {}
        for type_name, value in thresholds.items():
            signal_type = self.signals.get(type_name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not 0 <= value <= signal_type.max_threshold
            ):
                raise ListError(
                    f"threshold for {signal_type.name} must be a whole number from 0 to "
                    f"{signal_type.max_threshold}, got {value!r}"
                )
            checked[signal_type.name] = value
        return checked

    # -- entries -------------------------------------------------------------------------------

    def add_entries(
        self, list_name: str, entries: Iterable[EntryData], actor: str = ""
    ) -> ImportSummary:
        """Add entries, merging those that share a signal with each other or a live entry.

        Invalid entries raise ``ImportFormatError`` (numbered from 1) and nothing is written.
        """
        records = (ParsedRecord(number, entry) for number, entry in enumerate(entries, 1))
        return self.import_records(list_name, records, actor, source_name="entries")

    def import_records(
        self,
        list_name: str,
        records: Iterable[ImportRecord],
        actor: str = "",
        source_name: str = "",
    ) -> ImportSummary:
        """Validate, merge and write records a chunk at a time inside one transaction.

        Memory is bounded by ``IMPORT_CHUNK`` whatever the input's size. Any problem (reported by
        the reader or found here) raises ``ImportFormatError`` listing the bad lines, and nothing
        of the import is kept. Records that share an exact signal (a PDQ value counts when
        identical) with each other or with a live entry become one entry; a record that joins an
        entry an earlier chunk of the same import created counts as merged. A ``RemovedRecord``
        removes the live entries with that external id (an earlier chunk's too) and cancels
        records with that id read before it in its chunk (the file's order is that of events).
        """
        totals = _Totals()
        problems: list[tuple[int, str]] = []
        bad = 0
        with self.store.writing(list_name) as writer:
            chunk = _Chunk()
            for record in records:
                problem = self._take(chunk, record)
                if problem is not None:
                    bad += 1
                    if len(problems) < MAX_PROBLEMS:
                        problems.append(problem)
                    chunk = _Chunk()  # nothing will be written: stop holding records
                elif not bad and len(chunk) >= IMPORT_CHUNK:
                    self._write_chunk(writer, chunk, totals, actor)
                    chunk = _Chunk()
            if bad:
                raise ImportFormatError(source_name or list_name, problems, bad)
            self._write_chunk(writer, chunk, totals, actor)
            sequence = writer.sequence
        return ImportSummary(
            added=totals.added,
            merged=totals.merged,
            unchanged=totals.unchanged,
            sequence=sequence,
            records=totals.records,
            removed=totals.removed,
        )

    def _take(self, chunk: _Chunk, record: ImportRecord) -> tuple[int, str] | None:
        """Add one record to the chunk; a bad one comes back as ``(line, message)``."""
        if isinstance(record, RecordProblem):
            return (record.line, record.message)
        if isinstance(record, RemovedRecord):
            chunk.withdraw(record.external_id)
            return None
        try:
            chunk.add(self._canonical(record.entry))
        except InvalidSignalError as exc:
            return (record.line, str(exc))
        return None

    @staticmethod
    def _write_chunk(writer: ListWriter, chunk: _Chunk, totals: _Totals, actor: str) -> None:
        valid = chunk.valid()
        plan = _plan_merge(valid, writer.find_live_entries)
        gone = writer.find_live_by_external_id(chunk.withdrawn) if chunk.withdrawn else []
        touched = set(plan.remove) | {entry_id for entry_id, _ in plan.update}
        removed = [entry.id for entry in gone if entry.id not in touched]
        plan.remove.extend(removed)
        writer.apply(ListChanges(add=plan.add, update=plan.update, remove=plan.remove, actor=actor))
        totals.added += len(plan.add)
        totals.merged += plan.merged
        totals.unchanged += plan.unchanged
        totals.records += len(valid)
        totals.removed += len(removed)

    def update_entry(
        self, list_name: str, entry_id: int, data: EntryData, actor: str = ""
    ) -> Change:
        """Replace a live entry's data (signals validated); returns the change."""
        changes = ListChanges(update=[(entry_id, self._canonical(data))], actor=actor)
        return self.store.apply(list_name, changes)[0]

    def remove_entries(self, list_name: str, ids: Iterable[int], actor: str = "") -> list[Change]:
        """Tombstone live entries in one transaction; an unknown or removed id changes nothing."""
        unique = list(dict.fromkeys(ids))
        if not unique:
            return []
        return self.store.apply(list_name, ListChanges(remove=unique, actor=actor))

    def get_entry(self, list_name: str, entry_id: int) -> Entry:
        """One entry as it may leave this instance (local-only signals dropped)."""
        return shareable_entry(self.store.get_entry(list_name, entry_id), self.signals)

    def entries(self, list_name: str, include_removed: bool = False) -> Iterator[Entry]:
        """The list's entries as they may leave this instance (local-only signals dropped)."""
        return shareable_entries(self.store.entries(list_name, include_removed), self.signals)

    def count_entries(self, list_name: str) -> int:
        return self.store.count_entries(list_name)

    def changes_since(self, list_name: str, sequence: int, limit: int = 1000) -> list[Change]:
        """The list's history as it may leave this instance (local-only signals dropped)."""
        changes = self.store.changes_since(list_name, sequence, limit)
        return [replace(c, entry=shareable_entry(c.entry, self.signals)) for c in changes]

    def _canonical(self, entry: EntryData) -> EntryData:
        """The entry with every signal's type name and value in canonical form."""
        if not entry.signals:
            raise InvalidSignalError("no hash given")
        canonical = {Signal(*self.signals.parse(s.type, s.value)) for s in entry.signals}
        return replace(entry, signals=tuple(sorted(canonical)))


@dataclass
class _Totals:
    added: int = 0
    merged: int = 0
    unchanged: int = 0
    records: int = 0
    removed: int = 0


class _Chunk:
    """Records read since the last write, with withdrawals applied in file order."""

    def __init__(self) -> None:
        self._records: list[EntryData | None] = []
        self._by_external_id: dict[str, list[int]] = {}
        self.withdrawn: set[str] = set()

    def __len__(self) -> int:
        return len(self._records)

    def add(self, data: EntryData) -> None:
        if data.external_id:
            self._by_external_id.setdefault(data.external_id, []).append(len(self._records))
        self._records.append(data)

    def withdraw(self, external_id: str) -> None:
        for position in self._by_external_id.pop(external_id, []):
            self._records[position] = None
        self.withdrawn.add(external_id)

    def valid(self) -> list[EntryData]:
        return [data for data in self._records if data is not None]


@dataclass
class _MergePlan:
    add: list[EntryData] = field(default_factory=list)
    update: list[tuple[int, EntryData]] = field(default_factory=list)
    remove: list[int] = field(default_factory=list)
    merged: int = 0
    unchanged: int = 0


class _DisjointSets:
    def __init__(self) -> None:
        self.parent: list[int] = []

    def add(self) -> int:
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def find(self, node: int) -> int:
        root = node
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[node] != root:
            self.parent[node], node = root, self.parent[node]
        return root

    def union(self, a: int, b: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            # The smaller node (the earlier record) stays the root so merges keep file order.
            low, high = sorted((root_a, root_b))
            self.parent[high] = low


def _plan_merge(
    records: Sequence[EntryData], find_live: Callable[[Sequence[Signal]], list[Entry]]
) -> _MergePlan:
    """Group records and live entries that share a signal; decide add, update or leave alone."""
    sets = _DisjointSets()
    owner: dict[Signal, int] = {}
    for data in records:
        node = sets.add()
        for signal in data.signals:
            if signal in owner:
                sets.union(node, owner[signal])
            else:
                owner[signal] = node

    existing: dict[int, Entry] = {}  # node -> live entry
    node_of_entry: dict[int, int] = {}
    wanted = list(owner)
    for start in range(0, len(wanted), LOOKUP_BATCH):
        for entry in find_live(wanted[start : start + LOOKUP_BATCH]):
            if entry.id not in node_of_entry:
                node_of_entry[entry.id] = sets.add()
                existing[node_of_entry[entry.id]] = entry
            for signal in entry.signals:
                if signal in owner:
                    sets.union(node_of_entry[entry.id], owner[signal])

    groups: dict[int, list[int]] = {}
    for node in range(len(sets.parent)):
        groups.setdefault(sets.find(node), []).append(node)

    plan = _MergePlan()
    for nodes in groups.values():
        incoming: EntryData | None = None
        for node in nodes:
            if node < len(records):
                incoming = (
                    records[node] if incoming is None else incoming.merged_with(records[node])
                )
        if incoming is None:
            continue
        matched = sorted((existing[node] for node in nodes if node in existing), key=_entry_id)
        if not matched:
            plan.add.append(incoming)
            continue
        merged = matched[0].data
        for other in matched[1:]:
            merged = merged.merged_with(other.data)
        merged = merged.merged_with(incoming)
        if len(matched) == 1 and merged == matched[0].data:
            plan.unchanged += 1
            continue
        plan.merged += 1
        plan.update.append((matched[0].id, merged))
        plan.remove.extend(entry.id for entry in matched[1:])
    return plan


def _entry_id(entry: Entry) -> int:
    return entry.id
