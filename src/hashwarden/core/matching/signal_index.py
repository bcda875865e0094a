"""The in-memory index over every live signal of every list, following the store's changes.

Labels are the store's signal ids. Per label only the owning list and entry are kept, in flat
NumPy arrays (10 bytes per signal) rather than Python objects, so memory stays flat at millions of
hashes; entry details are fetched from the store for the few labels that hit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from hashwarden.core.index.exact import ExactIndex
from hashwarden.core.index.pdq_index import PdqIndex, pdq_hex_to_bytes
from hashwarden.core.lists.interfaces import IndexedSignal, SignalDelta
from hashwarden.core.signals.registry import SIGNALS, SignalRegistry

_NO_LIST = -1
_Int = TypeVar("_Int", np.int64, np.int32)


@dataclass(frozen=True, slots=True)
class RawHit:
    """A label found for query ``query``; distance is 0 for exact types."""

    query: int
    label: int
    distance: int


class SignalIndex:
    def __init__(self, signals: SignalRegistry = SIGNALS) -> None:
        self._signals = signals
        self.pdq = PdqIndex()
        self.exact = ExactIndex()
        self.cursor = 0
        self._list_names: list[str] = []
        self._list_ids: dict[str, int] = {}
        self._entry_of = np.zeros(0, dtype=np.int64)
        self._list_of = np.zeros(0, dtype=np.int32)

    def __len__(self) -> int:
        return len(self.pdq) + len(self.exact)

    def apply(self, delta: SignalDelta) -> None:
        """Apply a store delta: removals first, so a re-added signal id ends up live."""
        if delta.removed_signal_ids:
            self._remove(delta.removed_signal_ids)
        if delta.added:
            self._add(delta.added)
        self.cursor = max(self.cursor, delta.cursor)

    def owner(self, label: int) -> tuple[str, int] | None:
        """(list name, entry id) of a live label."""
        if label >= len(self._list_of) or self._list_of[label] == _NO_LIST:
            return None
        return self._list_names[int(self._list_of[label])], int(self._entry_of[label])

    def search_pdq(self, hexes: Sequence[str], threshold: int) -> list[RawHit]:
        if not hexes or len(self.pdq) == 0:
            return []
        found = self.pdq.search(pdq_hex_to_bytes(hexes), threshold)
        return [
            RawHit(int(q), int(label), int(dist))
            for q, label, dist in zip(found.query, found.label, found.distance, strict=True)
        ]

    def search_exact(self, signal_type: str, values: Sequence[str]) -> list[RawHit]:
        if not values:
            return []
        return [RawHit(q, label, 0) for q, label in self.exact.search(signal_type, list(values))]

    def _add(self, added: Iterable[IndexedSignal]) -> None:
        pdq_labels: list[int] = []
        pdq_values: list[str] = []
        exact: dict[str, tuple[list[int], list[str]]] = {}
        for item in added:
            self._remember(item)
            signal_type = self._signals.get(item.signal.type)
            if signal_type.is_exact():
                labels, values = exact.setdefault(signal_type.name, ([], []))
                labels.append(item.signal_id)
                values.append(item.signal.value)
            else:
                pdq_labels.append(item.signal_id)
                pdq_values.append(item.signal.value)
        if pdq_labels:
            self.pdq.add(np.asarray(pdq_labels, dtype=np.int64), pdq_hex_to_bytes(pdq_values))
        for type_name, (labels, values) in exact.items():
            self.exact.add(np.asarray(labels, dtype=np.int64), type_name, values)

    def _remove(self, signal_ids: Sequence[int]) -> None:
        labels = np.asarray(signal_ids, dtype=np.int64)
        self.pdq.remove(labels)
        self.exact.remove(labels)
        inside = labels[labels < len(self._list_of)]
        self._list_of[inside] = _NO_LIST

    def _remember(self, item: IndexedSignal) -> None:
        label = item.signal_id
        if label >= len(self._list_of):
            size = max(label + 1, 2 * len(self._list_of), 1024)
            self._entry_of = _grow(self._entry_of, size, 0)
            self._list_of = _grow(self._list_of, size, _NO_LIST)
        list_id = self._list_ids.get(item.list_name)
        if list_id is None:
            list_id = len(self._list_names)
            self._list_names.append(item.list_name)
            self._list_ids[item.list_name] = list_id
        self._entry_of[label] = item.entry_id
        self._list_of[label] = list_id


def _grow(array: npt.NDArray[_Int], size: int, fill: int) -> npt.NDArray[_Int]:
    grown: npt.NDArray[_Int] = np.full(size, fill, dtype=array.dtype)
    grown[: len(array)] = array
    return grown
