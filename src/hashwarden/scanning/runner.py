"""The scan driver: walk, hash in parallel, match in this process, write a resumable report.

Matching runs here, in batches, because the index lives in the driver; workers only hash. The
runner knows nothing about the CLI: progress goes to a plain callback (see ``progress.py`` for
a Rich rendering).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hashwarden.core.media.models import MediaHashes
from hashwarden.scanning.checkpoint import Checkpoint
from hashwarden.scanning.executors import Batch, DaskExecutor, Executor, InlineExecutor
from hashwarden.scanning.items import FileOutcome
from hashwarden.scanning.reports import check_report_path, journal_path, render_report, state_path
from hashwarden.scanning.reports.jsonl import outcome_to_json, to_line
from hashwarden.scanning.tasks import HashOptions
from hashwarden.scanning.walker import walk

#: Given the hashes of a batch of files, the hits of each file (a list of JSON-able dicts).
MatchFn = Callable[[Sequence[MediaHashes]], Sequence[list[dict[str, object]]]]

MIB = 1024 * 1024


@dataclass(slots=True)
class ScanProgress:
    """Counters of the current run (files already done by an earlier run are ``skipped_done``)."""

    files_done: int = 0
    found: int = 0
    walk_finished: bool = False
    skipped_done: int = 0
    #: Report lines written: files, archive members and problems.
    lines: int = 0
    matched: int = 0
    hits: int = 0
    errors: int = 0
    bytes_done: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def files_per_second(self) -> float:
        elapsed = self.elapsed
        return self.files_done / elapsed if elapsed > 0 else 0.0


ProgressCallback = Callable[[ScanProgress], None]


@dataclass(frozen=True, slots=True)
class ScanSummary:
    report: Path
    journal: Path
    progress: ScanProgress


class Scanner:
    def __init__(
        self,
        roots: Sequence[str | Path],
        *,
        report: Path,
        match: MatchFn | None = None,
        workers: int | None = None,
        scheduler: str | None = None,
        client: Any = None,
        resume: bool = False,
        batch_size: int = 32,
        batch_bytes: int = 64 * MIB,
        max_in_flight: int | None = None,
        options: HashOptions | None = None,
        progress: ProgressCallback | None = None,
    ) -> None:
        """``workers=0`` hashes inline; else a Dask ``client``, ``scheduler`` or new LocalCluster.

        ``max_in_flight`` (default twice the workers) bounds submitted batches, hence memory.
        """
        check_report_path(report)
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.roots = list(roots)
        self.report = report
        self.match = match
        self.workers = workers
        self.scheduler = scheduler
        self.client = client
        self.resume = resume
        self.batch_size = batch_size
        self.batch_bytes = batch_bytes
        self.max_in_flight = max_in_flight
        self.options = options or HashOptions()
        self.progress = progress

    def _executor(self) -> Executor:
        if self.client is None and self.scheduler is None and self.workers == 0:
            return InlineExecutor()
        return DaskExecutor(workers=self.workers, scheduler=self.scheduler, client=self.client)

    def run(self) -> ScanSummary:
        journal = journal_path(self.report)
        checkpoint = Checkpoint(journal, state_path(self.report), resume=self.resume)
        state = ScanProgress()
        problems: list[FileOutcome] = []
        try:
            executor = self._executor()
            try:
                in_flight = self.max_in_flight or 2 * executor.workers
                batches = self._batches(checkpoint.done, state, problems)
                for batch, outcomes in executor.run(batches, self.options, in_flight):
                    self._commit(checkpoint, state, batch, outcomes, problems)
                    problems.clear()
            finally:
                executor.close()
            if problems:
                self._commit(checkpoint, state, None, [], problems)
            checkpoint.finish()
        finally:
            checkpoint.close()
        render_report(self.report)
        self._notify(state)
        return ScanSummary(self.report, journal, state)

    def _batches(
        self, done: set[str], state: ScanProgress, problems: list[FileOutcome]
    ) -> Iterator[Batch]:
        items = []
        size = 0
        for found in walk(self.roots):
            if found.id in done:
                state.skipped_done += 1
                continue
            if isinstance(found, FileOutcome):
                problems.append(found)  # written with the next finished batch
                continue
            state.found += 1
            items.append(found)
            size += found.size
            if len(items) >= self.batch_size or size >= self.batch_bytes:
                yield Batch(tuple(items))
                items, size = [], 0
        state.walk_finished = True
        if items:
            yield Batch(tuple(items))

    def _commit(
        self,
        checkpoint: Checkpoint,
        state: ScanProgress,
        batch: Batch | None,
        outcomes: list[FileOutcome],
        problems: list[FileOutcome],
    ) -> None:
        hashed = [o for o in outcomes if o.hashes is not None]
        hits: Sequence[list[dict[str, object]]] = [[] for _ in hashed]
        if self.match is not None and hashed:
            hits = self.match([o.hashes for o in hashed if o.hashes is not None])
            if len(hits) != len(hashed):
                raise ValueError(f"match returned {len(hits)} results for {len(hashed)} files")
        hits_by_id = {o.id: h for o, h in zip(hashed, hits, strict=True)}
        lines = []
        for outcome in [*outcomes, *problems]:
            found = hits_by_id.get(outcome.id, [])
            lines.append(to_line(outcome_to_json(outcome, found)))
            if outcome.hashes is None:
                state.errors += 1
            else:
                state.bytes_done += outcome.hashes.size
            if found:
                state.matched += 1
                state.hits += len(found)
        done = [item.id for item in batch.items] if batch is not None else []
        checkpoint.commit(lines, [*done, *(p.id for p in problems)])
        state.files_done += len(done)
        state.lines += len(lines)
        self._notify(state)

    def _notify(self, state: ScanProgress) -> None:
        if self.progress is not None:
            self.progress(state)
