"""Property: after any import, every imported signal sits in exactly one live entry."""

from __future__ import annotations

import hashlib
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hashwarden.core.lists.models import EntryData, Signal
from hashwarden.core.lists.records import ParsedRecord
from hashwarden.core.lists.services import ListService
from hashwarden.storage.list_store import SqlListStore

POOL = [Signal("md5", hashlib.md5(f"p-{n}".encode()).hexdigest()) for n in range(8)] + [
    Signal("pdq", hashlib.sha256(f"p-{n}".encode()).hexdigest()) for n in range(4)
]
_names = itertools.count()
files = st.lists(
    st.lists(st.frozensets(st.sampled_from(POOL), min_size=1, max_size=3), max_size=8),
    min_size=1,
    max_size=3,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(imports=files)
def test_imports_never_leave_duplicates(
    store: SqlListStore, imports: list[list[frozenset[Signal]]]
) -> None:
    service = ListService(store)
    name = f"prop-{next(_names)}"
    service.create_list(name)
    seen: set[Signal] = set()
    for records in imports:
        parsed = [
            ParsedRecord(line, EntryData(tuple(signals))) for line, signals in enumerate(records, 1)
        ]
        summary = service.import_records(name, parsed, "prop", "file")
        seen.update(*records)
        holders: dict[Signal, int] = {}
        for entry in service.entries(name):
            for signal in entry.signals:
                assert signal not in holders, (
                    f"{signal} in entries {holders[signal]} and {entry.id}"
                )
                holders[signal] = entry.id
        assert set(holders) == seen
        assert summary.sequence == service.get_list(name).sequence
        again = service.import_records(name, parsed, "prop", "file")
        assert (again.added, again.merged) == (0, 0)
        assert again.sequence == summary.sequence
