"""NumPy arrays in ``.npy`` files, mapped read-only so processes on one host share the pages.

A mapped array is handed out as a plain ``ndarray`` view of the mapping: ``np.memmap`` wraps
every derived array in Python-level ``__array_finalize__`` calls, which the index's hot loop
cannot afford, and the plain view keeps the mapping alive just the same.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt


def save_array(directory: Path, name: str, array: npt.NDArray[Any]) -> None:
    """Write ``array`` to ``directory/name.npy`` and flush it to disk."""
    path = directory / f"{name}.npy"
    with path.open("wb") as stream:
        np.save(stream, np.ascontiguousarray(array), allow_pickle=False)
        stream.flush()
        os.fsync(stream.fileno())


def load_array(
    directory: Path, name: str, *, mapped: bool = True, writable: bool = False
) -> npt.NDArray[Any]:
    """Read ``directory/name.npy``, mapped (shared page cache) unless ``mapped=False``.

    A mapped array is read-only, or with ``writable`` copy-on-write: written pages become
    private to the process and never reach the file.
    """
    path = directory / f"{name}.npy"
    if not mapped:
        loaded: npt.NDArray[Any] = np.load(path, allow_pickle=False)
        return loaded
    mode: Any = "c" if writable else "r"
    array = np.asarray(np.load(path, mmap_mode=mode, allow_pickle=False))
    _touch_pages(array)
    return array


def _touch_pages(array: npt.NDArray[Any]) -> None:
    """Read one byte per page, so the first queries do not stall on page faults (and the
    process's memory figures show the mapping it really uses)."""
    if array.size and array.flags.c_contiguous:
        int(array.reshape(-1).view(np.uint8)[::_PAGE].sum())


_PAGE = 4096


def fsync_directory(directory: Path) -> None:
    """Make a rename inside ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
