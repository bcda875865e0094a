"""Which of a page's records to import, when pages are not in time order.

NCMEC returns the entries updated in a window in no particular order, and one entry (a member's
id) can come more than once in a run: python-threatexchange's test pages have an entry live on
one page and its deletion, stamped later, on the next. Applying every state as it comes could
bring back an entry deleted after it was added, and a rerun of an interrupted window would add
and remove the same entry again. So a window is first fetched whole, noting the newest state of
each (member, id) (``NewestStates``), and then only those states are imported.

Deletions go by external id (``RemovedRecord``), which NCMEC only makes unique per member. A
deletion is therefore applied only when a live entry with that id came from the same member (or
no live entry has the id, where it changes nothing); it is put before the page's entries so that
it cannot cancel another member's record with the same id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from hashwarden.core.errors import InvalidSignalError
from hashwarden.core.lists.models import Entry
from hashwarden.core.lists.records import ImportRecord, ParsedRecord, RecordProblem, RemovedRecord
from hashwarden.core.signals.registry import SignalRegistry
from hashwarden.formats.ncmec_xml_names import SCHEME
from hashwarden.remote_pull.ncmec_client import PullError
from hashwarden.remote_pull.ncmec_page import EntryMeta, PageInfo

_UNKNOWN_TIME = datetime.min.replace(tzinfo=UTC)
#: The format reader's message when it gives up on a document (the page is then unusable).
_STOPPED = "reading stopped"


class NewestStates:
    """Where the newest state of each (member, id) of a window is: (time, page, position)."""

    def __init__(self) -> None:
        self._newest: dict[tuple[str, str], tuple[datetime, int, int]] = {}

    def see(self, page: int, entries: Sequence[EntryMeta]) -> None:
        """Note a fetched page's entries; of two states with one time, the later one counts."""
        for position, meta in enumerate(entries):
            when = meta.timestamp or _UNKNOWN_TIME
            current = self._newest.get(_key(meta))
            if current is None or when >= current[0]:
                self._newest[_key(meta)] = (when, page, position)

    def is_newest(self, page: int, position: int, meta: EntryMeta) -> bool:
        found = self._newest.get(_key(meta))
        return found is not None and found[1:] == (page, position)


@dataclass
class PagePlan:
    """The records to import for one page, and what was left out."""

    records: list[ImportRecord] = field(default_factory=list)
    entries: int = 0
    deletions: int = 0
    #: Older states of entries whose newer state this window has.
    superseded: int = 0
    #: Deletions of an id whose live entries all came from other members.
    foreign_deletions: int = 0
    #: Why entries were skipped (no values shown: hash lists are sensitive).
    skipped: list[str] = field(default_factory=list)


def plan_page(
    records: Sequence[ImportRecord],
    page: PageInfo,
    number: int,
    newest: NewestStates,
    label: str,
    signals: SignalRegistry,
    find_live: Callable[[Iterable[str]], list[Entry]],
) -> PagePlan:
    """Pair the reader's records with page ``number``'s entries and choose what to import."""
    stops = [r for r in records if isinstance(r, RecordProblem) and r.message.endswith(_STOPPED)]
    if stops:
        raise PullError(f"{label} could not be read: line {stops[0].line}: {stops[0].message}")
    if len(records) != len(page.entries):
        raise PullError(f"{label}: {len(page.entries)} entries but {len(records)} records read")
    plan = PagePlan()
    kept: list[tuple[EntryMeta, ImportRecord]] = []
    for position, (record, meta) in enumerate(zip(records, page.entries, strict=True)):
        if isinstance(record, RecordProblem):
            plan.skipped.append(f"{label} line {record.line}: {record.message}")
            continue
        external_id = record.external_id if isinstance(record, RemovedRecord) else (
            record.entry.external_id)
        if external_id != meta.external_id:
            raise PullError(f"{label} line {record.line}: the entry ids read do not agree")
        if not newest.is_newest(number, position, meta):
            plan.superseded += 1
            continue
        if isinstance(record, ParsedRecord) and (bad := _invalid_signal(record, signals)):
            plan.skipped.append(f"{label} line {record.line}: invalid {bad} value; skipped")
            continue
        kept.append((meta, record))

    deletions = [(m, r) for m, r in kept if isinstance(r, RemovedRecord)]
    owners = _live_members(find_live(m.external_id for m, _ in deletions)) if deletions else {}
    for meta, record in deletions:
        members = owners.get(meta.external_id)
        if members and meta.member not in members:
            plan.foreign_deletions += 1
            continue
        plan.records.append(record)
        plan.deletions += 1
    for _meta, record in kept:
        if isinstance(record, ParsedRecord):
            plan.records.append(record)
            plan.entries += 1
    return plan


def _key(meta: EntryMeta) -> tuple[str, str]:
    return meta.member, meta.external_id


def _invalid_signal(record: ParsedRecord, signals: SignalRegistry) -> str:
    """The type of the first signal the list service would refuse (its message shows values)."""
    for signal in record.entry.signals:
        try:
            signals.parse(signal.type, signal.value)
        except InvalidSignalError:
            return signal.type
    return ""


def _live_members(entries: Iterable[Entry]) -> dict[str, set[str]]:
    """External id -> the NCMEC member ids its live entries came from ("" when not known)."""
    members: dict[str, set[str]] = {}
    for entry in entries:
        ncmec = entry.data.attributes.get(SCHEME)
        member = ncmec.get("member") if isinstance(ncmec, dict) else None
        member_id = member.get("id", "") if isinstance(member, dict) else ""
        members.setdefault(entry.data.external_id, set()).add(str(member_id))
    return members
