"""Which list and entry own each index label (signal id), in flat arrays indexed by label.

Labels below ``base_size`` live in the base arrays, which may be mapped copy-on-write from a
snapshot shared by every worker: a removal dirties one private page, not the whole table.
Labels above live in private arrays that grow, so new signals never force a copy of the base.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import numpy.typing as npt

NO_LIST = -1
_Int = TypeVar("_Int", np.int64, np.int32)


class OwnerTable:
    def __init__(
        self,
        list_names: list[str] | None = None,
        entry_of: npt.NDArray[np.int64] | None = None,
        list_of: npt.NDArray[np.int32] | None = None,
    ) -> None:
        self.list_names: list[str] = list(list_names or [])
        self._list_ids = {name: i for i, name in enumerate(self.list_names)}
        self._base_entry = entry_of if entry_of is not None else np.zeros(0, dtype=np.int64)
        self._base_list = list_of if list_of is not None else np.zeros(0, dtype=np.int32)
        if len(self._base_entry) != len(self._base_list):
            raise ValueError("owner arrays differ in length")
        self._ext_entry = np.zeros(0, dtype=np.int64)
        self._ext_list = np.full(0, NO_LIST, dtype=np.int32)

    @property
    def base_size(self) -> int:
        return len(self._base_list)

    def get(self, label: int) -> tuple[str, int] | None:
        """(list name, entry id) of a live label."""
        base = self.base_size
        if label < base:
            list_id, entry_id = int(self._base_list[label]), int(self._base_entry[label])
        elif label - base < len(self._ext_list):
            slot = label - base
            list_id, entry_id = int(self._ext_list[slot]), int(self._ext_entry[slot])
        else:
            return None
        return None if list_id == NO_LIST else (self.list_names[list_id], entry_id)

    def set(self, label: int, list_name: str, entry_id: int) -> None:
        list_id = self._list_ids.get(list_name)
        if list_id is None:
            list_id = len(self.list_names)
            self.list_names.append(list_name)
            self._list_ids[list_name] = list_id
        base = self.base_size
        if label < base:
            self._base_entry[label], self._base_list[label] = entry_id, list_id
            return
        slot = label - base
        if slot >= len(self._ext_list):
            size = max(slot + 1, 2 * len(self._ext_list), 1024)
            self._ext_entry = _grow(self._ext_entry, size, 0)
            self._ext_list = _grow(self._ext_list, size, NO_LIST)
        self._ext_entry[slot], self._ext_list[slot] = entry_id, list_id

    def clear(self, labels: npt.NDArray[np.int64]) -> None:
        base = self.base_size
        in_base = labels[labels < base]
        if len(in_base):
            self._base_list[in_base] = NO_LIST
        slots = labels[labels >= base] - base
        self._ext_list[slots[slots < len(self._ext_list)]] = NO_LIST

    def arrays(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]:
        """(entry_of, list_of) over every label, for writing a snapshot."""
        live = np.flatnonzero(self._ext_list != NO_LIST)
        used = int(live[-1]) + 1 if len(live) else 0
        entry_of = np.concatenate((self._base_entry, self._ext_entry[:used]))
        list_of = np.concatenate((self._base_list, self._ext_list[:used]))
        return entry_of, list_of


def _grow(array: npt.NDArray[_Int], size: int, fill: int) -> npt.NDArray[_Int]:
    grown: npt.NDArray[_Int] = np.full(size, fill, dtype=array.dtype)
    grown[: len(array)] = array
    return grown
