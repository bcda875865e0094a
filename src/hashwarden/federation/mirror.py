"""Turning a verified page into the net effect on each remote entry (pure).

A page may touch one remote entry several times (added, updated, removed); a list batch may
touch a local entry once. Only the entry's final state matters to the mirror, so each remote
id collapses to its last state: its data, or ``None`` when the page ends with it removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from hashwarden.core.errors import InvalidSignalError
from hashwarden.core.lists.models import ChangeOp, EntryData, Signal
from hashwarden.core.signals.registry import SIGNALS, SignalRegistry
from hashwarden.federation.envelope import FeedChange
from hashwarden.federation.errors import MalformedPageError
from hashwarden.formats.jsonl import RecordError, entry_from_json

#: Remote entry id -> its state after the page (``None``: removed).
FinalStates = dict[int, EntryData | None]


def final_states(
    changes: Sequence[FeedChange], signals: SignalRegistry = SIGNALS
) -> FinalStates:
    """Each remote entry's state after ``changes``; raises ``MalformedPageError``."""
    states: FinalStates = {}
    for number, change in enumerate(changes, 2):
        if change.op is ChangeOp.REMOVE:
            states[change.entry_id] = None
            continue
        try:
            data = entry_from_json(change.entry)
        except RecordError as exc:
            raise MalformedPageError(f"line {number}: {exc}") from None
        if data is None:
            raise MalformedPageError(f"line {number}: a {change.op} carries a removed entry")
        try:
            parsed = {Signal(*signals.parse(s.type, s.value)) for s in data.signals}
        except InvalidSignalError as exc:
            raise MalformedPageError(f"line {number}: {exc}") from None
        states[change.entry_id] = replace(data, signals=tuple(sorted(parsed)))
    return states
