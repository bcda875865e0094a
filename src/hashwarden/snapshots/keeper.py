"""Index snapshots shared by the worker processes of one host: open, roll, move to newer ones.

* At start a worker opens the newest snapshot and replays the changes since its cursor. If there
  is none (or it is unusable) the first worker builds the index from the database and writes
  one, while the others wait on the lock and then map it: the index is built once per host and
  its memory is shared, however many workers there are.
* While running, changes pile up in each worker's private overlay. Once the overlay passes
  ``roll_fraction`` of the snapshot (and ``min_roll`` rows) one worker writes a new snapshot in
  a background thread; every worker then moves to it at its next follow cycle (open, replay
  the few changes since, swap), so the old mapping and the private overlays are freed.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from hashwarden.core.matching.matcher import Matcher, MatchSource
from hashwarden.core.matching.signal_index import SignalIndex
from hashwarden.core.signals.registry import SIGNALS, SignalRegistry
from hashwarden.snapshots.build import build_in_child
from hashwarden.snapshots.directory import SnapshotDirectory, snapshot_cursor
from hashwarden.snapshots.files import SnapshotError, capture, open_index, read_meta

log = logging.getLogger(__name__)


class SnapshotKeeper:
    def __init__(
        self,
        root: Path,
        source: MatchSource,
        signals: SignalRegistry = SIGNALS,
        *,
        roll_fraction: float = 0.1,
        min_roll: int = 50_000,
        database_url: str | None = None,
    ) -> None:
        """With ``database_url`` the first build runs in a child process (see ``build``)."""
        self.directory = SnapshotDirectory(root)
        self._database_url = database_url
        self._source = source
        self._signals = signals
        self._roll_fraction = roll_fraction
        self._min_roll = min_roll
        self._writer: threading.Thread | None = None

    def open_matcher(self) -> Matcher:
        """A matcher over the newest usable snapshot, writing one first if there is none."""
        with self.directory.lock():
            path = self._usable_latest()
            if path is None and self._database_url is not None:
                build_in_child(self._database_url, self.directory.root)
                path = self._usable_latest()
            if path is None:
                built = Matcher(self._source, self._signals)
                path = self.directory.write(capture(built.index))
                del built
        return Matcher(self._source, self._signals, index=open_index(path, self._signals))

    def maintain(self, matcher: Matcher) -> SignalIndex | None:
        """Called by the follower after applying changes; returns an index to swap in, if any.

        Runs on the follower thread, the only one that changes the index, so ``capture`` sees a
        consistent index without further locking.
        """
        current = matcher.index
        newer = self._newer_than(current)
        if newer is not None:
            try:
                index = open_index(newer, self._signals)
            except SnapshotError as exc:
                log.warning("ignoring snapshot %s: %s", newer.name, exc)
                return None
            matcher.apply(matcher.pending(since=index.cursor), index)
            return index
        if self._should_roll(current) and not self._writing():
            self._start_writer(current)
        return None

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a background snapshot write to finish (tests, shutdown)."""
        writer = self._writer
        if writer is not None:
            writer.join(timeout)

    def _usable_latest(self) -> Path | None:
        for path in self.directory.snapshots():
            try:
                read_meta(path)
            except SnapshotError as exc:
                log.warning("ignoring snapshot %s: %s", path.name, exc)
                continue
            # A database restored from a backup can be behind the snapshot: rebuild then.
            if self._source.latest_signal_cursor() < snapshot_cursor(path):
                log.warning("snapshot %s is ahead of the database; rebuilding", path.name)
                continue
            return path
        return None

    def _newer_than(self, index: SignalIndex) -> Path | None:
        latest = self.directory.latest()
        if latest is None or latest.name == index.snapshot_name:
            return None
        if not index.snapshot_name:
            return latest
        current = index.snapshot_name
        return latest if snapshot_cursor(latest) >= snapshot_cursor(Path(current)) else None

    def _should_roll(self, index: SignalIndex) -> bool:
        overlay = index.overlay_size()
        return overlay >= self._min_roll and overlay > self._roll_fraction * len(index)

    def _writing(self) -> bool:
        return self._writer is not None and self._writer.is_alive()

    def _start_writer(self, index: SignalIndex) -> None:
        captured = capture(index)

        def write() -> None:
            with self.directory.lock(blocking=False) as acquired:
                if not acquired:
                    return  # another worker is writing one; we move to it when it appears
                latest = self.directory.latest()
                if latest is not None and snapshot_cursor(latest) >= captured.cursor:
                    return
                try:
                    path = self.directory.write(captured)
                except OSError:
                    log.exception("could not write an index snapshot")
                    return
                log.info("wrote index snapshot %s", path.name)

        self._writer = threading.Thread(target=write, name="index-snapshot", daemon=True)
        self._writer.start()
