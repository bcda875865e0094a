"""What of an entry may leave this instance: every signal whose type is ``shareable``.

Local-only signals (ORB features, see ``signals.orb``) help this instance's matcher but could
give away a likeness of the listed picture, so exports, feeds and API responses drop them here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from hashwarden.core.lists.models import Entry, Signal
from hashwarden.core.signals.registry import SIGNALS, SignalRegistry


def shareable_signals(
    signals: Iterable[Signal], registry: SignalRegistry = SIGNALS
) -> tuple[Signal, ...]:
    return tuple(s for s in signals if s.type not in registry or registry.get(s.type).shareable)


def shareable_entry(entry: Entry, registry: SignalRegistry = SIGNALS) -> Entry:
    kept = shareable_signals(entry.data.signals, registry)
    if len(kept) == len(entry.data.signals):
        return entry
    return replace(entry, data=replace(entry.data, signals=kept))


def shareable_entries(
    entries: Iterable[Entry], registry: SignalRegistry = SIGNALS
) -> Iterator[Entry]:
    return (shareable_entry(entry, registry) for entry in entries)
