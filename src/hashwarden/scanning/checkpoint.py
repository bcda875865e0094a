"""Crash-safe progress of a scan: the report journal plus a ``<report>.state`` file.

Per batch the driver appends the batch's report lines to the journal in one write, fsyncs, then
appends ``{"offset": <journal size>, "done": [ids]}`` to the state file and fsyncs. On resume the
journal is cut back to the last recorded offset, which drops both a torn last line and lines of a
batch whose state record never made it to disk; so every file ends up in the report exactly once.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from hashwarden.core.errors import HashwardenError

STATE_VERSION = 1


class CheckpointError(HashwardenError):
    """A scan cannot be resumed safely."""


class Checkpoint:
    def __init__(self, journal: Path, state: Path, *, resume: bool) -> None:
        self.journal_path = journal
        self.state_path = state
        self.done: set[str] = set()
        self.finished = False
        offset = 0
        if resume and not state.exists() and journal.exists() and journal.stat().st_size:
            # Without the state file the done set is unknown; starting over would wipe the report.
            raise CheckpointError(
                f"cannot resume: {state} is missing; move {journal} away to start a new scan"
            )
        if resume and state.exists() and journal.exists():
            offset = self._load_state()
        else:
            state.write_text(json.dumps({"version": STATE_VERSION}) + "\n", encoding="ascii")
        self._journal: IO[bytes] = journal.open("r+b" if offset else "wb")
        self._journal.truncate(offset)
        self._journal.seek(offset)
        self._state: IO[bytes] = state.open("ab")

    def _load_state(self) -> int:
        offset = 0
        good_bytes = 0
        with self.state_path.open("rb") as handle:
            for raw in handle:
                try:
                    record = json.loads(raw)
                except ValueError:
                    break  # a torn last record: everything after it is discarded
                if not raw.endswith(b"\n") or not isinstance(record, dict):
                    break
                good_bytes += len(raw)
                if "offset" in record:
                    offset = int(record["offset"])
                    self.done.update(str(i) for i in record.get("done", ()))
                self.finished = bool(record.get("finished", False))
        with self.state_path.open("r+b") as handle:
            handle.truncate(good_bytes)
        return min(offset, self.journal_path.stat().st_size)

    def commit(self, lines: Iterable[str], done: Iterable[str]) -> None:
        """Make a batch durable: its report lines first, then the record that it is done."""
        done_ids = list(done)
        data = "".join(lines).encode("ascii")
        if data:
            self._journal.write(data)
            self._journal.flush()
            os.fsync(self._journal.fileno())
        self.done.update(done_ids)
        self._append_state({"offset": self._journal.tell(), "done": done_ids})

    def finish(self) -> None:
        self._append_state({"offset": self._journal.tell(), "done": [], "finished": True})
        self.finished = True

    def close(self) -> None:
        self._journal.close()
        self._state.close()

    def _append_state(self, record: dict[str, object]) -> None:
        self._state.write(json.dumps(record, ensure_ascii=True).encode("ascii") + b"\n")
        self._state.flush()
        os.fsync(self._state.fileno())
