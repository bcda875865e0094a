"""What a list should hold after pulling the fake's entries, and checks against what it holds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ncmec_fake import PASSWORD, USER, FakeEntry

from hashwarden.core.lists.models import Entry, Signal
from hashwarden.core.lists.services import ListService
from hashwarden.remote_pull.ncmec import NcmecPull
from hashwarden.remote_pull.settings import NcmecCredentials

LIST = "ncmec-mirror"
GOOD = NcmecCredentials(USER, PASSWORD)
#: The ``make_pull`` fixture: ``make_pull(list_name, credentials=, attempts=, step=, url=)``.
MakePull = Callable[..., NcmecPull]

BASE = datetime(2024, 3, 1, tzinfo=UTC)
#: The windows the tests pull: [SINCE, UNTIL) first, then [UNTIL, LATER).
SINCE = BASE
UNTIL = BASE + timedelta(days=3)
LATER = BASE + timedelta(days=6)
SIGNAL_OF = {"md5": "md5", "sha1": "sha1", "pdna": "photodna", "tmk-pdqf": "tmk_pdqf"}


def newest_live(entries: list[FakeEntry]) -> dict[str, FakeEntry]:
    """External id -> entry, for the entries whose newest state is live."""
    newest: dict[tuple[str, str], FakeEntry] = {}
    for entry in entries:
        key = (entry.member, entry.id)
        if key not in newest or entry.timestamp >= newest[key].timestamp:
            newest[key] = entry
    return {e.id: e for e in newest.values() if not e.deleted}


def live_by_id(lists: ListService, list_name: str) -> dict[str, Entry]:
    """The list's live entries by external id; fails on two live entries with one id."""
    live = list(lists.entries(list_name))
    ids = [entry.data.external_id for entry in live]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"duplicate live entries for {duplicates}"
    return {entry.data.external_id: entry for entry in live}


def assert_mirrors(lists: ListService, list_name: str, entries: list[FakeEntry]) -> None:
    """The list holds exactly the newest live state of every fake entry, signals and all."""
    expected = newest_live(entries)
    live = live_by_id(lists, list_name)
    assert sorted(live) == sorted(expected)
    for external_id, entry in live.items():
        source = expected[external_id]
        assert set(entry.signals) == {
            Signal(SIGNAL_OF[name], value) for name, value in source.fingerprints.items()
        }
        assert entry.data.category is not None
        assert entry.data.attributes["ncmec"]["member"]["id"] == source.member
        assert entry.data.attributes["ncmec"]["media"] == source.kind
