"""Stream a list export through any ``ListFormat`` without holding the file in memory.

Formats write to a text stream; this runs the writer in a thread whose stream hands chunks to
the response through a small bounded queue, so memory stays constant for any list size.
"""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Callable, Iterator

CHUNK_CHARS = 64 * 1024
_DONE = object()


class _QueueWriter(io.TextIOBase):
    def __init__(self, out: queue.Queue[object]) -> None:
        self._out = out
        self._parts: list[str] = []
        self._size = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._parts.append(text)
        self._size += len(text)
        if self._size >= CHUNK_CHARS:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self._parts:
            self._out.put("".join(self._parts).encode("utf-8", "surrogateescape"))
            self._parts, self._size = [], 0


def stream_text(write: Callable[[io.TextIOBase], object]) -> Iterator[bytes]:
    """Bytes of everything ``write(stream)`` writes, produced while it writes."""
    chunks: queue.Queue[object] = queue.Queue(maxsize=8)

    def run() -> None:
        writer = _QueueWriter(chunks)
        try:
            write(writer)
            writer.flush()
            chunks.put(_DONE)
        except BaseException as exc:  # handed to the reader, which re-raises it
            chunks.put(exc)

    thread = threading.Thread(target=run, name="export-writer", daemon=True)
    thread.start()
    try:
        while True:
            item = chunks.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, bytes)
            yield item
    finally:
        # A client that went away leaves the writer blocked on a full queue: drain it.
        while thread.is_alive():
            try:
                chunks.get(timeout=0.1)
            except queue.Empty:
                continue
