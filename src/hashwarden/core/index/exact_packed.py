"""An immutable exact-match table in flat arrays, for snapshots shared between processes.

Keys of one signal type and one width sit in a sorted fixed-width byte array (``S<width>``) with
their labels alongside; a lookup is two binary searches. An MD5 costs 24 bytes here (plus 8 for
the label directory) instead of ~165 in the dict-based ``ExactIndex``, and the arrays can be
mapped from files. Hex keys (stored as bytes) and text keys live in separate tables, so an opaque
``"abcd"`` never meets the bytes of hex ``abcd``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from hashwarden.core.index.array_files import load_array, save_array

Key = bytes | str
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class _Table:
    """Sorted keys of one type, kind (``b``: hex bytes, ``t``: UTF-8 text) and width."""

    kind: str
    keys: npt.NDArray[np.bytes_]
    labels: Ints

    def find(self, key: bytes) -> Ints:
        lo = int(np.searchsorted(self.keys, key, side="left"))
        hi = int(np.searchsorted(self.keys, key, side="right"))
        return self.labels[lo:hi]


class PackedExact:
    def __init__(self, tables: dict[str, list[_Table]], all_labels: Ints) -> None:
        self._tables = tables
        #: Every label held, sorted: membership tests for removals.
        self._all_labels = all_labels

    @classmethod
    def build(
        cls,
        items: Iterable[tuple[str, Key, int]],
        base: PackedExact | None = None,
        dead: Iterable[int] = (),
    ) -> PackedExact:
        """Pack (signal type, key, label) triples, plus ``base``'s rows except ``dead`` labels.

        A label must appear once. Base rows are carried over as arrays (no per-row Python), so
        re-packing a large base with a small overlay stays cheap.
        """
        groups: dict[tuple[str, str, int], tuple[list[bytes], list[int]]] = {}
        for signal_type, key, label in items:
            kind, raw = ("b", key) if isinstance(key, bytes) else ("t", key.encode("utf-8"))
            width = len(raw) if kind == "b" else 0  # text: one table, padded to the longest
            keys, labels = groups.setdefault((signal_type, kind, width), ([], []))
            keys.append(raw)
            labels.append(label)
        arrays: dict[tuple[str, str, int], list[tuple[npt.NDArray[np.bytes_], Ints]]] = {}
        for group, (keys, labels) in groups.items():
            arrays[group] = [(np.array(keys, dtype=np.bytes_), np.asarray(labels, np.int64))]
        if base is not None:
            dead_labels = np.fromiter(dead, dtype=np.int64)
            for signal_type, held in base._tables.items():
                for table in held:
                    width = table.keys.itemsize if table.kind == "b" else 0
                    alive = ~np.isin(table.labels, dead_labels)
                    found = arrays.setdefault((signal_type, table.kind, width), [])
                    found.append((table.keys[alive], table.labels[alive]))
        tables: dict[str, list[_Table]] = {}
        everything: list[Ints] = []
        for (signal_type, kind, _), parts in sorted(arrays.items()):
            key_array = np.concatenate([p[0] for p in parts])
            label_array = np.concatenate([p[1] for p in parts])
            if not len(label_array):
                continue
            order = np.lexsort((label_array, key_array))
            tables.setdefault(signal_type, []).append(
                _Table(kind, key_array[order], label_array[order])
            )
            everything.append(label_array)
        all_labels = np.sort(np.concatenate(everything)) if everything else np.zeros(0, np.int64)
        return cls(tables, all_labels)

    def __len__(self) -> int:
        return len(self._all_labels)

    def signal_types(self) -> list[str]:
        return sorted(self._tables)

    def find(self, signal_type: str, key: Key) -> Ints:
        """Labels stored under ``key`` (ascending)."""
        kind, raw = ("b", key) if isinstance(key, bytes) else ("t", key.encode("utf-8"))
        for table in self._tables.get(signal_type, ()):
            if table.kind != kind or (kind == "b" and table.keys.itemsize != len(raw)):
                continue
            if len(raw) > table.keys.itemsize:
                continue
            return table.find(raw)
        return np.zeros(0, dtype=np.int64)

    def contains(self, labels: Ints) -> npt.NDArray[np.bool_]:
        where = np.searchsorted(self._all_labels, labels)
        inside = where < len(self._all_labels)
        found = np.zeros(len(labels), dtype=np.bool_)
        found[inside] = self._all_labels[where[inside]] == labels[inside]
        return found

    def items(self) -> Iterator[tuple[str, Key, int]]:
        """Every (signal type, key, label), keys in the form ``ExactIndex`` uses."""
        for signal_type, tables in self._tables.items():
            for table in tables:
                width = table.keys.itemsize
                for raw, label in zip(table.keys.tolist(), table.labels.tolist(), strict=True):
                    # NumPy strips trailing NUL bytes from ``S`` items; digests may end in 00.
                    key = raw.ljust(width, b"\0") if table.kind == "b" else raw.decode("utf-8")
                    yield signal_type, key, label

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        manifest: list[dict[str, object]] = []
        for signal_type, tables in sorted(self._tables.items()):
            for number, table in enumerate(tables):
                stem = f"{len(manifest)}"
                save_array(directory, f"{stem}.keys", table.keys)
                save_array(directory, f"{stem}.labels", table.labels)
                manifest.append(
                    {"type": signal_type, "kind": table.kind, "stem": stem, "n": number}
                )
        save_array(directory, "all_labels", self._all_labels)
        (directory / "tables.json").write_text(json.dumps(manifest), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, *, mapped: bool = True) -> PackedExact:
        manifest = json.loads((directory / "tables.json").read_text(encoding="utf-8"))
        tables: dict[str, list[_Table]] = {}
        for item in manifest:
            keys = load_array(directory, f"{item['stem']}.keys", mapped=mapped)
            labels = load_array(directory, f"{item['stem']}.labels", mapped=mapped)
            tables.setdefault(item["type"], []).append(_Table(item["kind"], keys, labels))
        return cls(tables, load_array(directory, "all_labels", mapped=mapped))
