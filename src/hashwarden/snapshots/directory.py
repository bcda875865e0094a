"""The folder of index snapshots for one database on one host, and the lock its writers share.

Snapshots are named ``snap-<cursor>-<random>`` (cursor zero-padded, so names sort by cursor) and
appear atomically: written under a temporary name, flushed, then renamed. Only the newest few are
kept; a process still mapping a deleted one keeps its pages until it moves to a newer one.
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from hashwarden.core.index.array_files import fsync_directory
from hashwarden.snapshots.files import IndexCapture, write

_PREFIX = "snap-"
_TEMP_PREFIX = ".tmp-"
#: Unfinished temporary folders older than this are from a killed writer.
_STALE_TEMP_SECONDS = 3600.0


def snapshot_cursor(path: Path) -> int:
    return int(path.name[len(_PREFIX) :].split("-", 1)[0])


class SnapshotDirectory:
    def __init__(self, root: Path, keep: int = 2) -> None:
        self.root = root
        self.keep = max(1, keep)
        root.mkdir(parents=True, exist_ok=True)

    @contextlib.contextmanager
    def lock(self, *, blocking: bool = True) -> Iterator[bool]:
        """Hold the writers' lock (across processes); yields False if not blocking and busy."""
        with (self.root / "lock").open("a") as handle:
            flags = fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB)
            try:
                fcntl.flock(handle, flags)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def snapshots(self) -> list[Path]:
        """Complete snapshots, newest (highest cursor) first."""
        found = [
            path
            for path in self.root.iterdir()
            if path.name.startswith(_PREFIX) and (path / "meta.json").is_file()
        ]
        return sorted(found, key=lambda p: (snapshot_cursor(p), p.stat().st_mtime), reverse=True)

    def latest(self) -> Path | None:
        found = self.snapshots()
        return found[0] if found else None

    def write(self, captured: IndexCapture) -> Path:
        """Write a snapshot atomically, then drop all but the newest ``keep``. Hold the lock."""
        temporary = self.root / f"{_TEMP_PREFIX}{uuid.uuid4().hex}"
        final = self.root / f"{_PREFIX}{captured.cursor:020d}-{uuid.uuid4().hex[:8]}"
        try:
            write(captured, temporary)
            for folder in (temporary / "pdq", temporary / "exact", temporary / "owners"):
                fsync_directory(folder)
            fsync_directory(temporary)
            temporary.rename(final)
            fsync_directory(self.root)
        finally:
            shutil.rmtree(temporary, ignore_errors=True)
        self._prune()
        return final

    def _prune(self) -> None:
        for old in self.snapshots()[self.keep :]:
            shutil.rmtree(old, ignore_errors=True)
        now = time.time()
        for path in self.root.iterdir():
            if path.name.startswith(_TEMP_PREFIX):
                with contextlib.suppress(OSError):
                    if now - path.stat().st_mtime > _STALE_TEMP_SECONDS:
                        shutil.rmtree(path, ignore_errors=True)
