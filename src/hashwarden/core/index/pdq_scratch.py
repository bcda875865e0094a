"""Per-thread reusable work buffers for the search hot path.

Fresh temporaries of a few hundred KB are mapped from the OS on every query and page-faulted
in on first touch, which on virtual machines costs more than the search itself. Reusing buffers
(one set per thread, so concurrent searches never share them) avoids that.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import numpy.typing as npt

#: Buffers larger than this many elements are not kept between calls.
_KEEP_LIMIT = 1 << 21


class Scratch(threading.local):
    def __init__(self) -> None:
        self._buffers: dict[str, npt.NDArray[Any]] = {}

    def get(self, name: str, length: int, dtype: type[np.generic], width: int = 0) -> Any:
        """An uninitialised array of ``length`` rows (``width`` columns if non-zero)."""
        buffer = self._buffers.get(name)
        if buffer is None or len(buffer) < length or buffer.dtype != dtype:
            capacity = max(length, 1024, 2 * len(buffer) if buffer is not None else 0)
            shape = (capacity, width) if width else (capacity,)
            buffer = np.empty(shape, dtype=dtype)
            if capacity <= _KEEP_LIMIT:
                self._buffers[name] = buffer
        return buffer[:length]


SCRATCH = Scratch()
