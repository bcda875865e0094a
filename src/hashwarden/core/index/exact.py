"""Exact-match index for cryptographic digests and opaque hashes: (type, value) -> labels.

Values are expected in canonical form (``SignalType.parse``). Lowercase hex values are stored as
their bytes (an MD5 key is 16 bytes instead of a 32-character string); anything else is kept as
text. Only lowercase hex is converted, so an opaque ``"ABCD"`` never collides with ``"abcd"``.
Each label holds one value; adding a label that is already present replaces its value.

An index may sit on a ``PackedExact`` base (a shared snapshot): the base is never modified;
removals of its labels are remembered in a small set and additions go to the dicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from hashwarden.core.index.exact_packed import PackedExact

Key = bytes | str
#: One label (the common case, no container) or several labels sharing a value.
Labels = int | tuple[int, ...]

_HEX = frozenset("0123456789abcdef")


def value_key(value: str) -> Key:
    """The stored form of a canonical value."""
    if value and len(value) % 2 == 0 and _HEX.issuperset(value):
        return bytes.fromhex(value)
    return value


class ExactIndex:
    def __init__(self, base: PackedExact | None = None) -> None:
        self._labels_of: dict[str, dict[Key, Labels]] = {}
        self._key_of: dict[str, dict[int, Key]] = {}
        self._base = base
        #: Labels of the base that were removed or replaced since.
        self._base_dead: set[int] = set()

    def __len__(self) -> int:
        base = len(self._base) - len(self._base_dead) if self._base is not None else 0
        return base + sum(len(keys) for keys in self._key_of.values())

    def overlay_size(self) -> int:
        """Changes held outside the base: added labels plus removed base labels."""
        return sum(len(keys) for keys in self._key_of.values()) + len(self._base_dead)

    def signal_types(self) -> list[str]:
        names = {name for name, keys in self._key_of.items() if keys}
        if self._base is not None:
            names.update(self._base.signal_types())
        return sorted(names)

    def overlay_items(self) -> list[tuple[str, Key, int]]:
        """Every (signal type, key, label) held outside the base."""
        return [
            (signal_type, key, label)
            for signal_type, key_of in self._key_of.items()
            for label, key in key_of.items()
        ]

    def capture(self) -> tuple[PackedExact | None, frozenset[int], list[tuple[str, Key, int]]]:
        """What ``PackedExact.build`` needs to pack the live contents; cheap to take."""
        return self._base, frozenset(self._base_dead), self.overlay_items()

    def add(self, labels: npt.ArrayLike, signal_type: str, values: Sequence[str]) -> None:
        """Index ``values`` of ``signal_type`` under ``labels`` (parallel sequences)."""
        label_list = _as_labels(labels)
        if len(label_list) != len(values):
            raise ValueError(f"{len(label_list)} labels for {len(values)} values")
        self.remove(label_list)
        labels_of = self._labels_of.setdefault(signal_type, {})
        key_of = self._key_of.setdefault(signal_type, {})
        for label, value in zip(label_list, values, strict=True):
            key = value_key(value)
            if label in key_of:  # repeated within this batch: the last value wins
                self._unlink(labels_of, key_of.pop(label), label)
            key_of[label] = key
            held = labels_of.get(key)
            if held is None:
                labels_of[key] = label
            elif isinstance(held, int):
                labels_of[key] = (held, label)
            else:
                labels_of[key] = (*held, label)

    def remove(self, labels: npt.ArrayLike | Iterable[int]) -> int:
        """Drop ``labels`` wherever they are; returns how many were present."""
        removed = 0
        unique = set(_as_labels(labels))
        if self._base is not None and unique:
            candidates = np.fromiter(unique - self._base_dead, dtype=np.int64)
            in_base = candidates[self._base.contains(candidates)].tolist()
            self._base_dead.update(in_base)
            removed += len(in_base)
        for label in unique:
            for signal_type, key_of in self._key_of.items():
                key = key_of.pop(label, None)
                if key is not None:
                    self._unlink(self._labels_of[signal_type], key, label)
                    removed += 1
                    break
        return removed

    def search(self, signal_type: str, values: Sequence[str]) -> list[tuple[int, int]]:
        """(query position, label) for every indexed label whose value equals a query value."""
        labels_of = self._labels_of.get(signal_type)
        base = self._base
        if not labels_of and base is None:
            return []
        hits: list[tuple[int, int]] = []
        for position, value in enumerate(values):
            key = value_key(value)
            found: list[int] = []
            if base is not None:
                dead = self._base_dead
                found.extend(x for x in base.find(signal_type, key).tolist() if x not in dead)
            held = labels_of.get(key) if labels_of else None
            if isinstance(held, int):
                found.append(held)
            elif held is not None:
                found.extend(held)
            hits.extend((position, label) for label in sorted(found))
        return hits

    @staticmethod
    def _unlink(labels_of: dict[Key, Labels], key: Key, label: int) -> None:
        held = labels_of[key]
        if isinstance(held, int):
            del labels_of[key]
            return
        rest = tuple(x for x in held if x != label)
        labels_of[key] = rest[0] if len(rest) == 1 else rest


def _as_labels(labels: npt.ArrayLike | Iterable[int]) -> list[int]:
    return [int(x) for x in np.asarray(labels, dtype=np.int64).ravel().tolist()]
